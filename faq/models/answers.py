"""Answers, the extra fields of their revisions, and their sources."""

import datetime

from django.conf import settings
from django.core.validators import MaxLengthValidator, URLValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import search
from ..markdown import render_markdown
from .questions import Question, RemembersSavedValues
from .workflow import AnswerWorkflow, user_field

MAX_ANSWER_LENGTH = 20_000
# Words of an answer shown as the page description to search engines and link previews.
SUMMARY_WORDS = 30


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
    the row is written (see `fill_revision_snapshot` in faq/models/signals.py).
    Compare and revert read these snapshots.
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


class Answer(AnswerWorkflow, RemembersSavedValues):
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
    draft_saved_by = user_field(_("draft saved by"), editable=True)
    draft_saved_at = models.DateTimeField(_("draft saved at"), null=True, blank=True)
    published_by = user_field(_("published by"), editable=True)
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
        permissions = [
            ("publish_answer", "Can publish questions and answer changes"),
            ("review_answer", "Can approve or send back another editor's change"),
        ]
        # The scheduler and the dashboard look answers up by state.
        indexes = [models.Index(fields=["review_state", "publish_at"], name="answer_review_state")]
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
        self.draft_body = self.draft_change_note = self.draft_question_text = ""
        self.draft_topics, self.draft_sources = [], []
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
