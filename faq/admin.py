from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Max
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from taggit.forms import TagField
from taggit.utils import parse_tags

from .admin_labels import LabelledListEditableMixin
from .admin_public import PublicTextAdmin
from .admin_translations import (
    UP_TO_DATE_FIELD,
    TranslationStatusFilter,
    apply_brought_up_to_date,
    behind_view,
    brought_up_to_date_field,
    check_topic_languages,
    paired_form,
    translate_view,
    translation_status,
)
from .bad_input import RefusesMalformedIds, require_id
from .diff import word_diff
from .faults import SavesSurviveFaults
from .import_admin import import_guide_view
from .languages import ENGLISH
from .models import Answer, Category, Guide, Question, SiteNotice, Source, Topic
from .revisions import (
    MARKED_REVIEWED,
    SAVED_DRAFT,
    RevisionText,
    compare,
    mark_reviewed,
    publish,
    revert,
    revision_label,
    save_draft,
    save_revision,
    set_question_wording,
    unpublish,
)
from .roles import PUBLISH_PERMISSION


def may_publish(request):
    return request.user.has_perm(PUBLISH_PERMISSION)


@admin.register(Category)
class CategoryAdmin(LabelledListEditableMixin, PublicTextAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}


class QuestionInGuideInline(admin.TabularInline):
    """The guide's questions in order, each linking to its own edit screen."""

    model = Question
    fields = ["position", "text", "status"]
    readonly_fields = ["text", "status"]
    show_change_link = True
    extra = 0
    can_delete = False
    ordering = ["position"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Guide)
class GuideAdmin(PublicTextAdmin):
    form = paired_form(Guide)
    list_display = ["title", "language", "category", "is_published", "position", "question_count"]
    list_filter = ["language", "category", "is_published"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [QuestionInGuideInline]
    change_list_template = "admin/faq/guide/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view(lambda request: import_guide_view(self, request))
        return [path("import/", view, name="faq_guide_import"), *super().get_urls()]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("category")
            .annotate(question_count=Count("questions"))
        )

    def get_readonly_fields(self, request, obj=None):
        # Its questions are in its language: a guide keeps the language it was made in.
        return ["language"] if obj is not None else []

    @admin.display(description=_("questions"), ordering="question_count")
    def question_count(self, guide):
        return guide.question_count


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


class RevisionedAdmin(RefusesMalformedIds, SimpleHistoryAdmin):
    """simple-history's admin without its revert, which saves an old row over the
    live one with only the change permission, writes no answer revision and
    ignores drafts. Answers are reverted on their own history (faq/revisions.py);
    SIMPLE_HISTORY_REVERT_DISABLED hides the button, this refuses the POST."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


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
        count = 0
        for question in queryset.filter(status=Question.Status.DRAFT).select_related("answer"):
            answer = getattr(question, "answer", None)
            if answer is None:
                continue
            publish(answer, request.user)
            count += 1
        message = ngettext(
            "Published %(count)s question.", "Published %(count)s questions.", count
        ) % {"count": count}
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


def link_to_answer(question, text, missing):
    """A link to the question's answer screen, where everything about it is edited."""
    answer = getattr(question, "answer", None)
    if answer is None:
        return missing
    return format_html(
        '<a href="{}">{}</a>', reverse("admin:faq_answer_change", args=[answer.pk]), text
    )


def locked_object(model_admin, request, object_id):
    """The object an admin form edits; a save locks its row until it commits, so
    two saves cannot both pass the stale-form check (PostgreSQL; SQLite's
    IMMEDIATE transactions already serialise writers)."""
    queryset = model_admin.get_queryset(request)
    # A form shown again after a failed save is not saved: no lock (a read-only
    # database refuses one).
    if request.method == "POST" and not getattr(request, "save_fault", None):
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=int(object_id))
    except (ValueError, model_admin.model.DoesNotExist):
        return None


