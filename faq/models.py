import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, URLValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from . import search
from .languages import ENGLISH, LANGUAGE_CHOICES, route_name
from .links import url
from .markdown import render_markdown

# Guides live at /<guide-slug>/ and /es/<guide-slug>/, so these slugs would hide site pages.
RESERVED_GUIDE_SLUGS = frozenset(
    {"admin", "topics", "search", "feeds", "static", "healthz", "sitemap.xml", "robots.txt"}
    | {"es", "temas", "buscar"}
)
MAX_ANSWER_LENGTH = 20_000
# Words of an answer shown as the page description to search engines and link previews.
SUMMARY_WORDS = 30


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


class AnswerQuerySet(models.QuerySet):
    def get_by_natural_key(self, guide_slug, question_slug):
        return self.get(question__guide__slug=guide_slug, question__slug=question_slug)

    def due_for_review(self, today=None):
        """Answers never reviewed, or whose review interval has run out."""
        today = today or timezone.localdate()
        return self.filter(models.Q(review_due__isnull=True) | models.Q(review_due__lte=today))

    def reviewed_recently(self, today=None):
        """The answers due_for_review() leaves out."""
        return self.filter(review_due__gt=today or timezone.localdate())

    def with_draft(self):
        """Answers with a saved draft waiting to be published (Answer.has_draft)."""
        return self.exclude(draft_saved_at=None)


class AnswerRevision(models.Model):
    """Extra fields on each history row of an answer, so one row is a whole revision.

    simple-history cannot follow taggit's manager (simple-history #395; `m2m_fields`
    with a TaggableManager raises AttributeError, taggit #918), and Source rows
    have no history of their own. So every Answer history row keeps a snapshot of
    the question's wording and status, its topic names and its sources, taken when
    the row is written (see `fill_revision_snapshot` below). Compare and revert
    read these snapshots.
    """

    question_text = models.CharField(_("question"), max_length=300, blank=True)
    question_status = models.CharField(_("question status"), max_length=10, blank=True)
    topics = models.JSONField(
        _("topics"), default=list, blank=True, help_text=_("Topic names, sorted.")
    )
    sources = models.JSONField(
        _("sources"), default=list, blank=True, help_text=_("[{title, url}, …] in reading order.")
    )

    class Meta:
        abstract = True


class Answer(RemembersSavedValues):
    question = models.OneToOneField(
        Question, on_delete=models.CASCADE, related_name="answer", verbose_name=_("question")
    )
    body = models.TextField(
        _("answer"),
        validators=[MaxLengthValidator(MAX_ANSWER_LENGTH)],
        help_text=_(
            "Written in Markdown: a blank line starts a new paragraph; lines starting "
            "“1.” make a numbered list; [text](https://…) makes a link."
        ),
    )
    body_html = models.TextField(editable=False, default="")
    # Made with body_html so no page strips HTML per request (STYLE.md habit 2).
    summary = models.TextField(
        _("summary"),
        editable=False,
        default="",
        help_text=_(
            "The answer's first words as plain text, for search engines and link previews."
        ),
    )
    change_note = models.CharField(
        _("change note"),
        max_length=300,
        blank=True,
        help_text=_(
            "What changed and why, in one sentence a colleague would understand, "
            "e.g. “Added the 2025 court ruling to the second paragraph.”"
        ),
    )
    is_minor = models.BooleanField(
        _("minor change"),
        default=False,
        help_text=_("Tick for typo or formatting fixes that do not change the meaning."),
    )
    last_reviewed = models.DateField(
        _("last reviewed"),
        null=True,
        blank=True,
        help_text=_("The day someone last checked this answer was correct."),
    )
    review_interval_days = models.PositiveIntegerField(
        _("review every (days)"),
        default=180,
        help_text=_("How often this answer should be checked again."),
    )
    review_due = models.DateField(
        _("review due"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Last reviewed plus the interval."),
    )
    # Save-as-draft edits to a published answer wait here; the public reads only
    # body/body_html until someone with the publish permission publishes them.
    draft_body = models.TextField(
        _("draft answer"), blank=True, validators=[MaxLengthValidator(MAX_ANSWER_LENGTH)]
    )
    draft_change_note = models.CharField(_("draft change note"), max_length=300, blank=True)
    draft_is_minor = models.BooleanField(_("draft is a minor change"), default=False)
    draft_saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("draft saved by"),
    )
    draft_saved_at = models.DateTimeField(_("draft saved at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # What readers are told: when the live text last changed (any change), and
    # the last change not marked minor with its note (the feed). Draft saves,
    # reviews and metadata edits leave the live text, and so these, alone.
    text_updated_at = models.DateTimeField(_("text last changed"), null=True, editable=False)
    notable_change_at = models.DateTimeField(_("last notable change"), null=True, editable=False)
    notable_change_note = models.CharField(
        _("last notable change note"), max_length=300, blank=True, editable=False
    )
    # A translation's source: the revision (history row) of the English answer
    # it was translated from. The English text changing notably after that
    # revision makes the translation "behind" (faq/translations.py).
    translated_from = models.ForeignKey(
        "faq.HistoricalAnswer",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("translated from revision"),
        help_text=_("The revision of the English answer this translation was made from."),
    )
    # Goes up by one on every save; the edit form carries the number it was
    # opened with and refuses to save over a newer one (see faq/admin/answers.py).
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(
        user_model=settings.AUTH_USER_MODEL, bases=[AnswerRevision], excluded_fields=["summary"]
    )
    objects = AnswerQuerySet.as_manager()

    class Meta:
        ordering = ["question__guide", "question__position"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        permissions = [("publish_answer", "Can publish questions and answer changes")]
        # Also for rows that skip the form: loaddata, raw SQL, a restore.
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), MAX_ANSWER_LENGTH),
                name="answer_body_within_limit",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("draft_body"), MAX_ANSWER_LENGTH),
                name="answer_draft_within_limit",
            ),
        ]

    def __str__(self):
        return _("Answer to “%(question)s”") % {"question": self.question.text}

    def natural_key(self):
        return self.question.natural_key()

    natural_key.dependencies = ["faq.question"]

    tracked_fields = ("body",)

    def save(self, *args, **kwargs):
        self.prepare_for_save()
        text_changed = self.has_changed("body")
        if text_changed:
            self.record_text_change(timezone.now())
        self.version += 1
        super().save(*args, **kwargs)
        self.remember_saved_values()
        # Drafts, reviews and note-only saves leave the indexed text as it was.
        if text_changed:
            search.index_question(self.question, answer=self)

    def record_text_change(self, when):
        self.text_updated_at = when
        if not self.is_minor or self.notable_change_at is None:
            self.notable_change_at, self.notable_change_note = when, self.change_note

    def prepare_for_save(self):
        self.body_html = render_markdown(self.body)
        self.summary = summarize(self.body_html)
        self.review_due = (
            self.last_reviewed + datetime.timedelta(days=self.review_interval_days)
            if self.last_reviewed
            else None
        )

    @property
    def has_draft(self):
        return self.draft_saved_at is not None

    @property
    def is_due_for_review(self):
        return self.review_due is None or self.review_due <= timezone.localdate()

    def clear_draft(self):
        self.draft_body = self.draft_change_note = ""
        self.draft_is_minor = False
        self.draft_saved_by = self.draft_saved_at = None


