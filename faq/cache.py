"""Content stamps that key every cached public page, scoped to what an edit changed.

A cached page is keyed by its URL and the current value of each *scope* it
shows (page_scopes()); an edit replaces the stamps of the scopes it can change
(scopes_changed_by()), so the pages showing those scopes miss the cache and are
rendered from the database, and every other page stays cached. The scopes:

- SITE: every page (the site notice, categories, guides' titles, topics'
  names). Replaced by any change to a Category, Guide, Topic or SiteNotice, by
  models this module does not know, and by clear_page_cache.
- guide:<slug>: the guide's own pages (guide, questions, change logs). Replaced
  by any change to its questions, answers, sources or topic links.
- QUESTIONS: pages listing questions across guides (home, topics, a topic's
  page, every question page's related questions). Replaced when a question or
  a topic link changes, or an answer is created or deleted (published() needs
  one); an answer's wording alone does not.
- CONTENT: everything else (search, feeds, sitemap, unknown pages). Replaced by
  every content change.

Each stamp is replaced twice: at once, and again when the transaction commits,
so a page rendered between the two (from the not yet committed state) is never
served after the commit.

Where stamps live depends on the cache. A shared cache (Redis, Memcached)
holds them, so every app server sees the same stamps. The default local-memory
cache is private to each gunicorn worker, so stamps then live in small files
that all workers on the machine read: PAGE_CACHE_STAMP_FILE for SITE and a
folder beside it for the scopes, one stat() per stamp per request, no SQL.
"""

import contextlib
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.urls import Resolver404, resolve

# Models whose rows public pages show. Adding a model is one line here; every
# saved or deleted instance then invalidates the page cache, whatever code
# saved it (admin, revert, import, management command). A model without its own
# entry in scopes_changed_by() invalidates every page (SITE): safe by default.
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
# search statistics (written every few seconds), the spelling vocabulary
# (rebuilt in bulk; faq/suggest.py replaces the stamp itself after a rebuild),
# and which questions search may find (changed only with a question, answer or
# guide, whose own saves replace the stamps; faq/search_public.py).
NOT_CONTENT_MODELS = ["faq.SearchCount", "faq.SpellingWord", "faq.SearchVisibility"]

SITE = "site"
QUESTIONS = "questions"
CONTENT = "content"
STAMP_CACHE_KEY = "page-stamp"  # SITE's key in a shared cache; scopes add ":<scope>"


def guide_scope(slug):
    return f"guide:{slug}"


# Which scopes a page shows, by URL name. A guide's slug is in the URL, so the
# guide's scope is named from it. URL names not listed here (search, feeds,
# sitemap, pages added later) show CONTENT: correct whatever they show.
PAGE_SCOPES = {
    "home": (QUESTIONS,),
    "topics": (QUESTIONS,),
    "topic": (QUESTIONS,),
    "guide": ("guide",),
    "question": ("guide", QUESTIONS),  # related questions come from other guides
    "question_changes": ("guide",),
}


@lru_cache(maxsize=4096)
def _scopes_for_path(urlconf, path):
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return (SITE, CONTENT)
    return scopes_for_match(match)


def scopes_for_match(match):
    """The scopes of the page a URL resolved to (a django.urls.ResolverMatch)."""
    # A Spanish page is named after its English twin with "es_" (faq/urls.py).
    named = PAGE_SCOPES.get(match.url_name.removeprefix("es_"), (CONTENT,))
    slug = match.kwargs.get("guide_slug")
    if "guide" in named and not slug:
        return (SITE, CONTENT)
    return (SITE, *(guide_scope(slug) if name == "guide" else name for name in named))


def page_scopes(path):
    """The scopes whose stamps key the page at `path`, SITE first (memoised)."""
    return _scopes_for_path(settings.ROOT_URLCONF, path)


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


def stamp_path(scope):
    return Path(_stamp_path(str(settings.PAGE_CACHE_STAMP_FILE), scope))


@lru_cache(maxsize=4096)
def _stamp_path(stamp_file, scope):
    site = Path(stamp_file)
    if scope == SITE:
        return str(site)
    # Slugs are safe file names; anything else is spelled out in hex.
    name = scope if re.fullmatch(r"[\w:-]{1,200}", scope) else scope.encode().hex()[:200]
    return str(site.with_name(f"{site.name}.scopes") / name.replace(":", "-"))


@lru_cache(maxsize=4096)
def _stamp_paths(stamp_file, scopes):
    # Memoised: building Path objects cost more than the stat()s themselves.
    return tuple(_stamp_path(stamp_file, scope) for scope in scopes)


def stamp_cache_key(scope):
    return STAMP_CACHE_KEY if scope == SITE else f"{STAMP_CACHE_KEY}:{scope}"


