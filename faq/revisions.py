"""Revisions of an answer: what one contains, how two compare, and revert.

An Answer history row is the revision record of one question and answer: the
answer's own fields plus a snapshot of the question's wording, its topics and
its sources (see `AnswerRevision` in faq/models/answers.py). Every change an editor makes
through the admin writes exactly one such row.
"""

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, gettext_noop

from .diff import HTML, has_changes, list_diff, word_diff
from .models import Answer, Question, Source, revision_snapshot


@dataclass
class RevisionText:
    """The parts of a revision that compare and revert work on: the live
    wording, text, topics and sources, and a waiting draft's own (empty when
    none waits)."""

    question_text: str
    body: str
    topics: list[str]
    sources: list[dict] = field(default_factory=list)
    draft_body: str = ""
    draft_question_text: str = ""
    draft_topics: list[str] = field(default_factory=list)
    draft_sources: list[dict] = field(default_factory=list)

    @property
    def has_draft(self):
        return bool(self.draft_body or self.draft_question_text)

    @classmethod
    def from_history(cls, row):
        text = cls(
            question_text=row.question_text,
            body=row.body,
            topics=list(row.topics or []),
            sources=list(row.sources or []),
        )
        if row.draft_saved_at:
            text.set_draft(row)
        return text

    @classmethod
    def from_answer(cls, answer, with_draft=True):
        snapshot = revision_snapshot(answer)
        text = cls(
            question_text=snapshot["question_text"],
            body=answer.body,
            topics=snapshot["topics"],
            sources=snapshot["sources"],
        )
        if with_draft and answer.has_draft:
            text.set_draft(answer)
        return text

    @classmethod
    def draft_of(cls, answer):
        """The answer as its waiting draft would make it, once published."""
        text = cls.from_answer(answer)
        return cls(
            question_text=text.draft_question_text,
            body=text.draft_body,
            topics=text.draft_topics,
            sources=text.draft_sources,
        )

    def set_draft(self, record):
        # Drafts saved before whole drafts (migration 0013) held only the text:
        # their wording, topics and sources were the live ones.
        whole = bool(record.draft_question_text)
        self.draft_body = record.draft_body
        self.draft_question_text = record.draft_question_text if whole else self.question_text
        self.draft_topics = list(record.draft_topics) if whole else list(self.topics)
        self.draft_sources = list(record.draft_sources) if whole else list(self.sources)

    def live_only(self):
        """This revision without its draft (revert brings back the live parts only)."""
        return RevisionText(self.question_text, self.body, self.topics, self.sources)

    def as_draft(self):
        """This revision, with its live parts as its draft when it has none."""
        if self.has_draft:
            return self
        return RevisionText(
            self.question_text,
            self.body,
            self.topics,
            self.sources,
            draft_body=self.body,
            draft_question_text=self.question_text,
            draft_topics=self.topics,
            draft_sources=self.sources,
        )

    def source_lines(self):
        return source_lines(self.sources)

    def draft_source_lines(self):
        return source_lines(self.draft_sources)


def source_lines(sources):
    """“Title (https://…)”, one line per source, as compare shows them."""
    return [f"{source['title']} ({source['url']})" for source in sources]


@dataclass
class Difference:
    label: str
    html: str
    changed: bool


def text_difference(label, old, new, context=None, marks=HTML):
    return Difference(label, word_diff(old, new, context, marks), has_changes(old, new))


def list_difference(label, old, new, marks=HTML):
    return Difference(label, list_diff(old, new, marks), old != new)


def compare(old: RevisionText, new: RevisionText, context=None, marks=HTML) -> list[Difference]:
    """Each part of two revisions with words or items marked as added or removed
    (`context` and `marks` as for diff.word_diff: an import's preview is shorter,
    and plain text in a terminal)."""
    parts = [
        text_difference(gettext("Question"), old.question_text, new.question_text, context, marks),
        text_difference(gettext("Answer"), old.body, new.body, context, marks),
        list_difference(gettext("Topics"), old.topics, new.topics, marks),
        list_difference(gettext("Sources"), old.source_lines(), new.source_lines(), marks),
    ]
    if old.has_draft or new.has_draft:
        parts += compare_drafts(old, new)
    return parts


