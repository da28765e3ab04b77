"""Run the site's periodic jobs once (faq/periodic.py), or every N seconds.

    manage.py run_periodic_jobs                 # once: for cron or a systemd timer
    manage.py run_periodic_jobs --dry-run       # say what each job would do
    manage.py run_periodic_jobs --every 60      # keep running (make run uses gunicorn's hook)

Safe to run often and on several machines: every job is idempotent.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from faq.periodic import JOBS, run_all


class Command(BaseCommand):
    help = "Run the periodic jobs (housekeeping, and later scheduled publishing)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Change nothing.")
        parser.add_argument("--job", action="append", help="Run only this job (repeatable).")
        parser.add_argument("--every", type=int, help="Run again every N seconds, until stopped.")

    def handle(self, *args, dry_run=False, job=None, every=None, **options):
        unknown = set(job or ()) - set(JOBS)
        if unknown:
            raise CommandError(
                f"No such job: {', '.join(sorted(unknown))}. Jobs: {', '.join(JOBS)}."
            )
        while True:
            failures = self.run_once(dry_run, job)
            if not every:
                break
            close_old_connections()  # a long-running loop must not keep a dead one
            try:
                time.sleep(every)
            except KeyboardInterrupt:  # Ctrl+C on `make run` reaches this process too
                return
        if failures:
            raise CommandError(f"{failures} job(s) failed.")

    def run_once(self, dry_run, only):
        failures = 0
        for name, report, error in run_all(dry_run=dry_run, only=only):
            if error is None:
                self.stdout.write(f"{name}: {report}")
            else:
                failures += 1
                self.stderr.write(self.style.ERROR(f"{name}: failed: {error!r}"))
        return failures
