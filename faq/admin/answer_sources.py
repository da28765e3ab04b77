"""The sources under an answer, on its edit screen.

On a question nobody sees yet, the rows are the Source rows themselves. On a
published question they are the sources of its draft: the same rows, titles
and web addresses, checked the same way, but kept with the draft (its
`draft_sources`) and written to Source rows only when the draft is published,
so an editor may change them and readers see nothing until then.
"""

from django.contrib import admin
from django.db import models
from django.forms.models import BaseInlineFormSet

from ..models import Question, Source


def drafts_sources(answer):
    """Whether the sources typed for `answer` belong to its draft."""
    return (
        answer is not None
        and answer.pk is not None
        and answer.question.status == Question.Status.PUBLISHED
    )


def sources_as_rows(sources):
    """[{title, url}] as the initial rows of the inline, numbered from 1."""
    return [
        {"position": index, "title": source["title"], "url": source["url"]}
        for index, source in enumerate(sources, start=1)
    ]


def waiting_sources(answer):
    """The draft's sources, or the live ones when no draft waits."""
    if answer.has_draft:
        return list(answer.draft_sources)
    return [{"title": source.title, "url": source.url} for source in answer.sources.all()]


class SourceFormSet(BaseInlineFormSet):
    def __init__(self, *args, instance=None, **kwargs):
        self.for_draft = drafts_sources(instance)
        if self.for_draft:
            # No Source row is edited: every row is a new form holding one of
            # the draft's sources (shown filled in when the form opens).
            kwargs["queryset"] = Source.objects.none()
            if kwargs.get("data") is None:
                kwargs["initial"] = sources_as_rows(waiting_sources(instance))
        super().__init__(*args, instance=instance, **kwargs)

    def draft_sources(self):
        """The sources as typed and checked, in position order, minus the deleted."""
        rows = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        rows.sort(key=lambda row: row.get("position") or 0)
        return [{"title": row["title"], "url": row["url"]} for row in rows]

    def save(self, commit=True):
        if self.for_draft:
            # Kept with the draft by AnswerAdmin.save_related; no Source row changes.
            self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
            return []
        return super().save(commit)


class SourceInline(admin.TabularInline):
    model = Source
    formset = SourceFormSet
    # A web address typed without a scheme is taken as https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ["position", "title", "url"]
    extra = 1

    def get_extra(self, request, obj=None, **kwargs):
        # A draft's sources are all new rows (see SourceFormSet), plus one empty.
        if drafts_sources(obj):
            return len(waiting_sources(obj)) + 1
        return self.extra
