"""Import guides from plain text like the seed article, or Markdown with front matter.

Every file is read and checked first; a file that cannot be parsed is refused
with its line number and what was expected, and nothing changes. Each file is
then imported in its own transaction: a new guide arrives unpublished with
its questions as drafts, and a question already in the database that the file
changes gets the file's version (wording, answer, and from Markdown topics
and sources) as one revision noted "Imported from <file name>": a draft on a
published question, its live page untouched (see faq/importing/apply.py).
--dry-run shows the same report, with what each change changes, and changes
nothing. --user names the editor the history credits with the import.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from faq.diff import PLAIN
from faq.importing.apply import check_document, import_document
from faq.importing.document import ImportFormatError, check_slug
from faq.importing.formats import parse_file

DIFF_CONTEXT = 8  # unchanged words kept beside each change in a preview


def read_document(path, slug=""):
    """The parsed and checked file; raises ImportFormatError naming the line."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportFormatError(None, f"cannot read the file ({error.strerror}).") from None
    document = parse_file(path.name, data)
    if slug:
        check_slug(slug, None)
        document.slug = slug
    check_document(document)
    return document


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
        parser.add_argument(
            "--user",
            help="The editor login the answers' history credits with the import "
            "(default: none, shown as “someone no longer here”).",
        )
        parser.add_argument(
            "--slug",
            help="The guide's web address, for one file (plain text has none; "
            "it is otherwise made from the title).",
        )

    def handle(self, *args, files, dry_run, user, slug, **options):
        if slug and len(files) > 1:
            raise CommandError("--slug names one guide's address: import one file with it.")
        user = find_user(user) if user else None
        documents = []
        for name in files:
            path = Path(name)
            try:
                documents.append((path, read_document(path, slug)))
            except ImportFormatError as error:
                raise CommandError(f"{path}: {error}\nNothing was changed.") from error
        for index, (path, document) in enumerate(documents):
            try:
                with transaction.atomic():
                    report = import_document(document, path.name, user)
                    if dry_run:
                        transaction.set_rollback(True)
            except ImportFormatError as error:
                # What an earlier file of this run imported can make a later one
                # refusable (a topic it made in the other language).
                before = ", ".join(p.name for p, _ in documents[:index])
                raise CommandError(
                    f"{path}: {error}\nNothing of it or of the files after it was imported"
                    f"{f'; imported before it: {before}' if before and not dry_run else ''}."
                ) from error
            self.write_report(path, report, dry_run)
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was changed."))

    def write_report(self, path, report, dry_run):
        state = "new, unpublished" if report.guide_is_new else "already in the database"
        self.stdout.write(f"{path}: guide “{report.guide}” ({state})")
        for outcome in report.questions:
            note = f" ({outcome.note})" if outcome.note else ""
            where = ""
            if outcome.status == "changed":
                where = " (as a draft)" if outcome.as_draft else " (unpublished: saved on it)"
            self.stdout.write(f"  {outcome.number}. {outcome.status}{where}: {outcome.text}{note}")
            for part in outcome.differences(DIFF_CONTEXT, PLAIN):
                self.stdout.write(f"      {part.label}: {part.html.rstrip()}")
        verb = "would be" if dry_run else "were"
        counts = ", ".join(
            f"{report.count(status)} {status}"
            for status in ("new", "changed", "unchanged", "skipped", "deleted")
            if report.count(status)
        )
        summary = f"{path.name}: {counts}."
        if report.count("new") or report.count("changed"):
            summary += (
                f" New questions {verb} imported as drafts; changes to published questions "
                f"{verb} saved as drafts and changes to unpublished ones on them, noted "
                f"“Imported from {path.name}”; nothing public "
                f"{'would change' if dry_run else 'changed'}."
            )
        self.stdout.write(self.style.SUCCESS(summary))


def find_user(username):
    user = get_user_model().objects.filter(username=username, is_active=True, is_staff=True)
    if not user.exists():
        raise CommandError(
            f"No active editor login is called “{username}” (see createeditor). "
            "Nothing was changed."
        )
    return user.get()
