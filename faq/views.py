import contextlib
import logging
from dataclasses import dataclass
from functools import cache, cached_property

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, transaction
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView, TemplateView

from . import reader_search, search_stats
from .cache import stamp_store_ok
from .diff import word_diff
from .faults import close_connections
from .languages import ENGLISH, SPANISH
from .middleware import declare_query
from .models import Answer, Category, Guide, Question, Source, TaggedQuestion, Topic
from .prepared import PreparedQuery
from .search import CONTROL
from .translations import (
    counterpart_guide_slug,
    counterpart_of,
    counterpart_topic_slug,
    question_counterpart_annotations,
    site_page_in_other_language,
)

RELATED_LIMIT = 5
RELATED_CANDIDATES = 50
SEARCH_PAGE_SIZE = 10
CHANGES_PAGE_SIZE = 20
DIFF_CONTEXT_WORDS = 25
MAX_QUERY_DISPLAY = 200

logger = logging.getLogger(__name__)

# Questions per guide or topic page: a guide of 10,000 questions serves pages
# of the same size and speed as a guide of 20.
PAGE_SIZE = 50


def published_questions():
    """Published questions with everything a list of them shows."""
    return (
        Question.objects.published()
        .select_related("guide", "answer")
        .prefetch_related("tags")
        .order_by("guide__position", "guide_id", "position")
    )


