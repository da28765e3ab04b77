"""The question screen: a question's place and status, publishing and
unpublishing from the list, and the first answer typed on the add screen."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Max
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import workflow
from ..faults import SavesSurviveFaults
from ..languages import ENGLISH
from ..models import Answer, Question
from ..revisions import unpublish
from .common import (
    RevisionedAdmin,
    link_to_answer,
    locked_object,
    may_publish,
    question_edits_allowed,
)


class AnswerInline(admin.StackedInline):
    """The first answer, typed together with a new question (add screen only)."""

    model = Answer
    can_delete = False
    min_num = 1
    max_num = 1
    fields = ["body", "change_note", "last_reviewed", "review_interval_days"]


class QuestionForm(forms.ModelForm):
    """The question's place and address, refused if the question changed since opening."""

    opened_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_at"].initial = self.instance.updated_at.isoformat()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        saved_at = self.instance.updated_at.isoformat()
        if cleaned.get("opened_at") != saved_at:
            self.data = self.data.copy()
            self.data[self.add_prefix("opened_at")] = saved_at
            question = self.instance
            raise forms.ValidationError(
                _(
                    "Not saved: this question was changed by someone else after you opened it. "
                    "It is now in guide “%(guide)s” as number %(position)s at “%(slug)s”. Your "
                    "entries are still below; save again to keep them."
                ),
                code="edit_conflict",
                params={
                    "guide": question.guide,
                    "position": question.position,
                    "slug": question.slug,
                },
            )
        return cleaned


# faq/translations.py slug_for_new_wording() is the rule this describes.
TRANSLATION_SLUG_HELP = _(
    "The question's web address inside its guide, in its own language. Until the "
    "question is first published, an address the site made (the English one copied "
    "by “Translate into Spanish”, or one made from the wording) follows its wording each "
    "time a new wording is saved; type one here to choose it yourself. Once "
    "published, it never changes by itself: changing it breaks links people have shared."
)


@admin.register(Question)
class QuestionAdmin(SavesSurviveFaults, RevisionedAdmin):
    """A question's place and status. Its wording, topics, answer and sources are
    edited on the answer's edit screen, so that each change is one revision there."""

    list_display = [
        "position",
        "text",
        "guide",
        "topic_list",
        "status",
        "last_updated",
        "edit_answer",
    ]
    list_display_links = ["text"]
    form = QuestionForm
    object_history_list_template = "admin/faq/question/history_list.html"
    list_filter = ["guide", "status", "tags"]
    search_fields = ["text", "answer__body"]
    list_select_related = ["guide", "answer"]
    readonly_fields = ["status", "answer_link", "topic_list"]
    history_list_display = ["status", "text"]
    actions = ["publish_questions", "unpublish_questions"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["guide", "position", "text", "slug", "tags", "status"]
        return ["answer_link", "guide", "position", "slug", "status", "topic_list", "opened_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and obj.language != ENGLISH and "slug" in form.base_fields:
            form.base_fields["slug"].help_text = TRANSLATION_SLUG_HELP
        return form

    def get_inlines(self, request, obj):
        return [AnswerInline] if obj is None else []

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None and not question_edits_allowed(request, obj):
            # Its guide, number and address are part of what the public sees.
            return [*readonly, "guide", "position", "slug"]
        return readonly

    def get_object(self, request, object_id, from_field=None):
        return locked_object(self, request, object_id)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    def get_changeform_initial_data(self, request):
        """A new question gets the next free number in the chosen guide."""
        initial = super().get_changeform_initial_data(request)
        guide_id = initial.get("guide")
        if guide_id:
            last = Question.objects.filter(guide_id=guide_id).aggregate(Max("position"))
            initial["position"] = (last["position__max"] or 0) + 1
        return initial

    def response_add(self, request, obj, post_url_continue=None):
        answer = getattr(obj, "answer", None)
        if answer is None or answer.pk is None or "_addanother" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(
            request,
            gettext(
                "The question was saved as a draft; the public cannot see it yet. "
                "Add sources, preview and publish it here."
            ),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:faq_answer_change", args=[answer.pk]))

    @admin.display(description=_("topics"))
    def topic_list(self, question):
        return ", ".join(topic.name for topic in question.tags.all())

    @admin.display(description=_("last updated"), ordering="answer__updated_at")
    def last_updated(self, question):
        answer = getattr(question, "answer", None)
        return answer.updated_at if answer else None

    @admin.display(description=_("answer"))
    def edit_answer(self, question):
        return link_to_answer(question, gettext("Edit answer"), missing="–")

    @admin.display(description=_("wording, topics, answer and sources"))
    def answer_link(self, question):
        return link_to_answer(
            question,
            gettext("Edit the question’s wording, topics, answer and sources"),
            missing=gettext("This question has no answer yet."),
        )

    def has_publish_permission(self, request):
        return may_publish(request)

    @admin.action(description=_("Publish the selected questions"), permissions=["publish"])
    def publish_questions(self, request, queryset):
        count = unreviewed = 0
        for question in queryset.filter(status=Question.Status.DRAFT).select_related("answer"):
            answer = getattr(question, "answer", None)
            if answer is None:
                continue
            # As "Publish now without review": marked as needing review unless approved.
            answer = workflow.publish_urgently(answer, request.user)
            unreviewed += answer.needs_review_after_publishing
            count += 1
        message = ngettext(
            "Published %(count)s question.", "Published %(count)s questions.", count
        ) % {"count": count}
        if unreviewed:
            message += " " + ngettext(
                "%(count)s was not approved and is marked as published without review.",
                "%(count)s were not approved and are marked as published without review.",
                unreviewed,
            ) % {"count": unreviewed}
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Return the selected questions to draft"), permissions=["publish"])
    def unpublish_questions(self, request, queryset):
        count = 0
        for question in queryset.filter(status=Question.Status.PUBLISHED).select_related("answer"):
            answer = getattr(question, "answer", None)
            if answer is None:  # never public: no answer revision to record it in
                question.status = Question.Status.DRAFT
                question.save()
            else:
                unpublish(answer, request.user)
            count += 1
        message = ngettext(
            "%(count)s question is a draft again.", "%(count)s questions are drafts again.", count
        ) % {"count": count}
        self.message_user(request, message, messages.SUCCESS)
