"""The question page: its loader, neighbouring and related questions, and the
queries it compiles once per process."""

from functools import cache

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.http import Http404
from django.views.generic import DetailView

from ..languages import ENGLISH, SPANISH
from ..models import Answer, Guide, Question, Source, TaggedQuestion, Topic
from ..prepared import PreparedQuery
from ..translations import counterpart_of, question_counterpart_annotations

RELATED_LIMIT = 5
RELATED_CANDIDATES = 50


def model_from_row(model, row, prefix=""):
    """An instance of `model` from a `.values()` row (keys `prefix + attname`).

    Fields the row lacks are deferred, so a template that reads one costs a
    query that the query-count tests catch, instead of showing a default.
    """
    names = fields_in_row(model, prefix, tuple(row))
    return model.from_db(DEFAULT_DB_ALIAS, names, [row[prefix + name] for name in names])


@cache
def fields_in_row(model, prefix, keys):
    return [f.attname for f in model._meta.concrete_fields if prefix + f.attname in keys]


QUESTION_LINK_FIELDS = (
    "id",
    "guide_id",
    "position",
    "text",
    "slug",
    "guide__id",
    "guide__slug",
    "guide__language",
)


def linked_question(row, guides):
    """A question with just enough of itself and its guide to link to it.

    `guides` maps ids to Guide instances already made for this page, so
    questions in the same guide share one.
    """
    question = model_from_row(Question, row)
    guide = guides.get(question.guide_id)
    if guide is None:
        guide = guides[question.guide_id] = model_from_row(Guide, row, prefix="guide__")
    question.guide = guide
    return question


def neighbouring_question(direction):
    """The id of the published question before or after the outer one in its guide."""
    in_guide = Question.objects.published().filter(guide_id=OuterRef("guide_id"))
    if direction == "previous":
        nearest = in_guide.filter(position__lt=OuterRef("position")).order_by("-position")
    else:
        nearest = in_guide.filter(position__gt=OuterRef("position")).order_by("position")
    return Subquery(nearest.values("id")[:1])


# The question page runs on every cache miss, so its queries are compiled once
# per process (faq/prepared.py): about 0.1 ms each instead of 0.5 to 3 ms.
question_page_row = PreparedQuery(
    lambda guide_slug, question_slug, language: (
        Question.objects.published()
        .filter(guide__slug=guide_slug, slug=question_slug, guide__language=language)
        .annotate(
            previous_id=neighbouring_question("previous"),
            next_id=neighbouring_question("next"),
            **question_counterpart_annotations(),
        )
        .values(
            *QUESTION_LINK_FIELDS,
            "guide__title",
            "answer__id",
            "answer__body_html",
            "answer__summary",
            "answer__text_updated_at",
            "answer__translated_from__history_date",
            "previous_id",
            "next_id",
            "counterpart_slug",
            "counterpart_guide_slug",
            "counterpart_changed_at",
        )
    ),
    guide_slug=str,
    question_slug=str,
    language=str,
)
question_topics = PreparedQuery(
    lambda question_id: (
        Topic.objects.filter(tagged_questions__content_object_id=question_id)
        .order_by("name")
        .values("id", "name", "slug", "language")
    ),
    question_id=int,
)
answer_sources = PreparedQuery(
    lambda answer_id: Source.objects.filter(answer_id=answer_id).values(
        "id", "answer_id", "title", "url", "position"
    ),
    answer_id=int,
)
questions_by_id = PreparedQuery(
    lambda first_id, second_id: Question.objects.filter(Q(pk=first_id) | Q(pk=second_id)).values(
        *QUESTION_LINK_FIELDS
    ),
    first_id=int,
    second_id=int,
)


