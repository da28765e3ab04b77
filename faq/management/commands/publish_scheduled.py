"""Publish the scheduled changes whose time has come (Wagtail's command name).

    manage.py publish_scheduled             # publish what is due, now
    manage.py publish_scheduled --dry-run   # list what is due and what failed, change nothing

`run_periodic_jobs` already does this every run ("publish scheduled changes"),
so operators need this only to publish at once or to look. Safe beside it and
on several machines: each change is claimed before it is published, so it is
published once (faq/workflow.py publish_due).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from faq import workflow


class Command(BaseCommand):
    help = "Publish the scheduled changes that are due (--dry-run: only list them)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Change nothing.")

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        due = list(workflow.due(now).select_related("question").order_by("publish_at"))
        for answer in due:
            line = f"due {local(answer.publish_at)}: answer {answer.pk} {answer.question.text!r}"
            if answer.schedule_failed_at:
                line += f" (failing since {local(answer.schedule_failed_at)}: "
                line += f"{answer.schedule_failure})"
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(f"would publish {len(due)} scheduled change(s)")
            return
        results = workflow.publish_due(now)
        published = sum(result.published for result in results)
        self.stdout.write(self.style.SUCCESS(f"published {published} scheduled change(s)"))
        failed = [result for result in results if not result.published]
        for result in failed:
            self.stderr.write(self.style.ERROR(f"answer {result.answer_id} failed: {result.error}"))
        if failed:
            raise CommandError(f"{len(failed)} scheduled change(s) could not be published.")


def local(moment):
    """A time in the site's zone, the zone named (as editors enter schedules)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")
