"""The publishing workflow: who may move a waiting change between states, and
what each move writes. No HTTP here: the admin and the scheduler call these.

A *waiting change* is a published question's whole draft (wording, topics,
sources and answer text), or a question not yet published. Its states are
ReviewState (faq/models/workflow.py); the table of moves is in the README
("Publishing workflow"). Every move is one history row of the answer,
attributed to the person (or, for a scheduled publish, to who scheduled it).

The rules that protect readers are enforced here, not only in the interface:
the approver is never one of the change's authors, an approval belongs to the
exact revision approved (any edit after it cancels it), a scheduled change is
published once however many schedulers run, and a change published without
review stays marked until someone other than its publisher reviews it.
"""

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from . import revisions
from .models import Answer, Question, revision_snapshot
from .models.workflow import ReviewState
from .roles import PUBLISH_PERMISSION, REVIEW_PERMISSION

logger = logging.getLogger(__name__)

# Change reasons of the workflow's history rows (translated when shown).
SUBMITTED = gettext_noop("Submitted for review")
APPROVED = gettext_noop("Approved")
SENT_BACK = gettext_noop("Sent back with comments")
SCHEDULED = gettext_noop("Scheduled")
UNSCHEDULED = gettext_noop("Schedule cancelled")
PUBLISHED_ON_SCHEDULE = gettext_noop("Published on schedule")
PUBLISHED_UNREVIEWED = gettext_noop("Published without review")
REVIEWED_AFTER = gettext_noop("Reviewed after publishing")
# Rows whose user wrote content of the waiting change (see authors()). A row
# written without a reason is content too: the first answer typed on the
# question's add screen is saved by the admin's inline, with none. Who
# imported a file wrote the change it brought (faq/importing/apply.py).
CONTENT_REASONS = ("", revisions.SAVED_DRAFT, revisions.REVERTED, revisions.IMPORTED)
WROTE_CONTENT = Q(history_change_reason__in=CONTENT_REASONS) | Q(history_change_reason=None)
PUBLISHING_REASONS = (revisions.PUBLISHED, PUBLISHED_ON_SCHEDULE, PUBLISHED_UNREVIEWED)

# Sent after the move commits: answer, step (one of the reasons above), actor
# (None for the scheduler's failures), comment. Notifications listen to it.
workflow_changed = Signal()


class WorkflowError(Exception):
    """A move the answer's state does not allow; the message says why."""


class NotAllowed(WorkflowError, PermissionDenied):
    """A move this person may not make (the admin answers 403)."""


def has_waiting_change(answer):
    return answer.has_draft or answer.question.status != Question.Status.PUBLISHED


def waiting_content(answer):
    """What would go live: the whole draft, or the unpublished question as it is."""
    if answer.has_draft:
        return {
            "question_text": answer.draft_question_text,
            "topics": list(answer.draft_topics),
            "sources": list(answer.draft_sources),
            "body": answer.draft_body,
            "change_note": answer.draft_change_note,
            "is_minor": answer.draft_is_minor,
        }
    snapshot = revision_snapshot(answer)
    return {
        "question_text": snapshot["question_text"],
        "topics": snapshot["topics"],
        "sources": snapshot["sources"],
        "body": answer.body,
        "change_note": answer.change_note,
        "is_minor": answer.is_minor,
    }


