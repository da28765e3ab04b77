"""Import one parsed guide: new content as drafts, changes as answer drafts.

Nothing an editor did is lost and no live text changes:

- a new guide is unpublished and its questions are drafts;
- a question already in the database whose answer differs from the file gets
  the file's text as a **draft** (change note "Imported from <file name>"),
  the live text untouched, unless an editor's own draft is waiting, which is
  kept (the question is reported as skipped);
- a question's wording that differs is reported, never changed.

Guides and questions are recognised by the same rule as seed_content (issue
16): the identity written in the file, remembered in SeedRecord when the
import created them, so a re-import finds a question an editor has since
re-addressed. Questions the file does not name that way are matched by guide
and number. A question deleted since it was imported stays deleted.
"""

import json
from dataclasses import dataclass, field

from django.utils.text import slugify

from faq import revisions
from faq.diff import changed_segments, has_changes, merged
from faq.fixture_records import record_key
from faq.models import (
    Answer,
    Category,
    Guide,
    Question,
    SeedRecord,
    Source,
    TaggedQuestion,
    Topic,
    revision_snapshot,
    slug_from_text,
)

DIFF_CONTEXT = 8  # unchanged words kept beside each change in a preview


@dataclass
class QuestionOutcome:
    number: int
    text: str
    status: str  # "new", "unchanged", "changed", "skipped", "deleted"
    diff: str = ""  # a word diff for a terminal
    note: str = ""
    live_answer: str = ""  # for changed answers: the live text and the file's
    file_answer: str = ""


@dataclass
class ImportReport:
    file_name: str
    guide: str
    guide_is_new: bool
    questions: list = field(default_factory=list)

    def count(self, status):
        return sum(outcome.status == status for outcome in self.questions)


def import_document(document, file_name, user=None):
    """Apply `document` (callers own the transaction; roll back for a preview)."""
    note = f"Imported from {file_name}"
    guide_slug = document.slug or slug_from_text(document.title, max_length=100)
    guide, guide_is_new = find_guide(document, guide_slug)
    if guide_is_new:
        guide = create_guide(document, guide_slug, file_name)
    report = ImportReport(file_name, f"{guide.title} (/{guide.slug}/)", guide_is_new)
    seeded = {
        row.key: row
        for row in SeedRecord.objects.filter(
            model="faq.question",
            key__in=[question_key(guide_slug, entry) for entry in document.questions],
        )
    }
    for entry in document.questions:
        key = question_key(guide_slug, entry)
        question, deleted = find_question(guide, seeded.get(key), entry)
        if deleted:
            report.questions.append(
                QuestionOutcome(entry.number, entry.text, "deleted", note="deleted since imported")
            )
        elif question is None:
            report.questions.append(create_question(guide, entry, key, file_name, note, user))
        else:
            report.questions.append(update_question(question, entry, note, user))
    return report


def question_key(guide_slug, entry):
    """The stable id the file gives (export_guide writes one), else the address it implies."""
    if entry.id:
        return record_key(Question, entry.id.split("/"))
    return record_key(Question, [guide_slug, entry.slug or slug_from_text(entry.text)])


def find_guide(document, guide_slug):
    key = record_key(Guide, [guide_slug])
    row = SeedRecord.objects.filter(key=key).first()
    if row and (guide := Guide.objects.filter(pk=row.object_id).first()):
        return guide, False
    guide = (
        Guide.objects.filter(slug=guide_slug).first()
        or Guide.objects.filter(title=document.title).first()
    )
    return guide, guide is None


def create_guide(document, guide_slug, file_name):
    category = Category.objects.filter(name=document.category).first()
    if category is None:
        category = Category.objects.create(name=document.category, slug=unique_slug(document))
        remember(record_key(Category, [category.slug]), category, file_name)
    guide = Guide(
        title=document.title,
        slug=guide_slug,
        summary=document.summary,
        category=category,
        is_published=False,
    )
    if document.language:
        guide.language = document.language
    guide.save()
    remember(record_key(Guide, [guide_slug]), guide, file_name)
    return guide