def compare_drafts(old, new):
    """The waiting drafts' parts: wording, text, topics and sources. A side
    with no draft counts as its live parts, so a new draft shows what it
    changes, and a published one that it went live as it was."""
    old, new = old.as_draft(), new.as_draft()
    return [
        text_difference(
            gettext("Unpublished draft: question"),
            old.draft_question_text,
            new.draft_question_text,
        ),
        text_difference(gettext("Unpublished draft"), old.draft_body, new.draft_body),
        list_difference(gettext("Unpublished draft: topics"), old.draft_topics, new.draft_topics),
        list_difference(
            gettext("Unpublished draft: sources"),
            old.draft_source_lines(),
            new.draft_source_lines(),
        ),
    ]


# How each interface language writes a revision's date and time.
REVISION_DATE_FORMATS = {"en": "j F Y, H:i", "es": r"j \d\e F \d\e Y, H:i"}


def revision_label(moment):
    """“25 November 2026, 09:14”: how notes and pages name a revision's date
    (“25 de noviembre de 2026, 09:14” in Spanish)."""
    language = translation.get_language()
    date_format = REVISION_DATE_FORMATS.get(language) or REVISION_DATE_FORMATS["en"]
    return formats.date_format(timezone.localtime(moment), date_format)


def site_zone():
    return ZoneInfo(settings.TIME_ZONE)


def zone_name(moment=None):
    """“America/Chicago (CST)”: the site's time zone, as in force at `moment`."""
    local = timezone.localtime(moment or timezone.now(), site_zone())
    return f"{settings.TIME_ZONE} ({local.tzname()})"


def zoned(moment, zone_in_full=False):
    """“3 December 2026, 09:00 CST”: a time in the site's zone, its
    abbreviation after it, the date as the admin's language writes it (the
    dashboard and emails). With `zone_in_full`, “… 09:00 America/Chicago (CST)”
    (the answer screen, where a time is also typed)."""
    with timezone.override(site_zone()):
        local = timezone.localtime(moment)
        zone = zone_name(moment) if zone_in_full else local.tzname()
        return f"{revision_label(moment)} {zone}"


def person(user):
    """Who did something, for screens and emails: a deleted login is still named."""
    return user.get_username() if user else gettext("someone no longer here")


def revert(answer, row, user):
    """Make `row`'s content current again as one new revision; returns the answer.

    The question's wording, topics and sources come back with the text. The
    publication state and any waiting draft are left alone: reverting is an
    edit, not a publishing decision.
    """
    with transaction.atomic():
        answer = Answer.objects.select_for_update().select_related("question").get(pk=answer.pk)
        target = RevisionText.from_history(row)
        # Rows written before snapshots existed (migration 0002) hold no question
        # text, topics or sources; for those only the answer text comes back.
        if row.question_text:
            set_question_wording(answer.question, target.question_text, target.topics)
            replace_sources(answer, target.sources)
        answer.body = target.body
        # The note is stored and shown to readers with the answer, so it is
        # written in the site's language, whatever language the editor's admin uses.
        with translation.override(settings.LANGUAGE_CODE):
            answer.change_note = gettext("Reverted to the revision of %(date)s") % {
                "date": revision_label(row.history_date)
            }
        answer.is_minor = False
        if answer.question.status != Question.Status.PUBLISHED:
            # The waiting change itself changed: an approval of it ends. (Imported
            # here: the workflow module builds on this one.)
            from .workflow import content_edited

            content_edited(answer)
        else:
            # Live at once, unreviewed (only publishers may revert a public
            # answer): marked as an urgent publish is, until someone else reviews it.
            answer.published_unreviewed_at, answer.published_unreviewed_by = timezone.now(), user
        save_revision(answer, user, reason=REVERTED)
    return answer


def set_question_wording(question, text, topic_names):
    """Give the question this wording and these topics, saving only what differs.

    The answer's revision records both, so the question writes no history row.
    An unchanged question is not saved at all: its `updated_at` is what an open
    question form is checked against (QuestionForm), and its index row stays.
    """
    if text != question.text:
        from .translations import slug_for_new_wording

        # A translation's address follows its wording until first published.
        question.slug = slug_for_new_wording(question, text)
        question.text = text
        question.save_without_historical_record()
    current = {topic.name.casefold() for topic in question.tags.all()}
    if current != {name.casefold() for name in topic_names}:
        # A topic typed for the first time is created in the question's language.
        question.tags.set(topic_names, tag_kwargs={"language": question.language})