class SourceInline(admin.TabularInline):
    model = Source
    # A web address typed without a scheme is taken as https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ["position", "title", "url"]
    extra = 1

    # On a published question, sources go live at once, so only publishers
    # change them; editors see them read-only and draft the answer text.
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and live_edits_allowed(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and live_edits_allowed(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and live_edits_allowed(request, obj)


def live_edits_allowed(request, answer):
    return answer is None or question_edits_allowed(request, answer.question)


def question_edits_allowed(request, question):
    """Only publishers change what the public sees of a published question."""
    return may_publish(request) or question.status != Question.Status.PUBLISHED


class AnswerForm(forms.ModelForm):
    """The answer's edit form: wording, topics, answer text, note, review dates.

    `base_version` is the answer's version when the form was opened. A save is
    refused when the answer has been saved since (see `clean`).
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
    can_publish = False

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
        self.fields["question_text"].initial = question.text
        self.fields["topics"].initial = list(question.tags.all())
        # Each save gets its own note; a waiting draft is edited where it was left.
        self.initial.update(
            body=answer.draft_body if answer.has_draft else answer.body,
            change_note=answer.draft_change_note if answer.has_draft else "",
            is_minor=answer.draft_is_minor if answer.has_draft else False,
        )
        self.is_published = question.status == Question.Status.PUBLISHED
        if self.is_published:
            note = self.fields["change_note"]
            note.required = True
            note.help_text = gettext("Required: this question is public. %(help)s") % {
                "help": note.help_text
            }
        if self.is_published and not self.can_publish:
            for name in ("question_text", "topics"):
                self.fields[name].disabled = True
                self.fields[name].help_text = gettext(
                    "Only publishers change this on a published question."
                )

    def clean(self):
        cleaned = super().clean()
        if not self.fields["topics"].disabled:
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


class ReviewDueFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("due", _("Due for review")), ("ok", _("Reviewed recently"))]

    def queryset(self, request, queryset):
        if self.value() == "due":
            return queryset.due_for_review()
        if self.value() == "ok":
            return queryset.reviewed_recently()
        return queryset


class DraftFilter(admin.SimpleListFilter):
    title = _("unpublished draft")
    parameter_name = "draft"

    def lookups(self, request, model_admin):
        return [("yes", _("Has a draft waiting"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.with_draft()
        return queryset


@admin.register(Answer)
class AnswerAdmin(SavesSurviveFaults, RevisionedAdmin):
    """The one edit screen for a question's wording, topics, answer and sources."""

    form = AnswerForm
    list_display = [
        "question",
        "guide",
        "language",
        "status",
        "has_draft",
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
        form.can_publish = may_publish(request)
        form.action = action_for(request, obj)
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and "_publish" in request.POST and not may_publish(request):
            raise PermissionDenied
        return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        context.update(
            can_publish=may_publish(request),
            is_published=form.is_published,
            conflict=form.conflict,
            draft_diff=word_diff(form.live["body"], obj.draft_body)
            if obj is not None and obj.has_draft
            else None,
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
        if not form.fields["question_text"].disabled:
            topics = form.cleaned_data["topics"]
            set_question_wording(question, form.cleaned_data["question_text"], topics)
        apply_brought_up_to_date(form, answer)
        if form.action == "draft":
            save_draft(answer, request.user, form.live)
        elif form.action == "publish":
            answer.clear_draft()
            publish(answer, request.user)
        else:
            answer.clear_draft()
            save_revision(answer, request.user)

    def response_change(self, request, obj):
        if "_draft" in request.POST or "_publish" in request.POST:
            if "_draft" in request.POST:
                message = gettext("Draft saved. The public still sees the published answer.")
            else:
                message = gettext("Published: the public now sees this answer.")
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

    @admin.display(description=_("what happened"))
    def what_happened(self, record):
        if record.history_change_reason:
            # Stored in English; the ones the site writes are in the catalogue.
            return gettext(record.history_change_reason)
        return gettext("Created") if record.history_type == "+" else gettext("Edited")

    @admin.display(description=_("change note"))
    def note(self, record):
        if record.history_change_reason == SAVED_DRAFT:
            return record.draft_change_note
        if record.history_change_reason == MARKED_REVIEWED:
            return ""
        return record.change_note

    # --- preview, compare and revert -------------------------------------

    def get_answer_or_404(self, request, pk, permission):
        answer = get_object_or_404(Answer.objects.select_related("question__guide"), pk=pk)
        allowed = {
            "view": self.has_view_or_change_permission,
            "change": self.has_change_permission,
        }[permission](request, answer)
        if not allowed:
            raise PermissionDenied
        return answer

    def preview_view(self, request, pk):
        """The public page with the form's unsaved text, rendered and not saved."""
        answer = self.get_answer_or_404(request, pk, "change")
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:faq_answer_change", args=[pk]))
        form = self.get_form(request, answer, change=True)(request.POST, instance=answer)
        formsets, _inlines = self._create_formsets(request, answer, change=True)
        if not all(formset.management_form.is_valid() for formset in formsets):
            return HttpResponseBadRequest(
                gettext("The preview needs the whole edit form: reload the answer and try again.")
            )
        question = Question(
            pk=answer.question.pk,
            guide=answer.question.guide,
            position=answer.question.position,
            slug=answer.question.slug,
            status=answer.question.status,
            text=form["question_text"].value() or "",
        )
        body = form["body"].value() or ""
        now = timezone.now()
        preview = Answer(
            pk=answer.pk, question=question, body=body, updated_at=now, text_updated_at=now
        )
        preview.prepare_for_save()  # the HTML and summary a save would make
        question.answer = preview
        topics = form["topics"].value() or ""
        names = parse_tags(topics) if isinstance(topics, str) else [t.name for t in topics]
        known = {t.name.casefold(): t for t in Topic.objects.filter(name__in=names)}
        question._prefetched_objects_cache = {
            "tags": [known.get(n.casefold()) or Topic(name=n, slug=slugify(n)) for n in names]
        }
        sources = (
            preview_sources(formsets)
            if live_edits_allowed(request, answer)
            else list(answer.sources.all())
        )
        preview._prefetched_objects_cache = {"sources": sources}
        response = TemplateResponse(request, "faq/question_preview.html", {"question": question})
        response["X-Robots-Tag"] = "noindex"
        # The page as readers of its language see it (lang, links, words), not
        # the editor's admin language (faq.middleware.AdminLanguageMiddleware).
        with translation.override(answer.question.guide.language):
            return response.render()

    def compare_view(self, request, pk):
        answer = self.get_answer_or_404(request, pk, "view")
        rows = answer.history.select_related("history_user")
        try:
            newer = rows.get(pk=request.GET["to"]) if "to" in request.GET else rows.first()
            older = (
                rows.get(pk=request.GET["from"])
                if "from" in request.GET
                else rows.filter(history_date__lt=newer.history_date).first()
            )
        except (ValueError, answer.history.model.DoesNotExist) as error:
            raise Http404("No such revision of this answer.") from error
        if newer is None or older is None:
            messages.info(
                request, gettext("This answer has only one revision: nothing to compare yet.")
            )
            return HttpResponseRedirect(reverse("admin:faq_answer_history", args=[pk]))
        if older.history_date > newer.history_date:
            older, newer = newer, older
        for row in (older, newer):
            row.what_happened, row.note = self.what_happened(row), self.note(row)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Compare revisions: %(question)s")
            % {"question": answer.question.text},
            "opts": self.opts,
            "original": answer,
            "older": older,
            "newer": newer,
            "differences": compare(
                RevisionText.from_history(older), RevisionText.from_history(newer)
            ),
            "can_revert": self.may_revert(request, answer),
        }
        return TemplateResponse(request, "admin/faq/answer/compare.html", context)

    def history_view(self, request, object_id, extra_context=None):
        require_id(object_id)
        answer = get_object_or_404(self.get_queryset(request), pk=object_id)
        extra_context = {**(extra_context or {}), "can_revert": self.may_revert(request, answer)}
        return super().history_view(request, object_id, extra_context)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        # The list shows notes; compare_view shows what changed, when asked.
        pass

    def may_revert(self, request, answer):
        return self.has_change_permission(request, answer) and live_edits_allowed(request, answer)

    def revert_view(self, request, pk, history_id):
        answer = self.get_answer_or_404(request, pk, "change")
        if not self.may_revert(request, answer):
            raise PermissionDenied
        row = get_object_or_404(answer.history.all(), pk=history_id)
        if request.method == "POST":
            revert(answer, row, request.user)
            message = gettext(
                "Reverted to the revision of %(date)s. "
                "This is a new revision; the history keeps every earlier one."
            ) % {"date": revision_label(row.history_date)}
            self.message_user(request, message, messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:faq_answer_history", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Revert to the revision of %(date)s?")
            % {"date": revision_label(row.history_date)},
            "opts": self.opts,
            "original": answer,
            "row": row,
            "differences": compare(
                RevisionText.from_answer(answer), RevisionText.from_history(row)
            ),
        }
        return TemplateResponse(request, "admin/faq/answer/revert_confirm.html", context)


def action_for(request, answer):
    """What a POST to the edit form asks for: save, save as draft, or publish."""
    if "_publish" in request.POST:
        return "publish"
    if answer is not None and answer.question.status == Question.Status.PUBLISHED:
        # A published answer's live text changes only by publishing.
        return "draft"
    return "save"


def preview_sources(formsets):
    """The sources as typed, valid or not yet, minus those ticked for deletion."""
    sources = []
    for formset in formsets:
        for form in formset.forms:
            title, url = form["title"].value(), form["url"].value()
            if not (title and url) or ("DELETE" in form.fields and form["DELETE"].value()):
                continue
            position = form["position"].value()
            position = int(position) if str(position).isdigit() else 0
            sources.append(Source(title=title, url=url, position=position))
    return sorted(sources, key=lambda source: source.position)


@admin.register(Topic)
class TopicAdmin(PublicTextAdmin):
    form = paired_form(Topic)
    list_display = ["name", "slug", "language"]
    list_filter = ["language"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SiteNotice)
class SiteNoticeAdmin(LabelledListEditableMixin, PublicTextAdmin):
    """The newest notice that is switched on is shown at the top of every public page."""

    list_display = ["text", "is_active", "updated_at"]
    list_editable = ["is_active"]


from . import admin_search  # noqa: E402, F401  (synonyms and the Searches report)
