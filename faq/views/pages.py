"""Home, guide and topic pages, and the paging they share."""

from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.views.generic import DetailView, ListView, TemplateView

from ..languages import ENGLISH
from ..middleware import declare_query
from ..models import Category, Guide, Question, Topic
from ..translations import (
    counterpart_guide_slug,
    counterpart_of,
    counterpart_topic_slug,
    site_page_in_other_language,
)

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
