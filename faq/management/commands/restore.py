"""Replace the whole database with a backup made by `manage.py backup`.

Everything in the database now (content, history, users, sessions) is replaced
by the backup's, so it asks for confirmation unless given --yes. The file must
come from the same kind of database (a .sqlite3 file for SQLite, a .pgdump for
PostgreSQL). Afterwards every cached page is invalidated, so readers see the
restored content at once.
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from faq.backups import BackupError, restore
from faq.cache import bump_stamp


class Command(BaseCommand):
    help = "Replace the database with a backup file (asks first unless --yes)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A backup written by manage.py backup.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, file, yes=False, **options):
        name = connection.settings_dict["NAME"]
        if not yes:
            if not sys.stdin.isatty():
                raise CommandError("Not restored: add --yes to restore without a question.")
            answer = input(
                f"This replaces everything in the database {name} with {file}. "
                "Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Not restored: nothing was changed.")
        try:
            restore(file)
        except BackupError as error:
            raise CommandError(f"Not restored: {error}") from error
        bump_stamp()
        self.stdout.write(
            self.style.SUCCESS(f"Restored {name} from {file}; every cached page is cleared.")
        )
