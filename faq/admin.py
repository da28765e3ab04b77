from django.contrib import admin
from django.db import models
from django.db.models import Count, Max
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from .models import Answer, Category, Guide, Question, SiteNotice, Source, Topic


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
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
class GuideAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "is_published", "position", "question_count"]
    list_filter = ["category", "is_published"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [QuestionInGuideInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("category")
            .annotate(question_count=Count("questions"))
        )

    @admin.display(description="questions", ordering="question_count")
    def question_count(self, guide):
        return guide.question_count


class AnswerInline(admin.StackedInline):
    model = Answer
    can_delete = False
    min_num = 1
    max_num = 1
    fields = ["body", "change_note", "is_minor", "last_reviewed", "review_interval_days"]


@admin.register(Question)
class QuestionAdmin(SimpleHistoryAdmin):
    list_display = ["position", "text", "guide", "topic_list", "status", "last_updated"]
    list_display_links = ["text"]
    list_filter = ["guide", "status", "tags"]
    search_fields = ["text", "answer__body"]
    list_select_related = ["guide", "answer"]
    fields = ["guide", "position", "text", "slug", "status", "tags"]
    inlines = [AnswerInline]
    history_list_display = ["status", "text"]

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

    @admin.display(description="topics")
    def topic_list(self, question):
        return ", ".join(topic.name for topic in question.tags.all())

    @admin.display(description="last updated", ordering="answer__updated_at")
    def last_updated(self, question):
        answer = getattr(question, "answer", None)
        return answer.updated_at if answer else None


class SourceInline(admin.TabularInline):
    model = Source
    # A web address typed without a scheme is taken as https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ["position", "title", "url"]
    extra = 1


@admin.register(Answer)
class AnswerAdmin(SimpleHistoryAdmin):
    list_display = ["question", "guide", "updated_at", "last_reviewed"]
    list_filter = ["question__guide", "question__status"]
    search_fields = ["question__text", "body"]
    list_select_related = ["question__guide"]
    readonly_fields = ["question_link"]
    fields = [
        "question_link",
        "body",
        "change_note",
        "is_minor",
        "last_reviewed",
        "review_interval_days",
    ]
    inlines = [SourceInline]
    history_list_display = ["change_note", "is_minor", "changed_fields"]

    def has_add_permission(self, request):
        # Answers are created together with their question.
        return False

    @admin.display(description="guide", ordering="question__guide")
    def guide(self, answer):
        return answer.question.guide

    @admin.display(description="question")
    def question_link(self, answer):
        url = reverse("admin:faq_question_change", args=[answer.question_id])
        return format_html('<a href="{}">{}</a>', url, answer.question.text)

    @admin.display(description="what changed")
    def changed_fields(self, historical_answer):
        previous = historical_answer.prev_record
        if previous is None:
            return "created"
        delta = historical_answer.diff_against(
            previous, excluded_fields=["body_html", "updated_at"]
        )
        return ", ".join(change.field for change in delta.changes) or "nothing"


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SiteNotice)
class SiteNoticeAdmin(admin.ModelAdmin):
    """The newest notice that is switched on is shown at the top of every public page."""

    list_display = ["text", "is_active", "updated_at"]
    list_editable = ["is_active"]
