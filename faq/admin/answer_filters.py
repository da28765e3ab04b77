"""The filters of the answers list. Their parameter names are part of the
admin's addresses (the dashboard links to them): `review`, `draft`,
`review_state` (a ReviewState value) and `needs_review` (`yes`)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models.workflow import ReviewState


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


class ReviewStateFilter(admin.SimpleListFilter):
    """Where each answer's waiting change stands: ?review_state=in_review."""

    title = _("publishing workflow")
    parameter_name = "review_state"

    def lookups(self, request, model_admin):
        return [(value, label) for value, label in ReviewState.choices if value]

    def queryset(self, request, queryset):
        if self.value() in ReviewState.values:
            return queryset.filter(review_state=self.value())
        return queryset


class NeedsReviewFilter(admin.SimpleListFilter):
    """Published urgently and not reviewed since: ?needs_review=yes."""

    title = _("review after publishing")
    parameter_name = "needs_review"

    def lookups(self, request, model_admin):
        return [("yes", _("Published without review"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(published_unreviewed_at=None)
        return queryset
