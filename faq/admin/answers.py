"""The answer screen: the one edit screen for a question's wording, topics,
answer and sources, with drafts, publishing and review. Its preview, compare,
revert and history views are in faq/admin/answer_views.py."""

from types import SimpleNamespace

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from taggit.forms import TagField

from .. import workflow
from ..faults import SavesSurviveFaults
from ..languages import ENGLISH
from ..models import Answer, Question, revision_snapshot
from ..revisions import (
    RevisionText,
    compare,
    mark_reviewed,
    revision_label,
    save_draft,
    save_revision,
    set_question_wording,
    sorted_names,
)
from .answer_filters import DraftFilter, NeedsReviewFilter, ReviewDueFilter, ReviewStateFilter
from .answer_sources import SourceInline, waiting_sources
from .answer_views import AnswerViewsMixin
from .common import RevisionedAdmin, locked_object, may_publish
from .dashboard_filters import MineFilter, ScheduleProblemFilter
from .translations import (
    UP_TO_DATE_FIELD,
    TranslationStatusFilter,
    apply_brought_up_to_date,
    behind_view,
    brought_up_to_date_field,
    check_topic_languages,
    translate_view,
    translation_status,
)
from .workflow_views import WorkflowViewsMixin, workflow_panel


class AnswerForm(forms.ModelForm):
    """The answer's edit form: wording, topics, answer text, note, review dates.

    On a published question the wording, topics, text and sources typed here
    are its draft, kept together until published (faq/workflow.py); a waiting
    draft reopens with its own. `base_version` is the answer's version when
    the form was opened. A save is refused when the answer has been saved
    since (see `clean`).
    """

    question_text = forms.CharField(
        label=_("Question"),
        max_length=300,
        help_text=Question._meta.get_field("text").help_text,
        widget=forms.TextInput(attrs={"class": "vLargeTextField"}),
    )
    topics = TagField(
        label=_("Topics"), required=False, help_text=Question._meta.get_field("tags").help_text
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput)
    # Shown on translations only (AnswerAdmin.get_fieldsets).
    brought_up_to_date = brought_up_to_date_field()

    # Set by AnswerAdmin.get_form for this request.
    action = "save"

    class Meta:
        model = Answer
        fields = ["body", "change_note", "is_minor", "last_reviewed", "review_interval_days"]
        widgets = {"body": forms.Textarea(attrs={"rows": 20, "class": "vLargeTextField"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        answer = self.instance
        question = answer.question
        self.conflict = None
        # The published text, kept aside: "Save as draft" must not change it.
        self.live = {
            "body": answer.body,
            "change_note": answer.change_note,
            "is_minor": answer.is_minor,
        }
        self.fields["base_version"].initial = answer.version
        if answer.has_draft and answer.draft_question_text:
            wording, topics = answer.draft_question_text, answer.draft_topics
        else:
            wording, topics = question.text, [topic.name for topic in question.tags.all()]
        self.fields["question_text"].initial = wording
        # Shaped like tags: taggit's field and widget read their names.
        self.fields["topics"].initial = [SimpleNamespace(name=name) for name in topics]
        # Each save gets its own note; a waiting draft is edited where it was left.
        self.initial.update(
            body=answer.draft_body if answer.has_draft else answer.body,
            change_note=answer.draft_change_note if answer.has_draft else "",
            is_minor=answer.draft_is_minor if answer.has_draft else False,
        )
        # What waits now, to tell whether this save changes it (save_related):
        # only a posted form saves, so a form only shown skips its queries.
        self.waiting_before = (
            workflow.waiting_content(answer) if answer.pk and self.is_bound else None
        )
        self.is_published = question.status == Question.Status.PUBLISHED
        if self.is_published:
            note = self.fields["change_note"]
            note.required = True
            note.help_text = gettext("Required: this question is public. %(help)s") % {
                "help": note.help_text
            }

    def clean(self):
        cleaned = super().clean()
        check_topic_languages(self, self.instance.question.language)
        base_version = cleaned.get("base_version")
        if base_version is not None and base_version != self.instance.version:
            self.conflict = conflict_details(self.instance, base_version)
            # The next save, made knowing what changed, is checked against now.
            self.data = self.data.copy()
            self.data[self.add_prefix("base_version")] = self.instance.version
            raise forms.ValidationError(
                _(
                    "Not saved: %(who)s saved this answer after you opened it. Your text is "
                    "still in the form below and nothing was overwritten. Their changes are "
                    "shown below: bring anything you want to keep into your text, then save "
                    "again."
                ),
                code="edit_conflict",
                params={"who": self.conflict["who"]},
            )
        return cleaned


def conflict_details(answer, base_version):
    """Who saved the answer since `base_version`, and a diff of what they changed."""
    rows = answer.history.all()
    base = rows.filter(version=base_version).order_by("-history_id").first()
    newer = rows.filter(version__gt=base_version).select_related("history_user")
    someone = gettext("someone")
    names = sorted({str(row.history_user or someone) for row in newer}) or [someone]
    old = RevisionText.from_history(base) if base else RevisionText("", "", [])
    return {
        "who": names_in_a_sentence(names),
        "when": newer.first().history_date if newer else None,
        "differences": compare(old, RevisionText.from_answer(answer)),
    }


def names_in_a_sentence(names):
    """“alice”, “alice and bob”, “alice, bob and carol”."""
    if len(names) == 1:
        return names[0]
    return gettext("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


@admin.register(Answer)
class AnswerAdmin(WorkflowViewsMixin, AnswerViewsMixin, SavesSurviveFaults, RevisionedAdmin):
    """The one edit screen for a question's wording, topics, answer and sources."""

    form = AnswerForm
    list_display = [
        "question",
        "guide",
        "language",
        "status",
        "has_draft",
        "workflow_state",
        "updated_at",
        "review_due",
    ]
    list_filter = [
        "question__guide",
        "question__status",
        "question__language",
        TranslationStatusFilter,
        ReviewDueFilter,
        DraftFilter,
        ReviewStateFilter,
        NeedsReviewFilter,
        # The dashboard's lists (faq/dashboard.py): my work, failed or overdue schedules.
        MineFilter,
        ScheduleProblemFilter,
    ]
    search_fields = ["question__text", "body"]
    list_select_related = ["question__guide"]
    readonly_fields = ["publication"]
    fieldsets = [
        (None, {"fields": ["publication", "question_text", "topics", "body"]}),
        (_("About this change"), {"fields": ["change_note", "is_minor", "base_version"]}),
        (_("Review"), {"fields": ["last_reviewed", "review_interval_days"]}),
    ]
    inlines = [SourceInline]
    actions = ["mark_as_reviewed"]
    change_form_template = "admin/faq/answer/change_form.html"
    history_list_display = ["what_happened", "note"]
    object_history_list_template = "admin/faq/answer/history_list.html"

    def has_add_permission(self, request):
        # Answers are created together with their question.
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", view(self.preview_view), name="faq_answer_preview"),
            path("<int:pk>/compare/", view(self.compare_view), name="faq_answer_compare"),
            path(
                "<int:pk>/translate/",
                view(lambda request, pk: translate_view(self, request, pk)),
                name="faq_answer_translate",
            ),
            path(
                "translations-behind/",
                view(lambda request: behind_view(self, request)),
                name="faq_answer_translations_behind",
            ),
            path(
                "<int:pk>/revert/<int:history_id>/",
                view(self.revert_view),
                name="faq_answer_revert",
            ),
            *self.workflow_urls(),
            *super().get_urls(),
        ]

    def get_object(self, request, object_id, from_field=None):
        return locked_object(self, request, object_id)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.question.language != ENGLISH:
            return [*fieldsets, (_("Translation"), {"fields": [UP_TO_DATE_FIELD]})]
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.action = action_for(request, obj)
        return form

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        context.update(
            can_publish=may_publish(request),
            is_published=form.is_published,
            conflict=form.conflict,
            draft_differences=compare(
                RevisionText.from_answer(obj, with_draft=False), RevisionText.draft_of(obj)
            )
            if obj is not None and obj.has_draft
            else None,
            workflow=workflow_panel(request, obj) if obj is not None else None,
            translation_status=translation_status(obj) if obj is not None else None,
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        # Everything is saved in save_related, after the sources, so that the
        # one history row this save writes sees the sources as saved.
        pass

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        answer, question = form.instance, form.instance.question
        wording, topics = form.cleaned_data["question_text"], form.cleaned_data["topics"]
        apply_brought_up_to_date(form, answer)
        if form.action == "draft":
            # The whole change waits, private: wording, topics, sources and text.
            formset = next((f for f in formsets if hasattr(f, "draft_sources")), None)
            # Without the sources inline (no permission for it), the draft keeps its own.
            sources = formset.draft_sources() if formset else waiting_sources(answer)
        else:
            sources = revision_snapshot(answer)["sources"]  # saved just now, as typed
        if form.waiting_before != waiting_content_of(answer, wording, topics, sources):
            workflow.content_edited(answer)
        if form.action == "draft":
            save_draft(
                answer, request.user, form.live, wording=wording, topics=topics, sources=sources
            )
        else:
            # A question nobody sees yet is saved as it is.
            set_question_wording(question, wording, topics)
            answer.clear_draft()
            save_revision(answer, request.user)

    def response_change(self, request, obj):
        if "_draft" in request.POST:
            message = gettext(
                "Draft saved. The public still sees the published answer until the draft "
                "is published."
            )
            self.message_user(request, message, messages.SUCCESS)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question__guide")

    @admin.display(description=_("guide"), ordering="question__guide")
    def guide(self, answer):
        return answer.question.guide

    @admin.display(description=_("language"), ordering="question__language")
    def language(self, answer):
        return answer.question.get_language_display()

    @admin.display(description=_("status"), ordering="question__status")
    def status(self, answer):
        return answer.question.get_status_display()

    @admin.display(description=_("draft waiting"), boolean=True)
    def has_draft(self, answer):
        return answer.has_draft

    @admin.display(description=_("publishing workflow"), ordering="review_state")
    def workflow_state(self, answer):
        state = answer.get_review_state_display() if answer.review_state else "–"
        if answer.needs_review_after_publishing:
            return gettext("%(state)s · published without review") % {"state": state}
        return state

    @admin.display(description=_("publication"))
    def publication(self, answer):
        question = answer.question
        status = format_html(
            '<a href="{}">{}</a>',
            reverse("admin:faq_question_change", args=[question.pk]),
            question.get_status_display(),
        )
        where = gettext("guide “%(guide)s” · question %(number)s") % {
            "guide": question.guide,
            "number": question.position,
        }
        parts = [format_html("{} · {}", status, where)]
        if question.status == Question.Status.PUBLISHED:
            url = question.get_absolute_url()
            parts.append(format_html(' · <a href="{}">{}</a>', url, gettext("public page")))
        if answer.published_at:
            published = gettext("last published %(date)s by %(user)s") % {
                "date": revision_label(answer.published_at),
                "user": answer.published_by or gettext("someone"),
            }
            parts.append(format_html(" · {}", published))
        return format_html("{}" * len(parts), *parts)

    @admin.action(description=_("Mark the selected answers as reviewed today"))
    def mark_as_reviewed(self, request, queryset):
        # Counted before marking: a "due for review" filter no longer matches after.
        answers = list(queryset.select_related("question"))
        for answer in answers:
            mark_reviewed(answer, request.user)
        count = len(answers)
        message = ngettext(
            "Marked %(count)s answer as reviewed.", "Marked %(count)s answers as reviewed.", count
        ) % {"count": count}
        self.message_user(request, message, messages.SUCCESS)


def action_for(request, answer):
    """What a POST to the edit form asks for: save, or save as draft."""
    if answer is not None and answer.question.status == Question.Status.PUBLISHED:
        # A published answer's live text changes only by publishing.
        return "draft"
    return "save"


def waiting_content_of(answer, wording, topics, sources):
    """What this save leaves waiting, as workflow.waiting_content() reads it:
    an approval belongs to the exact revision approved, so a difference ends it."""
    return {
        "question_text": wording,
        "topics": sorted_names(topics),
        "sources": sources,
        "body": answer.body,
        "change_note": answer.change_note,
        "is_minor": answer.is_minor,
    }
