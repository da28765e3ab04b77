"""Translations: what pairs an English row with its Spanish one, and whether a
Spanish answer is behind its English original.

A guide, question or topic and its translation share a `translation_key`
(faq/models/guides.py says why rows, not columns). A Spanish answer records in
`translated_from` the English answer's revision (history row) it was
translated from. It is *behind* when the English answer's public text changed
notably (a published change not marked minor) after that revision: the
English answer's `notable_change_at` is later than the revision's date.
Minor English fixes and English drafts never make a translation behind.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils.translation import gettext_noop

from .languages import ENGLISH, NATIVE_NAMES, SPANISH, other_language, route_name
from .links import url
from .models import Answer, Guide, Question, Topic
from .models.guides import slug_from_text
from .prepared import PreparedQuery
from .revisions import RevisionText, compare, save_revision


def counterparts(queryset, prefix=""):
    """The rows of `queryset` paired with the outer row (same key, other language);
    `prefix` reaches the outer row through a relation ("question__")."""
    # No ordering: there is at most one, and the models' default ordering joins categories.
    return (
        queryset.filter(translation_key=OuterRef(f"{prefix}translation_key"))
        .exclude(language=OuterRef(f"{prefix}language"))
        .order_by()
    )


def counterpart_guide_slug():
    return Subquery(counterparts(Guide.objects.published()).values("slug")[:1])


def counterpart_topic_slug():
    """The other language's topic, when a published question has it (else it has no page)."""
    has_questions = Question.objects.published().filter(tags=OuterRef("pk"))
    topics = counterparts(Topic.objects.filter(Exists(has_questions)))
    return Subquery(topics.values("slug")[:1])


def question_counterpart_annotations(prefix=""):
    """Annotations naming the published counterpart of a question (its slug and its
    guide's slug) and when its answer last changed notably, for one query per page."""
    counterpart = counterparts(Question.objects.published(), prefix)
    return {
        "counterpart_slug": Subquery(counterpart.values("slug")[:1]),
        "counterpart_guide_slug": Subquery(counterpart.values("guide__slug")[:1]),
        "counterpart_changed_at": Subquery(counterpart.values("answer__notable_change_at")[:1]),
    }


@dataclass
class Alternate:
    """The page in the other language, for the language switch and hreflang links.

    `equivalent` is False when the other page is only the nearest one (another
    language's search page, the first page of a list): then the switch links
    to it, but no hreflang alternate claims it is this page translated.
    """

    language: str
    path: str
    equivalent: bool = True

    @property
    def name(self):
        return NATIVE_NAMES[self.language]


# Whether a language has a published guide: its home, topics and search pages
# are then worth switching to. Asked by those pages on every render.
published_guide_in = PreparedQuery(
    lambda language: Guide.objects.published().filter(language=language).values("pk")[:1],
    language=str,
)


def site_page_in_other_language(language, viewname):
    """The other language's version of a site page (home, topics, search), if that
    language has anything published."""
    other = other_language(language)
    if not published_guide_in(language=other):
        return None
    return Alternate(other, url(route_name(viewname, other)), equivalent=viewname != "faq:search")


def counterpart_of(language, viewname, *slugs, page=1):
    """The other language's page with these slugs (None when a slug is None: no
    published counterpart). After page 1 the switch leads to its first page."""
    if None in slugs:
        return None
    other = other_language(language)
    return Alternate(other, url(route_name(viewname, other), *slugs), equivalent=page == 1)


def english_original(answer):
    """The English answer a Spanish answer translates, or None."""
    question = answer.question
    return (
        Answer.objects.select_related("question")
        .filter(question__translation_key=question.translation_key, question__language=ENGLISH)
        .exclude(question__language=question.language)
        .first()
    )


def spanish_translation(answer):
    """The Spanish answer translating an English one, or None."""
    return (
        Answer.objects.select_related("question__guide", "translated_from")
        .filter(
            question__translation_key=answer.question.translation_key, question__language=SPANISH
        )
        .first()
    )


def current_revision(answer):
    """The newest history row of an answer: the revision a translation made now is from."""
    return answer.history.order_by("-history_date", "-history_id").first()


def is_behind(translation, original):
    """Whether the English `original` changed notably after `translation` was made from it."""
    source = translation.translated_from
    if source is None or original is None or original.notable_change_at is None:
        return False
    return original.notable_change_at > source.history_date


def english_changes_since(translation, original):
    """What changed in the English between the translated-from revision and now,
    part by part (question, answer, topics, sources) with words marked."""
    return compare(
        RevisionText.from_history(translation.translated_from), RevisionText.from_answer(original)
    )