def unique_slug(document):
    base = slugify(document.category)[:90] or "category"
    slug, number = base, 1
    while Category.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def remember(key, row, file_name):
    """Record what the import created under the same keys as seed_content's, so a
    later seed_content of the guide's fixture finds it applied (issue 16)."""
    SeedRecord.objects.get_or_create(
        key=key,
        defaults={"model": row._meta.label_lower, "object_id": str(row.pk), "fixture": file_name},
    )


def find_question(guide, seeded, entry):
    """(question or None, deleted since imported)."""
    if seeded is not None:
        question = Question.objects.filter(pk=seeded.object_id).select_related("answer").first()
        return question, question is None
    return guide.questions.filter(position=entry.number).select_related("answer").first(), False


def create_question(guide, entry, key, file_name, note, user):
    slug = entry.slug or slug_from_text(entry.text) or f"question-{entry.number}"
    if taken := guide.questions.filter(slug=slug).first():
        return QuestionOutcome(
            entry.number,
            entry.text,
            "skipped",
            note=f"its web address “{slug}” is taken by question {taken.position}",
        )
    question = Question(
        guide=guide, position=entry.number, text=entry.text, slug=slug, status=Question.Status.DRAFT
    )
    question._change_reason = note
    question._history_user = user
    question.save()
    if entry.topics:
        question.tags.set(entry.topics)
    answer = Answer(question=question, body=entry.answer, change_note=note)
    answer.save_without_historical_record()  # its one revision is written once sources exist
    Source.objects.bulk_create(
        Source(answer=answer, title=source["title"], url=source["url"], position=position)
        for position, source in enumerate(entry.sources, start=1)
    )
    Answer.history.bulk_history_create(
        [answer],
        default_user=user,
        default_change_reason=note,
        custom_historical_attrs=revision_snapshot(answer),
    )
    remember(key, question, file_name)
    identity = json.loads(key.split(" ", 1)[1])
    remember(record_key(Answer, identity), answer, file_name)
    for link in TaggedQuestion.objects.filter(content_object=question).select_related("tag"):
        remember(record_key(Topic, [link.tag.name]), link.tag, file_name)
        remember(record_key(TaggedQuestion, [*identity, link.tag.name]), link, file_name)
    return QuestionOutcome(entry.number, entry.text, "new")


def update_question(question, entry, note, user):
    outcome = QuestionOutcome(entry.number, entry.text, "unchanged")
    if question.text != entry.text:
        outcome.note = f"the wording differs (left as “{question.text}”)"
    answer = getattr(question, "answer", None)
    if answer is None:
        return QuestionOutcome(entry.number, entry.text, "skipped", note="it has no answer")
    waiting = answer.draft_body if answer.has_draft else None
    if not has_changes(answer.body, entry.answer) or (
        waiting is not None and not has_changes(waiting, entry.answer)
    ):
        return outcome
    outcome.status, outcome.diff = "changed", text_diff(answer.body, entry.answer)
    outcome.live_answer, outcome.file_answer = answer.body, entry.answer
    if waiting is not None:
        outcome.status = "skipped"
        outcome.note = (
            "an editor's draft is waiting; it is kept and the file's text is not imported"
        )
        return outcome
    live = {"body": answer.body, "change_note": answer.change_note, "is_minor": answer.is_minor}
    answer.body, answer.change_note, answer.is_minor = entry.answer, note, False
    revisions.save_draft(answer, user, live)
    return outcome


def text_diff(old, new, context=DIFF_CONTEXT):
    """A word diff for a terminal: [-removed-] {+added+}, long unchanged stretches cut."""
    parts = []
    segments = merged(changed_segments(old, new))
    for index, (operation, tokens) in enumerate(segments):
        if operation == "equal":
            if len(tokens) > 2 * context + 4:
                head = "" if index == 0 else "".join(tokens[:context])
                tail = "" if index == len(segments) - 1 else "".join(tokens[-context:])
                parts.append(f"{head}… {tail}")
            else:
                parts.append("".join(tokens))
        else:
            words = "".join(tokens).strip()
            parts.append(f"[-{words}-] " if operation == "delete" else f"{{+{words}+}} ")
    return "".join(parts).strip()
