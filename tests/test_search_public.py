"""The questions search may count and rank (faq/search_public.py) stay exactly
those published() returns, whatever changed: a question's status or guide, its
guide's publication, its answer, a delete, a fixture load or a bulk write.

A search counts its matches from this table alone, so a row out of step would
show a wrong count, or rank a draft (which published() then drops from the
page). Each test compares the table with published() and checks a count."""

import json
import tempfile
from pathlib import Path
from unittest import skipUnless

from django.core.management import call_command
from django.db import connection
from django.test import TestCase, TransactionTestCase

from faq.models import Answer, Question, SearchVisibility
from faq.search import rebuild_index, search
from faq.search_matches import hidden_ids_sql
from faq.search_public import sync

from .factories import make_guide, make_question


def public_rows():
    return set(SearchVisibility.objects.filter(public=True).values_list("question_id", "language"))


def hidden_rows():
    return set(SearchVisibility.objects.filter(public=False).values_list("question_id", "language"))


def published_rows():
    return set(Question.objects.published().values_list("pk", "language"))


def unpublished_rows():
    return set(Question.objects.values_list("pk", "language")) - published_rows()


class SearchVisibilityTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.guide = make_guide("otters")
        cls.live = make_question(cls.guide, 1, body="Otters hold hands while they sleep.")
        cls.draft = make_question(
            cls.guide, 2, status=Question.Status.DRAFT, body="Otters keep a favourite stone."
        )

    def assertInStep(self):
        """Public rows are published(); every other question has a hidden row,
        which SQLite searches leave out (faq/search_matches.py)."""
        self.assertEqual(public_rows(), published_rows())
        self.assertEqual(hidden_rows(), unpublished_rows())

    def count(self, query):
        return search(query).page.paginator.count

    def test_the_table_starts_in_step(self):
        self.assertEqual(public_rows(), {(self.live.pk, "en")})
        self.assertEqual(hidden_rows(), {(self.draft.pk, "en")})
        self.assertEqual(self.count("otters"), 1)

    def test_publishing_and_unpublishing_a_question(self):
        self.draft.status = Question.Status.PUBLISHED
        self.draft.save()
        self.assertInStep()
        self.assertEqual(self.count("otters"), 2)
        self.live.status = Question.Status.DRAFT
        self.live.save()
        self.assertInStep()
        self.assertEqual(self.count("otters"), 1)

    def test_unpublishing_and_republishing_the_guide(self):
        self.guide.is_published = False
        self.guide.save()
        self.assertInStep()
        self.assertEqual(self.count("otters"), 0)
        self.guide.is_published = True
        self.guide.save()
        self.assertInStep()
        self.assertEqual(self.count("otters"), 1)

    def test_moving_a_question_to_an_unpublished_guide(self):
        hidden = make_guide("hidden", is_published=False)
        self.live.guide = hidden
        self.live.save()
        self.assertInStep()
        self.assertEqual(self.count("otters"), 0)

    def test_a_question_counts_once_its_answer_exists_and_not_after_it_is_deleted(self):
        question = Question.objects.create(
            guide=self.guide, position=3, text="Do otters swim?", status="published"
        )
        self.assertInStep()
        self.assertNotIn(question.pk, dict(public_rows()))
        answer = Answer.objects.create(question=question, body="Otters swim well.")
        self.assertInStep()
        self.assertEqual(self.count("otters"), 2)
        answer.delete()
        self.assertInStep()
        self.assertEqual(self.count("otters"), 1)

    def test_deleting_questions_one_by_one_or_in_bulk(self):
        self.live.delete()
        self.assertInStep()
        make_question(self.guide, 5, body="Otters eat fish.")
        Question.objects.filter(guide=self.guide).delete()
        self.assertEqual(SearchVisibility.objects.count(), 0)

    def test_a_fixture_load_keeps_it_in_step(self):
        records = [
            {
                "model": "faq.question",
                "pk": 900,
                "fields": {
                    "guide": self.guide.pk,
                    "position": 9,
                    "text": "Where do otters live?",
                    "slug": "where-do-otters-live",
                    "status": "published",
                    "language": "en",
                    "created_at": "2026-12-01T00:00:00Z",
                    "updated_at": "2026-12-01T00:00:00Z",
                },
            },
            {
                "model": "faq.answer",
                "pk": 900,
                "fields": {
                    "question": 900,
                    "body": "Otters: rivers.",
                    "created_at": "2026-12-01T00:00:00Z",
                    "updated_at": "2026-12-01T00:00:00Z",
                },
            },
        ]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "otters.json"
            path.write_text(json.dumps(records))
            call_command("loaddata", str(path), verbosity=0)
        self.assertInStep()
        self.assertEqual(self.count("otters"), 2)

    def test_rows_written_in_bulk_are_brought_in_step_by_a_rebuild(self):
        Question.objects.filter(pk=self.draft.pk).update(status="published")  # no signals
        self.assertNotEqual(public_rows(), published_rows())
        rebuild_index()
        self.assertInStep()
        self.assertEqual(self.count("otters"), 2)

    def test_sync_of_any_ids_is_harmless(self):
        sync([self.live.pk, self.draft.pk, 987654])
        self.assertInStep()


class FlushTests(TransactionTestCase):
    """`flush` empties the models' tables but not the search index, which is
    not a model; TransactionTestCase empties the database that way too."""

    def test_questions_emptied_by_flush_are_not_counted(self):
        guide = make_guide("otters")
        make_question(guide, 1, body="Otters hold hands while they sleep.")
        make_question(guide, 2, body="Otters keep a favourite stone.")
        call_command("flush", interactive=False, verbosity=0)
        fresh = make_guide("rivers")
        make_question(fresh, 1, body="Otters swim in rivers.")
        self.assertEqual(search("otters").page.paginator.count, 1)
        self.assertEqual(len(search("otters").hits), 1)


@skipUnless(connection.vendor == "sqlite", "SQLite's query plan")
class HiddenIdsPlanTests(TestCase):
    def test_the_hidden_ids_are_read_through_the_language_and_public_index(self):
        """Every search reads them; through the language alone it read all of
        the language's rows (`NOT public`: 10 ms a statement at 100,000)."""
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {hidden_ids_sql()}", ["en"])
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        self.assertIn("faq_search_visibility_lang (language=? AND public=?)", plan)
