"""seed_content never fights the editors, whatever they did (issue 16): random
sequences of editor operations, then two restarts that exit 0 and change no row."""

from django.core.management import call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.extra import django as hypothesis_django

from faq import revisions
from faq.models import Answer, Category, Guide, Question, Source, Topic

from .factories import make_guide
from .snapshots import changed_tables, database_rows
from .test_seeding import FIXTURE, seed


# Editor operations: each takes the test case and a number that picks its target.
def rename_topic(case, n):
    topic = case.pick(Topic.objects.all(), n)
    if topic:
        Topic.objects.filter(pk=topic.pk).update(name=f"{topic.name} edited {n}")


def re_slug_topic(case, n):
    if topic := case.pick(Topic.objects.all(), n):
        Topic.objects.filter(pk=topic.pk).update(slug=f"topic-{n}-{topic.pk}")


def re_word_question(case, n):
    if answer := case.pick(Answer.objects.select_related("question"), n):
        names = [t.name for t in answer.question.tags.all()]
        revisions.set_question_wording(answer.question, f"Reworded question {n}?", names)
        revisions.save_revision(answer, None)


def re_slug_question(case, n):
    if question := case.pick(Question.objects.all(), n):
        question.slug = f"question-{n}-{question.pk}"
        question.save()


def re_slug_guide(case, n):
    guide = Guide.objects.get(pk=case.seed_guide_pk)
    guide.slug, guide.title = f"guide-{n}", f"Guide {n}"
    guide.save()


def move_question_to_another_number(case, n):
    if question := case.pick(Question.objects.all(), n):
        question.position = 100 + n + question.pk * 1000
        question.save()


def move_question_to_another_guide(case, n):
    if question := case.pick(Question.objects.filter(guide_id=case.seed_guide_pk), n):
        question.guide_id, question.position = case.other_guide_pk, 5000 + question.pk
        question.save()


def edit_answer(case, n):
    if answer := case.pick(Answer.objects.all(), n):
        answer.body = f"An editor's answer {n}."
        answer.change_note = "Rewritten."
        revisions.save_revision(answer, None)


def unpublish(case, n):
    if answer := case.pick(Answer.objects.filter(question__status="published"), n):
        revisions.unpublish(answer, None)


def delete_question(case, n):
    if question := case.pick(Question.objects.all(), n):
        question.delete()


def delete_topic(case, n):
    if topic := case.pick(Topic.objects.all(), n):
        topic.delete()


def add_source(case, n):
    if answer := case.pick(Answer.objects.all(), n):
        Source.objects.create(answer=answer, title=f"Source {n}", url="https://example.org/")


def delete_source(case, n):
    if source := case.pick(Source.objects.all(), n):
        source.delete()


EDITOR_OPERATIONS = [
    rename_topic,
    re_slug_topic,
    re_word_question,
    re_slug_question,
    re_slug_guide,
    move_question_to_another_number,
    move_question_to_another_guide,
    edit_answer,
    unpublish,
    delete_question,
    delete_topic,
    add_source,
    delete_source,
]


class EditorOperationsPropertyTests(hypothesis_django.TestCase):
    """Whatever editors did, two restarts exit 0 and change no row, history included."""

    @classmethod
    def setUpTestData(cls):
        call_command("seed_content", str(FIXTURE), verbosity=0)
        cls.seed_guide_pk = Guide.objects.get().pk
        cls.other_guide_pk = make_guide("editors-guide", category=Category.objects.get()).pk

    def pick(self, queryset, n):
        rows = list(queryset.order_by("pk"))
        return rows[n % len(rows)] if rows else None

    @hypothesis_settings(
        max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(
        st.lists(
            st.tuples(
                st.sampled_from(EDITOR_OPERATIONS), st.integers(min_value=0, max_value=10_000)
            ),
            max_size=8,
        )
    )
    def test_restarts_after_any_editing_change_nothing(self, operations):
        for operation, n in operations:
            operation(self, n)
        before = database_rows()
        for _ in range(2):
            _, err = seed()
            self.assertEqual(err, "")
            self.assertEqual(changed_tables(before, database_rows()), [])
