"""The fields of an answer's publishing workflow: its whole draft, where the
draft is in review, and when it is scheduled to go live.

The rules that move an answer between states are in faq/workflow.py; these
are only the columns they write. They live on Answer (and so on every history
row of it): each language's answer has its own draft, review and schedule,
and the history shows every step.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewState(models.TextChoices):
    """Where the change waiting to be published stands (README "Publishing workflow").

    NONE: nothing waits; the public sees the answer as last published (or,
    for a question never published, nobody sees it and nobody asked for review).
    """

    NONE = "", _("nothing waiting")
    DRAFT = "draft", _("draft")
    IN_REVIEW = "in_review", _("in review")
    CHANGES_REQUESTED = "changes_requested", _("changes requested")
    APPROVED = "approved", _("approved")
    SCHEDULED = "scheduled", _("scheduled")


def user_field(verbose_name, editable=False):
    """Who did something to an answer; the answer outlives their login."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=editable,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=verbose_name,
    )


class AnswerWorkflow(models.Model):
    # The rest of a published question's draft, beside draft_body (Answer): the
    # wording, topic names and sources it will have once published. Kept here,
    # not on the question, so the public sees none of it until then.
    draft_question_text = models.CharField(_("draft question"), max_length=300, blank=True)
    draft_topics = models.JSONField(_("draft topics"), default=list, blank=True)
    draft_sources = models.JSONField(
        _("draft sources"), default=list, blank=True, help_text=_("[{title, url}, …] in order.")
    )

    review_state = models.CharField(
        _("review state"),
        max_length=20,
        choices=ReviewState.choices,
        default=ReviewState.NONE,
        blank=True,
        editable=False,
    )
    submitted_by = user_field(_("submitted for review by"))
    submitted_at = models.DateTimeField(_("submitted for review at"), null=True, editable=False)
    reviewed_by = user_field(_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, editable=False)
    review_comment = models.TextField(_("reviewer's comment"), blank=True, editable=False)
    # What was approved, as workflow.fingerprint() of the waiting change: an
    # approval belongs to that exact revision, and any edit after it cancels it.
    approved_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True, editable=False)
    scheduled_by = user_field(_("scheduled by"))
    schedule_failure = models.TextField(_("schedule failure"), blank=True, editable=False)
    schedule_failed_at = models.DateTimeField(_("schedule failed at"), null=True, editable=False)

    # Published without review (urgent): someone other than its publisher must
    # review it afterwards.
    published_unreviewed_at = models.DateTimeField(
        _("published without review at"), null=True, editable=False
    )
    published_unreviewed_by = user_field(_("published without review by"))

    class Meta:
        abstract = True

    @property
    def needs_review_after_publishing(self):
        return self.published_unreviewed_at is not None
