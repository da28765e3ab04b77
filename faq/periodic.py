"""The site's periodic jobs, run by `manage.py run_periodic_jobs`.

One command runs every job; it is safe to run often (every job does nothing
when there is nothing to do) and on several machines at once (each job is
idempotent and does its work in one transaction). `make run` runs it every
minute in the background; production runs it from a systemd timer or cron
(README "Periodic jobs").

A job is a name and a function taking `dry_run` and returning one line saying
what it did (or would do). Register a job with @job("name").
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction


@dataclass(frozen=True)
class Job:
    name: str
    function: object

    def run(self, dry_run=False):
        with transaction.atomic():
            return self.function(dry_run=dry_run)


JOBS = {}


def job(name):
    def register(function):
        JOBS[name] = Job(name, function)
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
