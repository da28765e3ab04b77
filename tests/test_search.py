"""Full-text search: stemming, ranking, snippets, safety, and an index that follows every save.

These run on whichever database DATABASE_URL names, so the same tests prove
the SQLite FTS5 and the PostgreSQL backends.
"""

import re
from datetime import timedelta

from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import django as hypothesis_django

from faq.models import Answer, Question
from faq.search import MAX_TERM_LENGTH, MAX_TERMS, rebuild_index, search, terms

from .factories import make_guide, make_question


def found(query):
    return [hit.question.pk for hit in search(query, per_page=100).hits]


class QueryTermTests(hypothesis_django.SimpleTestCase):
    """User text becomes plain word tokens; nothing else ever reaches the database."""

    def test_syntax_is_dropped_and_words_kept(self):
        self.assertEqual(
            terms('"opt" OR out* NEAR(x) -ICE'), ["opt", "or", "out", "near", "x", "ice"]
        )
        self.assertEqual(terms("driver_license"), ["driver", "license"])
        self.assertEqual(terms("🙂 \x00 ;--"), [])

    @given(st.text(max_size=3000))
    def test_any_text_gives_few_short_word_tokens(self, text):
        tokens = terms(text)
        self.assertLessEqual(len(tokens), MAX_TERMS)
        for token in tokens:
            self.assertRegex(token, r"^[^\W_]+$")
            self.assertLessEqual(len(token), MAX_TERM_LENGTH)


class SearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.guide = make_guide("dmv")
        cls.sharing = make_question(
            cls.guide,
            1,
            text="Does the DMV give records to ICE?",
            body="Illinois limits sharing of driver records with immigration agents.",
        )
        cls.title_match = make_question(
            cls.guide,
            2,
            text="How do I opt out of data sharing?",
            body="Write to the Secretary of State.",
        )
        cls.other = make_question(
            cls.guide, 3, text="Where is the nearest office?", body="Check the map online."
        )

    def test_stemming_finds_other_forms_of_a_word(self):
        self.assertIn(self.sharing.pk, found("shared"))
        self.assertIn(self.sharing.pk, found("records"))
        self.assertIn(self.sharing.pk, found("RECORD"))

    def test_a_match_in_the_question_ranks_above_one_in_the_answer(self):
        self.assertEqual(found("sharing")[:2], [self.title_match.pk, self.sharing.pk])

    def test_every_word_must_match_before_falling_back_to_any_word(self):
        result = search("office map")
        self.assertTrue(result.matched_all)
        self.assertEqual([hit.question.pk for hit in result.hits], [self.other.pk])
        result = search("office zebra")
        self.assertFalse(result.matched_all)
        self.assertEqual([hit.question.pk for hit in result.hits], [self.other.pk])
        self.assertEqual(result.page.paginator.count, 1)

    def test_snippet_highlights_matched_words_and_escapes_the_rest(self):
        answer = self.other.answer
        answer.body = "Bring <script>alert(1)</script> & your licence to the office."
        answer.save()
        (hit,) = search("licence").hits
        self.assertIn("<mark>licence</mark>", hit.snippet)
        self.assertNotIn("<script", hit.snippet)
        self.assertIn("alert(1)", hit.snippet)  # PostgreSQL's ts_headline drops the tag itself.
        self.assertIn("&amp;", hit.snippet)

    def test_an_edit_replaces_the_old_words(self):
        answer = self.other.answer
        answer.body = "Offices now open on Saturdays."
        answer.save()
        self.assertEqual(found("saturday"), [self.other.pk])
        self.assertEqual(found("map"), [])

    def test_editing_the_question_text_is_indexed(self):
        self.other.text = "Which counties have walrus offices?"
        self.other.save()
        self.assertEqual(found("walrus"), [self.other.pk])

    def test_a_revert_from_history_is_indexed(self):
        answer = self.other.answer
        answer.body = "Temporary wording about penguins."
        answer.save()
        answer.history.earliest().instance.save()
        self.assertEqual(found("penguins"), [])
        self.assertEqual(found("map"), [self.other.pk])

    def test_drafts_are_found_only_once_published(self):
        draft = make_question(
            self.guide, 4, status=Question.Status.DRAFT, body="Secret plans for llamas."
        )
        self.assertEqual(found("llamas"), [])
        draft.status = Question.Status.PUBLISHED
        draft.save()
        self.assertEqual(found("llamas"), [draft.pk])

    def test_questions_in_an_unpublished_guide_are_never_found(self):
        hidden = make_guide("hidden", is_published=False)
        make_question(hidden, 1, body="Hidden guide about otters.")
        self.assertEqual(found("otters"), [])

    def test_a_deleted_question_leaves_the_index(self):
        from django.db import connection

        from faq.search import TABLE

        self.other.delete()
        Question.objects.filter(pk=self.title_match.pk).delete()  # as the admin's bulk delete
        self.assertEqual(found("map"), [])
        self.assertEqual(found("opt"), [])
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
            self.assertEqual(cursor.fetchone()[0], 1)

    def test_rebuild_indexes_rows_written_in_bulk(self):
        Answer.objects.filter(pk=self.other.answer.pk).update(body_html="<p>Bulk heron text</p>")
        self.assertEqual(found("heron"), [])
        rebuild_index()
        self.assertEqual(found("heron"), [self.other.pk])


