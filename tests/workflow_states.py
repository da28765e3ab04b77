"""Answers brought to each workflow state through faq/workflow.py, for the
scheduler, health, notification and dashboard tests."""

import datetime

from django.utils import timezone

from faq import revisions, workflow
from faq.models import Answer


def draft(answer, author, body="Draft text.", **parts):
    """`author` saves a whole draft of the published answer (as the admin does)."""
    answer = Answer.objects.select_related("question").get(pk=answer.pk)
    live = {"body": answer.body, "change_note": answer.change_note, "is_minor": answer.is_minor}
    workflow.content_edited(answer)
    answer.body, answer.change_note = body, "Clearer wording."
    revisions.save_draft(answer, author, live, **parts)
    return Answer.objects.get(pk=answer.pk)


def in_review(answer, author, **parts):
    return workflow.submit(draft(answer, author, **parts), author)


def approved(answer, author, reviewer, **parts):
    return workflow.approve(in_review(answer, author, **parts), reviewer)


def scheduled(answer, author, reviewer, publisher, minutes=60, **parts):
    when = timezone.now() + datetime.timedelta(minutes=minutes)
    return workflow.schedule(approved(answer, author, reviewer, **parts), publisher, when)


def make_due(answer, seconds_ago=30):
    """Move a schedule's time into the past (time moved forward, not waited for)."""
    when = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    Answer.objects.filter(pk=answer.pk).update(publish_at=when)
    return Answer.objects.get(pk=answer.pk)


def break_approval(answer):
    """An edit behind the workflow's back: the approved revision is gone, so the
    schedule fails when it runs."""
    Answer.objects.filter(pk=answer.pk).update(draft_body="Sneaked in after approval.")
