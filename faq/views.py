from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView, TemplateView

from .models import Category, Guide, Question, Topic


def published_questions():
    """Published questions with everything a list of them shows."""
    return (
        Question.objects.published()
        .select_related("guide", "answer")
        .prefetch_related("tags")
        .order_by("guide__position", "guide_id", "position")
    )


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
        questions = published_questions().filter(guide=self.object)
        return super().get_context_data(questions=questions, **kwargs)


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
        questions = list(published_questions().filter(tags=self.object))
        if not questions:
            raise Http404("No published question has this topic.")
        return super().get_context_data(questions=questions, **kwargs)