def fingerprint(answer):
    content = json.dumps(waiting_content(answer), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(content.encode()).hexdigest()


def approval_is_current(answer):
    return answer.review_state in (
        ReviewState.APPROVED,
        ReviewState.SCHEDULED,
    ) and answer.approved_fingerprint == fingerprint(answer)


def content_rows(answer):
    """The answer's history rows that wrote part of the waiting change: those
    with content since it was last published."""
    rows = answer.history.all()
    last_published = (
        rows.filter(history_change_reason__in=PUBLISHING_REASONS)
        .order_by("-history_date")
        .values_list("history_date", flat=True)
        .first()
    )
    if last_published is not None:
        rows = rows.filter(history_date__gt=last_published)
    return rows.filter(WROTE_CONTENT)


def authors(answer):
    """Ids of everyone who wrote part of the waiting change since it was last
    published: they may not approve it (GOV.UK's second pair of eyes)."""
    ids = set(
        content_rows(answer).exclude(history_user=None).values_list("history_user_id", flat=True)
    )
    ids.update(user_id for user_id in (answer.draft_saved_by_id, answer.submitted_by_id) if user_id)
    return ids


def require(user, permission):
    if not user.has_perm(permission):
        raise NotAllowed(gettext("You do not have permission to do this."))


def require_state(answer, *states):
    if answer.review_state not in states:
        raise WorkflowError(
            gettext("This change is %(state)s: it cannot be moved that way.")
            % {"state": answer.get_review_state_display()}
        )


def locked(answer):
    """The answer read again under a row lock, for the length of the move."""
    return Answer.objects.select_for_update().select_related("question").get(pk=answer.pk)


def announce(answer, step, actor, comment=""):
    """Tell workflow_changed's listeners of `step` once the transaction commits."""
    transaction.on_commit(
        lambda: workflow_changed.send(
            sender=Answer, answer=answer, step=step, actor=actor, comment=comment
        )
    )


def move(answer, user, step, comment=""):
    """Write the move's history row and tell listeners once it commits."""
    revisions.save_revision(answer, user, reason=step)
    announce(answer, step, user, comment)
    return answer


def clear_schedule(answer):
    answer.publish_at = answer.scheduled_by = None
    answer.schedule_failure, answer.schedule_failed_at = "", None


def content_edited(answer):
    """Called before an edit of the waiting change is saved: an approval (and
    any schedule resting on it) belongs to the revision approved, so it ends."""
    if answer.review_state in (ReviewState.APPROVED, ReviewState.SCHEDULED, ReviewState.NONE):
        answer.review_state = ReviewState.DRAFT
        answer.approved_fingerprint = ""
        clear_schedule(answer)


def submit(answer, user):
    require(user, "faq.change_answer")
    with transaction.atomic():
        answer = locked(answer)
        if not has_waiting_change(answer):
            raise WorkflowError(gettext("There is no change waiting to be reviewed."))
        require_state(answer, ReviewState.NONE, ReviewState.DRAFT, ReviewState.CHANGES_REQUESTED)
        answer.review_state = ReviewState.IN_REVIEW
        answer.submitted_by, answer.submitted_at = user, timezone.now()
        return move(answer, user, SUBMITTED)


def refuse_authors(answer, user):
    if user.pk in authors(answer):
        raise NotAllowed(gettext("You wrote part of this change: someone else must review it."))


def approve(answer, user):
    return review(answer, user, ReviewState.APPROVED, APPROVED)


def send_back(answer, user, comment):
    require(user, REVIEW_PERMISSION)  # refused for who may not review, comment or none
    comment = (comment or "").strip()
    if not comment:
        raise WorkflowError(gettext("Say what needs to change: the author sees your comment."))
    return review(answer, user, ReviewState.CHANGES_REQUESTED, SENT_BACK, comment)


def review(answer, user, outcome, step, comment=""):
    """A reviewer's verdict on a change in review; an approval belongs to the
    revision as it stands now (its fingerprint)."""
    require(user, REVIEW_PERMISSION)
    with transaction.atomic():
        answer = locked(answer)
        require_state(answer, ReviewState.IN_REVIEW)
        refuse_authors(answer, user)
        answer.review_state = outcome
        answer.reviewed_by, answer.reviewed_at = user, timezone.now()
        answer.review_comment = comment
        approved = outcome == ReviewState.APPROVED
        answer.approved_fingerprint = fingerprint(answer) if approved else ""
        return move(answer, user, step, comment)


def finish(answer):
    """After a publish: nothing waits any more."""
    answer.review_state = ReviewState.NONE
    answer.approved_fingerprint = answer.review_comment = ""
    clear_schedule(answer)


def require_current_approval(answer):
    if not approval_is_current(answer):
        raise WorkflowError(
            gettext(
                "This change has not been approved as it stands: submit it for review, "
                "or publish it urgently without review."
            )
        )


def publish_approved(answer, user):
    require(user, PUBLISH_PERMISSION)
    with transaction.atomic():
        answer = locked(answer)
        require_current_approval(answer)
        finish(answer)
        revisions.publish(answer, user)
        announce(answer, revisions.PUBLISHED, user)
    return answer


def publish_urgently(answer, user):
    """Publish now without review; marked until someone else reviews it."""
    require(user, PUBLISH_PERMISSION)
    with transaction.atomic():
        answer = locked(answer)
        if not has_waiting_change(answer):
            raise WorkflowError(gettext("There is no change waiting to be published."))
        # An approved change needs no review afterwards: this is a plain publish.
        step = revisions.PUBLISHED if approval_is_current(answer) else PUBLISHED_UNREVIEWED
        finish(answer)
        if step == PUBLISHED_UNREVIEWED:
            answer.published_unreviewed_at, answer.published_unreviewed_by = timezone.now(), user
        revisions.publish(answer, user, reason=step)
        announce(answer, step, user)
    return answer


def confirm_review(answer, user):
    """Someone other than its publisher has reviewed an urgent publish."""
    require(user, REVIEW_PERMISSION)
    with transaction.atomic():
        answer = locked(answer)
        if not answer.needs_review_after_publishing:
            raise WorkflowError(gettext("This answer is not waiting for a review."))
        if user.pk == answer.published_unreviewed_by_id:
            raise NotAllowed(gettext("You published this change: someone else must review it."))
        answer.published_unreviewed_at = answer.published_unreviewed_by = None
        return move(answer, user, REVIEWED_AFTER)


def schedule(answer, user, when):
    """Publish the approved change at `when` (an aware datetime in the future)."""
    require(user, PUBLISH_PERMISSION)
    if when <= timezone.now():
        raise WorkflowError(gettext("Choose a time in the future."))
    with transaction.atomic():
        answer = locked(answer)
        require_current_approval(answer)
        answer.review_state = ReviewState.SCHEDULED
        clear_schedule(answer)
        answer.publish_at, answer.scheduled_by = when, user
        return move(answer, user, SCHEDULED)


def cancel_schedule(answer, user):
    require(user, PUBLISH_PERMISSION)
    with transaction.atomic():
        answer = locked(answer)
        require_state(answer, ReviewState.SCHEDULED)
        answer.review_state = ReviewState.APPROVED
        clear_schedule(answer)
        return move(answer, user, UNSCHEDULED)


@dataclass
class ScheduledResult:
    answer_id: int
    published: bool
    error: str = ""


def due(now=None):
    now = now or timezone.now()
    return Answer.objects.filter(review_state=ReviewState.SCHEDULED, publish_at__lte=now)


def publish_due(now=None):
    """Publish every scheduled change whose time has come; [ScheduledResult].

    Safe to run often and on several machines at once: each answer is claimed
    by a conditional UPDATE inside the transaction that publishes it, which
    PostgreSQL's row lock and SQLite's single writer both serialise, so a
    second scheduler finds it no longer scheduled and leaves it alone.
    """
    now = now or timezone.now()
    results = []
    for answer_id, publish_at in due(now).order_by("publish_at").values_list("pk", "publish_at"):
        try:
            with transaction.atomic():
                claimed = Answer.objects.filter(
                    pk=answer_id, review_state=ReviewState.SCHEDULED, publish_at=publish_at
                ).update(review_state=ReviewState.APPROVED)
                if not claimed:
                    continue  # another scheduler published it, or it was changed
                answer = Answer.objects.select_related("question", "scheduled_by").get(pk=answer_id)
                if answer.approved_fingerprint != fingerprint(answer):
                    raise WorkflowError("the change was edited after it was approved")
                publisher = answer.scheduled_by
                finish(answer)
                revisions.publish(answer, publisher, reason=PUBLISHED_ON_SCHEDULE)
                announce(answer, PUBLISHED_ON_SCHEDULE, publisher)
            results.append(ScheduledResult(answer_id, True))
        except Exception as error:  # noqa: BLE001 - reported, and the others still run
            results.append(ScheduledResult(answer_id, False, str(error) or type(error).__name__))
            record_failure(answer_id, error)
    return results


SCHEDULE_FAILED = gettext_noop("Scheduled publishing failed")


def record_failure(answer_id, error):
    """Keep the failure on the answer (the dashboard and /healthz show it) and log it."""
    logger.error("Scheduled publishing of answer %s failed: %s", answer_id, error)
    message = str(error) or type(error).__name__
    scheduled = Answer.objects.filter(pk=answer_id, review_state=ReviewState.SCHEDULED)
    # Every run retries a failed schedule; its first failure is kept (failing
    # since) and told once, so a schedule failing all night sends one email.
    first = scheduled.filter(schedule_failed_at=None).update(
        schedule_failure=message[:1000], schedule_failed_at=timezone.now()
    )
    if not first:
        scheduled.update(schedule_failure=message[:1000])
        return
    answer = Answer.objects.filter(pk=answer_id).select_related("question").first()
    if answer is not None:
        workflow_changed.send(
            sender=Answer, answer=answer, step=SCHEDULE_FAILED, actor=None, comment=message
        )


# A schedule this late has been missed (the scheduler is not running, or keeps failing).
OVERDUE_AFTER_SECONDS = 300


def overdue_condition(now=None):
    overdue_since = (now or timezone.now()) - timedelta(seconds=OVERDUE_AFTER_SECONDS)
    return Q(review_state=ReviewState.SCHEDULED, publish_at__lte=overdue_since)


FAILED_CONDITION = Q(review_state=ReviewState.SCHEDULED, schedule_failed_at__isnull=False)


def overdue(now=None):
    return Answer.objects.filter(overdue_condition(now))


def failed():
    return Answer.objects.filter(FAILED_CONDITION)
