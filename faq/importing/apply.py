"""Import one parsed guide: new content as drafts, changes into the publishing workflow.

Nothing an editor did is lost and nothing public changes:

- a new guide is unpublished and its questions are drafts;
- a question already in the database that the file changes (its wording, its
  answer, and in Markdown its topics and sources) gets the file's version as
  one whole revision, as an editor's save would: on a published question a
  **draft** (change note "Imported from <file name>") with the live page
  untouched; on a question nobody sees yet, saved on it as the answer screen
  saves it (its history keeps the earlier version). Either way an approval or
  schedule of the waiting change ends (workflow.content_edited);
- a change an editor is making (a waiting draft, or their edits to an
  unpublished question) is kept, and the question reported as skipped; a
  change the last import left waiting is replaced by the file's.

Guides and questions are recognised by the same rule as seed_content (issue
16): the identity written in the file, remembered in SeedRecord when the
import created them, so a re-import finds a question an editor has since
re-addressed. Questions the file does not name that way are matched by guide
and number. A question deleted since it was imported stays deleted.
"""

import json
from dataclasses import dataclass, field

from django.utils.text import slugify
from django.utils.translation import gettext

from faq import workflow
from faq.diff import HTML, has_changes
from faq.fixture_records import record_key
from faq.languages import ENGLISH
from faq.models import (
    Answer,
    Category,
    Guide,
    Question,
    SeedRecord,
    TaggedQuestion,
    Topic,
    revision_snapshot,
    slug_from_text,
)
from faq.revisions import (
    IMPORTED,
    RevisionText,
    compare,
    make_current,
    replace_sources,
    save_draft,
    save_revision,
    set_question_wording,
    sorted_names,
)
from faq.translations import topic_language_errors

from .document import ImportFormatError, check_slug


@dataclass
class QuestionOutcome:
    number: int
    text: str
    status: str  # "new", "unchanged", "changed", "skipped", "deleted"
    note: str = ""
    # For a question the file changes: the question as it is (live), and as the file has it.
    before: RevisionText | None = None
    after: RevisionText | None = None
    as_draft: bool = False  # the change waits as a draft (the question is published)

    def differences(self, context=None, marks=HTML):
        """The parts the file changes (wording, answer, topics, sources), as compare marks them."""
        if self.before is None:
            return []
        return [part for part in compare(self.before, self.after, context, marks) if part.changed]


@dataclass
class ImportReport:
    file_name: str
    guide: str
    guide_is_new: bool
    language: str = ENGLISH  # the guide's: its questions and differences are in it
    questions: list = field(default_factory=list)

    def count(self, status):
        return sum(outcome.status == status for outcome in self.questions)


def import_document(document, file_name, user=None):
    """Apply `document` (callers own the transaction; roll back for a preview)."""
    note = f"Imported from {file_name}"
    guide_slug = check_document(document)
    guide, guide_is_new = find_guide(document, guide_slug)
    if guide_is_new:
        guide = create_guide(document, guide_slug, file_name)
    report = ImportReport(
        file_name, f"{guide.title} ({guide.get_absolute_url()})", guide_is_new, guide.language
    )
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
                QuestionOutcome(
                    entry.number, entry.text, "deleted", note=gettext("deleted since imported")
                )
            )
        elif question is None:
            report.questions.append(create_question(guide, entry, key, file_name, note, user))
        else:
            report.questions.append(update_question(question, entry, note, user))
    return report


