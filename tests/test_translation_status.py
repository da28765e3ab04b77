"""Translations: pairing rows by translation key, translation status, the
Spanish addresses of translations and the Spanish seed fixture (issue 10).
The translators' admin screens are in test_translator_admin.py."""

import json
import re
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse

from faq.models import Answer, Category, Guide, Question, Topic
from faq.revisions import save_revision
from faq.translations import (
    behind_translations,
    english_original,
    is_behind,
    spanish_translation,
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

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
ENGLISH_FIXTURE = FIXTURES / "dmv_ice_illinois.json"
SPANISH_FIXTURE = FIXTURES / "dmv_ice_illinois_es.json"


def publish_english_change(answer, body, note="Changed the English.", minor=False):
    answer.body = body
    answer.change_note = note
    answer.is_minor = minor
    save_revision(answer, None)


class PairingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.guide = make_guide("dmv")
        cls.question = make_question(cls.guide, 1)
        cls.guide_es = make_spanish_guide(cls.guide, "dmv-es")
        cls.question_es = make_translation(cls.question, cls.guide_es)

    def test_existing_and_new_rows_are_english_with_keys_of_their_own(self):
        other = make_question(self.guide, 2)
        self.assertEqual((other.language, other.guide.language), ("en", "en"))
        self.assertNotEqual(other.translation_key, self.question.translation_key)

    def test_a_question_takes_its_guides_language(self):
        self.assertEqual(self.question_es.language, "es")

    def test_each_side_finds_the_other(self):
        answer, answer_es = self.question.answer, self.question_es.answer
        self.assertEqual(spanish_translation(answer), answer_es)
        self.assertEqual(english_original(answer_es), answer)

    def test_one_row_per_language_per_key(self):
        for model, row in ((Guide, self.guide_es), (Question, self.question_es)):
            with self.subTest(model=model.__name__), transaction.atomic():
                duplicate = model.objects.get(pk=row.pk)
                duplicate.pk = None
                duplicate.slug = f"{row.slug}-copy"
                if model is Question:
                    duplicate.position = 99
                with self.assertRaises(IntegrityError):
                    duplicate.save()

    def test_a_question_cannot_move_to_a_guide_of_the_other_language(self):
        from django.core.exceptions import ValidationError

        self.question_es.guide = self.guide
        with self.assertRaises(ValidationError) as caught:
            self.question_es.full_clean()
        self.assertIn("guide", caught.exception.message_dict)

    def test_each_language_keeps_its_own_history(self):
        publish_english_change(self.question.answer, "English only.")
        self.assertEqual(self.question.answer.history.count(), 2)
        self.assertEqual(self.question_es.answer.history.count(), 1)
        self.assertEqual(self.question_es.answer.body, "Respuesta número 1.")


class TranslationStatusTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        guide = make_guide("dmv")
        cls.question = make_question(guide, 1, body="The DMV shares some data.")
        cls.question_es = make_translation(
            cls.question, make_spanish_guide(guide, "dmv-es"), body="El DMV comparte datos."
        )

    def answers(self):
        return Answer.objects.get(pk=self.question.answer.pk), Answer.objects.get(
            pk=self.question_es.answer.pk
        )

    def test_a_fresh_translation_is_not_behind(self):
        english, spanish = self.answers()
        self.assertFalse(is_behind(spanish, english))
        self.assertEqual(list(behind_translations()), [])

    def test_a_notable_english_change_makes_it_behind(self):
        english, _spanish = self.answers()
        publish_english_change(english, "The DMV shares no data.")
        english, spanish = self.answers()
        self.assertTrue(is_behind(spanish, english))
        self.assertEqual(list(behind_translations()), [spanish])

    def test_minor_fixes_english_drafts_and_reviews_do_not(self):
        english, _spanish = self.answers()
        publish_english_change(english, "The DMV shares some data .", minor=True)
        english.draft_body, english.draft_saved_at = "A private draft.", english.updated_at
        save_revision(english, None)
        english, spanish = self.answers()
        self.assertFalse(is_behind(spanish, english))

    def test_a_change_to_the_spanish_does_not_clear_behind_unless_marked(self):
        english, spanish = self.answers()
        publish_english_change(english, "The DMV shares no data.")
        spanish.body = "El DMV no comparte datos."
        save_revision(spanish, None)
        self.assertEqual(list(behind_translations()), [spanish])


class TranslationSlugTests(TestCase):
    """Spanish pages get Spanish web addresses (issue 10 item 4): Translate copies
    the English address, and the translator's wording replaces it until the
    question is first published; a published address never changes by itself."""

    @classmethod
    def setUpTestData(cls):
        cls.publisher = make_staff("pat", "Publishers")
        cls.editor = make_staff("eddie", "Editors")
        guide = make_guide("dmv")
        cls.english = make_question(guide, 1, text="Can ICE see my address?", body="Sometimes.")
        cls.guide_es = make_spanish_guide(guide, "dmv-es")

    def setUp(self):
        self.client.force_login(self.editor)
        translate_url = reverse("admin:faq_answer_translate", args=[self.english.answer.pk])
        self.assertEqual(self.client.post(translate_url).status_code, 302)
        self.spanish = spanish_translation(self.english.answer)
        self.url = reverse("admin:faq_answer_change", args=[self.spanish.pk])

    def save_wording(self, text, **extra):
        answer = Answer.objects.get(pk=self.spanish.pk)
        data = answer_form_data(answer, question_text=text, change_note="Traducido.", **extra)
        response = self.client.post(self.url, data)
        self.assertEqual(response.status_code, 302, getattr(response, "context", None))
        return Question.objects.get(pk=self.spanish.question.pk)

    def test_the_spanish_wording_gives_the_draft_a_spanish_address(self):
        self.assertEqual(self.spanish.question.slug, self.english.slug)  # copied at first
        question = self.save_wording("¿Puede ICE ver mi dirección?")
        self.assertEqual(question.slug, "puede-ice-ver-mi-direccion")
        question = self.save_wording("¿Puede ICE ver mi domicilio?")
        self.assertEqual(question.slug, "puede-ice-ver-mi-domicilio")
        self.assertEqual(question.get_absolute_url(), "/es/dmv-es/puede-ice-ver-mi-domicilio/")
        self.assertEqual(self.english.slug, Question.objects.get(pk=self.english.pk).slug)

    def test_an_address_the_translator_typed_is_kept(self):
        question = self.spanish.question
        question.slug = "ice-y-mi-domicilio"
        question.save()
        self.assertEqual(self.save_wording("¿Puede ICE ver mi domicilio?").slug, question.slug)

    def test_a_published_address_never_changes_by_itself(self):
        self.save_wording("¿Puede ICE ver mi domicilio?")
        self.client.force_login(self.publisher)
        publish_now(self.client, self.spanish)
        question = Question.objects.get(pk=self.spanish.question.pk)
        self.assertEqual(question.status, Question.Status.PUBLISHED)
        published_url = question.get_absolute_url()
        self.save_wording("¿Puede ICE conocer mi domicilio?")  # a whole draft
        publish_now(self.client, self.spanish)
        question = Question.objects.get(pk=self.spanish.question.pk)
        self.assertEqual(question.text, "¿Puede ICE conocer mi domicilio?")
        self.assertEqual(question.get_absolute_url(), published_url)
        self.assertEqual(self.client.get(published_url).status_code, 200)
        # Back to draft, readers may still hold the link: it stays too.
        unpublish_url = reverse("admin:faq_question_changelist")
        self.client.post(
            unpublish_url, {"action": "unpublish_questions", "_selected_action": [question.pk]}
        )
        self.assertEqual(Question.objects.get(pk=question.pk).status, Question.Status.DRAFT)
        question = self.save_wording("¿Puede ICE saber dónde vivo?")
        self.assertEqual(question.get_absolute_url(), published_url)

    def test_a_taken_address_gets_the_questions_number(self):
        other = make_question(self.guide_es, 7, text="¿Puede ICE ver mi domicilio?")
        self.assertEqual(other.slug, "puede-ice-ver-mi-domicilio")
        question = self.save_wording("¿Puede ICE ver mi domicilio?")
        self.assertEqual(question.slug, f"puede-ice-ver-mi-domicilio-{question.position}")

    def test_the_questions_screen_says_how_the_address_is_made(self):
        question = self.spanish.question
        response = self.client.get(reverse("admin:faq_question_change", args=[question.pk]))
        self.assertContains(response, "Until the question is first published")
        english = reverse("admin:faq_question_change", args=[self.english.pk])
        self.assertNotContains(self.client.get(english), "Until the question is first published")


class SpanishFixtureTests(TestCase):
    def test_the_spanish_guide_loads_with_history_each_answer_linked_to_its_english(self):
        call_command("seed_content", stdout=StringIO())
        spanish = Question.objects.filter(language="es").select_related("answer", "guide")
        self.assertEqual(spanish.count(), 20)
        self.assertEqual(Question.objects.published().filter(language="es").count(), 20)
        for question in spanish:
            with self.subTest(position=question.position):
                english = Question.objects.get(
                    language="en", translation_key=question.translation_key
                )
                self.assertEqual(english.position, question.position)
                self.assertEqual(question.answer.translated_from.id, english.answer.pk)
                self.assertEqual(question.answer.translated_from.body, english.answer.body)
                self.assertEqual(question.answer.history.count(), 1)
                self.assertEqual(question.history.count(), 1)
                self.assertTrue(question.tags.exists())
                self.assertEqual({t.language for t in question.tags.all()}, {"es"})
                self.assertEqual(
                    sorted(t.translation_key for t in question.tags.all()),
                    sorted(t.translation_key for t in english.tags.all()),
                )
        guide = Guide.objects.get(language="es")
        self.assertEqual(guide.translation_key, Guide.objects.get(language="en").translation_key)
        self.assertEqual(list(behind_translations()), [])

    def test_numbered_lists_are_kept(self):
        records = json.loads(SPANISH_FIXTURE.read_text(encoding="utf-8"))
        english = json.loads(ENGLISH_FIXTURE.read_text(encoding="utf-8"))

        def list_items(records):
            return {
                tuple(
                    r["fields"]["translation_of"]
                    if "translation_of" in r["fields"]
                    else r["fields"]["question"]
                ): len(re.findall(r"^\d+\. ", r["fields"]["body"], re.MULTILINE))
                for r in records
                if r["model"] == "faq.answer"
            }

        self.assertEqual(list_items(records), list_items(english))

    def test_a_second_run_changes_nothing(self):
        call_command("seed_content", stdout=StringIO())
        rows = Answer.history.count()
        output = StringIO()
        # Verbosity 2 names every record whose fields differ from the fixture.
        call_command("seed_content", stdout=output, verbosity=2)
        self.assertIn("Created 0 records", output.getvalue())
        self.assertNotIn("translation_key", output.getvalue())
        self.assertEqual(Answer.history.count(), rows)

    def test_the_spanish_fixture_alone_is_refused_and_changes_nothing(self):
        with self.assertRaises(CommandError) as caught:
            call_command("seed_content", str(SPANISH_FIXTURE), stdout=StringIO())
        self.assertIn("Load the English fixture first", str(caught.exception))
        self.assertIn("Nothing was changed", str(caught.exception))
        self.assertEqual(Guide.objects.count(), 0)

    def test_a_skipped_english_guide_leaves_its_translation_out_and_the_rest_loads(self):
        """When the English seed guide is skipped (here its category's name is taken
        by an editor's category), seeding goes on as it did before the Spanish
        fixture existed: the translation is left out with the reason, not refused
        as if the English fixture had never been loaded (which stopped `make run`)."""
        Category.objects.create(name="Federal Government", slug="federal")
        out, err = StringIO(), StringIO()
        call_command("seed_content", stdout=out, stderr=err)
        self.assertIn("Skipped", err.getvalue())
        self.assertIn(
            "its English original “dmv-data-sharing-with-ice-illinois” was left out",
            out.getvalue(),
        )
        self.assertEqual(Guide.objects.count(), 0)
        self.assertEqual(Question.objects.count(), 0)
        self.assertEqual(Topic.objects.filter(language="es").count(), 12)

    def test_the_english_fixture_is_unchanged(self):
        """The English seed is kept verbatim: no language or key fields were added to it."""
        text = ENGLISH_FIXTURE.read_text(encoding="utf-8")
        self.assertNotIn("translation_key", text)
        self.assertNotIn('"language"', text)
