"""Ranking only each tier's newest questions (RESCORE_WINDOW), on both databases.

At 100,000 questions a common word matches tens of thousands of answers, and
ranking them all cost more than the 50 ms a search may take, so relevance is
computed for each tier's RESCORE_WINDOW newest matches and the rest of a larger
tier follows them, newest first (faq/search_sqlite.py, faq/search_postgresql.py).
These tests make the window 4 questions wide and check what a reader relies on:
every match is on exactly one page, pages never overlap, the tiers keep their
order, and a tier wider than the window shows its newest questions first.
"""

from unittest import mock

from django.test import TestCase

from faq import search_postgresql, search_sqlite
from faq.models import Question
from faq.search import search

from .factories import make_guide, make_question

WINDOW = 4


def ids(result):
    return [hit.question.pk for hit in result.hits]


class RescoreWindowTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        guide = make_guide("otters")
        position = iter(range(1, 100))

        def ask(text, body):
            return make_question(guide, next(position), text=text, body=body).pk

        # Interleaved, so each tier's newest questions are not simply the newest overall.
        cls.phrase_in_question, cls.in_answer_only, cls.one_word = [], [], []
        for number in range(7):
            cls.phrase_in_question.append(
                ask(f"Where is otter den {number}?", f"Near the river, site {number}.")
            )
            cls.in_answer_only.append(
                ask(
                    f"What lives by the river, part {number}?",
                    f"An otter lives there. Far from the water you may also find a den {number}.",
                )
            )
            cls.one_word.append(ask(f"Do otters swim, part {number}?", "Every otter swims well."))
        cls.draft = make_question(
            guide,
            next(position),
            text="Where is otter den 99?",
            status=Question.Status.DRAFT,
        ).pk

    def setUp(self):
        for module in (search_sqlite, search_postgresql):
            patcher = mock.patch.object(module, "RESCORE_WINDOW", WINDOW)
            patcher.start()
            self.addCleanup(patcher.stop)

    def all_pages(self, query, per_page):
        first = search(query, 1, per_page)
        pages = [ids(first)]
        for number in range(2, first.page.paginator.num_pages + 1):
            pages.append(ids(search(query, number, per_page)))
        return first, [pk for page in pages for pk in page]

    def assertNewestFirstPastTheWindow(self, shown, tier):
        """A tier wider than the window: its newest WINDOW questions (ranked among
        themselves), then the others, newest first."""
        newest = sorted(tier, reverse=True)
        self.assertEqual(set(shown[:WINDOW]), set(newest[:WINDOW]))
        self.assertEqual(shown[WINDOW:], newest[WINDOW:])

    def test_every_word_search_pages_cover_every_match_once_in_tier_order(self):
        expected_total = len(self.phrase_in_question) + len(self.in_answer_only)
        for per_page in (1, 3, 5, 20):
            with self.subTest(per_page=per_page):
                first, shown = self.all_pages("otter den", per_page)
                self.assertEqual(first.page.paginator.count, expected_total)
                self.assertTrue(first.matched_all)
                self.assertEqual(len(shown), expected_total)
                tier_size = len(self.phrase_in_question)
                self.assertNewestFirstPastTheWindow(shown[:tier_size], self.phrase_in_question)
                self.assertNewestFirstPastTheWindow(shown[tier_size:], self.in_answer_only)
                self.assertNotIn(self.draft, shown)

    def test_any_word_search_pages_cover_every_match_once_with_more_words_first(self):
        both_words = self.phrase_in_question + self.in_answer_only
        for per_page in (2, 7, 50):
            with self.subTest(per_page=per_page):
                first, shown = self.all_pages("otter den xylophone", per_page)
                self.assertFalse(first.matched_all)
                self.assertEqual(first.page.paginator.count, len(both_words) + len(self.one_word))
                self.assertEqual(len(set(shown)), len(shown))
                self.assertEqual(set(shown[: len(both_words)]), set(both_words))
                self.assertNewestFirstPastTheWindow(
                    shown[: len(self.phrase_in_question)], self.phrase_in_question
                )
                self.assertNewestFirstPastTheWindow(
                    shown[len(self.phrase_in_question) : len(both_words)], self.in_answer_only
                )
                self.assertNewestFirstPastTheWindow(shown[len(both_words) :], self.one_word)

    def test_a_page_past_the_end_shows_the_last_page(self):
        last = search("otter den", 99, 5)
        self.assertEqual(last.page.number, 3)
        self.assertEqual(ids(last), self.all_pages("otter den", 5)[1][10:])

    def test_a_small_page_ranks_its_tier_s_whole_window(self):
        """The fourth newest question of the first tier, made the most relevant,
        comes first even on a page of one: the tier's whole window is read and
        ranked, however few rows the page shows."""
        fourth_newest = Question.objects.get(pk=sorted(self.phrase_in_question)[-WINDOW])
        fourth_newest.text = "Otter den, otter den: where is the otter den?"
        fourth_newest.save()
        self.assertEqual(ids(search("otter den", 1, 1)), [fourth_newest.pk])
        self.assertEqual(ids(search("otter den xylophone", 1, 1)), [fourth_newest.pk])

    def test_within_the_window_relevance_decides(self):
        """Without the patch the window holds every match: the question with the
        phrase three times ranks first in its tier although it is the oldest."""
        oldest = Question.objects.get(pk=self.phrase_in_question[0])
        oldest.text = "Otter den, otter den: where is the otter den?"
        oldest.save()
        self.assertNotIn(oldest.pk, ids(search("otter den", 1, 3)))  # outside the window
        with (
            mock.patch.object(search_sqlite, "RESCORE_WINDOW", 300),
            mock.patch.object(search_postgresql, "RESCORE_WINDOW", 300),
        ):
            self.assertEqual(ids(search("otter den", 1, 3))[0], oldest.pk)