def check_document(document):
    """What the file asks that the database refuses, before anything is written
    (ImportFormatError); returns the guide's web address."""
    guide_slug = document.slug or slug_from_text(document.title, max_length=100)
    guide = find_guide(document, guide_slug)[0]
    if guide is None:
        check_slug(guide_slug, None)
    language = guide.language if guide else document.language or ENGLISH
    if guide and document.language and document.language != language:
        raise ImportFormatError(
            None,
            f"the file's language is “{document.language}”, but the guide "
            f"“{guide.title}” ({guide.get_absolute_url()}) is in “{language}”: "
            "a guide keeps its language.",
        )
    for entry in document.questions:
        if wrong := topic_language_errors(language, entry.topics):
            raise ImportFormatError(
                entry.line,
                f"question {entry.number}'s topics {', '.join(wrong)} belong to questions "
                f"in the other language; a question in “{language}” needs topics in it.",
            )
    return guide_slug


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
    guide = Guide.objects.create(
        title=document.title,
        slug=guide_slug,
        summary=document.summary,
        category=category,
        is_published=False,
        language=document.language or ENGLISH,
    )
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
            note=gettext("its web address “%(slug)s” is taken by question %(number)s")
            % {"slug": slug, "number": taken.position},
        )
    question = Question(
        guide=guide, position=entry.number, text=entry.text, slug=slug, status=Question.Status.DRAFT
    )
    question._change_reason = note
    question._history_user = user
    question.save()
    # Topics typed for the first time are made in the question's language.
    set_question_wording(question, entry.text, entry.topics or [])
    answer = Answer(question=question, body=entry.answer, change_note=note)
    answer.save_without_historical_record()  # its one revision is written once sources exist
    replace_sources(answer, entry.sources or [])
    Answer.history.bulk_history_create(
        [answer],
        default_user=user,
        default_change_reason=IMPORTED,
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
    """Bring the file's version of an existing question into the workflow."""
    answer = getattr(question, "answer", None)
    if answer is None:
        return QuestionOutcome(
            entry.number, entry.text, "skipped", note=gettext("it has no answer")
        )
    live = RevisionText.from_answer(answer, with_draft=False)
    waiting = RevisionText.draft_of(answer) if answer.has_draft else live
    wanted = file_version(entry, waiting)
    outcome = QuestionOutcome(entry.number, entry.text, "unchanged")
    if same_content(live, wanted) or same_content(waiting, wanted):
        return outcome
    outcome.status, outcome.before, outcome.after = "changed", live, wanted
    if editors_change_waits(answer):
        outcome.status = "skipped"
        outcome.note = gettext(
            "an editor's change waits to be published; it is kept and the file's version "
            "is not imported"
        )
        return outcome
    workflow.content_edited(answer)
    if question.status == Question.Status.PUBLISHED:
        outcome.as_draft = True
        published = {
            "body": answer.body,
            "change_note": answer.change_note,
            "is_minor": answer.is_minor,
        }
        answer.body, answer.change_note, answer.is_minor = wanted.body, note, False
        save_draft(
            answer,
            user,
            published,
            wording=wanted.question_text,
            topics=wanted.topics,
            sources=wanted.sources,
            reason=IMPORTED,
        )
    else:
        # Nobody sees it yet: saved on it, as the answer screen saves a draft question.
        make_current(answer, wanted, note, False)
        save_revision(answer, user, reason=IMPORTED)
    return outcome


def file_version(entry, waiting):
    """The question as the file has it, a whole revision. Plain text carries no
    topics or sources: those stay as they wait (a draft's, else the live ones)."""
    return RevisionText(
        question_text=entry.text,
        body=entry.answer,
        topics=waiting.topics if entry.topics is None else sorted_names(entry.topics),
        sources=waiting.sources if entry.sources is None else list(entry.sources),
    )


def same_content(old, new):
    """Whether two revisions read the same (spacing aside; topics as taggit matches them)."""
    return (
        not has_changes(old.question_text, new.question_text)
        and not has_changes(old.body, new.body)
        and {t.casefold() for t in old.topics} == {t.casefold() for t in new.topics}
        and old.sources == new.sources
    )


def editors_change_waits(answer):
    """Whether the change waiting on the answer is an editor's (kept from an
    import) rather than one the last import left (which the next replaces)."""
    if not workflow.has_waiting_change(answer):
        return False
    last = workflow.content_rows(answer).order_by("-history_date", "-history_id").first()
    if last is None:
        return answer.has_draft  # a draft with no row of its own: kept, to be safe
    return last.history_change_reason != IMPORTED
