"""Make every cached public page stale at once.

Edits through Django invalidate the page cache by themselves. Changes made
behind Django's back do not: restoring a backup, editing rows in psql or the
sqlite3 shell. Run this afterwards.
"""

from django.core.management.base import BaseCommand

from faq.cache import bump_stamp


class Command(BaseCommand):
    help = "Invalidate every cached public page (after restoring a backup or editing SQL)."

    def handle(self, *args, **options):
        bump_stamp()
        self.stdout.write(self.style.SUCCESS("Every cached page will be rendered afresh."))