def summarize(body_html):
    """The first SUMMARY_WORDS words of an answer as plain text."""
    return Truncator(search.plain_text(body_html)).words(SUMMARY_WORDS, truncate=" …")


class Source(models.Model):
    """A citation shown under an answer."""

    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, related_name="sources", verbose_name=_("answer")
    )
    title = models.CharField(
        _("title"), max_length=300, help_text=_("What a reader will see, e.g. the law's name.")
    )
    url = models.URLField(
        _("web address"),
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Starts with https:// or http://."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["answer", "position", "pk"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        # Pages print it as a link: no javascript: or data: address, however it
        # arrived (loaddata, raw SQL, a restore), not only through the form.
        constraints = [
            models.CheckConstraint(
                condition=models.Q(url__istartswith="https://")
                | models.Q(url__istartswith="http://"),
                name="source_url_is_http_or_https",
            )
        ]

    def __str__(self):
        return self.title


@receiver(pre_save, sender=Answer)
def render_answer_for_fixture_load(sender, instance, raw, **kwargs):
    """`loaddata` saves raw rows and bypasses Answer.save(); render the HTML anyway."""
    if raw:
        instance.prepare_for_save()
        if instance.text_updated_at is None:
            instance.record_text_change(instance.updated_at or timezone.now())


def revision_snapshot(answer):
    """The question wording, status, topics and sources an answer revision records.

    Read fresh from the database, never from a prefetch cache that a form save may
    have left stale.
    """
    question = Question.objects.only("text", "status").get(pk=answer.question_id)
    topics = Topic.objects.filter(tagged_questions__content_object_id=answer.question_id)
    sources = Source.objects.filter(answer_id=answer.pk).order_by("position", "pk")
    return {
        "question_text": question.text,
        "question_status": question.status,
        "topics": sorted(topics.values_list("name", flat=True), key=str.casefold),
        "sources": [{"title": s.title, "url": s.url} for s in sources],
    }


@receiver(pre_create_historical_record, sender=Answer.history.model)
def fill_revision_snapshot(sender, instance, history_instance, **kwargs):
    for field, value in revision_snapshot(instance).items():
        setattr(history_instance, field, value)


@receiver(post_save, sender=Answer)
@receiver(post_save, sender=Question)
def index_fixture_load(sender, instance, raw, **kwargs):
    """Raw fixture saves bypass save(); keep the search index in step anyway."""
    if raw:
        if sender is Answer:
            search.index_question(instance.question, answer=instance)
        else:
            search.index_question(instance)


@receiver(post_delete, sender=Question)
def remove_deleted_question_from_search(sender, instance, **kwargs):
    """Also runs for queryset and admin bulk deletes, which skip Model.delete()."""
    search.remove_question(instance.pk)


class SiteNotice(models.Model):
    """A short message shown at the top of every public page while it is switched on."""

    text = models.CharField(
        _("text"),
        max_length=300,
        help_text=_(
            "One or two plain sentences, e.g. “This page is general information, not legal advice.”"
        ),
    )
    is_active = models.BooleanField(
        _("show on the site"), default=True, help_text=_("Untick to hide the notice.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("site-wide notice")
        verbose_name_plural = _("site-wide notices")

    def __str__(self):
        return self.text


class SeedRecord(models.Model):
    """A fixture record `seed_content` has applied, so that no later run applies it
    again: editors' changes and deletions survive every restart (faq/seeding.py)."""

    key = models.CharField(
        max_length=500,
        unique=True,
        help_text="The record's model and natural key as written in its fixture file.",
    )
    model = models.CharField(max_length=100, help_text="The model the record was loaded into.")
    object_id = models.CharField(
        max_length=64, help_text="The row it became; the row may since have been deleted."
    )
    fixture = models.CharField(max_length=255, help_text="The file it was loaded from.")
    applied_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "applied seed record"

    def __str__(self):
        return self.key


from .search_models import SearchCount, SpellingWord, SynonymGroup  # noqa: E402, F401
