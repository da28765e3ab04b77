"""Emails to the people a workflow step concerns (README "Notifications").

A receiver of workflow.workflow_changed, which is sent once a step has
committed. Who hears of what:

- submitted for review: everyone who may review (Reviewers, Publishers),
  never an author of the change;
- approved, sent back (with the reviewer's comment): who submitted it;
- published on schedule: who submitted it and who scheduled it;
- scheduled publishing failed: who scheduled it, the publishers and the
  site's superusers (told once per schedule; faq/workflow.py record_failure);
- published without review: everyone who may review, except its publisher.

Each email says what happened, to which question, by whom, and links to the
answer's admin screen (settings.SITE_URL). It is written in the site's
language (LANGUAGE_CODE), whoever reads it. Sending can fail (a mail server
down): that is logged and never undoes or fails the step, which has
committed already.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from . import workflow
from .models import Answer
from .revisions import person, zoned
from .roles import PUBLISH_PERMISSION, REVIEW_PERMISSION

logger = logging.getLogger(__name__)


def connect():
    workflow.workflow_changed.connect(notify, sender=Answer, dispatch_uid="faq-notifications")


def notify(sender, answer, step, actor, comment="", **kwargs):
    """Email whoever `step` concerns; never raises (the step has committed)."""
    try:
        write = WRITERS.get(step)
        if write is None:
            return
        recipients = recipients_for(step, answer, actor)
        if not recipients:
            return
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = write(answer, actor, comment)
            subject = f"[{settings.SITE_NAME}] {subject}"
            body = f"{body}\n\n{admin_link(answer)}\n"
        messages = [
            EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
            for address in recipients
        ]
        get_connection().send_messages(messages)
    except Exception:  # noqa: BLE001 - a lost email must never become a lost step
        logger.exception("Could not email about answer %s (%s)", answer.pk, step)


def admin_link(answer):
    return settings.SITE_URL + reverse("admin:faq_answer_change", args=[answer.pk])


def holding(permission, superusers=False):
    """Q: staff holding `permission` through a group or of their own."""
    app_label, codename = permission.split(".")
    granted = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    who = Q(groups__permissions__in=granted) | Q(user_permissions__in=granted)
    return (who | Q(is_superuser=True)) if superusers else who


def recipients_for(step, answer, actor):
    """Email addresses, each once, of the people `step` concerns."""
    actor_id = actor.pk if actor else None
    if step == workflow.SUBMITTED:
        who, excluded = holding(REVIEW_PERMISSION), workflow.authors(answer)
    elif step in (workflow.APPROVED, workflow.SENT_BACK):
        who, excluded = Q(pk=answer.submitted_by_id), ()
    elif step == workflow.PUBLISHED_ON_SCHEDULE:
        who, excluded = Q(pk__in=[answer.submitted_by_id, actor_id]), ()
    elif step == workflow.SCHEDULE_FAILED:
        who = holding(PUBLISH_PERMISSION, superusers=True) | Q(pk=answer.scheduled_by_id)
        excluded = ()
    elif step == workflow.PUBLISHED_UNREVIEWED:
        who, excluded = holding(REVIEW_PERMISSION), (actor_id,)
    else:
        return []
    users = get_user_model().objects.filter(who, is_active=True, is_staff=True)
    users = users.exclude(pk__in=[pk for pk in excluded if pk]).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def submitted(answer, actor, comment):
    values = {"question": answer.question.text, "name": person(actor)}
    return (
        gettext("Review requested: %(question)s") % values,
        gettext(
            "%(name)s submitted a change to “%(question)s” for review. Approve it, or send "
            "it back with a comment, on the answer's screen:"
        )
        % values,
    )


def approved(answer, actor, comment):
    values = {"question": answer.question.text, "name": person(actor)}
    return (
        gettext("Approved: %(question)s") % values,
        gettext(
            "%(name)s approved your change to “%(question)s”. A publisher can now publish "
            "or schedule it:"
        )
        % values,
    )


def sent_back(answer, actor, comment):
    values = {"question": answer.question.text, "name": person(actor), "comment": comment}
    return (
        gettext("Sent back: %(question)s") % values,
        gettext(
            "%(name)s sent back your change to “%(question)s” with this comment:\n\n"
            "%(comment)s\n\nEdit it and submit it again:"
        )
        % values,
    )


def published_on_schedule(answer, actor, comment):
    values = {
        "question": answer.question.text,
        "name": person(actor),
        "time": zoned(answer.published_at or timezone.now()),
    }
    return (
        gettext("Published on schedule: %(question)s") % values,
        gettext(
            "The change to “%(question)s” that %(name)s scheduled was published on "
            "schedule, %(time)s. Readers see it now:"
        )
        % values,
    )


def schedule_failed(answer, actor, comment):
    values = {
        "question": answer.question.text,
        "name": person(answer.scheduled_by),
        "time": zoned(answer.publish_at) if answer.publish_at else "",
        "error": comment,
    }
    return (
        gettext("Scheduled publishing failed: %(question)s") % values,
        gettext(
            "The change to “%(question)s” that %(name)s scheduled for %(time)s could not "
            "be published:\n\n%(error)s\n\nReaders still see the previous answer. It stays "
            "scheduled and is tried again at every run; fix it, or change or cancel the "
            "schedule:"
        )
        % values,
    )


def published_unreviewed(answer, actor, comment):
    values = {"question": answer.question.text, "name": person(actor)}
    return (
        gettext("Published without review: %(question)s") % values,
        gettext(
            "%(name)s published a change to “%(question)s” without review. Someone other "
            "than %(name)s must review it now:"
        )
        % values,
    )


WRITERS = {
    workflow.SUBMITTED: submitted,
    workflow.APPROVED: approved,
    workflow.SENT_BACK: sent_back,
    workflow.PUBLISHED_ON_SCHEDULE: published_on_schedule,
    workflow.SCHEDULE_FAILED: schedule_failed,
    workflow.PUBLISHED_UNREVIEWED: published_unreviewed,
}
# Not emailed: scheduling and cancelling a schedule, a publish by hand
# (revisions.PUBLISHED) and a review after an urgent publish: whoever would
# be told did it, on the screen.
