"""Server-side page cache and conditional requests for anonymous readers.

Sits directly after WhiteNoise, so a cached page is answered without running
sessions, CSRF, authentication or any view: one read of the content stamp
(faq.cache) and one cache lookup, no SQL. A page is cached when the request
is an anonymous GET or HEAD outside PAGE_CACHE_EXEMPT_PREFIXES (the admin,
/healthz), its query string holds only PAGE_CACHE_QUERY_PARAMS (so random
query strings cannot flush popular pages out), and the response is a 200 that
sets no cookie and does not ask to be private or uncached.

Cached pages carry an ETag and Last-Modified derived from the stamp, so a
browser or proxy revalidating a page it holds gets a 304 without the page being
rendered. Cache-Control lets browsers and proxies reuse a page for
PAGE_CACHE_MAX_AGE seconds and then makes them revalidate (must-revalidate:
never show an older answer than that, even when this server cannot be reached).
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_etags

from .cache import read_stamp
from .search_stats import SEARCH_PATHS, record_hit

logger = logging.getLogger(__name__)


CONDITIONAL_HEADERS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        # Read once: a cache hit should cost little more than a static file.
        self.seconds = settings.PAGE_CACHE_SECONDS
        self.max_age = settings.PAGE_CACHE_MAX_AGE
        self.session_cookie = settings.SESSION_COOKIE_NAME
        self.exempt_prefixes = tuple(settings.PAGE_CACHE_EXEMPT_PREFIXES)
        self.query_params = frozenset(settings.PAGE_CACHE_QUERY_PARAMS)
        self.cache_control = f"public, max-age={self.max_age}, must-revalidate"

    def __call__(self, request):
        if not self.may_cache(request):
            response = self.get_response(request)
            if self.session_cookie in request.COOKIES and "Cache-Control" not in response:
                # An editor's view of a page must not land in a shared proxy cache.
                patch_cache_control(response, private=True, no_cache=True)
            return response

        try:
            stamp = read_stamp()
        except OSError as error:  # an unwritable stamp file: serve, but do not cache
            logger.error("Page cache stamp unavailable: %s", error)
            return self.get_response(request)
        page = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        digest = hashlib.sha256(f"{stamp.token}|{page}".encode()).hexdigest()
        key, etag = f"page:{digest}", f'"{digest[:32]}"'
        if self.etag_matches(request, etag):
            # Only this server hands out ETags made from the current stamp and this
            # URL, and only for cacheable pages: the reader's copy is current.
            return self.not_modified(etag, stamp)
        cache = caches["default"]
        entry = cache.get(key)
        if entry is None:
            response = self.get_response(request)
            if not self.is_cacheable(request, response):
                return response
            self.add_validators(response, etag, stamp)
            cache.set(key, (response.content, dict(response.headers._store)), self.seconds)
        else:
            content, headers = entry
            response = HttpResponse(content)
            # The stored headers were validated when the page was rendered.
            response.headers._store.update(headers)
            if request.path_info in SEARCH_PATHS:
                record_hit(request, response)  # cached searches still count (faq/search_stats.py)
        if any(header in request.META for header in CONDITIONAL_HEADERS):
            return get_conditional_response(
                request, etag=etag, last_modified=int(stamp.modified), response=response
            )
        return response

    def add_validators(self, response, etag, stamp):
        response["ETag"] = etag
        response["Last-Modified"] = http_date(stamp.modified)
        patch_cache_control(response, public=True, max_age=self.max_age, must_revalidate=True)
        patch_vary_headers(response, ["Cookie"])

    def not_modified(self, etag, stamp):
        # The same headers add_validators() gives a fresh response, set directly:
        # this is the hottest path, answered without a view or a cache lookup.
        response = HttpResponseNotModified()
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = http_date(stamp.modified)
        response.headers["Cache-Control"] = self.cache_control
        response.headers["Vary"] = "Cookie"
        return response

    @staticmethod
    def etag_matches(request, etag):
        header = request.META.get("HTTP_IF_NONE_MATCH")
        if not header:
            return False
        return etag in (tag.removeprefix("W/") for tag in parse_etags(header))

    def may_cache(self, request):
        # Most readers send no cookie and no query string: those are not parsed.
        meta = request.META
        return (
            self.seconds > 0
            and request.method in ("GET", "HEAD")
            and not request.path_info.startswith(self.exempt_prefixes)
            and (not meta.get("HTTP_COOKIE") or self.session_cookie not in request.COOKIES)
            and (not meta.get("QUERY_STRING") or self.query_params.issuperset(request.GET))
        )

    @staticmethod
    def is_cacheable(request, response):
        cache_control = response.get("Cache-Control", "")
        return (
            query_is_as_rendered(request)
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in cache_control
            and "no-cache" not in cache_control
            and "no-store" not in cache_control
        )


def declare_query(request, **values):
    """Tell the page cache which query parameters this page was rendered from,
    in the form the page itself writes them (e.g. page=2).

    A page is stored only when every parameter in its URL is one of these with
    the same value, so the pages a made-up URL renders (`/?q=x`, `?page=02`,
    `?page=999` shown as the last page) are never stored and cannot push real
    pages out of the cache.
    """
    request.page_cache_query = {name: str(value) for name, value in values.items()}


def query_is_as_rendered(request):
    declared = getattr(request, "page_cache_query", {})
    return all(request.GET.getlist(name) == [declared.get(name)] for name in request.GET)


# The admin's URL prefix (dmvpolicy/urls.py), as in PAGE_CACHE_EXEMPT_PREFIXES.
ADMIN_PREFIX = "/admin/"


class AdminLanguageMiddleware:
    """Editors get the admin in their browser's language (Accept-Language).

    Only under the admin's prefix: public pages take their language from
    their URL alone, so a reader's browser never changes a public page and
    the page cache needs one copy per URL. The admin is never cached. The
    language is switched back after the response, so the next request in
    this thread (a public page) does not inherit it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = ADMIN_PREFIX

    def __call__(self, request):
        if not request.path_info.startswith(self.prefix):
            return self.get_response(request)
        language = translation.get_language_from_request(request)
        request.LANGUAGE_CODE = language
        with translation.override(language):
            response = self.get_response(request)
        patch_vary_headers(response, ["Accept-Language"])
        response.headers.setdefault("Content-Language", language)
        return response
