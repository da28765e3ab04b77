"""The screens for public text outside answers: categories, guides (with their
"Import a guide" screen), topics and the site notice. Their rules are in
faq/admin/public.py."""

from django.contrib import admin
from django.db.models import Count
from django.urls import path
from django.utils.translation import gettext_lazy as _

from ..models import Category, Guide, Question, SiteNotice, Topic
from .guide_import import import_guide_view
from .labels import LabelledListEditableMixin
from .public import PublicTextAdmin
from .translations import paired_form


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


@admin.register(Topic)
class TopicAdmin(PublicTextAdmin):
    form = paired_form(Topic)
    list_display = ["name", "slug", "language"]
    list_filter = ["language"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SiteNotice)
class SiteNoticeAdmin(LabelledListEditableMixin, PublicTextAdmin):
    """The newest notice that is switched on is shown at the top of every public page
    (on the other language's pages too while that language has none on)."""

    list_display = ["text", "language", "is_active", "updated_at"]
    list_filter = ["language"]
    list_editable = ["is_active"]
