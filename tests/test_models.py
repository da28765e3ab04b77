from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from faq.models import Answer, Question, slug_from_text
from faq.search import search

from .factories import make_guide, make_question


class PublishedRuleTests(TestCase):
    """`Question.objects.published()` is the one gate between drafts and the public."""

    @classmethod
    def setUpTestData(cls):
        cls.guide = make_guide("open-guide")
        cls.hidden_guide = make_guide("hidden-guide", is_published=False)
        cls.live = make_question(cls.guide, 1)
        cls.draft = make_question(cls.guide, 2, status=Question.Status.DRAFT)
        cls.in_hidden_guide = make_question(cls.hidden_guide, 1)
        cls.unanswered = Question.objects.create(
            guide=cls.guide, position=3, text="No answer yet?", status="published"
        )

    def test_only_published_questions_in_published_guides_with_answers(self):
        self.assertQuerySetEqual(Question.objects.published(), [self.live])

    def test_is_public_matches_the_queryset(self):
        self.assertTrue(self.live.is_public)
        self.assertFalse(self.draft.is_public)
        self.assertFalse(self.in_hidden_guide.is_public)


class QuestionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.guide = make_guide()

    def test_slug_is_made_from_the_question_at_a_word_boundary(self):
        question = make_question(
            self.guide, 1, text="What are the procedures for individuals to opt out of sharing?"
        )
        self.assertEqual(question.slug, "what-are-the-procedures-for-individuals-to-opt-out-of")
        self.assertLessEqual(len(slug_from_text("word " * 100)), 60)

    def test_a_position_is_used_once_per_guide(self):
        make_question(self.guide, 1)
        with self.assertRaises(IntegrityError):
            Question.objects.create(guide=self.guide, position=1, text="Another?")

    def test_a_slug_is_used_once_per_guide(self):
        make_question(self.guide, 1, text="Same words?")
        with self.assertRaises(IntegrityError):
            Question.objects.create(guide=self.guide, position=2, text="Same words?")

    def test_only_a_new_wording_rewrites_the_search_index_row(self):
        """The index holds the wording and the answer text; moving or re-addressing a
        question leaves its row alone."""
        question = make_question(self.guide, 1, text="Old wording?")

        def index_writes(**changes):
            for name, value in changes.items():
                setattr(question, name, value)
            with CaptureQueriesContext(connection) as queries:
                question.save()
            return [q["sql"] for q in queries if "faq_search_index" in q["sql"]]

        self.assertEqual(index_writes(position=5, slug="moved"), [])
        self.assertNotEqual(index_writes(text="New wording?"), [])
        self.assertEqual(search("wording").hits[0].question.text, "New wording?")


class GuideTests(TestCase):
    def test_slugs_of_site_pages_are_refused(self):
        guide = make_guide("fine-guide")
        guide.slug = "topics"
        with self.assertRaisesMessage(ValidationError, "used by another part of the site"):
            guide.full_clean()


class AnswerTests(TestCase):
    def test_html_is_rendered_on_save(self):
        question = make_question(make_guide(), body="1. One\n2. Two")
        answer = Answer.objects.get(question=question)
        self.assertIn("<ol>", answer.body_html)
        answer.body = "Plain *now*"
        answer.save()
        answer.refresh_from_db()
        self.assertEqual(answer.body_html, "<p>Plain <em>now</em></p>\n")

    def test_the_summary_is_the_answers_first_words_as_plain_text(self):
        """Pages show it as their description; it is made on save, not per request."""
        words = " ".join(f"word{number}" for number in range(40))
        question = make_question(
            make_guide(), body=f"**Bold** & <i>tags</i> [link](https://x.org) {words}"
        )
        answer = Answer.objects.get(question=question)
        # Markdown shows raw HTML as text, so the summary does too.
        self.assertTrue(answer.summary.startswith("Bold & <i>tags</i> link word0 word1"))
        self.assertEqual(len(answer.summary.removesuffix(" …").split()), 30)
        self.assertTrue(answer.summary.endswith(" …"))
        answer.body = "Short now."
        answer.save()
        answer.refresh_from_db()
        self.assertEqual(answer.summary, "Short now.")

    def test_answers_saved_before_summaries_existed_get_one_from_the_migration(self):
        from importlib import import_module

        from django.apps import apps

        migration = import_module("faq.migrations.0005_answer_summary")
        question = make_question(make_guide(), body="An answer written *long ago*.")
        Answer.objects.update(summary="")
        migration.summarize_existing_answers(apps, schema_editor=None)
        self.assertEqual(
            Answer.objects.get(question=question).summary, "An answer written long ago."
        )

    def test_a_save_is_a_text_change_only_when_the_text_differs_from_the_database(self):
        """Not when another save changed the text before a refresh, nor when the
        text was never loaded: either would move "Last updated" and the feed."""
        question = make_question(make_guide(), body="First text.")
        answer = Answer.objects.get(question=question)
        Answer.objects.filter(pk=answer.pk).update(body="Changed by someone else.")
        answer.refresh_from_db()
        before = answer.text_updated_at
        answer.change_note = "Only a note."
        answer.save()
        self.assertEqual(Answer.objects.get(pk=answer.pk).text_updated_at, before)
        partial = Answer.objects.only("pk", "change_note", "version").get(pk=answer.pk)
        partial.change_note = "Another note."
        partial.save()
        self.assertEqual(Answer.objects.get(pk=answer.pk).text_updated_at, before)
        answer.body = "New text."
        answer.save()
        self.assertGreater(Answer.objects.get(pk=answer.pk).text_updated_at, before)

    def test_an_overlong_answer_fails_validation(self):
        question = make_question(make_guide())
        question.answer.body = "x" * 20_001
        with self.assertRaises(ValidationError):
            question.answer.full_clean()