def behind_translations():
    """Spanish answers whose English original changed notably since they were made."""
    original_changed_at = Subquery(
        Answer.objects.filter(
            question__translation_key=OuterRef("question__translation_key"),
            question__language=ENGLISH,
        ).values("notable_change_at")[:1]
    )
    return (
        Answer.objects.filter(question__language=SPANISH, translated_from__isnull=False)
        .annotate(original_changed_at=original_changed_at)
        .filter(original_changed_at__gt=F("translated_from__history_date"))
    )


def not_linked_translations():
    """Spanish answers that record no English revision (made by hand, or the revision is gone)."""
    return Answer.objects.filter(question__language=SPANISH, translated_from__isnull=True)


TRANSLATION_STARTED = gettext_noop("Translation started from the English answer")


class TranslationError(Exception):
    pass


def spanish_guide_for(guide):
    return Guide.objects.filter(translation_key=guide.translation_key, language=SPANISH).first()


def translate(original, user):
    """Create the Spanish question and answer for an English answer, as a draft
    pre-filled with the English text and linked to its current revision.

    The Spanish guide must exist (Guides: add one in Spanish, as the translation
    of the English guide). Topics come across as the English topics' Spanish
    versions where those exist.
    """
    question = original.question
    if question.language != ENGLISH:
        raise TranslationError("Only English answers are translated.")
    if spanish_translation(original) is not None:
        raise TranslationError("This answer already has a Spanish version.")
    guide = spanish_guide_for(question.guide)
    if guide is None:
        raise TranslationError(
            f"The guide “{question.guide}” has no Spanish version yet. Add a Spanish guide "
            "as its translation first (Guides → Add, language Spanish)."
        )
    with transaction.atomic():
        taken = set(guide.questions.values_list("position", flat=True))
        position = question.position
        while position in taken:
            position += 1
        spanish = Question(
            guide=guide,
            position=position,
            text=question.text,
            slug=question.slug,
            status=Question.Status.DRAFT,
            translation_key=question.translation_key,
        )
        if guide.questions.filter(slug=spanish.slug).exists():
            spanish.slug = f"{question.slug}-{position}"
        spanish._history_user = user
        spanish.save()
        topics = Topic.objects.filter(
            language=SPANISH,
            translation_key__in=question.tags.values("translation_key"),
        )
        spanish.tags.set(list(topics))
        answer = Answer(
            question=spanish,
            body=original.body,
            review_interval_days=original.review_interval_days,
            translated_from=current_revision(original),
        )
        # Sources first, so the answer's one first revision records them.
        answer.save_without_historical_record()
        for source in original.sources.all():
            answer.sources.create(title=source.title, url=source.url, position=source.position)
        save_revision(answer, user, reason=TRANSLATION_STARTED)
    return answer


def was_ever_published(question):
    return question.status == Question.Status.PUBLISHED or (
        question.history.filter(status=Question.Status.PUBLISHED).exists()
    )


def automatic_slugs(question, text):
    """The web addresses the site itself would have given this question: the
    one made from `text`, and the English original's, copied by translate()."""
    made = {slug_from_text(text) or f"question-{question.position}"}
    original = (
        Question.objects.filter(translation_key=question.translation_key, language=ENGLISH)
        .values_list("slug", flat=True)
        .first()
    )
    if original:
        made.add(original)
    return made | {f"{slug}-{question.position}" for slug in made}


def slug_for_new_wording(question, new_text):
    """The web address a translation should have once its wording becomes `new_text`.

    A Spanish page needs a Spanish address, and translate() can only copy the
    English one. So while a translation has never been published, an address
    the site made (from its wording, or the English one) follows the wording;
    an address a translator typed stays, and so does every address readers
    may have seen (published once, even if a draft again): it never changes
    by itself then.
    """
    if question.language == ENGLISH or question.pk is None:
        return question.slug
    if question.slug not in automatic_slugs(question, question.text):
        return question.slug
    if was_ever_published(question):
        return question.slug
    slug = slug_from_text(new_text) or f"question-{question.position}"
    others = question.guide.questions.exclude(pk=question.pk)
    if others.filter(slug=slug).exists():
        slug = f"{slug}-{question.position}"
    return slug


def bring_up_to_date(translation, original):
    """Record that the translation now matches the English as it is now; saved by the caller."""
    translation.translated_from = current_revision(original)


def topic_language_errors(language, topic_names):
    """Names typed as topics of a question in `language` that are the other language's topics."""
    if not topic_names:
        return []
    query = Q()
    for name in topic_names:
        query |= Q(name__iexact=name)
    return list(
        Topic.objects.filter(query).exclude(language=language).values_list("name", flat=True)
    )
