from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from faq.models import Answer, Question
from faq.prepared import PreparedQuery

from .factories import make_guide, make_question


def answers_in_guide(guide_slug, position):
    return (
        Answer.objects.filter(question__guide__slug=guide_slug, question__position__gte=position)
        .order_by("question__position")
        .values("id", "question__text", "text_updated_at", "is_minor")
    )


class PreparedQueryTests(TestCase):
    """Compiled-once queries (faq/prepared.py) must return exactly what the
    queryset they were built from returns, for any parameter values."""

    @classmethod
    def setUpTestData(cls):
        cls.guide = make_guide("dmv")
        cls.other = make_guide("it's-; DROP TABLE faq_question; --", title="Odd")
        for position in range(1, 4):
            make_question(cls.guide, position, text=f"Question {position}?")
        make_question(cls.other, 1, text="Elsewhere?")

    def test_rows_match_the_queryset_for_every_parameter_value(self):
        prepared = PreparedQuery(answers_in_guide, guide_slug=str, position=int)
        for guide_slug in ["dmv", self.other.slug, "missing", "", "dmv' OR '1'='1"]:
            for position in [0, 2, 3, 99]:
                with self.subTest(guide_slug=guide_slug, position=position):
                    self.assertEqual(
                        prepared(guide_slug=guide_slug, position=position),
                        list(answers_in_guide(guide_slug, position)),
                    )

    def test_values_are_converted_as_the_orm_converts_them(self):
        """Dates come back timezone-aware and booleans as bool on every database."""
        prepared = PreparedQuery(answers_in_guide, guide_slug=str, position=int)
        row = prepared(guide_slug="dmv", position=1)[0]
        self.assertIsNotNone(row["text_updated_at"].tzinfo)
        self.assertIs(row["is_minor"], False)

    def test_the_queryset_is_built_and_compiled_once(self):
        calls = []

        def build(pk):
            calls.append(pk)
            return Question.objects.filter(pk=pk).values("text")

        prepared = PreparedQuery(build, pk=int)
        first, second = Question.objects.order_by("pk")[:2]
        self.assertEqual(prepared(pk=first.pk), [{"text": first.text}])
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(prepared(pk=second.pk), [{"text": second.text}])
        self.assertEqual(len(calls), 1)
        self.assertEqual(len(queries), 1)

    def test_a_parameter_used_twice_fills_both_places(self):
        prepared = PreparedQuery(
            lambda position: (
                Question.objects.filter(position__gte=position, position__lte=position)
                .order_by("guide__slug")
                .values("text")
            ),
            position=int,
        )
        self.assertEqual(prepared(position=1), [{"text": "Question 1?"}, {"text": "Elsewhere?"}])
        self.assertEqual(prepared(position=3), [{"text": "Question 3?"}])

    def test_a_parameter_the_sql_does_not_carry_unchanged_is_refused_when_compiled(self):
        """`__contains` wraps the value in wildcards: the marker would be lost and the
        query would silently ignore the parameter."""
        prepared = PreparedQuery(
            lambda word: Question.objects.filter(text__contains=word).values("text"), word=str
        )
        with self.assertRaisesMessage(ValueError, "do not reach the SQL unchanged"):
            prepared(word="Question")

    def test_wrong_parameters_are_refused(self):
        prepared = PreparedQuery(answers_in_guide, guide_slug=str, position=int)
        with self.assertRaisesMessage(TypeError, "Expected parameters"):
            prepared(guide_slug="dmv")
        with self.assertRaisesMessage(TypeError, "must be str or int"):
            PreparedQuery(answers_in_guide, guide_slug=list)

    def test_only_values_querysets_are_accepted(self):
        prepared = PreparedQuery(lambda pk: Question.objects.filter(pk=pk), pk=int)
        with self.assertRaisesMessage(TypeError, ".values() queryset"):
            prepared(pk=1)
