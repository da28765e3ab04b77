"""The translators' admin screens: an answer's translation status, Translate,
the list of translations behind the English with what changed, the Spanish
admin's dates and history, and pairing guides and topics (issue 10)."""

import datetime
import re

from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from faq.models import Answer, Guide, Question, Topic
from faq.revisions import save_revision
from faq.translations import (
    TranslationError,
    behind_translations,
    is_behind,
    spanish_translation,
    translate,
)

from .factories import (
    answer_form_data,
    make_guide,
    make_question,
    make_spanish_guide,
    make_staff,
    make_translation,
    publish_now,
)
from .test_history import ADDED
from .test_translation_status import publish_english_change


class TranslatorAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.publisher = make_staff("pat", "Publishers")
        cls.editor = make_staff("eddie", "Editors")
        cls.guide = make_guide("dmv")
        cls.question = make_question(
            cls.guide, 1, text="Is my data shared?", body="The DMV shares some data."
        )
        cls.untranslated = make_question(cls.guide, 2, text="Second?", body="Second answer.")
        cls.untranslated.answer.sources.create(title="Statute", url="https://ilga.gov/", position=1)
        cls.guide_es = make_spanish_guide(cls.guide, "dmv-es")
        cls.question_es = make_translation(
            cls.question, cls.guide_es, text="¿Se comparten mis datos?", body="El DMV comparte."
        )

    def setUp(self):
        self.client.force_login(self.publisher)

    def change_url(self, answer):
        return reverse("admin:faq_answer_change", args=[answer.pk])

    def test_the_english_screen_shows_its_translation_and_links_to_it(self):
        response = self.client.get(self.change_url(self.question.answer))
        self.assertContains(response, "Up to date with this answer.")
        self.assertContains(response, self.change_url(self.question_es.answer))
        publish_english_change(self.question.answer, "The DMV shares no data.")
        response = self.client.get(self.change_url(self.question.answer))
        self.assertContains(response, "Behind the English")

    def test_translate_makes_a_spanish_draft_linked_to_the_current_english_revision(self):
        english = self.untranslated.answer
        response = self.client.get(self.change_url(english))
        translate_url = reverse("admin:faq_answer_translate", args=[english.pk])
        self.assertContains(response, f'formaction="{translate_url}"')
        response = self.client.post(translate_url)
        spanish = spanish_translation(english)
        self.assertRedirects(response, self.change_url(spanish), fetch_redirect_response=False)
        question = spanish.question
        self.assertEqual((question.language, question.guide), ("es", self.guide_es))
        self.assertEqual(question.status, Question.Status.DRAFT)
        self.assertEqual((question.text, spanish.body), ("Second?", "Second answer."))
        self.assertEqual(spanish.translated_from, english.history.first())
        self.assertEqual(spanish.history.count(), 1)
        self.assertEqual(
            spanish.history.first().sources, [{"title": "Statute", "url": "https://ilga.gov/"}]
        )
        self.assertEqual(self.client.get(question.get_absolute_url()).status_code, 404)
        # The translator's screen opens; a second Translate is refused.
        self.assertEqual(self.client.get(self.change_url(spanish)).status_code, 200)
        with self.assertRaises(TranslationError):
            translate(english, self.publisher)

    def test_translate_needs_a_spanish_guide_and_a_post(self):
        lonely = make_question(make_guide("alone"), 1).answer
        translate_url = reverse("admin:faq_answer_translate", args=[lonely.pk])
        self.assertEqual(self.client.get(translate_url).status_code, 405)
        response = self.client.post(translate_url, follow=True)
        self.assertContains(response, "has no Spanish version yet")
        self.assertIsNone(spanish_translation(lonely))

    def test_the_behind_list_shows_what_changed_in_the_english(self):
        listing = reverse("admin:faq_answer_translations_behind")
        self.assertContains(self.client.get(listing), "Every translation is up to date")
        publish_english_change(self.question.answer, "The DMV shares no data at all.")
        response = self.client.get(listing)
        self.assertContains(response, "¿Se comparten mis datos?")
        self.assertContains(response, self.change_url(self.question_es.answer))
        self.assertContains(response, f"<ins>{ADDED}no data at all.</ins>", html=False)
        filtered = self.client.get(
            reverse("admin:faq_answer_changelist"), {"translation": "behind"}
        )
        self.assertContains(filtered, "¿Se comparten mis datos?")
        self.assertNotContains(filtered, "Second?")
        self.assertContains(
            self.client.get(reverse("admin:index")), "1 translation behind the English"
        )

    def test_the_spanish_screen_shows_the_english_diff_and_brought_up_to_date_clears_it(self):
        publish_english_change(self.question.answer, "The DMV shares no data.")
        spanish = Answer.objects.get(pk=self.question_es.answer.pk)
        response = self.client.get(self.change_url(spanish))
        self.assertContains(response, "What changed in the English since")
        self.assertContains(response, f"<ins>{ADDED}no</ins>", html=False)
        data = answer_form_data(
            spanish, body="El DMV no comparte datos.", brought_up_to_date="on", _publish=1
        )
        data["change_note"] = "Traducido el cambio."
        self.assertEqual(self.client.post(self.change_url(spanish), data).status_code, 302)
        spanish.refresh_from_db()
        english = Answer.objects.get(pk=self.question.answer.pk)
        self.assertEqual(spanish.translated_from, english.history.first())
        self.assertFalse(is_behind(spanish, english))
        self.assertEqual(spanish.history.first().translated_from, english.history.first())
        self.assertEqual(list(behind_translations()), [])

    def test_a_spanish_speaking_translator_reads_the_revision_date_in_spanish(self):
        """The translator's screens name the English revision's date as the rest of
        the Spanish admin does ("5 de marzo de 2026, 12:00"), and the English
        question is not run into the next sentence ("…?. Traducida…")."""
        revision = self.question_es.answer.translated_from
        # Noon in Chicago (the site's zone).
        revision.history_date = datetime.datetime(2026, 3, 5, 18, 0, tzinfo=datetime.UTC)
        revision.save()
        publish_english_change(self.question.answer, "The DMV shares no data.")
        spanish = {"accept-language": "es"}
        translated = "Traducida de la revisión en inglés del 5 de marzo de 2026, 12:00."
        for url in (
            self.change_url(self.question_es.answer),
            reverse("admin:faq_answer_translations_behind"),
        ):
            with self.subTest(url=url):
                html = " ".join(self.client.get(url, headers=spanish).text.split())
                text = re.sub(r"<[^>]+>", "", html)
                self.assertEqual(re.search(r"Traducida de .*?\d\d:\d\d\.", text)[0], translated)
                self.assertEqual(html.count("?</a>."), 0)

    def test_differences_name_the_language_of_their_text(self):
        """A screen reader reads the English diff on a Spanish translator's screen
        in English, and a Spanish answer's compare in Spanish on an English
        screen; "(empty)" is the screen's own language."""
        publish_english_change(self.question.answer, "The DMV shares no data.")
        spanish = self.question_es.answer
        html = self.client.get(self.change_url(spanish), headers={"accept-language": "es"}).text
        self.assertIn('<div class="diff-text" lang="en">The DMV shares <del>', html)
        self.assertIn('<div class="diff-text"><em>(vacío)</em></div>', html)
        behind = self.client.get(reverse("admin:faq_answer_translations_behind")).text
        self.assertIn('<div class="diff-text" lang="en">The DMV shares <del>', behind)
        spanish.body = "El DMV no comparte."
        save_revision(spanish, None)
        compare = self.client.get(reverse("admin:faq_answer_compare", args=[spanish.pk])).text
        self.assertIn('<div class="diff-text" lang="es">El DMV <ins>', compare)

    def test_spanish_drafts_publish_compare_revert_and_conflicts_work_as_in_english(self):
        spanish = self.question_es.answer
        url = self.change_url(spanish)
        self.client.force_login(self.editor)
        draft = answer_form_data(spanish, body="Borrador privado.", change_note="Borrador.")
        self.assertEqual(self.client.post(url, {**draft, "_draft": 1}).status_code, 302)
        self.assertNotContains(self.client.get(self.question_es.get_absolute_url()), "Borrador")
        self.client.force_login(self.publisher)
        spanish.refresh_from_db()
        self.assertEqual(publish_now(self.client, spanish).status_code, 302)
        self.assertContains(
            self.client.get(self.question_es.get_absolute_url()), "Borrador privado."
        )
        compare = self.client.get(reverse("admin:faq_answer_compare", args=[spanish.pk]))
        self.assertContains(compare, f"<ins>{ADDED}Borrador privado.</ins>", html=False)
        first = spanish.history.order_by("history_date").first()
        revert = reverse("admin:faq_answer_revert", args=[spanish.pk, first.pk])
        self.assertEqual(self.client.post(revert).status_code, 302)
        spanish.refresh_from_db()
        self.assertEqual(spanish.body, "El DMV comparte.")
        # A form opened before another save is refused, as in English.
        stale = answer_form_data(spanish, body="Viejo.", change_note="x", _draft=1)
        save_revision(spanish, None)
        response = self.client.post(url, stale)
        self.assertContains(response, "after you opened it")
        self.assertEqual(Answer.objects.get(pk=spanish.pk).body, "El DMV comparte.")

    def test_the_spanish_preview_is_a_spanish_page(self):
        spanish = self.question_es.answer
        data = answer_form_data(spanish, body="Texto sin guardar.", _preview="1")
        response = self.client.post(reverse("admin:faq_answer_preview", args=[spanish.pk]), data)
        self.assertContains(response, '<html lang="es">')
        self.assertContains(response, "Texto sin guardar.")
        self.assertContains(response, 'action="/es/buscar/"')

    def test_topics_of_the_other_language_are_refused(self):
        Topic.objects.create(name="Privacy", slug="privacy")
        spanish = self.question_es.answer
        data = answer_form_data(spanish, topics="Privacy", change_note="x", _draft=1)
        response = self.client.post(self.change_url(spanish), data)
        self.assertContains(response, "belong to questions in the other language: Privacy")
        self.assertEqual(list(self.question_es.tags.all()), [])
        data = answer_form_data(spanish, topics="Privacidad", change_note="x", _draft=1)
        self.assertEqual(self.client.post(self.change_url(spanish), data).status_code, 302)
        # A draft's topics are names until it is published (faq/revisions.py apply_draft).
        publish_now(self.client, spanish)
        self.assertEqual(Topic.objects.get(name="Privacidad").language, "es")


