"""Spelling help: misspelt searches on the seed content reach the right answers,
"Did you mean" for searches that find little, and never a word from a draft.

Run on whichever database DATABASE_URL names: FTS5 trigrams on SQLite,
pg_trgm on PostgreSQL.
"""

from urllib.parse import urlencode

from django.core.management import call_command
from django.test import SimpleTestCase, TestCase, override_settings
from django.urls import reverse

from faq import reader_search, suggest
from faq.models import Question, SpellingWord

from .factories import get_counting_queries, make_guide, make_question, make_spanish_guide


def first_positions(outcome, count=3):
    return [hit.question.position for hit in outcome.result.hits[:count]]


class EditDistanceTests(SimpleTestCase):
    def test_counts_insertions_deletions_substitutions_and_swaps(self):
        self.assertEqual(suggest.edit_distance("imigration", "immigration", 2), 1)
        self.assertEqual(suggest.edit_distance("licence", "license", 2), 1)
        self.assertEqual(suggest.edit_distance("adress", "address", 2), 1)
        self.assertEqual(suggest.edit_distance("recieve", "receive", 2), 1)  # a swap
        self.assertEqual(suggest.edit_distance("imigraton", "immigration", 2), 2)
        self.assertEqual(suggest.edit_distance("data", "privacy", 2), 3)  # past the limit

    def test_longer_words_may_have_two_typos(self):
        self.assertEqual(suggest.allowed_distance("adress"), 1)
        self.assertEqual(suggest.allowed_distance("imigraton"), 2)


class SeedSpellingTests(TestCase):
    """Readers' misspellings on the real seed guide."""

    @classmethod
    def setUpTestData(cls):
        call_command("seed_content", verbosity=0)
        suggest.rebuild_vocabulary()

    def test_imigration_shows_the_results_for_immigration(self):
        outcome = reader_search.find("imigration")
        self.assertEqual(outcome.corrected_from, "imigration")
        self.assertEqual(outcome.shown_query, "immigration")
        # "How does the sharing of DMV data with ICE impact immigration enforcement…"
        self.assertEqual(first_positions(outcome, 1), [12])

    def test_licence_finds_the_answers_about_licenses(self):
        outcome = reader_search.find("licence")
        self.assertEqual(outcome.shown_query, "license")
        self.assertGreaterEqual(outcome.result.page.paginator.count, 3)
        for hit in outcome.result.hits:
            self.assertIn("<mark>licens", hit.snippet)

    def test_a_query_with_two_typos(self):
        for query, shown in [
            ("imigrant licence", "immigrant license"),  # one typo in each word
            ("imigraton", "immigration"),  # two typos in one word
            ("imigrant comunities", "immigrant communities"),
        ]:
            with self.subTest(query=query):
                outcome = reader_search.find(query)
                self.assertEqual(outcome.shown_query, shown)
                self.assertTrue(outcome.result.hits)
                self.assertTrue(outcome.result.matched_all)

    def test_a_misspelt_question_is_offered_its_correction(self):
        outcome = reader_search.find("can ice see my adress")
        self.assertEqual(outcome.suggestion, "can ice see my address")

    def test_correct_words_are_left_alone(self):
        for query in ["opt out", "immigration", "driver's license", "privacy"]:
            with self.subTest(query=query):
                outcome = reader_search.find(query)
                self.assertEqual((outcome.corrected_from, outcome.suggestion), ("", ""))

    def test_a_word_nothing_resembles_finds_nothing(self):
        outcome = reader_search.find("xylophone")
        self.assertEqual(outcome.result.page.paginator.count, 0)
        self.assertEqual((outcome.corrected_from, outcome.suggestion), ("", ""))


class SuggestionSourceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.guide = make_guide("dmv")
        for position in range(1, 5):
            make_question(cls.guide, position, body=f"Renewing a license, part {position}.")
        cls.rare = make_question(cls.guide, 5, body="The licence office is closed.")

    def test_the_vocabulary_holds_published_words_only(self):
        make_question(self.guide, 6, status=Question.Status.DRAFT, body="Secret pelicans.")
        make_question(make_guide("hidden", is_published=False), 1, body="Hidden walruses.")
        suggest.rebuild_vocabulary()
        words = set(SpellingWord.objects.values_list("word", flat=True))
        self.assertIn("license", words)
        self.assertNotIn("pelicans", words)
        self.assertNotIn("walruses", words)
        self.assertEqual(SpellingWord.objects.get(word="license").documents, 4)

    def test_a_word_only_in_a_draft_is_never_suggested(self):
        make_question(self.guide, 6, status=Question.Status.DRAFT, body="Secret pelicans.")
        suggest.rebuild_vocabulary()
        outcome = reader_search.find("pelicanz")
        self.assertEqual((outcome.corrected_from, outcome.suggestion), ("", ""))
        self.assertEqual(outcome.result.page.paginator.count, 0)

    def test_a_word_unpublished_since_the_last_rebuild_is_not_shown(self):
        """Between rebuilds a suggestion must still find published answers."""
        pelicans = make_question(self.guide, 6, body="Pelicans nest here.")
        suggest.rebuild_vocabulary()
        self.assertEqual(reader_search.find("pelicanz").shown_query, "pelicans")
        pelicans.status = Question.Status.DRAFT
        pelicans.save()
        outcome = reader_search.find("pelicanz")
        self.assertEqual((outcome.corrected_from, outcome.suggestion), ("", ""))

    def test_a_rebuild_changes_nothing_when_the_words_are_the_same(self):
        self.assertTrue(suggest.rebuild_vocabulary())
        self.assertFalse(suggest.rebuild_vocabulary())

    def test_a_query_with_few_results_is_offered_a_commoner_spelling(self):
        suggest.rebuild_vocabulary()
        outcome = reader_search.find("licence")
        self.assertEqual([hit.question.pk for hit in outcome.result.hits], [self.rare.pk])
        self.assertEqual(outcome.suggestion, "license")
        self.assertEqual(outcome.corrected_from, "")


class SearchPageSpellingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        guide = make_guide("dmv")
        for position in range(1, 5):
            make_question(guide, position, body=f"Immigration and your license, part {position}.")
        make_question(guide, 5, body="The licence office is closed.")
        suggest.rebuild_vocabulary()

    def get(self, query):
        return self.client.get(reverse("faq:search"), {"q": query})

    def test_no_results_shows_the_corrections_results_and_says_so(self):
        response = self.get("imigration")
        self.assertContains(response, "Showing results for “immigration”")
        self.assertContains(response, "“imigration”")
        self.assertContains(response, "4 answers found")
        self.assertContains(response, "<mark>Immigration</mark>")

    def test_few_results_offer_did_you_mean_as_a_link(self):
        response = self.get("licence")
        self.assertContains(response, "1 answer found")
        self.assertContains(
            response, 'Did you mean <a href="/search/?q=license">license</a>?', html=True
        )

    def test_the_notice_escapes_what_the_reader_typed(self):
        response = self.get("<b>imigration</b>")
        self.assertContains(response, "Showing results for")
        self.assertContains(response, "&lt;b&gt;imigration&lt;/b&gt;")
        self.assertNotContains(response, "<b>imigration")

    def test_the_page_says_what_is_kept(self):
        for query in ["imigration", "", "license"]:
            with self.subTest(query=query):
                self.assertContains(
                    self.get(query), "We keep only a daily count of the words searched for"
                )


@override_settings(PAGE_CACHE_SECONDS=0)
class SpellingQueryCountTests(TestCase):
    """Spelling help costs the same number of queries at any content size."""

    def counts_for(self, question_count):
        Question.objects.all().delete()
        guide = make_guide(f"guide-{question_count}")
        for position in range(1, question_count + 1):
            body = "Immigration and your license." if position > 1 else "The licence office."
            make_question(guide, position, body=body)
        suggest.rebuild_vocabulary()
        urls = {
            query: reverse("faq:search") + "?" + urlencode({"q": query})
            for query in ["imigration", "licence", "imigration licence", "zebra imigration"]
        }
        return {query: get_counting_queries(self.client, url)[1] for query, url in urls.items()}

    def test_the_same_queries_for_10_and_200_questions(self):
        self.assertEqual(self.counts_for(10), self.counts_for(200))


