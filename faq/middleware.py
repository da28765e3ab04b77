"""Server-side page cache, compression and conditional requests for anonymous readers.

Sits directly after WhiteNoise, so a cached page is answered without running
sessions, CSRF, authentication or any view: one read of the page's content
stamps (faq.cache) and one cache lookup, no SQL. A page is cached when the
request is an anonymous GET or HEAD outside PAGE_CACHE_EXEMPT_PREFIXES (the
admin, /healthz), its query string holds only PAGE_CACHE_QUERY_PARAMS (so
random query strings cannot flush popular pages out), and the response is a
200 that sets no cookie and does not ask to be private or uncached.

A page is stored once with its gzip and brotli bodies (faq/compression.py); a
hit sends the one Accept-Encoding prefers. Anonymous responses the cache does
not keep are compressed as they leave; the admin and editors' requests never.

Cached pages carry an ETag (one per encoding) and Last-Modified derived from
the stamps, so a browser or proxy revalidating a page it holds gets a 304
without the page being rendered or looked up. Cache-Control lets browsers and
proxies reuse a page for PAGE_CACHE_MAX_AGE seconds and then makes them
revalidate (must-revalidate: never show an older answer than that, even when
this server cannot be reached).

When a page must be rendered, one request per app server renders it while the
others wait up to PAGE_CACHE_RENDER_WAIT seconds for that render (render_once).
"""

import functools
import hashlib
import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.http import HttpResponse, HttpResponseNotModified, QueryDict
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_etags

from .cache import forget_stamps, page_scopes, read_stamps, scopes_for_match
from .compression import (
    ETAG_SUFFIX,
    compress,
    compressed_bodies,
    is_compressible,
    preferred_encoding,
)
from .search_stats import SEARCH_PATHS, record_hit

logger = logging.getLogger(__name__)