class HistoryReasonTests(TestCase):
    def test_the_history_names_what_the_site_did_in_the_editors_language(self):
        """Rows the site writes (Translate, the seed fixtures, the demo data) are
        stored in English and shown in Spanish to a Spanish-speaking editor."""
        self.client.force_login(make_staff("eddie", "Editors"))
        call_command("seed_content", verbosity=0)
        seeded = Answer.objects.filter(question__language="es").first()
        english = make_question(Guide.objects.get(language="en"), 21).answer
        self.client.post(reverse("admin:faq_answer_translate", args=[english.pk]))
        call_command("generate_demo_data", questions=1, guides=1, force=True, verbosity=0)
        expected = {
            spanish_translation(english): "Traducción iniciada a partir de la respuesta en inglés",
            seeded: "Cargada desde dmv_ice_illinois_es.json",
            Answer.objects.get(question__guide__slug__startswith="demo-"): (
                "Datos de demostración generados"
            ),
        }
        for answer, what_happened in expected.items():
            with self.subTest(what_happened):
                url = reverse("admin:faq_answer_history", args=[answer.pk])
                html = self.client.get(url, headers={"accept-language": "es"}).text
                self.assertIn(f"<td>{what_happened}</td>", html)
                self.assertNotIn("<td>Loaded from", html)


