"""Questions, their topics and the link between the two."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from .. import search
from ..languages import route_name
from ..links import url
from .guides import Guide, language_field, slug_from_text, translation_key_field


class RemembersSavedValues(models.Model):
    """Knows whether each of `tracked_fields` differs from the database's value,
    so a save rewrites what derives from it (the search index, public dates)
    only when it changed."""

    tracked_fields = ()

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance.remember_saved_values()
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using, fields, from_queryset)
        self.remember_saved_values(fields)

    def remember_saved_values(self, fields=None):
        saved = self.__dict__.setdefault("_saved_values", {})
        for name in self.tracked_fields:
            if name in self.__dict__ and (fields is None or name in fields):
                saved[name] = self.__dict__[name]

    def has_changed(self, name):
        if self._state.adding:
            return True
        if name in self.get_deferred_fields():
            return False  # never loaded, so never assigned either
        saved = self.__dict__.get("_saved_values", {})
        return name not in saved or saved[name] != getattr(self, name)


class QuestionQuerySet(models.QuerySet):
    def published(self):
        """The one definition of what the public may see."""
        return self.filter(
            status=Question.Status.PUBLISHED, guide__is_published=True, answer__isnull=False
        )

    def get_by_natural_key(self, guide_slug, slug):
        return self.get(guide__slug=guide_slug, slug=slug)


class Question(RemembersSavedValues):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    guide = models.ForeignKey(
        Guide, on_delete=models.PROTECT, related_name="questions", verbose_name=_("guide")
    )
    position = models.PositiveIntegerField(
        _("number"),
        help_text=_("The question's number in its guide. Each number is used once per guide."),
    )
    text = models.CharField(
        _("question"),
        max_length=300,
        help_text=_("The question as a reader would ask it, ending with a question mark."),
    )
    slug = models.SlugField(
        _("web address"),
        max_length=100,
        blank=True,
        help_text=_(
            "The question's web address inside its guide. Left empty, it is made from "
            "the question. Changing it breaks links people have shared."
        ),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text=_("Drafts are never shown to the public."),
    )
    tags = TaggableManager(
        _("topics"),
        through="faq.TaggedQuestion",
        blank=True,
        help_text=_("Topics readers can follow to related questions. Separate topics with commas."),
        # By name everywhere, prefetches included: without it taggit's
        # `.order_by()` drops Topic's ordering and rows come in storage order.
        ordering=["name"],
    )
    # Always the guide's language (set in save()); a column of its own so that
    # "one question per language per translation key" is a database constraint.
    language = language_field(editable=False)
    translation_key = translation_key_field()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "language", "translation_key"])
    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["guide", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(
                fields=["guide", "position"], name="unique_question_position_in_guide"
            ),
            models.UniqueConstraint(fields=["guide", "slug"], name="unique_question_slug_in_guide"),
            models.UniqueConstraint(
                fields=["translation_key", "language"], name="one_question_per_language"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "published"]), name="question_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.text}"

    def natural_key(self):
        return (self.guide.slug, self.slug)

    natural_key.dependencies = ["faq.guide"]

    tracked_fields = ("text", "guide_id")

    def clean(self):
        super().clean()
        moved = self.pk and self.guide_id and self.has_changed("guide_id")
        if moved and self.guide.language != self.language:
            raise ValidationError(
                {"guide": _("A question stays in its language: choose a guide in its language.")}
            )

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slug_from_text(self.text) or f"question-{self.position}"
        if self.has_changed("guide_id"):
            self.language = self.guide.language
        text_changed = self.has_changed("text")
        super().save(*args, **kwargs)
        self.remember_saved_values()
        # The index holds the wording and the answer text, nothing else.
        if text_changed:
            search.index_question(self)

    def get_absolute_url(self):
        return url(route_name("faq:question", self.guide.language), self.guide.slug, self.slug)

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED and self.guide.is_published


class Topic(TagBase):
    """A topic tag readers follow from one question to related ones."""

    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("Optional sentence shown at the top of the topic's page."),
    )
    # Names and slugs stay unique across both languages (taggit finds a topic
    # by its name); a Spanish topic is paired with its English one by the key.
    language = language_field(help_text=_("Questions in this language may have this topic."))
    translation_key = translation_key_field()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [
            models.UniqueConstraint(
                fields=["translation_key", "language"], name="one_topic_per_language"
            )
        ]

    def get_absolute_url(self):
        return url(route_name("faq:topic", self.language), self.slug)


class TaggedQuestionManager(models.Manager):
    def get_by_natural_key(self, guide_slug, question_slug, topic_name):
        return self.get(
            content_object__guide__slug=guide_slug,
            content_object__slug=question_slug,
            tag__name=topic_name,
        )


class TaggedQuestion(TaggedItemBase):
    content_object = models.ForeignKey(Question, on_delete=models.CASCADE)
    tag = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="tagged_questions")

    objects = TaggedQuestionManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="unique_topic_per_question"
            )
        ]

    def natural_key(self):
        return (*self.content_object.natural_key(), self.tag.name)

    natural_key.dependencies = ["faq.question", "faq.topic"]