class SeedSearchTests(TestCase):
    def test_seeding_indexes_the_seed_guide(self):
        """The acceptance journey starts with a reader searching "opt out"."""
        call_command("seed_content", verbosity=0)
        result = search("opt out")
        texts = [hit.question.text for hit in result.hits]
        self.assertTrue(result.matched_all)
        self.assertTrue(
            any("opt out of having their DMV data shared" in text for text in texts), texts
        )


class SearchPageTests(hypothesis_django.TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.guide = make_guide("dmv", title="DMV guide")
        for position in range(1, 26):
            make_question(
                cls.guide,
                position,
                text=f"Question {position} about licences?",
                body=f"Answer {position} about licence renewals.",
            )

    def get(self, **params):
        return self.client.get(reverse("faq:search"), params)

    def test_results_show_a_count_highlighted_snippets_and_pages(self):
        response = self.get(q="renewal")
        self.assertTemplateUsed(response, "faq/search.html")
        self.assertContains(response, "25 answers found, showing 1 to 10.")
        self.assertContains(response, "<mark>renewals</mark>", count=10)
        self.assertContains(response, "Page 1 of 3")
        self.assertContains(response, 'href="?q=renewal&amp;page=2"')
        page3 = self.get(q="renewal", page=3)
        self.assertContains(page3, "showing 21 to 25.")
        self.assertContains(page3, "<mark>renewals</mark>", count=5)

    def test_a_query_with_no_results_gets_suggestions(self):
        response = self.get(q="xylophone")
        self.assertContains(response, "No answers found.")
        self.assertContains(response, "Suggestions")
        self.assertContains(response, reverse("faq:topics"))

    def test_an_empty_query_explains_what_to_do(self):
        response = self.get(q="   ")
        self.assertContains(response, "<h1>Search</h1>", html=True)
        self.assertContains(response, "Type a few words")

    def test_the_query_is_kept_in_the_search_box(self):
        response = self.get(q='licences "<b>"')
        self.assertContains(response, 'value="licences &#34;&lt;b&gt;&#34;"')

    def test_bad_page_numbers_give_a_normal_page(self):
        for page, shown in [
            ("0", 1),
            ("-1", 1),
            ("abc", 1),
            ("1e9", 1),
            ("4", 3),
            ("99999", 3),
            ("9" * 40, 3),
        ]:
            with self.subTest(page=page):
                response = self.get(q="licence", page=page)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, f"Page {shown} of 3")

    def test_hostile_queries_give_a_normal_page(self):
        queries = [
            "",
            "a" * 10_000,
            "word " * 2_000,
            '"',
            '"unterminated',
            "NEAR(licence renewal, 2)",
            "licence AND OR NOT",
            "licen*",
            "{col}: licence",
            "'; DROP TABLE faq_question; --",
            "!:*&|()<->",
            "🙂🚗",
            "\x00\x01\x1f licence \x7f",
            "\ue000licence\ue001",
        ]
        for query in queries:
            with self.subTest(query=query[:30]):
                response = self.get(q=query)
                self.assertEqual(response.status_code, 200)
                self.assertTemplateUsed(response, "faq/search.html")
        self.assertTrue(Question.objects.exists())

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.text(max_size=500))
    def test_any_query_gives_a_normal_page_that_escapes_it(self, query):
        response = self.get(q=query)
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertEqual(len(re.findall(r"<h1>", body)), 1)
        self.assertNotIn("<script", body.lower().replace('<script type="application/ld+json">', ""))


class RebuildCommandTests(TestCase):
    def test_the_command_reindexes_bulk_changes_and_reports_the_count(self):
        from io import StringIO

        question = make_question(make_guide("dmv"), 1, body="Before.")
        Question.objects.filter(pk=question.pk).update(text="Bulk renamed pelican question?")
        self.assertEqual(found("pelican"), [])
        out = StringIO()
        call_command("rebuild_search_index", stdout=out)
        self.assertIn("Indexed 1 question(s).", out.getvalue())
        self.assertEqual(found("pelican"), [question.pk])