def read_stamps(scopes, created=None):
    """The current stamp of each scope, in order; a missing stamp is created
    (and its scope appended to `created`, when given).

    A missing stamp gets a new random value, never a fixed one: a stamp evicted
    from Memcached must not come back equal to a value some cached page holds.
    """
    if uses_stamp_file():
        stamps = []
        paths = _stamp_paths(str(settings.PAGE_CACHE_STAMP_FILE), tuple(scopes))
        for scope, path in zip(scopes, paths, strict=True):
            try:
                stamps.append(read_stamp_file(path))
            except (FileNotFoundError, ValueError):
                write_stamp_file(path, new_stamp_value())
                stamps.append(read_stamp_file(path))
                if created is not None:
                    created.append(scope)
        return stamps
    cache = caches["default"]
    keys = [stamp_cache_key(scope) for scope in scopes]
    values = cache.get_many(keys)
    for scope, key in zip(scopes, keys, strict=True):
        if key not in values:
            cache.add(key, new_stamp_value(), timeout=None)
            values[key] = cache.get(key)
            if created is not None:
                created.append(scope)
    return [parse_stamp(values[key]) for key in keys]


def forget_stamps(scopes):
    """Remove stamps a request created for a page that turned out not to exist
    (/<any-slug>/ names a guide scope), so made-up URLs leave no stamp behind.
    Safe at any time: a stamp created again gets a new random value."""
    scopes = [scope for scope in scopes if scope != SITE]
    if uses_stamp_file():
        for scope in scopes:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(stamp_path(scope))
    elif scopes:
        caches["default"].delete_many([stamp_cache_key(scope) for scope in scopes])


def read_stamp():
    """The SITE stamp."""
    return read_stamps([SITE])[0]


_last_read = {}  # path -> (file identity, Stamp), per worker process


def read_stamp_file(path):
    """The stamp in `path`, re-read only when the file was replaced.

    write_stamp_file() always writes a new file and renames it into place, so a
    new stamp always comes with a new (inode, modification time, size): one
    stat() per request instead of open, read and close.
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


# Nanosecond, microsecond, millisecond, two-second (FAT) resolutions.
MTIME_STEPS = (0, 1_000, 1_000_000, 2_000_000_000)


def write_stamp_file(path, value):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Unique per thread too: two threads of one worker may bump at once.
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.write_text(value)
    # Readers tell stamps apart by (inode, mtime, size); every stamp has the
    # same size, a freed inode can come back at once and the kernel's file
    # clock moves in steps of milliseconds, so each stamp gets its own mtime,
    # later than the stamp it replaces even where the file system keeps
    # coarser times than nanoseconds (ext4 with small inodes keeps seconds):
    # an equal (inode, mtime) would leave readers on the old stamp.
    try:
        previous = os.stat(path).st_mtime_ns
    except FileNotFoundError:
        previous = 0
    mtime = max(time.time_ns(), previous + 1)
    for step in MTIME_STEPS:
        os.utime(temporary, ns=(mtime + step, mtime + step))
        if os.stat(temporary).st_mtime_ns > previous:
            break
    os.replace(temporary, path)  # atomic: readers see the old or the new stamp


def bump_stamps(scopes):
    """Replace the stamps of `scopes`, so pages showing them are no longer found."""
    if uses_stamp_file():
        for scope in scopes:
            write_stamp_file(stamp_path(scope), new_stamp_value())
    else:
        value = new_stamp_value()
        caches["default"].set_many({stamp_cache_key(s): value for s in scopes}, timeout=None)


def bump_stamp():
    """Replace the SITE stamp: every page cached so far is no longer found."""
    bump_stamps([SITE])


def stamp_store_ok():
    """Whether stamps can be written (for /healthz): True or False, quickly, never raises.

    Writes a probe stamp of its own, so no cached page is invalidated.
    """
    try:
        if uses_stamp_file():
            write_stamp_file(stamp_path("healthz-probe"), new_stamp_value())
        else:
            cache = caches["default"]
            value = new_stamp_value()
            cache.set(stamp_cache_key("healthz-probe"), value, timeout=60)
            return cache.get(stamp_cache_key("healthz-probe")) == value
    except Exception:  # noqa: BLE001 - a health probe reports, it never fails
        return False
    return True


# Which scopes a change to each model can affect. Each function gets the saved
# or deleted instance and whether it was just created or deleted.


def guide_and_translation_slugs(guide_id):
    """The slugs of a guide and of its versions in other languages, whose pages
    show it too (the language switch, "the English version was updated")."""
    from .models import Guide

    key = Guide.objects.filter(pk=guide_id).values("translation_key")
    return set(Guide.objects.filter(translation_key__in=key).values_list("slug", flat=True))


def question_scopes(question, created_or_deleted):
    slugs = guide_and_translation_slugs(question.guide_id)
    slugs.add(getattr(question, "_page_cache_old_guide", None))
    return {guide_scope(slug) for slug in slugs if slug} | {QUESTIONS, CONTENT}


def scopes_of_question_id(question_id, *extra):
    from .models import Question

    guide_id = Question.objects.filter(pk=question_id).values_list("guide_id", flat=True).first()
    if guide_id is None:
        return {SITE}
    slugs = guide_and_translation_slugs(guide_id)
    return {guide_scope(slug) for slug in slugs} | {CONTENT, *extra}


def answer_scopes(answer, created_or_deleted):
    return scopes_of_question_id(answer.question_id, *([QUESTIONS] if created_or_deleted else []))


def source_scopes(source, created_or_deleted):
    from .models import Answer

    question_id = Answer.objects.filter(pk=source.answer_id).values_list("question_id", flat=True)
    return scopes_of_question_id(question_id.first())


def tagged_question_scopes(tagged, created_or_deleted):
    return scopes_of_question_id(tagged.content_object_id, QUESTIONS)


def search_only(instance, created_or_deleted):
    return {CONTENT}  # synonyms change what searches find, nothing else


SCOPES_BY_MODEL = {
    "faq.SynonymGroup": search_only,
    "faq.Question": question_scopes,
    "faq.Answer": answer_scopes,
    "faq.Source": source_scopes,
    "faq.TaggedQuestion": tagged_question_scopes,
}


def scopes_changed_by(instance, created_or_deleted=False):
    scopes_of = SCOPES_BY_MODEL.get(instance._meta.label)
    return scopes_of(instance, created_or_deleted) if scopes_of else {SITE}


class BumpAtCommit:
    """The transaction's commit-time callback: replaces every scope it changed."""

    def __init__(self):
        self.scopes = set()

    def __call__(self):
        bump_stamps(self.scopes)


