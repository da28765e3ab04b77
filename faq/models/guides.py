"""Guides and their categories, and the helpers their fields use."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..languages import ENGLISH, LANGUAGE_CHOICES, route_name
from ..links import url

# Guides live at /<guide-slug>/ and /es/<guide-slug>/, so these slugs would hide site pages.
RESERVED_GUIDE_SLUGS = frozenset(
    {"admin", "topics", "search", "feeds", "static", "healthz", "sitemap.xml", "robots.txt"}
    | {"es", "temas", "buscar"}
)


def slug_from_text(text, max_length=60):
    """A readable slug cut at a word boundary, so shared links stay short."""
    slug = slugify(text)
    if len(slug) <= max_length:
        return slug
    return slug[: max_length + 1].rsplit("-", 1)[0]


def validate_guide_slug(value):
    if value in RESERVED_GUIDE_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is used by another part of the site; choose another web address."),
            params={"slug": value},
        )


# Two languages, the Ask CFPB / Wagtail way (issue 10): every guide, question
# and topic is a row in one language, and a translation is another row that
# shares its `translation_key`. Per-language columns (title_es, body_es) would
# share one history, one draft and one review date between the languages; as
# rows, each language keeps its own drafts, history, change notes, review dates
# and change log, and nothing done in one language touches the other. A
# question takes its guide's language; answers and sources belong to their
# question, so they follow it.


def translation_key_field():
    return models.UUIDField(
        default=uuid.uuid4,
        editable=False,
        help_text="Shared by an English original and its Spanish translation.",
    )


def language_field(**options):
    return models.CharField(
        _("language"), max_length=2, choices=LANGUAGE_CHOICES, default=ENGLISH, **options
    )


class CategoryManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("web address"), max_length=100, unique=True)
    position = models.PositiveIntegerField(
        _("position"),
        default=0,
        help_text=_("Categories are listed on the home page from low to high."),
    )

    objects = CategoryManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class GuideQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Guide(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("web address"),
        max_length=100,
        unique=True,
        validators=[validate_guide_slug],
        help_text=_(
            "The guide's web address: /<slug>/. Changing it breaks links people have shared."
        ),
    )
    summary = models.TextField(
        _("summary"),
        blank=True,
        help_text=_("One or two plain sentences shown under the title and in search engines."),
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="guides", verbose_name=_("category")
    )
    position = models.PositiveIntegerField(
        _("position"),
        default=0,
        help_text=_("Guides in the same category are listed from low to high."),
    )
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Unpublished guides and all their questions are hidden from the public."),
    )
    language = language_field(
        help_text=_(
            "The language the guide is written in; Spanish guides are at /es/<slug>/. "
            "Its questions are in the same language."
        )
    )
    translation_key = translation_key_field()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = GuideQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["category__position", "position", "title"]
        verbose_name = _("guide")
        verbose_name_plural = _("guides")
        constraints = [
            models.UniqueConstraint(
                fields=["translation_key", "language"], name="one_guide_per_language"
            )
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return url(route_name("faq:guide", self.language), self.slug)
