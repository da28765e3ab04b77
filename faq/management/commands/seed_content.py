"""Load the seed fixtures, with history, never fighting the editors.

`loaddata` writes no history and overwrites rows that already exist. This
command reads every fixture file and checks every record first (a malformed
file is refused with the file, the record and the problem named, and nothing
changes), then, in one transaction, creates only the records this database has
never applied, each question and answer with one history row. What it applied
before is left exactly as editors left it, deleted records included, so
`make run` can run it on every start (see faq/seeding.py).
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from faq.fixture_records import FixtureError, read_fixture
from faq.seeding import SeedRun, clash_verb, plural, summary_lines


class Command(BaseCommand):
    help = (
        "Load seed content from fixture files (default: every .json file in fixtures/), "
        "recording history. Creates only records this database has never applied; "
        "what editors changed or deleted stays as they left it."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="Fixture files to load.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List what would be created and check everything, then change nothing.",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Fail, changing nothing, when a new record clashes with the database's "
            "content (by default it is skipped with a message).",
        )

    def handle(self, *args, files, dry_run, strict, verbosity, **options):
        paths = [Path(name) for name in files] or sorted(
            path for folder in settings.FIXTURE_DIRS for path in Path(folder).glob("*.json")
        )
        if not paths:
            raise CommandError("No fixture files found.")
        try:
            records_by_file = [(path, read_fixture(path)) for path in paths]
            with transaction.atomic():
                report = SeedRun([r for _, records in records_by_file for r in records]).apply()
                if strict and report.clashes:
                    count = len(report.clashes)
                    raise FixtureError(
                        "\n".join(report.clashes) + f"\n--strict: {plural(count, 'new record')} "
                        f"{clash_verb(count)} with the database's content (without --strict, "
                        f"{'it is' if count == 1 else 'they are'} skipped and the rest loaded)."
                    )
                if dry_run:
                    transaction.set_rollback(True)
        except FixtureError as error:
            raise CommandError(f"{error}\nNothing was changed.") from error
        self.write_report(report, records_by_file, dry_run, verbosity)

    def write_report(self, report, records_by_file, dry_run, verbosity):
        if dry_run and verbosity:
            if report.created:
                self.stdout.write(f"Would create {plural(len(report.created), 'record')}:")
            else:
                self.stdout.write("Would create no records.")
            for record in report.created:
                self.stdout.write(f"  {record.where}")
        elif verbosity >= 2:
            for record in report.created:
                self.stdout.write(f"Created {record.where}")
        # Clashes are written at any verbosity: an operator must see them.
        for message in report.clashes:
            self.stderr.write(self.style.WARNING(f"Skipped {message}"))
        if not verbosity:
            return
        for record, why in report.orphaned:
            self.stdout.write(f"Left out {record.where}: {why}.")
        # make run seeds on every start: the records editors changed are counted
        # in the summary, and named only when asked for.
        if verbosity >= 2:
            for record, changed in report.differences:
                self.stdout.write(
                    f"Kept the database's version of {record}: "
                    f"it differs from {record.path.name} in {', '.join(changed)}."
                )
            for record in report.deleted:
                self.stdout.write(f"Left out {record.where}: deleted since it was seeded.")
        for path, records in records_by_file:
            self.stdout.write(f"{path}: {plural(len(records), 'record')} read.")
        for line in summary_lines(report, dry_run):
            self.stdout.write(self.style.SUCCESS(line))
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was changed."))