class SpanishSeedSpellingTests(TestCase):
    """Spanish readers' misspellings on the Spanish seed guide (issue 14 with issue 10):
    accents are optional, so only real typos are corrected, to Spanish words."""

    @classmethod
    def setUpTestData(cls):
        call_command("seed_content", verbosity=0)
        for language in ("en", "es"):
            suggest.rebuild_vocabulary(language)

    def find(self, query):
        return reader_search.find(query, language="es")

    def test_misspellings_show_the_right_answers_and_say_so(self):
        for query, shown, position in [
            ("imigrantes indocumentados", "inmigrantes indocumentados", 12),
            ("exluirse", "excluirse", 13),  # los procedimientos para que las personas se excluyan
            ("estadistcas", "estadísticas", 14),  # ¿Hay estadísticas o datos disponibles…
            ("confiansa en la policia", "confianza en la policia", 19),
            ("leyes de ilinois", "leyes de illinois", 15),
            ("imigrantes indocumentdos", "inmigrantes indocumentados", 12),  # two typos
        ]:
            with self.subTest(query=query):
                outcome = self.find(query)
                self.assertEqual(outcome.corrected_from, query)
                self.assertEqual(outcome.shown_query, shown)
                self.assertEqual(first_positions(outcome, 1), [position])

    def test_corrections_come_with_their_accents(self):
        outcome = self.find("imigracion")
        self.assertEqual(outcome.shown_query, "inmigración")
        for hit in outcome.result.hits:
            self.assertIn("<mark>", hit.snippet)

    def test_words_typed_without_accents_are_not_misspellings(self):
        for query in ["informacion", "estadisticas", "politica de privacidad", "licencias"]:
            with self.subTest(query=query):
                outcome = self.find(query)
                self.assertEqual((outcome.corrected_from, outcome.suggestion), ("", ""))
                self.assertTrue(outcome.result.hits)

    def test_spanish_corrections_come_from_spanish_words_only(self):
        # Each search corrects to its own language's words, even a word of the other.
        self.assertEqual(self.find("immigration").shown_query, "inmigración")
        self.assertEqual(reader_search.find("inmigracion").shown_query, "immigration")
        words = SpellingWord.objects.filter(language="es")
        self.assertTrue(words.filter(word="inmigracion", spelling="inmigración").exists())
        self.assertFalse(words.filter(word="enforcement").exists())


class SpanishSuggestionSourceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        english = make_guide("dmv")
        cls.guide = make_spanish_guide(english, "dmv-es")
        for position in range(1, 5):
            make_question(cls.guide, position, body=f"Renovar la licencia, parte {position}.")
        cls.rare = make_question(cls.guide, 5, body="La oficina de lisencias está cerrada.")
        make_question(cls.guide, 6, status=Question.Status.DRAFT, body="Pelícanos secretos.")
        suggest.rebuild_vocabulary("es")

    def test_a_word_only_in_a_spanish_draft_is_never_suggested(self):
        self.assertFalse(SpellingWord.objects.filter(word="pelicanos").exists())
        outcome = reader_search.find("pelicanoz", language="es")
        self.assertEqual((outcome.corrected_from, outcome.suggestion), ("", ""))

    def test_the_spanish_page_offers_did_you_mean_and_shows_a_correction(self):
        response = self.client.get(reverse("faq:es_search"), {"q": "lisencias"})
        self.assertContains(response, "1 respuesta")
        self.assertContains(
            response,
            '¿Quiso decir <a href="/es/buscar/?q=licencia">licencia</a>?',
            html=True,
        )
        response = self.client.get(reverse("faq:es_search"), {"q": "licensia"})
        self.assertContains(response, "Se muestran resultados para “licencia”")
        self.assertContains(response, "4 respuestas")
