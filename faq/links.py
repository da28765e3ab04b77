"""reverse() and static(), remembered.

A public page builds 20 or more links on each render, and each reverse() costs
about 15 microseconds. A URLconf does not change while the process runs, so a
link is computed once per process; the key holds what reverse() reads besides
its arguments (the URLconf and the script prefix), so tests that override
ROOT_URLCONF and sites served under a path prefix get their own links. The
same holds for static files' hashed names, read from the manifest at startup.
"""

import functools

from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse

# About 150 bytes a link: 20,000 links (the 10,000-question demo) is 3 MB.
MAX_REMEMBERED_LINKS = 20_000


@functools.lru_cache(maxsize=MAX_REMEMBERED_LINKS)
def _reverse(urlconf, script_prefix, viewname, args):
    return reverse(viewname, urlconf=urlconf, args=args)


def url(viewname, *args):
    """The path of the named URL with positional arguments, like {% url %}."""
    return _reverse(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), viewname, args)


@functools.lru_cache(maxsize=1024)
def _static(script_prefix, path):
    return static(path)


def static_url(path):
    """The address of a static file, with its hashed name in production, like {% static %}."""
    return _static(get_script_prefix(), path)
