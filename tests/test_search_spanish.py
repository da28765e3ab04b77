"""Search in Spanish: stemming and accent-insensitive matching on SQLite and
PostgreSQL (CI runs this file on both), and each language's search sees only
its own content."""

import re

from django.test import SimpleTestCase, TestCase
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import django as hypothesis_django

from faq import search, search_languages
from faq.models import Question

from .factories import make_guide, make_question, make_spanish_guide, make_translation


class StemTests(SimpleTestCase):
    def test_plurals_and_accents_share_a_stem(self):
        stem = search_languages.stem
        self.assertEqual(stem("licencia"), stem("licencias"))
        self.assertEqual(stem("informacion"), stem("Información"))
        self.assertEqual(stem("inmigración"), stem("inmigrantes"))
        self.assertNotEqual(stem("licencia"), stem("datos"))

    def test_snippets_mark_words_whose_stem_matched_and_keep_the_text(self):
        text = "Primero. " + "palabra " * 40 + "Las licencias de conducir y la información."
        snippet = search_languages.snippet(text, {search_languages.stem("licencia")}, words=10)
        self.assertIn("\ue000licencias\ue001", snippet)
        self.assertTrue(snippet.startswith("…"))
        self.assertNotIn("Primero", snippet)


class SpanishSearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        guide = make_guide("dmv")
        cls.english = make_question(
            guide, 1, text="Is my license shared?", body="License information is shared."
        )
        guide_es = make_spanish_guide(guide, "dmv-es")
        cls.spanish = make_translation(
            cls.english,
            guide_es,
            text="¿Se comparte mi permiso?",
            body="La información de las licencias de conducir no se comparte.",
        )
        cls.other = make_question(guide, 2, text="Unrelated question?", body="Nothing here.")
        cls.other_es = make_translation(
            cls.other, guide_es, text="¿Pregunta sin relación?", body="Aquí no hay nada."
        )

    def found(self, query):
        return [hit.question.pk for hit in search.search(query, language="es").hits]

    def test_licencia_finds_licencias(self):
        self.assertEqual(self.found("licencia"), [self.spanish.pk])

    def test_informacion_without_accent_finds_informacion_with_it(self):
        self.assertEqual(self.found("informacion"), [self.spanish.pk])
        self.assertEqual(self.found("INFORMACIÓN"), [self.spanish.pk])

    def test_the_snippet_highlights_the_word_as_written(self):
        (hit,) = search.search("informacion licencia", language="es").hits
        self.assertIn("<mark>información</mark>", hit.snippet)
        self.assertIn("<mark>licencias</mark>", hit.snippet)

    def test_spanish_search_shows_only_spanish_content_and_english_only_english(self):
        self.assertEqual(self.found("license information"), [])
        english = [hit.question.pk for hit in search.search("license information").hits]
        self.assertEqual(english, [self.english.pk])
        self.assertEqual([hit.question.pk for hit in search.search("licencias").hits], [])

    def test_every_word_first_then_any_word(self):
        result = search.search("licencia zanahoria", language="es")
        self.assertFalse(result.matched_all)
        self.assertEqual([hit.question.pk for hit in result.hits], [self.spanish.pk])

    def test_edits_and_drafts_are_followed(self):
        answer = self.other_es.answer
        answer.body = "Ahora habla de licencias."
        answer.save()
        self.assertEqual(set(self.found("licencia")), {self.spanish.pk, self.other_es.pk})
        self.other_es.status = Question.Status.DRAFT
        self.other_es.save()
        self.assertEqual(self.found("licencia"), [self.spanish.pk])

    def test_a_deleted_question_and_a_rebuild(self):
        self.other_es.answer.body = "Licencias."
        self.other_es.answer.save()
        self.other_es.delete()
        self.assertEqual(self.found("licencia"), [self.spanish.pk])
        search.rebuild_index()
        self.assertEqual(self.found("licencia"), [self.spanish.pk])
        self.assertEqual(
            [hit.question.pk for hit in search.search("license").hits], [self.english.pk]
        )


class SpanishSearchPageTests(hypothesis_django.TestCase):
    @classmethod
    def setUpTestData(cls):
        guide = make_guide("dmv")
        english = make_question(guide, 1, text="Is my license shared?")
        cls.spanish = make_translation(
            english,
            make_spanish_guide(guide, "dmv-es"),
            text="¿Se comparte la información de mi licencia?",
        )

    def test_results_page_in_spanish(self):
        response = self.client.get(reverse("faq:es_search"), {"q": "informacion"})
        self.assertContains(response, self.spanish.get_absolute_url())
        self.assertContains(response, '<html lang="es">')
        self.assertEqual(response["Content-Language"], "es")
        self.assertContains(response, 'value="informacion"')

    def test_an_empty_query_and_a_query_of_no_words(self):
        for query in ("", "¿¡!?", "___"):
            with self.subTest(query=query):
                response = self.client.get(reverse("faq:es_search"), {"q": query})
                self.assertEqual(response.status_code, 200)

    @settings(max_examples=40, deadline=None)
    @given(st.text(max_size=60))
    def test_any_query_gives_a_normal_page_that_escapes_it(self, query):
        response = self.client.get(reverse("faq:es_search"), {"q": query, "page": "3"})
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(re.search(r"<script>", response.content.decode()))
