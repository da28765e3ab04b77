"""The reader's search page."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import reader_search, search_stats
from ..languages import ENGLISH
from ..middleware import declare_query
from ..search import CONTROL
from ..translations import site_page_in_other_language

SEARCH_PAGE_SIZE = 10
MAX_QUERY_DISPLAY = 200


def clean_query(raw):
    return " ".join(CONTROL.sub(" ", raw).split())[:MAX_QUERY_DISPLAY]


def page_number(value, largest=10_000):
    """A page number from the query string; anything odd means page 1."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), largest)


@require_GET
def search_view(request, language=ENGLISH):
    query = clean_query(request.GET.get("q", ""))
    context = {
        "query": query,
        "page_obj": None,
        "matched_all": True,
        "outcome": None,
        "stats_days": settings.SEARCH_STATS_DAYS,
        "translation": site_page_in_other_language(language, "faq:search"),
    }
    if not query:
        return render(request, "faq/search.html", context)
    number = page_number(request.GET.get("page"))
    outcome = reader_search.find(query, number, SEARCH_PAGE_SIZE, language)
    result = outcome.result
    context.update(
        page_obj=result.page, hits=result.hits, matched_all=result.matched_all, outcome=outcome
    )
    declare_query(request, q=query, page=result.page.number)
    response = render(request, "faq/search.html", context)
    # Cache hits of this page are counted by the page cache (search_stats.record_hit).
    response[search_stats.FOUND_HEADER] = "1" if outcome.found else "0"
    if number == 1:
        search_stats.record(query, outcome.found, language)
    return response
