from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.urls import reverse

from .models import Guide, Question
from .views import published_questions


class StaticSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return ["faq:home", "faq:topics"]

    def location(self, name):
        return reverse(name)


class GuideSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        last_update = Max(
            "questions__answer__text_updated_at",
            filter=Q(questions__in=Question.objects.published()),
        )
        return Guide.objects.published().annotate(last_update=last_update).order_by("pk")

    def lastmod(self, guide):
        return guide.last_update


class QuestionSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        # Every published question is listed: load only what an entry shows.
        return (
            published_questions()
            .prefetch_related(None)
            .only("slug", "guide__slug", "answer__text_updated_at")
        )

    def lastmod(self, question):
        return question.answer.text_updated_at


SITEMAPS = {"pages": StaticSitemap, "guides": GuideSitemap, "questions": QuestionSitemap}
