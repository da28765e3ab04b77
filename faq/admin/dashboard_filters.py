"""Answer changelist filters the dashboard links to (templates/admin/index.html):
"mine" (my drafts, sent back to me, waiting for my review) and failed or
overdue schedules. For AnswerAdmin.list_filter; the querysets are the
dashboard's own (faq/dashboard.py), so a section's count and its list agree.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .. import dashboard
from ..roles import REVIEW_PERMISSION


class MineFilter(admin.SimpleListFilter):
    title = _("my work")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        choices = [("drafts", _("My drafts")), ("sent_back", _("Sent back to me"))]
        if request.user.has_perm(REVIEW_PERMISSION):
            choices.append(("to_review", _("Waiting for my review")))
        return choices

    def queryset(self, request, queryset):
        user = request.user
        if self.value() == "drafts":
            return dashboard.my_drafts(user, queryset)
        if self.value() == "sent_back":
            return dashboard.sent_back_to(user, queryset)
        if self.value() == "to_review":
            return dashboard.waiting_for_review_by(user, queryset)
        return queryset


class ScheduleProblemFilter(admin.SimpleListFilter):
    title = _("schedule")
    parameter_name = "schedule"

    def lookups(self, request, model_admin):
        return [("problems", _("Failed or overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "problems":
            return dashboard.schedule_problem_answers(queryset=queryset)
        return queryset