def build_related_questions(question_id, guide_id):
    """Published questions sharing the most topics with a question, same guide first.

    A popular topic can tag thousands of questions, so only a bounded pool of
    candidates is ranked (RELATED_CANDIDATES from the same guide, as many from
    others): the page costs the same at 20 questions or 10,000. Each candidate's
    shared topics are counted by a subquery on the topic index, not a GROUP BY
    over the joined rows, which cost twice as much.
    """
    topic_ids = TaggedQuestion.objects.filter(content_object_id=question_id).values("tag_id")
    sharing = TaggedQuestion.objects.filter(tag_id__in=topic_ids).exclude(
        content_object_id=question_id
    )
    same_guide_pool = sharing.filter(content_object__guide_id=guide_id)
    other_guide_pool = sharing.exclude(content_object__guide_id=guide_id)
    shared_topics = (
        TaggedQuestion.objects.filter(content_object_id=OuterRef("pk"), tag_id__in=topic_ids)
        .order_by()
        .values("content_object_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    in_same_guide = Case(
        When(guide_id=guide_id, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        Question.objects.published()
        .filter(
            Q(pk__in=same_guide_pool.values("content_object_id")[:RELATED_CANDIDATES])
            | Q(pk__in=other_guide_pool.values("content_object_id")[:RELATED_CANDIDATES])
        )
        .annotate(shared_topics=Subquery(shared_topics), other_guide=in_same_guide)
        .order_by("other_guide", "-shared_topics", "guide__position", "guide_id", "position")
        .values(*QUESTION_LINK_FIELDS, "guide__title")[:RELATED_LIMIT]
    )


related_question_rows = PreparedQuery(build_related_questions, question_id=int, guide_id=int)


def related_questions(question):
    """Up to RELATED_LIMIT questions to read next; see build_related_questions()."""
    rows = related_question_rows(question_id=question.pk, guide_id=question.guide_id)
    guides = {question.guide_id: question.guide}
    return [linked_question(row, guides) for row in rows]


def load_question_page(guide_slug, question_slug, language=ENGLISH):
    """The published question with its guide, answer, topics and sources, and the
    questions before and after it in the guide (None at either end), or 404.

    The question also carries `translation`, its published counterpart in the
    other language (or None), and `original_updated_at`: for a translation
    whose English original changed notably since it was made, that change's date.
    """
    rows = question_page_row(guide_slug=guide_slug, question_slug=question_slug, language=language)
    if not rows:
        raise Http404("No published question at this address.")
    row = rows[0]
    guides = {}
    question = linked_question(row, guides)
    question.translation = counterpart_of(
        language, "faq:question", row["counterpart_guide_slug"], row["counterpart_slug"]
    )
    translated_at = row["answer__translated_from__history_date"]
    changed_at = row["counterpart_changed_at"]
    question.original_updated_at = (
        changed_at
        if language == SPANISH and translated_at and changed_at and changed_at > translated_at
        else None
    )
    answer = model_from_row(Answer, row, prefix="answer__")
    question.answer = answer
    question._prefetched_objects_cache = {
        "tags": [model_from_row(Topic, topic) for topic in question_topics(question_id=question.pk)]
    }
    answer._prefetched_objects_cache = {
        "sources": [
            model_from_row(Source, source) for source in answer_sources(answer_id=answer.pk)
        ]
    }
    # 0 matches no question: an end of the guide.
    neighbours = questions_by_id(first_id=row["previous_id"] or 0, second_id=row["next_id"] or 0)
    by_id = {neighbour["id"]: linked_question(neighbour, guides) for neighbour in neighbours}
    return question, by_id.get(row["previous_id"]), by_id.get(row["next_id"])


class QuestionDetailView(DetailView):
    template_name = "faq/question_detail.html"
    context_object_name = "question"

    def get_object(self, queryset=None):
        question, self.previous, self.next = load_question_page(
            self.kwargs["guide_slug"],
            self.kwargs["question_slug"],
            self.kwargs.get("language", ENGLISH),
        )
        return question

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            related=related_questions(self.object),
            previous=self.previous,
            next=self.next,
            translation=self.object.translation,
            **kwargs,
        )
