"""System checks of the page cache's stamps (`manage.py check`, `check --deploy`)."""

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core import checks

from .cache import uses_stamp_file


def stamps_in_files():
    return uses_stamp_file() and settings.PAGE_CACHE_SECONDS > 0


@checks.register(checks.Tags.caches)
def check_stamp_file(**kwargs):
    """Edits fail if the stamp file cannot be written; say so before they do."""
    if not stamps_in_files():
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


@checks.register(checks.Tags.caches, deploy=True)
def check_stamp_file_is_chosen(**kwargs):
    """Every process that writes the database (app servers, the periodic jobs, a
    restore) must bump the same stamp, or readers get stale pages. The default
    for a database without a file of its own sits in the temporary folder under
    a name made from how DATABASE_URL is written: another spelling of the URL,
    or a service with a private /tmp (systemd's PrivateTmp=), finds another."""
    if not stamps_in_files():
        return []
    if Path(settings.PAGE_CACHE_STAMP_FILE).parent != Path(tempfile.gettempdir()):
        return []
    return [
        checks.Warning(
            f"The page cache stamp file {settings.PAGE_CACHE_STAMP_FILE} is in the "
            "temporary folder, where not every process writing this database may find it.",
            hint="Set PAGE_CACHE_STAMP_FILE to one path on persistent storage, the same for "
            "every process using this DATABASE_URL, or use a shared cache "
            "(CACHE_URL=redis://… or memcached://…).",
            id="faq.W002",
        )
    ]
