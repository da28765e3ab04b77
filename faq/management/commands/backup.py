"""Write a consistent, timestamped backup of the site's database.

SQLite is copied online with SQLite's backup API (the site keeps serving);
PostgreSQL is dumped with pg_dump. Backups go to BACKUP_DIR (default
`backups/` in the project folder, created if missing, ignored by git) or to
--folder. Restore one with `manage.py restore FILE`.
"""

from django.core.management.base import BaseCommand, CommandError

from faq.backups import BackupError, backup


class Command(BaseCommand):
    help = "Back up the whole database (content, history, users) to a timestamped file."

    def add_arguments(self, parser):
        parser.add_argument("--folder", help="Where to write the backup (default: BACKUP_DIR).")

    def handle(self, *args, folder=None, **options):
        try:
            path = backup(folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = path.stat().st_size
        self.stdout.write(self.style.SUCCESS(f"Backed up to {path} ({size:,} bytes)."))
        # The last line is the path alone, for scripts (make backup, cron).
        self.stdout.write(str(path))
