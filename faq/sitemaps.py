from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.urls import reverse

from .languages import ENGLISH, SPANISH, other_language, route_name
from .models import Guide, Question
from .translations import published_guide_in
from .views import published_questions


class PairedSitemap(Sitemap):
    """Each entry with a published counterpart in the other language lists both
    as xhtml:link alternates, and English as x-default (Google's sitemap hreflang)."""

    def alternate_paths(self, item):
        """{language: path} of the item and its counterpart, or {} when it has none."""
        return {}

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page, site, protocol)
        for url_info in urls:
            paths = self.alternate_paths(url_info["item"])
            if not paths:
                continue
            base = url_info["location"][: -len(self.location(url_info["item"]))]
            url_info["alternates"] = [
                {"lang_code": language, "location": base + path}
                for language, path in sorted(paths.items())
            ] + [{"lang_code": "x-default", "location": base + paths[ENGLISH]}]
        return urls


class StaticSitemap(PairedSitemap):
    changefreq = "weekly"

    def items(self):
        # A language's home and topics are listed when it has a published guide.
        self.languages = [
            language for language in (ENGLISH, SPANISH) if published_guide_in(language=language)
        ] or [ENGLISH]
        return [
            (route_name(name, language), language)
            for language in self.languages
            for name in ("faq:home", "faq:topics")
        ]

    def location(self, item):
        return reverse(item[0])

    def alternate_paths(self, item):
        name, language = item
        if len(self.languages) < 2:
            return {}
        english_name = name.replace("faq:es_", "faq:")
        return {lang: reverse(route_name(english_name, lang)) for lang in self.languages}


class GuideSitemap(PairedSitemap):
    changefreq = "weekly"

    def items(self):
        last_update = Max(
            "questions__answer__text_updated_at",
            filter=Q(questions__in=Question.objects.published()),
        )
        guides = list(Guide.objects.published().annotate(last_update=last_update).order_by("pk"))
        # Both languages are listed, so each entry's counterpart is among the items.
        self.paths = {(g.translation_key, g.language): g.get_absolute_url() for g in guides}
        return guides

    def lastmod(self, guide):
        return guide.last_update

    def alternate_paths(self, guide):
        return paired_paths(self.paths, guide)


class QuestionSitemap(PairedSitemap):
    changefreq = "monthly"

    def items(self):
        # Every published question is listed: load only what an entry shows.
        questions = list(
            published_questions()
            .prefetch_related(None)
            .only(
                "slug",
                "language",
                "translation_key",
                "guide__slug",
                "guide__language",
                "answer__text_updated_at",
            )
        )
        self.paths = {(q.translation_key, q.language): q.get_absolute_url() for q in questions}
        return questions

    def lastmod(self, question):
        return question.answer.text_updated_at

    def alternate_paths(self, question):
        return paired_paths(self.paths, question)


def paired_paths(paths, item):
    """{language: path} of an item and its published counterpart, or {} without one."""
    other = other_language(item.language)
    counterpart = paths.get((item.translation_key, other))
    if counterpart is None:
        return {}
    return {item.language: paths[(item.translation_key, item.language)], other: counterpart}


SITEMAPS = {"pages": StaticSitemap, "guides": GuideSitemap, "questions": QuestionSitemap}