CONDITIONAL_HEADERS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)
RENDER_LOCK_SECONDS = 30  # a crashed renderer's lock expires (gunicorn's timeout)


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        # Read once: a cache hit should cost little more than a static file.
        self.seconds = settings.PAGE_CACHE_SECONDS
        self.max_age = settings.PAGE_CACHE_MAX_AGE
        self.render_wait = settings.PAGE_CACHE_RENDER_WAIT
        self.session_cookie = settings.SESSION_COOKIE_NAME
        self.exempt_prefixes = tuple(settings.PAGE_CACHE_EXEMPT_PREFIXES)
        self.query_params = frozenset(settings.PAGE_CACHE_QUERY_PARAMS)
        self.cache_control = f"public, max-age={self.max_age}, must-revalidate"

    def __call__(self, request):
        if not self.may_cache(request):
            response = self.get_response(request)
            if self.is_editor(request):
                if "Cache-Control" not in response:
                    # An editor's view of a page must not land in a shared proxy cache.
                    patch_cache_control(response, private=True, no_cache=True)
                return response
            if not request.path_info.startswith(self.exempt_prefixes):
                return compress_response(request, response)
            return response

        created, scopes = [], page_scopes(request.path_info)
        try:
            stamps = read_stamps(scopes, created)
        except OSError as error:  # an unwritable stamp file: serve, but do not cache
            logger.error("Page cache stamp unavailable: %s", error)
            return compress_response(request, self.get_response(request))
        page = f"{request.scheme}://{allowed_host(request)}{request.get_full_path()}"
        tokens = "|".join(stamp.token for stamp in stamps)
        digest = hashlib.sha256(f"{tokens}|{page}".encode()).hexdigest()
        modified = max(stamp.modified for stamp in stamps)
        encoding = preferred_encoding(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        key = f"page:{digest}"
        etag = f'"{digest[:32]}{ETAG_SUFFIX[encoding]}"'
        if self.etag_matches(request, etag):
            # Only this server hands out ETags made from the current stamps and this
            # URL, and only for cacheable pages: the reader's copy is current.
            return self.not_modified(etag, modified)
        cache = caches["default"]
        entry = cache.get(key)
        if entry is None:
            entry, response = render_once(
                cache,
                key,
                lambda: self.render(request, key, digest, modified, scopes),
                self.render_wait,
            )
            if entry is None:  # not a page the cache keeps
                if created:
                    forget_stamps(created)
                return compress_response(request, response)
        response = self.from_entry(entry, encoding, etag)
        if request.path_info in SEARCH_PATHS and not getattr(request, "page_rendered", False):
            record_hit(request, response)  # cached searches still count (faq/search_stats.py)
        if any(header in request.META for header in CONDITIONAL_HEADERS):
            return get_conditional_response(
                request, etag=etag, last_modified=int(modified), response=response
            )
        return response

    def render(self, request, key, digest, modified, scopes):
        """Render the page; store it (every encoding) when it may be cached."""
        request.page_rendered = True  # its view ran (and counted a search itself)
        response = self.get_response(request)
        if not self.is_cacheable(request, response):
            return None, response
        match = getattr(request, "resolver_match", None)
        if match is None or scopes_for_match(match) != scopes:
            # The view that answered is not the one page_scopes() foresaw (a
            # URLconf that resolves by language, say): its scopes are unknown.
            logger.warning("Page cache: %s resolved differently; not cached", request.path)
            return None, response
        self.add_validators(response, f'"{digest[:32]}"', modified)
        headers = dict(response.headers._store)
        headers.pop("content-length", None)
        bodies = compressed_bodies(response.content) if is_compressible(response) else None
        entry = (headers, bodies or {"": response.content})
        caches["default"].set(key, entry, self.seconds)
        return entry, response

    @staticmethod
    def from_entry(entry, encoding, etag):
        headers, bodies = entry
        if encoding not in bodies:
            encoding = ""  # too small to compress; the ETag still names the request's variant
        response = HttpResponse(bodies[encoding])
        # The stored headers were validated when the page was rendered.
        response.headers._store.update(headers)
        response.headers["ETag"] = etag
        response.headers["Content-Length"] = str(len(bodies[encoding]))
        if encoding:
            response.headers["Content-Encoding"] = encoding
        return response

    def add_validators(self, response, etag, modified):
        response["ETag"] = etag
        response["Last-Modified"] = http_date(modified)
        patch_cache_control(response, public=True, max_age=self.max_age, must_revalidate=True)
        patch_vary_headers(response, ["Cookie", "Accept-Encoding"])

    def not_modified(self, etag, modified):
        # The same headers add_validators() gives a fresh response, set directly:
        # this is the hottest path, answered without a view or a cache lookup.
        response = HttpResponseNotModified()
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = http_date(modified)
        response.headers["Cache-Control"] = self.cache_control
        response.headers["Vary"] = "Cookie, Accept-Encoding"
        return response

    @staticmethod
    def etag_matches(request, etag):
        header = request.META.get("HTTP_IF_NONE_MATCH")
        if not header:
            return False
        return etag in (tag.removeprefix("W/") for tag in parse_etags(header))

    def is_editor(self, request):
        return bool(request.META.get("HTTP_COOKIE")) and self.session_cookie in request.COOKIES

    def may_cache(self, request):
        # Most readers send no cookie and no query string: those are not parsed.
        meta = request.META
        return (
            self.seconds > 0
            and request.method in ("GET", "HEAD")
            and not request.path_info.startswith(self.exempt_prefixes)
            and not self.is_editor(request)
            and (
                not meta.get("QUERY_STRING")
                or self.query_params.issuperset(parameter_names(meta["QUERY_STRING"]))
            )
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


@functools.lru_cache(maxsize=256)
def parameter_names(query_string):
    """The names in a query string, remembered: readers repeat the same
    searches, and parsing one cost a search page's cache hit a tenth of its time."""
    return frozenset(QueryDict(query_string))


_allowed_hosts = set()  # Host headers request.get_host() accepted, per worker
MAX_ALLOWED_HOSTS = 64  # a few names per site; past that, each request is checked


def allowed_host(request):
    """request.get_host(), remembered per Host header: checking ALLOWED_HOSTS
    again on every cache hit cost as much as reading the page's stamps."""
    host = request._get_raw_host()
    if host not in _allowed_hosts:
        host = request.get_host()  # DisallowedHost (a 400) for a host not allowed
        if len(_allowed_hosts) < MAX_ALLOWED_HOSTS:
            _allowed_hosts.add(host)
    return host


def forget_allowed_hosts(setting, **kwargs):
    if setting in ("ALLOWED_HOSTS", "DEBUG", "USE_X_FORWARDED_HOST"):
        _allowed_hosts.clear()


setting_changed.connect(forget_allowed_hosts)


def compress_response(request, response):
    """An anonymous response the cache does not keep, compressed as it leaves."""
    if not is_compressible(response):
        return response
    patch_vary_headers(response, ["Accept-Encoding"])
    encoding = preferred_encoding(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    if not encoding or len(response.content) < 200:
        return response
    response.content = compress(response.content, encoding)
    response.headers["Content-Encoding"] = encoding
    response.headers["Content-Length"] = str(len(response.content))
    if response.has_header("ETag"):  # another encoding is another representation
        response.headers["ETag"] = response["ETag"].rstrip('"') + ETAG_SUFFIX[encoding] + '"'
    return response


_render_locks = {}  # cache key -> [lock, number of requests using it]
_render_locks_guard = threading.Lock()


def render_once(cache, key, render, wait):
    """(entry, response) from `render()`, run by one request at a time per page.

    Threads of this process queue on a lock per key, and find the page stored
    when their turn comes. Across processes and app servers, a short "rendering"
    key in the cache marks the page as being rendered: the others poll for the
    stored page for up to `wait` seconds, then render it themselves (so a
    crashed or slow renderer delays readers, never blocks them).
    """
    with _render_locks_guard:
        holder = _render_locks.setdefault(key, [threading.Lock(), 0])
        holder[1] += 1
    try:
        with holder[0]:
            entry = cache.get(key)
            if entry is not None:
                return entry, None
            lock_key = f"{key}:rendering"
            if cache.add(lock_key, 1, timeout=RENDER_LOCK_SECONDS):
                try:
                    return render()
                finally:
                    cache.delete(lock_key)
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                time.sleep(0.01)
                entry = cache.get(key)
                if entry is not None:
                    return entry, None
            return render()
    finally:
        with _render_locks_guard:
            holder[1] -= 1
            if not holder[1]:
                del _render_locks[key]


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
