"""Rebuild the full-text search index from the questions and answers.

Every save keeps the index in step on its own; run this only after changing
rows in bulk (queryset.update(), raw SQL, a restored backup of the content
tables without the index). It also rebuilds the spelling vocabulary.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from faq.search import rebuild_index, tidy_after_bulk_load
from faq.search_models import LANGUAGES
from faq.suggest import rebuild_vocabulary


class Command(BaseCommand):
    help = "Rebuild the search index from every question and answer."

    def handle(self, *args, **options):
        with transaction.atomic():
            count = rebuild_index()
        tidy_after_bulk_load()
        for language, _ in LANGUAGES:
            rebuild_vocabulary(language)
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} question(s)."))