def invalidate(scopes, using=None):
    """Replace `scopes` now and once more when the transaction commits."""
    bump_stamps(scopes)
    connection = transaction.get_connection(using)
    pending = connection.run_on_commit
    # One commit-time callback per transaction is enough, even after 10,000 saves.
    if pending and isinstance(pending[-1][1], BumpAtCommit):
        callback = pending[-1][1]
    else:
        callback = BumpAtCommit()
        callback.scopes.update(scopes)  # autocommit runs it at once
        # Robust: the rows are committed by then, so a failing stamp must not
        # turn a save into an error (the replacement before the commit passed).
        transaction.on_commit(callback, using=using, robust=True)
    callback.scopes.update(scopes)


def remember_old_guide(sender, instance, raw=False, **kwargs):
    """A question moved to another guide leaves the old guide's pages stale too."""
    if instance.pk and not instance._state.adding:
        old = type(instance).objects.filter(pk=instance.pk).values_list("guide__slug", flat=True)
        instance._page_cache_old_guide = old.first()


def content_changed(sender, instance=None, using=None, action="post_save", **kwargs):
    """Signal receiver: invalidate the scopes the change can affect."""
    if not action.startswith("post_"):
        return  # m2m_changed also fires before the change
    if "signal" in kwargs and kwargs["signal"] is m2m_changed:
        # question.tags.add()/remove()/clear(): `instance` is the question
        # (or a topic, when changed from the topic's side).
        scopes = (
            scopes_of_question_id(instance.pk, QUESTIONS)
            if instance._meta.label == "faq.Question"
            else {SITE}
        )
    else:
        created = kwargs.get("created", False) or kwargs["signal"] is post_delete
        scopes = scopes_changed_by(instance, created)
    invalidate(scopes, using=using)


def watch(model):
    """Invalidate cached pages whenever a row of `model` (or its m2m links) changes."""
    uid = f"page-cache-{model._meta.label}"
    post_save.connect(content_changed, sender=model, dispatch_uid=f"{uid}-save")
    post_delete.connect(content_changed, sender=model, dispatch_uid=f"{uid}-delete")
    if model._meta.label == "faq.Question":
        pre_save.connect(remember_old_guide, sender=model, dispatch_uid=f"{uid}-pre-save")
    for field in model._meta.many_to_many:
        through = field.remote_field.through
        m2m_changed.connect(content_changed, sender=through, dispatch_uid=f"{uid}-{field.name}")


def connect_signals():
    for label in CONTENT_MODELS:
        watch(apps.get_model(label))


def forget_scopes_on_urlconf_change(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _scopes_for_path.cache_clear()


setting_changed.connect(forget_scopes_on_urlconf_change)
