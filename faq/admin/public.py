"""Admin rules for the public text outside answers: topics, guides, categories
and the site notice.

Like a published answer, what readers already see changes only by someone with
the publish permission, and every change is a history row with its user
(simple-history). An Editor sees a live topic read-only; one no published
question uses yet is theirs to fix.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin
from taggit.models import Tag

from ..models import Category, Guide, Question, SiteNotice, Topic
from ..roles import PUBLISH_PERMISSION


def is_public(obj):
    """Whether readers see `obj` now."""
    if isinstance(obj, Topic):
        return Question.objects.published().filter(tags=obj).exists()
    if isinstance(obj, Guide):
        return obj.is_published
    if isinstance(obj, Category):
        return obj.guides.published().exists()
    if isinstance(obj, SiteNotice):
        return obj.is_active
    raise TypeError(f"No rule says when a {type(obj).__name__} is public.")


class RefusesHistoryRevert:
    """simple-history's revert saves an old row over the live one with only the
    change permission; SIMPLE_HISTORY_REVERT_DISABLED only hides it, so its
    screen refuses every POST."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_view_title(self, request, obj):
        # simple-history's own title ("View history: …") has no Spanish translation.
        return gettext("History: %(object)s") % {"object": obj}


class PublicTextAdmin(RefusesHistoryRevert, SimpleHistoryAdmin):
    """Changing or deleting what is public needs the publish permission too."""

    def may_touch(self, request, obj):
        return obj is None or request.user.has_perm(PUBLISH_PERMISSION) or not is_public(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_touch(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_touch(request, obj)


# taggit's own screen is for its generic Tag model, which this site does not
# use (topics are faq.Topic), and its "merge tags" view checks no permission:
# any staff user could open it (tests/test_permissions.py found it).
if admin.site.is_registered(Tag):
    admin.site.unregister(Tag)
