"""A guide in the database as a GuideDocument, for export_guide to write."""

import json

from faq.models import SeedRecord

from .document import GuideDocument, QuestionEntry


def guide_document(guide):
    """Every question of the guide in order, with its live answer, topics and sources.

    Each question's stable id is its identity as first seeded or imported (so a
    re-import finds it after editors re-addressed it), else its address today.
    """
    questions = list(
        guide.questions.select_related("answer")
        .prefetch_related("tags", "answer__sources")
        .order_by("position")
    )
    first_keys = dict(
        SeedRecord.objects.filter(
            model="faq.question", object_id__in=[str(q.pk) for q in questions]
        ).values_list("object_id", "key")
    )
    entries = []
    for question in questions:
        key = first_keys.get(str(question.pk))
        identity = json.loads(key.split(" ", 1)[1]) if key else [guide.slug, question.slug]
        answer = getattr(question, "answer", None)
        entry = QuestionEntry(
            question.position, question.text, answer.body if answer else "", 0, slug=question.slug
        )
        entry.id = "/".join(identity)
        entry.topics = sorted((t.name for t in question.tags.all()), key=str.casefold)
        entry.sources = (
            [{"title": s.title, "url": s.url} for s in answer.sources.all()] if answer else []
        )
        entries.append(entry)
    return GuideDocument(
        title=guide.title,
        category=guide.category.name,
        questions=entries,
        slug=guide.slug,
        summary=guide.summary,
        language=guide.language,
    )