class RankingTests(TestCase):
    """Question wording above answer text, a whole phrase above scattered words,
    the more recent notable change first when all else is equal."""

    @classmethod
    def setUpTestData(cls):
        cls.guides = [make_guide("dmv"), make_guide("sos")]

    def ask(self, position, text, body):
        # The same wording needs a guide of its own (one slug per guide).
        return make_question(self.guides[position - 1], 1, text=text, body=body)

    def test_the_whole_phrase_ranks_above_scattered_words(self):
        # Created first, so the newer answer would win a tie.
        phrase = self.ask(
            1, "Records?", "The office keeps your data records safe in a locked room downstairs."
        )
        scattered = self.ask(2, "Records?", "The office holds records. Your data may be kept.")
        self.assertEqual(found("data records")[:2], [phrase.pk, scattered.pk])

    def test_every_word_in_the_question_ranks_above_the_phrase_in_the_answer(self):
        in_question = self.ask(1, "Are records of my data shared?", "Yes, sometimes.")
        in_answer = self.ask(2, "What happens next?", "Your data records are shared.")
        self.assertEqual(found("data records")[:2], [in_question.pk, in_answer.pk])

    def test_more_of_the_words_rank_above_fewer_when_none_has_them_all(self):
        """PostgreSQL's ts_rank_cd knows nothing of how rare a word is: without
        this tier an answer repeating a common word beat one with a rarer word too."""
        many_times = self.ask(1, "Records?", "Records, records, records and more records.")
        two_words = self.ask(2, "Forms?", "Your records and your address.")
        result = search("records address zebra")
        self.assertFalse(result.matched_all)
        self.assertEqual([hit.question.pk for hit in result.hits], [two_words.pk, many_times.pk])

    def test_the_readers_words_near_each_other_in_the_question_rank_higher(self):
        """ "can ICE" asked is "… can be shared with ICE" written, common word included."""
        rare_word = self.ask(1, "How do we address concerns about ICE?", "Write to us.")
        near = self.ask(2, "What can be shared with ICE?", "Your address, in some cases.")
        result = search("can ice see my address")
        self.assertFalse(result.matched_all)
        self.assertEqual([hit.question.pk for hit in result.hits], [near.pk, rare_word.pk])
        # Not a rule about those words: their order in the question decides nothing.
        self.assertEqual(found("address ice")[:2], [rare_word.pk, near.pk])

    def test_the_more_recent_notable_change_breaks_a_tie(self):
        older = self.ask(1, "Can I renew online?", "Renew online at the office website.")
        newer = self.ask(2, "Can I renew online?", "Renew online at the office website.")
        self.assertEqual(found("renew online")[:2], [newer.pk, older.pk])
        Answer.objects.filter(pk=older.answer.pk).update(
            notable_change_at=newer.answer.notable_change_at + timedelta(days=1)
        )
        self.assertEqual(found("renew online")[:2], [older.pk, newer.pk])


class SeedRankingTests(TestCase):
    """The first result for searches readers really type, on the seed guide."""

    FIRST_RESULTS = {
        "opt out": 13,  # What are the procedures for individuals to opt out…
        "how do i opt out": 13,
        "how is my data protected": 5,  # How is the privacy of individuals’ DMV data protected…
        "illinois law": 15,  # …align with Illinois state laws and regulations?
        "state laws": 15,
        "statistics": 14,  # Are there any statistics or data available…
        "deportation": 12,  # …impact immigration enforcement efforts in Illinois?
        "immigration enforcement": 12,
        "consequences": 7,  # What are the potential consequences for individuals…
        "trust police": 19,  # …affect trust and cooperation between law enforcement…
        # Its answer: DMVs may not share personal information "such as … address"
        # without authorization; question 16 only has "to address concerns".
        "can ice see my address": 3,  # …the type of DMV data that can be shared with ICE?
    }
    SPANISH_FIRST_RESULTS = {
        "¿puede ICE ver mi domicilio?": 3,  # …tipo de datos del DMV que se pueden compartir…
        "como me excluyo": 13,  # …procedimientos para que las personas se excluyan…
        "cómo se protegen mis datos": 5,  # ¿Cómo se protege la privacidad de los datos…
        "leyes de illinois": 15,  # …a las leyes y los reglamentos del estado de Illinois?
        "estadisticas": 14,  # ¿Hay estadísticas o datos disponibles…
        "control migratorio": 12,  # …a las labores de control migratorio en Illinois?
        "consecuencias": 7,  # ¿Cuáles son las posibles consecuencias…
        "confianza en la policia": 19,  # …a la confianza y la cooperación…
        "transparencia": 8,  # ¿Hay transparencia pública…
    }

    @classmethod
    def setUpTestData(cls):
        call_command("seed_content", verbosity=0)

    def test_first_results(self):
        for query, position in self.FIRST_RESULTS.items():
            with self.subTest(query=query):
                hits = search(query).hits
                self.assertTrue(hits)
                self.assertEqual(hits[0].question.position, position)

    def test_first_results_in_spanish(self):
        for query, position in self.SPANISH_FIRST_RESULTS.items():
            with self.subTest(query=query):
                hits = search(query, language="es").hits
                self.assertTrue(hits)
                self.assertEqual(hits[0].question.language, "es")
                self.assertEqual(hits[0].question.position, position)
