"""Import guides from plain text like the seed article, or Markdown with front matter.

Every file is read and checked first; a file that cannot be parsed is refused
with its line number and what was expected, and nothing changes. Each file is
then imported in its own transaction: a new guide arrives unpublished with
its questions as drafts, and a changed answer of a question already in the
database gets a draft (note "Imported from <file name>"), its live text
untouched (see faq/importing/apply.py). --dry-run shows the same report,
with a word diff of each change, and changes nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from faq.importing.apply import import_document
from faq.importing.document import ImportFormatError
from faq.importing.formats import parse_file


def read_document(path):
    """The parsed file; raises ImportFormatError naming the line."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportFormatError(None, f"cannot read the file ({error.strerror}).") from None
    return parse_file(path.name, data)


class Command(BaseCommand):
    help = (
        "Import guides as drafts from plain text like the seed article (.txt) or "
        "Markdown with front matter as export_guide writes it (.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="Files to import (.txt or .md).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change, change nothing."
        )

    def handle(self, *args, files, dry_run, **options):
        documents = []
        for name in files:
            path = Path(name)
            try:
                documents.append((path, read_document(path)))
            except ImportFormatError as error:
                raise CommandError(f"{path}: {error}\nNothing was changed.") from error
        for path, document in documents:
            with transaction.atomic():
                report = import_document(document, path.name)
                if dry_run:
                    transaction.set_rollback(True)
            self.write_report(path, report, dry_run)
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was changed."))

    def write_report(self, path, report, dry_run):
        state = "new, unpublished" if report.guide_is_new else "already in the database"
        self.stdout.write(f"{path}: guide “{report.guide}” ({state})")
        for outcome in report.questions:
            note = f" ({outcome.note})" if outcome.note else ""
            self.stdout.write(f"  {outcome.number}. {outcome.status}: {outcome.text}{note}")
            if outcome.diff:
                self.stdout.write(f"      {outcome.diff}")
        verb = "would be" if dry_run else "were"
        counts = ", ".join(
            f"{report.count(status)} {status}"
            for status in ("new", "changed", "unchanged", "skipped", "deleted")
            if report.count(status)
        )
        summary = f"{path.name}: {counts}."
        if report.count("new") or report.count("changed"):
            summary += (
                f" New questions {verb} imported as drafts and changed answers as drafts "
                f"noted “Imported from {path.name}”; no live text "
                f"{'would change' if dry_run else 'changed'}."
            )
        self.stdout.write(self.style.SUCCESS(summary))
