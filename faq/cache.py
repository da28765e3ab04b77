"""The content stamp that keys every cached public page.

Every public page is cached under a key that includes the current stamp. Any
save or delete of a model in CONTENT_MODELS (and any change to its many-to-many
fields, such as topics) replaces the stamp, so the next request for any page
misses the cache and is rendered from the database: no page is ever served
stale after an edit, a publish, a revert or a seeding, and nothing has to work
out which pages an edit touched. The stamp is replaced twice: at once, and
again when the transaction commits, so a page rendered between the two (from
the not yet committed state) is never served after the commit.

Where the stamp lives depends on the cache. A shared cache (Redis,
Memcached) holds it, so every app server sees the same stamp. The default
local-memory cache is private to each gunicorn worker, so the stamp then lives
in a small file (PAGE_CACHE_STAMP_FILE) that all workers on the machine read:
one open() and read() per request, no SQL.
"""

import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

# Models whose rows public pages show. Adding a model is one line here; every
# saved or deleted instance then invalidates the page cache, whatever code
# saved it (admin, revert, import, management command).
CONTENT_MODELS = [
    "faq.Category",
    "faq.Guide",
    "faq.Question",
    "faq.Answer",
    "faq.Source",
    "faq.Topic",
    "faq.TaggedQuestion",
    "faq.SiteNotice",
    # Synonyms change what a search finds.
    "faq.SynonymGroup",
]

# Models no public page shows, so their rows never invalidate the cache: the
# search statistics (written every few seconds), and the spelling vocabulary
# (rebuilt in bulk; faq/suggest.py replaces the stamp itself after a rebuild).
NOT_CONTENT_MODELS = ["faq.SearchCount", "faq.SpellingWord"]

STAMP_CACHE_KEY = "page-stamp"


@dataclass(frozen=True)
class Stamp:
    token: str
    modified: float  # Unix time of the change that made this stamp


def new_stamp_value():
    return f"{time.time():.6f} {secrets.token_hex(8)}"


def parse_stamp(value):
    modified, _, token = value.partition(" ")
    return Stamp(token=f"{modified}-{token}", modified=float(modified))


def uses_stamp_file():
    # Each worker has its own local-memory cache; only a file is shared.
    return isinstance(caches["default"], LocMemCache)


def read_stamp():
    """The current stamp; a missing stamp is created (a fresh cache or file)."""
    if uses_stamp_file():
        path = settings.PAGE_CACHE_STAMP_FILE
        try:
            return read_stamp_file(path)
        except (FileNotFoundError, ValueError):
            bump_stamp()
            return read_stamp()
    cache = caches["default"]
    value = cache.get(STAMP_CACHE_KEY)
    if value is None:
        cache.add(STAMP_CACHE_KEY, new_stamp_value(), timeout=None)
        value = cache.get(STAMP_CACHE_KEY)
    return parse_stamp(value)


_last_read = {}  # path -> (file identity, Stamp), per worker process


def read_stamp_file(path):
    """The stamp in `path`, re-read only when the file was replaced.

    bump_stamp() always writes a new file and renames it into place, so a new
    stamp always comes with a new (inode, modification time, size): one stat()
    per request instead of open, read and close.
    """
    status = os.stat(path)
    identity = (status.st_ino, status.st_mtime_ns, status.st_size)
    known = _last_read.get(path)
    if known is not None and known[0] == identity:
        return known[1]
    with open(path) as file:
        stamp = parse_stamp(file.read())
    _last_read[path] = (identity, stamp)
    return stamp


def bump_stamp():
    """Replace the stamp, so every page cached so far is no longer found."""
    value = new_stamp_value()
    if uses_stamp_file():
        path = Path(settings.PAGE_CACHE_STAMP_FILE)
        # Unique per thread too: two threads of one worker may bump at once.
        temporary = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        temporary.write_text(value)
        # Readers tell stamps apart by (inode, mtime, size); every stamp has the
        # same size, a freed inode can come back at once and the kernel's file
        # clock moves in steps of milliseconds, so each stamp gets its own mtime.
        now = time.time_ns()
        os.utime(temporary, ns=(now, now))
        os.replace(temporary, path)  # atomic: readers see the old or the new stamp
    else:
        caches["default"].set(STAMP_CACHE_KEY, value, timeout=None)


def stamp_store_ok():
    """Whether the stamp store can be written now: /healthz reports it, because
    every save replaces the stamp and fails when it cannot."""
    try:
        if uses_stamp_file():
            path = Path(settings.PAGE_CACHE_STAMP_FILE)
            probe = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.probe")
            probe.write_text("probe")
            probe.unlink()
            return True
        cache = caches["default"]
        key = f"{STAMP_CACHE_KEY}-probe-{secrets.token_hex(4)}"
        cache.set(key, "1", timeout=5)
        written = cache.get(key) == "1"
        cache.delete(key)
        return written
    except Exception:  # noqa: BLE001 - any cache client's error means "cannot write"
        return False


def content_changed(sender=None, using=None, action="post_save", **kwargs):
    """Signal receiver: invalidate now and once more when the transaction commits."""
    if not action.startswith("post_"):
        return  # m2m_changed also fires before the change
    bump_stamp()
    connection = transaction.get_connection(using)
    pending = connection.run_on_commit
    # One commit-time bump per transaction is enough, even after 10,000 saves.
    if not pending or pending[-1][1] is not bump_stamp:
        # Robust: the rows are committed by then, so a failing stamp must not
        # turn a save into an error (the bump before the commit already passed).
        transaction.on_commit(bump_stamp, using=using, robust=True)


def watch(model):
    """Invalidate the page cache whenever a row of `model` (or its m2m links) changes."""
    uid = f"page-cache-{model._meta.label}"
    post_save.connect(content_changed, sender=model, dispatch_uid=f"{uid}-save")
    post_delete.connect(content_changed, sender=model, dispatch_uid=f"{uid}-delete")
    for field in model._meta.many_to_many:
        through = field.remote_field.through
        m2m_changed.connect(content_changed, sender=through, dispatch_uid=f"{uid}-{field.name}")


def connect_signals():
    for label in CONTENT_MODELS:
        watch(apps.get_model(label))


@checks.register(checks.Tags.caches)
def check_stamp_file(**kwargs):
    """Edits fail if the stamp file cannot be written; say so before they do."""
    if not uses_stamp_file() or settings.PAGE_CACHE_SECONDS <= 0:
        return []
    path = Path(settings.PAGE_CACHE_STAMP_FILE)
    target = path if path.exists() else path.parent
    if os.access(target, os.W_OK) and os.access(path.parent, os.W_OK):
        return []
    return [
        checks.Error(
            f"The page cache stamp file {path} cannot be written.",
            hint="Set PAGE_CACHE_STAMP_FILE to a writable path, or use a shared cache "
            "(CACHE_URL=redis://… or memcached://…).",
            id="faq.E001",
        )
    ]
