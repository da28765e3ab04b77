"""The public change log of an answer."""

from dataclasses import dataclass
from functools import cached_property

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from ..diff import word_diff
from ..languages import ENGLISH
from ..middleware import declare_query
from ..models import Answer, Question
from ..translations import counterpart_of, question_counterpart_annotations

CHANGES_PAGE_SIZE = 20
DIFF_CONTEXT_WORDS = 25


@dataclass
class Change:
    """One public change to an answer: its date, note and the text before and after."""

    date: object
    note: str
    before: str | None
    after: str

    @cached_property
    def diff(self):
        return word_diff(self.before, self.after, context=DIFF_CONTEXT_WORDS)

    @property
    def is_first(self):
        return self.before is None


def public_changes(answer, published_at=None):
    """The answer's published, non-minor changes, newest first, in one query.

    A history row is a public change when its body differs from the row
    before it (draft saves and metadata edits leave the body alone) and the
    editor did not mark it minor. Edits made before the question was first
    published (`published_at`) were never public: they fold into the first
    entry, the text as first published.
    """
    rows = (
        Answer.history.filter(id=answer.pk)
        .exclude(history_type="-")
        .order_by("history_date", "history_id")
        .values_list("history_date", "body", "change_note", "is_minor")
    )
    changes, previous_body = [], None
    for date, body, note, is_minor in rows:
        if published_at is not None and date < published_at:
            previous_body = body
            continue
        if not changes:
            if previous_body is None:
                changes.append(Change(date, note, None, body))
                previous_body = body
                continue
            changes.append(Change(published_at, "", None, previous_body))
        if body != previous_body and not is_minor:
            changes.append(Change(date, note, previous_body, body))
        previous_body = body
    if not changes and previous_body is not None:
        changes.append(Change(published_at, "", None, previous_body))
    changes.reverse()
    return changes


def first_published(question):
    """When the question was first published, from its history (None if unknown)."""
    return (
        Question.history.filter(id=question.pk, status=Question.Status.PUBLISHED)
        .order_by("history_date")
        .values_list("history_date", flat=True)
        .first()
    )


@require_GET
def question_changes(request, guide_slug, question_slug, language=ENGLISH):
    question = get_object_or_404(
        Question.objects.published()
        .select_related("guide", "answer")
        .annotate(**question_counterpart_annotations()),
        guide__slug=guide_slug,
        guide__language=language,
        slug=question_slug,
    )
    changes = public_changes(question.answer, first_published(question))
    paginator = Paginator(changes, CHANGES_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    declare_query(request, page=page.number)
    translation = counterpart_of(
        language,
        "faq:question_changes",
        question.counterpart_guide_slug,
        question.counterpart_slug,
        page=page.number,
    )
    return render(
        request,
        "faq/question_changes.html",
        {
            "question": question,
            "page_obj": page,
            "changes": page.object_list,
            "translation": translation,
        },
    )
