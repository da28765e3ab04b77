"""Admin screens for search: synonym groups, and the Searches report (issue 14).

Synonyms change no public text, so Editors manage them as well as Publishers;
every change is kept in the group's history with who made it.
"""

import datetime
from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import Sum
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ..search_models import LANGUAGES, SearchCount, SynonymGroup
from ..search_stats import SEARCH_PATHS
from .public import RefusesHistoryRevert

# Queries made fewer times are never listed: a rare query is more likely to be
# a reader's own name or address than a question others share.
MIN_SEARCHES = 3
REPORT_DAYS = (7, 30)
REPORT_ROWS = 50


@admin.register(SynonymGroup)
class SynonymGroupAdmin(RefusesHistoryRevert, SimpleHistoryAdmin):
    list_display = ["__str__", "language", "note", "updated_at"]
    list_filter = ["language"]
    search_fields = ["terms", "note"]
    fields = ["language", "terms", "note"]

    class Media:
        css = {"all": ["faq/admin-search.css"]}


def search_link(language, query):
    path = next((p for p, code in SEARCH_PATHS.items() if code == language), reverse("faq:search"))
    return f"{path}?{urlencode({'q': query})}"


def top_queries(language, days, only_not_found=False, today=None):
    """[(query, searches, link), …]: the most searched, at least MIN_SEARCHES times."""
    today = today or timezone.localdate()
    rows = SearchCount.objects.filter(
        language=language, day__gt=today - datetime.timedelta(days=days)
    )
    if only_not_found:
        rows = rows.filter(found=False)
    totals = (
        rows.values("query")
        .annotate(searches=Sum("count"))
        .filter(searches__gte=MIN_SEARCHES)
        .order_by("-searches", "query")[:REPORT_ROWS]
    )
    return [(t["query"], t["searches"], search_link(language, t["query"])) for t in totals]


@admin.register(SearchCount)
class SearchReportAdmin(admin.ModelAdmin):
    """One read-only screen: what readers searched for, and what found nothing."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        languages = dict(LANGUAGES)
        language = request.GET.get("language")
        language = language if language in languages else LANGUAGES[0][0]
        days = request.GET.get("days")
        days = int(days) if days in {str(d) for d in REPORT_DAYS} else REPORT_DAYS[0]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Searches"),
            "language": language,
            "language_name": languages[language],
            "days": days,
            "periods": [
                (d, f"?{urlencode({'language': language, 'days': d})}") for d in REPORT_DAYS
            ],
            "languages": [
                (code, name, f"?{urlencode({'language': code, 'days': days})}")
                for code, name in LANGUAGES
            ],
            "top": top_queries(language, days),
            "not_found": top_queries(language, days, only_not_found=True),
            "min_searches": MIN_SEARCHES,
        }
        return TemplateResponse(request, "admin/faq/searchcount/report.html", context)
