"""What the question and answer screens share: who may publish, who may change
what the public sees, the admin base class with history, and row locking."""

from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from ..models import Question
from ..roles import PUBLISH_PERMISSION
from .public import RefusesHistoryRevert


def may_publish(request):
    return request.user.has_perm(PUBLISH_PERMISSION)


class RevisionedAdmin(RefusesHistoryRevert, SimpleHistoryAdmin):
    """simple-history's admin without its revert, which saves an old row over the
    live one with only the change permission, writes no answer revision and
    ignores drafts. Answers are reverted on their own history (faq/revisions.py);
    SIMPLE_HISTORY_REVERT_DISABLED hides the button, RefusesHistoryRevert refuses
    the POST."""


def link_to_answer(question, text, missing):
    """A link to the question's answer screen, where everything about it is edited."""
    answer = getattr(question, "answer", None)
    if answer is None:
        return missing
    return format_html(
        '<a href="{}">{}</a>', reverse("admin:faq_answer_change", args=[answer.pk]), text
    )


def locked_object(model_admin, request, object_id):
    """The object an admin form edits; a save locks its row until it commits, so
    two saves cannot both pass the stale-form check (PostgreSQL; SQLite's
    IMMEDIATE transactions already serialise writers)."""
    queryset = model_admin.get_queryset(request)
    # A form shown again after a failed save is not saved: no lock (a read-only
    # database refuses one).
    if request.method == "POST" and not getattr(request, "save_fault", None):
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=int(object_id))
    except (ValueError, model_admin.model.DoesNotExist):
        return None


def live_edits_allowed(request, answer):
    return answer is None or question_edits_allowed(request, answer.question)


def question_edits_allowed(request, question):
    """Only publishers change what the public sees of a published question."""
    return may_publish(request) or question.status != Question.Status.PUBLISHED