class PairingInTheAdminTests(TestCase):
    def setUp(self):
        from django.contrib.auth import get_user_model

        # Guides are the operator's (superuser's) to add.
        self.client.force_login(get_user_model().objects.create_superuser("op", password="pw"))
        self.english = make_guide("dmv", title="DMV guide")

    def guide_data(self, **fields):
        data = {
            "title": "Guía del DMV",
            "slug": "guia-dmv",
            "summary": "",
            "category": self.english.category_id,
            "position": 1,
            "language": "es",
            "is_published": "on",
            "questions-TOTAL_FORMS": 0,
            "questions-INITIAL_FORMS": 0,
            "questions-MIN_NUM_FORMS": 0,
            "questions-MAX_NUM_FORMS": 1000,
        }
        data.update(fields)
        return data

    def test_a_spanish_guide_added_as_a_translation_shares_the_key(self):
        response = self.client.post(
            reverse("admin:faq_guide_add"), self.guide_data(translation_of=self.english.pk)
        )
        self.assertEqual(response.status_code, 302)
        spanish = Guide.objects.get(slug="guia-dmv")
        self.assertEqual(
            (spanish.language, spanish.translation_key), ("es", self.english.translation_key)
        )
        # A second Spanish version of the same guide is refused.
        response = self.client.post(
            reverse("admin:faq_guide_add"),
            self.guide_data(slug="otra", translation_of=self.english.pk),
        )
        self.assertContains(response, "already has a version in this language")
        self.assertFalse(Guide.objects.filter(slug="otra").exists())

    def test_an_english_guide_is_no_translation(self):
        response = self.client.post(
            reverse("admin:faq_guide_add"),
            self.guide_data(language="en", translation_of=self.english.pk),
        )
        self.assertContains(response, "Only a Spanish version is a translation.")
