"""Counts of what readers searched for: per day, language and normalised query.

What is stored (SearchCount rows) is the day, the language, the normalised
query, whether it found answers and a count, nothing else: no time of day, no
address, no cookie, no browser. Normalising lowercases the query, drops every
word holding a digit or an "@" (case numbers, phone numbers, addresses,
e-mail addresses), keeps the letters of the other words and caps the length.

Counting never slows a search: each app server process adds searches to a
counter in memory and writes them after a response has been sent, at most
every SEARCH_STATS_FLUSH_SECONDS (one UPSERT per distinct query, adding to the
day's row, so any number of processes and servers add up correctly), and when
a gunicorn worker stops (gunicorn.conf.py's worker_exit, and atexit). What can
be lost: the searches a process counted since its last write if it is killed
without stopping (kill -9, out of memory, a worker timeout): at most
SEARCH_STATS_FLUSH_SECONDS of that process's searches.

Page cache hits are counted too: the page cache middleware calls record_hit()
for search pages it answers; pages it renders are counted by the view. Only
the first page of a search is counted, and a browser revalidating a page it
already holds (a 304) is not counted again.
"""

import atexit
import datetime
import functools
import logging
import re
import threading
import time
from collections import Counter

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.http import QueryDict
from django.utils import timezone

from .search_models import DEFAULT_LANGUAGE, SearchCount

logger = logging.getLogger(__name__)

MAX_STORED_LENGTH = 100
# The response header a rendered search page carries, so a cache hit of that
# page knows whether it found answers. It says only what the page says.
FOUND_HEADER = "X-Search-Found"
# Search pages by path and the language their queries are in.
SEARCH_PATHS = {"/search/": DEFAULT_LANGUAGE, "/es/buscar/": "es"}
LETTERS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")

_pending = Counter()  # (day, language, query, found) -> searches not yet written
_lock = threading.Lock()
_last_flush = time.monotonic()


def normalise(query):
    """The form a query is stored in ("" when nothing storable is left)."""
    words = []
    for chunk in str(query or "").lower().split():
        if "@" in chunk or any(char.isdigit() for char in chunk):
            continue
        words.extend(LETTERS.findall(chunk))
    text = " ".join(words).replace("’", "'")
    return text[:MAX_STORED_LENGTH].rsplit(" ", 1)[0] if len(text) > MAX_STORED_LENGTH else text


def record(query, found, language=DEFAULT_LANGUAGE, day=None):
    """Count one search; written to the database by the next flush."""
    _add(normalise(query), found, language, day)


def _add(normalised, found, language, day=None):
    if normalised:
        with _lock:
            _pending[(day or _today(), language, normalised, bool(found))] += 1


def record_hit(request, response):
    """Called by the page cache for every page it answers from the cache."""
    language = SEARCH_PATHS.get(request.path_info)
    found = response.headers.get(FOUND_HEADER)
    if language is None or found is None:
        return
    _add(counted_query(request.META.get("QUERY_STRING", "")), found == "1", language)


@functools.lru_cache(maxsize=256)
def counted_query(query_string):
    """The normalised query a search page's query string counts as ("" for a
    later page), remembered: a cache hit should cost little more than a file."""
    parameters = QueryDict(query_string)
    return normalise(parameters.get("q", "")) if parameters.get("page", "1") == "1" else ""


_day = [None, None]  # [a second since the epoch, the local day then]


def _today():
    """timezone.localdate(), worked out once a second."""
    now = timezone.now()
    second = int(now.timestamp())
    if _day[0] != second:
        _day[:] = [second, timezone.localdate(now)]
    return _day[1]


def flush():
    """Write the counted searches: one UPSERT per (day, language, query, found)."""
    global _last_flush
    with _lock:
        rows = list(_pending.items())
        _pending.clear()
        _last_flush = time.monotonic()
    if not rows:
        return 0
    sql = (
        "INSERT INTO faq_searchcount (day, language, query, found, count) "
        "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (day, language, query, found) "
        "DO UPDATE SET count = faq_searchcount.count + excluded.count"
    )
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, [(*key, count) for key, count in rows])
    except DatabaseError:
        logger.exception("Search counts not written; they are kept for the next try.")
        with _lock:
            for key, count in rows:
                _pending[key] += count
        return 0
    return len(rows)


def flush_if_due(**kwargs):
    """request_finished receiver: write counts after the response has been sent."""
    interval = settings.SEARCH_STATS_FLUSH_SECONDS
    if _pending and interval is not None and time.monotonic() - _last_flush >= interval:
        flush()


def pending():
    with _lock:
        return dict(_pending)


def discard_pending():
    with _lock:
        _pending.clear()


def delete_older_than(days, today=None, dry_run=False):
    """Delete the counts of days more than `days` days ago; returns how many rows."""
    today = today or timezone.localdate()
    old = SearchCount.objects.filter(day__lt=today - datetime.timedelta(days=days))
    if dry_run:
        return old.count()
    deleted, _ = old.delete()
    return deleted


def connect():
    from django.core.signals import request_finished

    request_finished.connect(flush_if_due, dispatch_uid="search-stats-flush")
    atexit.register(flush_at_exit)


def flush_at_exit():
    try:
        flush()
    except Exception:  # the database may already be gone at exit
        logger.exception("Search counts not written at exit.")
