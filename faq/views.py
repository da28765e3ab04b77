import contextlib
import logging

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView

from .models import Category, Guide, Question, Topic

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


def paginate(request, questions):
    """One page of `questions` from ?page=N; a page that does not exist is a 404."""
    paginator = Paginator(questions, PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(f"There is no page {request.GET.get('page')!r} here.") from error
    return {"page_obj": page, "questions": page.object_list}


class HomeView(TemplateView):
    template_name = "faq/home.html"

    def get_context_data(self, **kwargs):
        published_count = Count("questions", filter=Q(questions__in=Question.objects.published()))
        guides = Guide.objects.published().annotate(question_count=published_count)
        categories = (
            Category.objects.filter(guides__is_published=True)
            .distinct()
            .prefetch_related(Prefetch("guides", queryset=guides))
        )
        return super().get_context_data(categories=categories, **kwargs)


class GuideDetailView(DetailView):
    template_name = "faq/guide_detail.html"
    context_object_name = "guide"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Guide.objects.published().select_related("category"), slug=self.kwargs["guide_slug"]
        )

    def get_context_data(self, **kwargs):
        page = paginate(self.request, published_questions().filter(guide=self.object))
        return super().get_context_data(**page, **kwargs)


class QuestionDetailView(DetailView):
    template_name = "faq/question_detail.html"
    context_object_name = "question"

    def get_object(self, queryset=None):
        return get_object_or_404(
            published_questions()
            .select_related("guide__category")
            .prefetch_related("answer__sources"),
            guide__slug=self.kwargs["guide_slug"],
            slug=self.kwargs["question_slug"],
        )


class TopicListView(ListView):
    template_name = "faq/topic_list.html"
    context_object_name = "topics"

    def get_queryset(self):
        return (
            Topic.objects.filter(tagged_questions__content_object__in=Question.objects.published())
            .annotate(question_count=Count("tagged_questions", distinct=True))
            .order_by("name")
        )


class TopicDetailView(DetailView):
    template_name = "faq/topic_detail.html"
    context_object_name = "topic"

    def get_object(self, queryset=None):
        return get_object_or_404(Topic, slug=self.kwargs["topic_slug"])

    def get_context_data(self, **kwargs):
        page = paginate(self.request, published_questions().filter(tags=self.object))
        if not page["questions"]:
            raise Http404("No published question has this topic.")
        return super().get_context_data(**page, **kwargs)


HEALTH_CHECK_TIMEOUT_MS = 2000


def set_sqlite_busy_timeout(milliseconds):
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")


@never_cache
def healthz(request):
    """For load balancers: 200 when the database can be read and written, else 503.

    The write changes nothing and is rolled back. A short lock timeout makes a
    locked database fail in two seconds rather than after the 20-second busy
    timeout editors' saves wait for.
    """
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
        return HttpResponse(
            "database unavailable\n", status=503, content_type="text/plain; charset=utf-8"
        )
    finally:
        # The connection outlives this request: give editors' saves their full wait back.
        with contextlib.suppress(DatabaseError):
            set_sqlite_busy_timeout(settings.SQLITE_BUSY_TIMEOUT * 1000)
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
