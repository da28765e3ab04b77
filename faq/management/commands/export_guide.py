"""Write guides to Markdown with front matter, one file per guide, for version control.

The files are what `import_guide` reads: exporting a guide and importing the
file into an empty database gives back every question, answer, topic and
source (as drafts). Answers are exported as they are live, without drafts.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from faq.importing import markdown_front_matter
from faq.importing.export import guide_document
from faq.models import Guide


class Command(BaseCommand):
    help = "Export guides to Markdown files with front matter (one file per guide)."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="The guides' web addresses (slugs).")
        parser.add_argument("--all", action="store_true", help="Export every guide.")
        parser.add_argument(
            "--output-dir", default=".", help="Folder to write to (default: the current one)."
        )

    def handle(self, *args, slugs, all, output_dir, **options):
        if all == bool(slugs):
            raise CommandError("Name the guides to export, or use --all (not both).")
        guides = Guide.objects.select_related("category").order_by("slug")
        if not all:
            guides = guides.filter(slug__in=slugs)
            if missing := sorted(set(slugs) - {guide.slug for guide in guides}):
                raise CommandError(f"No guide has the address “{missing[0]}”.")
        folder = Path(output_dir)
        folder.mkdir(parents=True, exist_ok=True)
        for guide in guides:
            document = guide_document(guide)
            language = f".{document.language}" if document.language else ""
            path = folder / f"{guide.slug}{language}.md"
            path.write_text(markdown_front_matter.write(document), encoding="utf-8")
            self.stdout.write(f"{path}: {len(document.questions)} question(s).")