def paginate(request, questions, title):
    """One page of `questions` from ?page=N (a page that does not exist is a 404),
    and the page's title, which names the page number after the first."""
    paginator = Paginator(questions, PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(f"There is no page {request.GET.get('page')!r} here.") from error
    declare_query(request, page=page.number)
    if page.number > 1:
        title = gettext("%(title)s (page %(number)s)") % {"title": title, "number": page.number}
    return {"page_obj": page, "questions": page.object_list, "page_title": title}


class HomeView(TemplateView):
    """The guides of one language (the URL's), by category."""

    template_name = "faq/home.html"

    def get_context_data(self, language=ENGLISH, **kwargs):
        published_count = Count("questions", filter=Q(questions__in=Question.objects.published()))
        guides = (
            Guide.objects.published()
            .filter(language=language)
            .annotate(question_count=published_count)
        )
        categories = (
            Category.objects.filter(guides__is_published=True, guides__language=language)
            .distinct()
            .prefetch_related(Prefetch("guides", queryset=guides))
        )
        return super().get_context_data(
            categories=categories,
            translation=site_page_in_other_language(language, "faq:home"),
            **kwargs,
        )


class GuideDetailView(DetailView):
    template_name = "faq/guide_detail.html"
    context_object_name = "guide"

    def get_object(self, queryset=None):
        guides = Guide.objects.published().select_related("category")
        return get_object_or_404(
            guides.annotate(counterpart_slug=counterpart_guide_slug()),
            slug=self.kwargs["guide_slug"],
            language=self.kwargs.get("language", ENGLISH),
        )

    def get_context_data(self, **kwargs):
        guide = self.object
        questions = published_questions().filter(guide=guide)
        page = paginate(self.request, questions, guide.title)
        translation = counterpart_of(
            guide.language, "faq:guide", guide.counterpart_slug, page=page["page_obj"].number
        )
        return super().get_context_data(**page, translation=translation, **kwargs)


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


@dataclass
class Change:
    """One public change to an answer: its date, note and the text before and after."""

    date: object
    note: str
    before: str | None
    after: str

    @cached_property
    def diff(self):
        return word_diff(self.before, self.after, context=DIFF_CONTEXT_WORDS)

    @property
    def is_first(self):
        return self.before is None


def public_changes(answer, published_at=None):
    """The answer's published, non-minor changes, newest first, in one query.

    A history row is a public change when its body differs from the row
    before it (draft saves and metadata edits leave the body alone) and the
    editor did not mark it minor. Edits made before the question was first
    published (`published_at`) were never public: they fold into the first
    entry, the text as first published.
    """
    rows = (
        Answer.history.filter(id=answer.pk)
        .exclude(history_type="-")
        .order_by("history_date", "history_id")
        .values_list("history_date", "body", "change_note", "is_minor")
    )
    changes, previous_body = [], None
    for date, body, note, is_minor in rows:
        if published_at is not None and date < published_at:
            previous_body = body
            continue
        if not changes:
            if previous_body is None:
                changes.append(Change(date, note, None, body))
                previous_body = body
                continue
            changes.append(Change(published_at, "", None, previous_body))
        if body != previous_body and not is_minor:
            changes.append(Change(date, note, previous_body, body))
        previous_body = body
    if not changes and previous_body is not None:
        changes.append(Change(published_at, "", None, previous_body))
    changes.reverse()
    return changes


def first_published(question):
    """When the question was first published, from its history (None if unknown)."""
    return (
        Question.history.filter(id=question.pk, status=Question.Status.PUBLISHED)
        .order_by("history_date")
        .values_list("history_date", flat=True)
        .first()
    )


@require_GET
def question_changes(request, guide_slug, question_slug, language=ENGLISH):
    question = get_object_or_404(
        Question.objects.published()
        .select_related("guide", "answer")
        .annotate(**question_counterpart_annotations()),
        guide__slug=guide_slug,
        guide__language=language,
        slug=question_slug,
    )
    changes = public_changes(question.answer, first_published(question))
    paginator = Paginator(changes, CHANGES_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    declare_query(request, page=page.number)
    translation = counterpart_of(
        language,
        "faq:question_changes",
        question.counterpart_guide_slug,
        question.counterpart_slug,
        page=page.number,
    )
    return render(
        request,
        "faq/question_changes.html",
        {
            "question": question,
            "page_obj": page,
            "changes": page.object_list,
            "translation": translation,
        },
    )


def clean_query(raw):
    return " ".join(CONTROL.sub(" ", raw).split())[:MAX_QUERY_DISPLAY]


def page_number(value, largest=10_000):
    """A page number from the query string; anything odd means page 1."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), largest)


@require_GET
def search_view(request, language=ENGLISH):
    query = clean_query(request.GET.get("q", ""))
    context = {
        "query": query,
        "page_obj": None,
        "matched_all": True,
        "outcome": None,
        "stats_days": settings.SEARCH_STATS_DAYS,
        "translation": site_page_in_other_language(language, "faq:search"),
    }
    if not query:
        return render(request, "faq/search.html", context)
    number = page_number(request.GET.get("page"))
    outcome = reader_search.find(query, number, SEARCH_PAGE_SIZE, language)
    result = outcome.result
    context.update(
        page_obj=result.page, hits=result.hits, matched_all=result.matched_all, outcome=outcome
    )
    declare_query(request, q=query, page=result.page.number)
    response = render(request, "faq/search.html", context)
    # Cache hits of this page are counted by the page cache (search_stats.record_hit).
    response[search_stats.FOUND_HEADER] = "1" if outcome.found else "0"
    if number == 1:
        search_stats.record(query, outcome.found, language)
    return response


@require_GET
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


class TopicListView(ListView):
    template_name = "faq/topic_list.html"
    context_object_name = "topics"

    def get_queryset(self):
        return (
            Topic.objects.filter(
                language=self.kwargs.get("language", ENGLISH),
                tagged_questions__content_object__in=Question.objects.published(),
            )
            .annotate(question_count=Count("tagged_questions", distinct=True))
            .order_by("name")
        )

    def get_context_data(self, **kwargs):
        language = self.kwargs.get("language", ENGLISH)
        translation = site_page_in_other_language(language, "faq:topics")
        return super().get_context_data(translation=translation, **kwargs)


class TopicDetailView(DetailView):
    template_name = "faq/topic_detail.html"
    context_object_name = "topic"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Topic.objects.annotate(counterpart_slug=counterpart_topic_slug()),
            slug=self.kwargs["topic_slug"],
            language=self.kwargs.get("language", ENGLISH),
        )

    def get_context_data(self, **kwargs):
        topic = self.object
        questions = published_questions().filter(tags=topic)
        title = gettext("Topic: %(topic)s") % {"topic": topic.name}
        page = paginate(self.request, questions, title)
        if not page["questions"]:
            raise Http404("No published question has this topic.")
        translation = counterpart_of(
            topic.language, "faq:topic", topic.counterpart_slug, page=page["page_obj"].number
        )
        return super().get_context_data(**page, translation=translation, **kwargs)


HEALTH_CHECK_TIMEOUT_MS = 2000


def set_sqlite_busy_timeout(milliseconds):
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")


@never_cache
def healthz(request):
    """For load balancers: 200 when every store a save needs can be written
    (the database, read and written, and the page-cache stamp), else 503.

    The check runs on a fresh connection, so it sees the database as a new
    request would (a connection opened before a fault may still write, one
    opened during it stays read-only), and it is closed again after a failure.
    The write changes nothing and is rolled back. A short lock timeout makes a
    locked database fail in two seconds rather than after the 20-second busy
    timeout editors' saves wait for. The body names each store.
    """
    if not connection.in_atomic_block:  # (a test's transaction)
        connection.close()
    database = database_writable()
    stamp = stamp_store_ok()
    healthy = database and stamp
    lines = [
        "ok" if healthy else "unavailable",
        f"database: {'ok' if database else 'unavailable'}",
        f"page-cache stamp: {'ok' if stamp else 'unavailable'}",
    ]
    return HttpResponse(
        "\n".join(lines) + "\n",
        status=200 if healthy else 503,
        content_type="text/plain; charset=utf-8",
    )


def database_writable():
    try:
        set_sqlite_busy_timeout(HEALTH_CHECK_TIMEOUT_MS)
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"SET LOCAL lock_timeout = {HEALTH_CHECK_TIMEOUT_MS}")
                cursor.execute(f"SET LOCAL statement_timeout = {HEALTH_CHECK_TIMEOUT_MS}")
            cursor.execute("SELECT MIN(id) FROM django_migrations")
            (first_id,) = cursor.fetchone()
            cursor.execute(
                "UPDATE django_migrations SET applied = applied WHERE id = %s", [first_id]
            )
            transaction.set_rollback(True)
    except DatabaseError as error:
        logger.error("Health check failed: %s", error)
        close_connections()
        return False
    finally:
        # The connection outlives this request: give editors' saves their full wait back.
        with contextlib.suppress(DatabaseError):
            set_sqlite_busy_timeout(settings.SQLITE_BUSY_TIMEOUT * 1000)
    return True
