"""The site's periodic jobs, run by `manage.py run_periodic_jobs`.

One command runs every job; it is safe to run often (every job does nothing
when there is nothing to do) and on several machines at once (each job is
idempotent and does its work in one transaction). `make run` runs it every
minute in the background; production runs it from a systemd timer or cron
(README "Periodic jobs").

A job is a name and a function taking `dry_run` and returning one line saying
what it did (or would do). Register a job with @job("name").

Scheduled publishing is the first job: a schedule is published at most one
run after its time (a minute under `make run`), and a missed window shows on
/healthz and the admin's dashboard (faq/dashboard.py).
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction


@dataclass(frozen=True)
class Job:
    name: str
    function: object
    # False for a job that commits its own transactions (one per item), so
    # that one item's failure or a slow item holds nothing else back.
    atomic: bool = True

    def run(self, dry_run=False):
        if not self.atomic:
            return self.function(dry_run=dry_run)
        with transaction.atomic():
            return self.function(dry_run=dry_run)


JOBS = {}
logger = logging.getLogger(__name__)


def job(name, atomic=True):
    def register(function):
        JOBS[name] = Job(name, function, atomic)
        return function

    return register


def run_all(dry_run=False, only=None):
    """Run every job (or those named in `only`); [(name, report or error), …].

    One job's failure is reported and does not stop the others."""
    results = []
    for name, registered in JOBS.items():
        if only and name not in only:
            continue
        try:
            results.append((name, registered.run(dry_run=dry_run), None))
        except Exception as error:  # reported by the command, which then fails
            results.append((name, None, error))
    return results


@job("publish scheduled changes", atomic=False)
def publish_scheduled_changes(dry_run=False):
    """Publish every schedule whose time has come (faq/workflow.py publish_due):
    each in its own transaction, claimed so that several machines publish it once."""
    from . import workflow

    if dry_run:
        due = workflow.due().count()
        return f"would publish {due} scheduled change(s)"
    missed = dict(workflow.overdue().values_list("pk", "publish_at"))
    results = workflow.publish_due()
    published = sum(result.published for result in results)
    for result in results:
        if result.published and result.answer_id in missed:
            logger.warning(
                "Scheduled change to answer %s published late: it was due at %s "
                "(were the periodic jobs stopped?)",
                result.answer_id,
                missed[result.answer_id].isoformat(),
            )
    failed = [result for result in results if not result.published]
    report = f"published {published} scheduled change(s)"
    if failed:
        # The command then exits non-zero: a timer's unit shows as failed, cron mails it.
        raise ScheduledPublishingFailed(
            report + "; failed: " + ", ".join(f"answer {r.answer_id}: {r.error}" for r in failed)
        )
    return report


class ScheduledPublishingFailed(Exception):
    """Some schedules could not be published (each kept on its answer and logged)."""


@job("delete old search statistics")
def delete_old_search_statistics(dry_run=False):
    from .search_stats import delete_older_than, flush

    if not dry_run:
        flush()  # this process's own counts, if it served searches
    days = settings.SEARCH_STATS_DAYS
    deleted = delete_older_than(days, dry_run=dry_run)
    verb = "would delete" if dry_run else "deleted"
    return f"{verb} {deleted} search count row(s) older than {days} days"


@job("refresh the spelling vocabulary")
def refresh_spelling_vocabulary(dry_run=False):
    from .search_models import LANGUAGES
    from .suggest import published_words, rebuild_vocabulary

    if dry_run:
        sizes = {code: len(published_words(code)) for code, _ in LANGUAGES}
        return "would rebuild from " + ", ".join(f"{n} {code} words" for code, n in sizes.items())
    changed = [code for code, _ in LANGUAGES if rebuild_vocabulary(code)]
    return f"rebuilt for {', '.join(changed)}" if changed else "unchanged"
