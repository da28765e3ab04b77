"""The publishing workflow's buttons on the answer screen: each a POST to a
small view here that calls faq/workflow.py, where the rules are.

A move the person may not make is a 403 (workflow.NotAllowed); a move the
answer's state does not allow shows the workflow's message as an error, and
changes nothing. What the screen offers (workflow_panel) is only a guide.
"""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import workflow
from ..models.workflow import ReviewState
from ..revisions import RevisionText, compare, site_zone, zone_name, zoned
from ..roles import PUBLISH_PERMISSION, REVIEW_PERMISSION


class ScheduleForm(forms.Form):
    """A date and time in the site's time zone, as the browser's date and time box sends it."""

    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("Enter the date and time to publish at."),
            "invalid": _("Enter a date and time, e.g. 2026-12-05 09:00."),
        },
    )

    def when(self):
        """The aware moment typed, or WorkflowError with what is wrong."""
        # Typed times are the site's, whatever zone the request runs in.
        with timezone.override(site_zone()):
            if not self.is_valid():
                raise workflow.WorkflowError(" ".join(self.errors["publish_at"]))
            return self.cleaned_data["publish_at"]


def send_back(answer, request):
    return workflow.send_back(answer, request.user, request.POST.get("comment", ""))


def schedule(answer, request):
    return workflow.schedule(answer, request.user, ScheduleForm(request.POST).when())


# step in the URL -> (the move, what the screen says after it)
STEPS = {
    "submit": (
        lambda answer, request: workflow.submit(answer, request.user),
        _("Submitted for review. A reviewer who did not write it approves it or sends it back."),
    ),
    "approve": (
        lambda answer, request: workflow.approve(answer, request.user),
        _("Approved. A publisher can now publish it or schedule it."),
    ),
    "send-back": (send_back, _("Sent back to its author with your comment.")),
    "publish": (
        lambda answer, request: workflow.publish_approved(answer, request.user),
        _("Published: the public now sees this answer."),
    ),
    "schedule": (schedule, _("Scheduled. It will be published at the time shown.")),
    "cancel-schedule": (
        lambda answer, request: workflow.cancel_schedule(answer, request.user),
        _("Schedule cancelled. The change is still approved and not published."),
    ),
    "confirm-review": (
        lambda answer, request: workflow.confirm_review(answer, request.user),
        _("Marked as reviewed after publishing."),
    ),
}


class WorkflowViewsMixin:
    """The workflow's views for AnswerAdmin (faq/admin/answers.py)."""

    def workflow_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/workflow/publish-urgently/",
                view(self.publish_urgently_view),
                name="faq_answer_publish_urgently",
            ),
            path(
                "<int:pk>/workflow/<slug:step>/",
                view(self.workflow_view),
                name="faq_answer_workflow",
            ),
        ]

    def back_to_answer(self, answer):
        return HttpResponseRedirect(reverse("admin:faq_answer_change", args=[answer.pk]))

    def workflow_view(self, request, pk, step):
        if step not in STEPS:
            raise Http404("No such step.")
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        answer = self.get_answer_or_404(request, pk, "change")
        move, done = STEPS[step]
        try:
            move(answer, request)
        except workflow.NotAllowed:
            raise  # a PermissionDenied: 403
        except workflow.WorkflowError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return self.back_to_answer(answer)

    def publish_urgently_view(self, request, pk):
        """Publish now without review, after a page that says what that means."""
        answer = self.get_answer_or_404(request, pk, "change")
        if not request.user.has_perm(PUBLISH_PERMISSION):
            raise workflow.NotAllowed(gettext("You do not have permission to do this."))
        if request.method == "POST":
            try:
                answer = workflow.publish_urgently(answer, request.user)
            except workflow.NotAllowed:
                raise
            except workflow.WorkflowError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                if answer.needs_review_after_publishing:
                    done = gettext(
                        "Published without review: the public now sees this answer. It is "
                        "marked as needing review until someone other than you reviews it."
                    )
                else:
                    done = gettext("Published: the public now sees this answer.")
                self.message_user(request, done, messages.SUCCESS)
            return self.back_to_answer(answer)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Publish now without review?"),
            "opts": self.opts,
            "original": answer,
            "waiting": workflow.has_waiting_change(answer),
            "differences": compare(
                RevisionText.from_answer(answer, with_draft=False), RevisionText.draft_of(answer)
            )
            if answer.has_draft
            else None,
        }
        return TemplateResponse(request, "admin/faq/answer/publish_urgently.html", context)


def workflow_panel(request, answer):
    """What the answer screen shows of the workflow, and which buttons it offers
    this person (the rules themselves are faq/workflow.py's)."""
    user = request.user
    state = answer.review_state
    waiting = workflow.has_waiting_change(answer)
    approved = workflow.approval_is_current(answer)
    may_review, may_publish = user.has_perm(REVIEW_PERMISSION), user.has_perm(PUBLISH_PERMISSION)
    is_author = user.pk in workflow.authors(answer) if state == ReviewState.IN_REVIEW else False
    open_states = (ReviewState.NONE, ReviewState.DRAFT, ReviewState.CHANGES_REQUESTED)
    return {
        "state": state,
        "state_label": answer.get_review_state_display(),
        "waiting": waiting,
        "approved": approved,
        "is_author": is_author,
        "can_submit": waiting and state in open_states and user.has_perm("faq.change_answer"),
        "can_review": state == ReviewState.IN_REVIEW and may_review and not is_author,
        "can_publish": approved and may_publish,
        "can_schedule": approved and may_publish,
        "can_cancel_schedule": state == ReviewState.SCHEDULED and may_publish,
        "can_publish_urgently": waiting and not approved and may_publish,
        "can_confirm_review": answer.needs_review_after_publishing
        and may_review
        and user.pk != answer.published_unreviewed_by_id,
        "publish_at": zoned(answer.publish_at, zone_in_full=True) if answer.publish_at else "",
        "schedule_failed_at": zoned(answer.schedule_failed_at, zone_in_full=True)
        if answer.schedule_failed_at
        else "",
        "schedule_form": ScheduleForm(
            initial={"publish_at": timezone.make_naive(answer.publish_at, site_zone())}
            if answer.publish_at
            else None
        ),
        "zone": zone_name(answer.publish_at),
    }
