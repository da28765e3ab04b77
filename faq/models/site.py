"""Site-wide records: the notice on every page and the seed records applied."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .guides import language_field


class SiteNotice(models.Model):
    """A short message shown at the top of every public page while it is switched on."""

    text = models.CharField(
        _("text"),
        max_length=300,
        help_text=_(
            "One or two plain sentences, e.g. “This page is general information, not legal advice.”"
        ),
    )
    language = language_field(
        help_text=_(
            "The language the notice is written in. Pages in that language show it; "
            "pages in the other language show it only while no notice in their own "
            "language is on."
        )
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