def save_revision(answer, user, reason=""):
    """Save the answer and write its one history row, attributed to `user`."""
    answer._history_user = user
    answer._change_reason = reason
    answer.save()
    del answer._history_user, answer._change_reason


# Change reasons, stored in English on history rows and translated when shown
# (AnswerAdmin.what_happened). History pages treat the first two specially.
SAVED_DRAFT = gettext_noop("Saved a draft")
MARKED_REVIEWED = gettext_noop("Marked as reviewed")
REVERTED = gettext_noop("Reverted")
IMPORTED = gettext_noop("Imported")
RETURNED_TO_DRAFT = gettext_noop("Returned to draft")
PUBLISHED = gettext_noop("Published")
# Reasons that name the file a row came from, stored with the name filled in.
LOADED_FROM = gettext_noop("Loaded from %(file)s")


def reason_label(reason):
    """A history row's stored (English) reason in the active language."""
    prefix = LOADED_FROM.partition("%(file)s")[0]
    if reason.startswith(prefix):
        return gettext(LOADED_FROM) % {"file": reason.removeprefix(prefix)}
    return gettext(reason)


def save_draft(answer, user, live, wording=None, topics=None, sources=None, reason=SAVED_DRAFT):
    """Keep the answer's new text, note and minor flag as its draft, with the
    question's wording, topic names and sources it is to have (the live ones
    when not given): a whole revision, private until published. The public
    text stays `live`'s (body, change_note, is_minor as last published)."""
    snapshot = revision_snapshot(answer)
    answer.draft_question_text = snapshot["question_text"] if wording is None else wording
    answer.draft_topics = snapshot["topics"] if topics is None else sorted_names(topics)
    answer.draft_sources = snapshot["sources"] if sources is None else list(sources)
    answer.draft_body = answer.body
    answer.draft_change_note = answer.change_note
    answer.draft_is_minor = answer.is_minor
    answer.draft_saved_by, answer.draft_saved_at = user, timezone.now()
    answer.body = live["body"]
    answer.change_note = live["change_note"]
    answer.is_minor = live["is_minor"]
    save_revision(answer, user, reason=reason)


def sorted_names(topics):
    names = [getattr(topic, "name", topic) for topic in topics]
    return sorted(dict.fromkeys(names), key=str.casefold)


def apply_draft(answer):
    """Make the whole draft live: wording, topics and sources now, the text
    and note on the answer (saved by the caller)."""
    make_current(
        answer, RevisionText.draft_of(answer), answer.draft_change_note, answer.draft_is_minor
    )


def make_current(answer, text, change_note, is_minor):
    """Give the question and answer the whole revision `text` (a RevisionText)
    now, dropping any draft: wording, topics and sources at once, the text and
    note on the answer (saved by the caller)."""
    set_question_wording(answer.question, text.question_text, text.topics)
    if text.sources != revision_snapshot(answer)["sources"]:
        replace_sources(answer, text.sources)
    answer.body, answer.change_note, answer.is_minor = text.body, change_note, is_minor
    answer.clear_draft()


def replace_sources(answer, sources):
    answer.sources.all().delete()
    Source.objects.bulk_create(
        Source(answer=answer, title=source["title"], url=source["url"], position=index)
        for index, source in enumerate(sources, start=1)
    )


def mark_reviewed(answer, user):
    answer.last_reviewed = timezone.localdate()
    save_revision(answer, user, reason=MARKED_REVIEWED)


def unpublish(answer, user):
    """Take the question off the public site, as one revision of its answer."""
    question = answer.question
    question.status = Question.Status.DRAFT
    question.save_without_historical_record()  # the answer's revision records it
    save_revision(answer, user, reason=RETURNED_TO_DRAFT)


def publish(answer, user, reason=PUBLISHED):
    """Make the question public and any whole draft live, as one revision."""
    question = answer.question
    if question.status != Question.Status.PUBLISHED:
        question.status = Question.Status.PUBLISHED
        question.save_without_historical_record()  # the answer's revision records it
    if answer.has_draft:
        apply_draft(answer)
    answer.published_by, answer.published_at = user, timezone.now()
    save_revision(answer, user, reason=reason)
