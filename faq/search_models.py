"""The models search uses besides the index: synonyms editors manage, the
spelling vocabulary, and the daily search counts (issue 14).

Imported by faq/models/__init__.py, so Django sees them as models of the faq app.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# The languages content and searches come in. A synonym group, a vocabulary word
# and a statistics row each belong to one.
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
DEFAULT_LANGUAGE = "en"
MAX_SYNONYM_TERMS = 20
MAX_SYNONYM_TERM_LENGTH = 60


def split_terms(text):
    """The terms of a synonym group as an editor typed them: comma-separated,
    lowercased, spaces folded, duplicates dropped."""
    terms = (" ".join(part.split()).lower() for part in str(text or "").split(","))
    return list(dict.fromkeys(term for term in terms if term))


class SynonymGroup(models.Model):
    """Words readers use for the same thing; a search for one finds them all."""

    language = models.CharField(
        _("language"),
        max_length=5,
        choices=LANGUAGES,
        default=DEFAULT_LANGUAGE,
        help_text=_("Applied to searches in this language only."),
    )
    terms = models.TextField(
        _("words that mean the same"),
        help_text=_(
            "Separate them with commas, e.g. “license, licence, driver’s license, ID”. "
            "A search for any of them also finds the others, from the next search on."
        ),
    )
    note = models.CharField(
        _("note"),
        max_length=200,
        blank=True,
        help_text=_("Optional: why this group exists, for your colleagues."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["language", "terms"]
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")

    def __str__(self):
        return ", ".join(self.term_list())

    def term_list(self):
        return split_terms(self.terms)

    def clean(self):
        terms = self.term_list()
        if len(terms) < 2:
            raise ValidationError(
                {"terms": _("Give at least two words or phrases, separated by commas.")}
            )
        if len(terms) > MAX_SYNONYM_TERMS:
            raise ValidationError(
                {"terms": _("Give at most %(count)s terms.") % {"count": MAX_SYNONYM_TERMS}}
            )
        long_terms = [term for term in terms if len(term) > MAX_SYNONYM_TERM_LENGTH]
        if long_terms:
            raise ValidationError(
                {
                    "terms": _("“%(term)s” is longer than %(length)s characters.")
                    % {"term": long_terms[0], "length": MAX_SYNONYM_TERM_LENGTH}
                }
            )
        self.terms = ", ".join(terms)


class SpellingWord(models.Model):
    """One word of the published text and in how many answers it appears.

    Rebuilt from published questions only (faq/suggest.py), so a suggestion can
    never come from a draft. `word` is lower case without accents (what queries
    are compared with); `spelling` is how the text most often writes it (what
    readers are offered: "inmigración")."""

    language = models.CharField(max_length=5, choices=LANGUAGES)
    word = models.CharField(max_length=40)
    documents = models.PositiveIntegerField()
    spelling = models.CharField(max_length=40, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["language", "word"], name="unique_spelling_word")
        ]

    def __str__(self):
        return self.word


class SearchCount(models.Model):
    """How many times one normalised query was searched for on one day.

    Nothing else about a search is kept: no time of day, no address, no cookie,
    no browser (faq/search_stats.py)."""

    day = models.DateField(_("day"))
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGES)
    query = models.CharField(_("search"), max_length=100)
    found = models.BooleanField(_("found answers"))
    count = models.PositiveIntegerField(_("searches"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "language", "query", "found"], name="unique_search_count"
            )
        ]
        indexes = [models.Index(fields=["day"], name="search_count_day")]
        verbose_name = _("search")
        verbose_name_plural = _("searches")

    def __str__(self):
        return f"{self.day} {self.query} ({self.count})"


class SearchVisibility(models.Model):
    """Whether readers can find a question by searching: one row per question.

    Kept in step with `Question.objects.published()` whenever a question, its
    answer or its guide is saved or deleted (faq/search_public.py), so a search
    checks its matches against this one small table instead of joining
    questions, answers and guides for every match, which cost more than the
    search itself at 100,000 questions. PostgreSQL looks each match up among
    the public rows; SQLite leaves out the few hidden ones (drafts, questions of
    unpublished guides), so a search costs what its matches cost however many
    questions are public. Hits are still read through published(), so a row
    out of step could never show a draft."""

    # No database constraint or cascade: a question's delete removes its row by
    # signal (faq/search_public.py), so the admin's delete confirmation neither
    # lists it nor asks a publisher for a permission on it.
    question = models.OneToOneField(
        "faq.Question",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    language = models.CharField(max_length=5, choices=LANGUAGES)
    public = models.BooleanField()

    class Meta:
        db_table = "faq_search_visibility"
        indexes = [
            models.Index(
                fields=["language", "public", "question"], name="faq_search_visibility_lang"
            )
        ]

    def __str__(self):
        state = "public" if self.public else "hidden"
        return f"{self.language}: {self.question_id} ({state})"
