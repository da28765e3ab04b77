"""Partial-match searches: a common word orders the matches but does not make one.

When no answer has every word of a query, search shows the answers with any of
them. A word found in more than COMMON_MATCHES answers then only counts while
none of the reader's other words matches anything (faq/search_partial.py):
"can ice see my adress" must lead to the answers about ICE, not to every answer
that says "see". These tests make the limit 3 answers, on both databases.
"""

from unittest import mock

from django.test import TestCase

from faq import search_partial
from faq.models import Question
from faq.search import search
from faq.search_matches import matches_class
from faq.search_public import rebuild

from .factories import make_guide, make_question, make_spanish_guide, make_translation

LIMIT = 3


def ids(result):
    return [hit.question.pk for hit in result.hits]


def slots_of(*words):
    return [[(word,)] for word in words]


class CommonWordTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        guide = make_guide("rivers")
        position = iter(range(1, 100))

        def ask(text, body, **options):
            return make_question(guide, next(position), text=text, body=body, **options).pk

        # "river" is in six answers: common. "otter" in two: telling.
        cls.river_only = [
            ask(f"Where does water flow, part {number}?", f"The river flows here, {number}.")
            for number in range(5)
        ]
        cls.otter_and_river = ask("Who swims here?", "An otter swims in the river.")
        cls.otter_only = ask("Who lives by the bank?", "An otter lives by the bank.")
        # "meadow" is common too, and never in an answer with "river".
        cls.meadow = [
            ask(f"Where do deer graze, part {number}?", f"The meadow is green, {number}.")
            for number in range(4)
        ]
        # A telling word only an unpublished answer has makes nothing a match.
        cls.beaver_draft = ask(
            "Who builds dams?", "A beaver builds dams.", status=Question.Status.DRAFT
        )

    def setUp(self):
        patcher = mock.patch.object(search_partial, "COMMON_MATCHES", LIMIT)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_a_telling_word_decides_what_matches_and_the_common_word_orders_it(self):
        result = search("otter river zebra", 1, 10)
        self.assertFalse(result.matched_all)
        self.assertEqual(result.page.paginator.count, 2)
        self.assertEqual(ids(result), [self.otter_and_river, self.otter_only])

    def test_without_the_limit_every_answer_with_any_word_matches(self):
        with mock.patch.object(search_partial, "COMMON_MATCHES", 1000):
            result = search("otter river zebra", 1, 10)
        self.assertEqual(result.page.paginator.count, 7)
        self.assertEqual(ids(result)[0], self.otter_and_river)

    def test_common_words_alone_still_find_their_answers(self):
        result = search("river zebra", 1, 10)
        self.assertEqual(result.page.paginator.count, 6)
        self.assertEqual(set(ids(result)), {*self.river_only, self.otter_and_river})

    def test_common_words_together_show_the_answers_with_all_of_them(self):
        """ "water" (in five questions) and "river" (in six answers) are both
        common, and five answers have both: those, ranked as an every-word search."""
        result = search("water river zebra", 1, 10)
        self.assertFalse(result.matched_all)
        self.assertEqual(result.page.paginator.count, 5)
        self.assertEqual(set(ids(result)), set(self.river_only))
        matches = matches_class()(slots_of("water", "river", "zebra"), match_all=False)
        self.assertEqual(matches.count(), 5)
        with mock.patch.object(search_partial, "COMMON_MATCHES", 1000):
            self.assertEqual(search("water river zebra", 1, 10).page.paginator.count, 6)

    def test_common_words_never_together_each_make_a_match(self):
        result = search("meadow river zebra", 1, 20)
        self.assertEqual(result.page.paginator.count, 10)
        self.assertEqual(set(ids(result)), {*self.river_only, self.otter_and_river, *self.meadow})
        matches = matches_class()(slots_of("meadow", "river", "zebra"), match_all=False)
        self.assertEqual(matches.count(), 10)

    def test_pages_of_common_words_together_cover_each_answer_once(self):
        shown = [pk for number in (1, 2, 3) for pk in ids(search("water river zebra", number, 2))]
        self.assertEqual(sorted(shown), sorted(self.river_only))
        self.assertEqual(search("water river zebra", 9, 2).page.number, 3)

    def test_a_word_only_hidden_answers_have_is_not_telling(self):
        result = search("beaver river zebra", 1, 10)
        self.assertEqual(result.page.paginator.count, 6)
        self.assertNotIn(self.beaver_draft, ids(result))

    def test_published_the_hidden_answer_becomes_the_only_match(self):
        Question.objects.filter(pk=self.beaver_draft).update(status=Question.Status.PUBLISHED)
        rebuild()
        self.assertEqual(ids(search("beaver river zebra", 1, 10)), [self.beaver_draft])

    def test_a_word_in_exactly_as_many_answers_as_the_limit_is_telling(self):
        with mock.patch.object(search_partial, "COMMON_MATCHES", 6):
            self.assertEqual(search("river otter zebra", 1, 10).page.paginator.count, 7)
        with mock.patch.object(search_partial, "COMMON_MATCHES", 5):
            self.assertEqual(search("river otter zebra", 1, 10).page.paginator.count, 2)

    def test_count_exists_and_pages_agree(self):
        matches = matches_class()(slots_of("otter", "river", "zebra"), match_all=False)
        self.assertEqual(matches.count(), 2)
        self.assertTrue(matches.exists())
        self.assertEqual(matches.page(0, 10)[0], 2)
        self.assertEqual(len(matches.page(1, 10)[1]), 1)

    def test_every_word_searches_are_unchanged(self):
        result = search("otter river", 1, 10)
        self.assertTrue(result.matched_all)
        self.assertEqual(ids(result), [self.otter_and_river])


class SpanishCommonWordTests(TestCase):
    def test_the_same_rule_in_spanish(self):
        english_guide = make_guide("rios")
        spanish_guide = make_spanish_guide(english_guide)

        def translated(position, body):
            english = make_question(english_guide, position)
            return make_translation(english, spanish_guide, body=body).pk

        river_only = [translated(n, f"El río pasa por aquí, {n}.") for n in range(1, 5)]
        otter = translated(5, "Una nutria nada en el río.")
        with mock.patch.object(search_partial, "COMMON_MATCHES", LIMIT):
            narrowed = search("nutria río cebra", 1, 10, language="es")
        self.assertFalse(narrowed.matched_all)
        self.assertEqual(ids(narrowed), [otter])
        everything = search("nutria río cebra", 1, 10, language="es")
        self.assertEqual(set(ids(everything)), {*river_only, otter})
