import os
import subprocess
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM
# refuses to run beside one unless told the tests know what they are doing.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Row-lock races only show on PostgreSQL; SQLite runs have their own race tests.
collect_ignore = []
if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
    collect_ignore.append("test_postgresql.py")
# Real Redis and Memcached servers, when named (.ci/run starts them).
if not os.environ.get("SHARED_CACHE_URLS"):
    collect_ignore.append("test_shared_cache.py")


def compile_stale_translations():
    """`make install` compiles the catalogues (*.mo are not committed); a bare
    `pytest` compiles any missing or older than its .po, so the Spanish tests
    never read a stale one."""
    for po in Path(__file__).resolve().parent.parent.glob("locale/*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        try:
            subprocess.run(["msgfmt", "--check-format", "-o", mo, po], check=True)
        except FileNotFoundError:
            raise pytest.UsageError("msgfmt is missing: run `make install`.") from None


compile_stale_translations()

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(autouse=True, scope="session")
def jinja2_renders_reach_the_test_client():
    """Django's test client learns which templates rendered a response (for
    assertTemplateUsed and response.context) from a signal that only Django
    templates send in tests (Django #24622). The public pages are Jinja2, so
    their renders send it too, as Django's own test instrumentation does."""
    from django.template.backends import jinja2 as jinja2_backend
    from django.test.signals import template_rendered

    original = jinja2_backend.Template.render

    def render(self, context=None, request=None):
        template_rendered.send(sender=self, template=self.template, context=context or {})
        return original(self, context, request)

    jinja2_backend.Template.render = render
    yield
    jinja2_backend.Template.render = original


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright (test tools cannot download browsers here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_context(chromium):
    """A fresh browser profile per test; pass `java_script_enabled` via the marker."""
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def no_js_page(chromium):
    context = chromium.new_context(
        java_script_enabled=False, viewport={"width": 320, "height": 640}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def fresh_page_cache(settings, tmp_path):
    """Each test starts with an empty page cache and its own content stamp file."""
    from django.core.cache import cache

    settings.PAGE_CACHE_STAMP_FILE = tmp_path / "page-cache-stamp"
    cache.clear()


@pytest.fixture(autouse=True)
def search_counts_written_only_when_a_test_asks(settings):
    """Search counts wait in memory until flushed; a test flushes them itself,
    so no query count depends on how long the suite has run."""
    from faq import search_stats

    settings.SEARCH_STATS_FLUSH_SECONDS = None
    search_stats.discard_pending()
    yield
    search_stats.discard_pending()


@pytest.fixture(autouse=True)
def force_login_includes_the_second_factor(monkeypatch):
    """In tests, `client.force_login(staff_user)` stands for a complete login:
    password and second factor (a confirmed authenticator app recorded in the
    session, as the admin login records it). tests/test_logins.py tests the real
    login form and what it refuses; `client.force_login_password_only(user)`
    logs in with the password alone."""
    from django.test import Client

    from .factories import verify_second_factor

    password_only = Client.force_login

    def force_login(self, user, backend=None):
        password_only(self, user, backend)
        if user.is_staff or user.is_superuser:
            verify_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)
    monkeypatch.setattr(Client, "force_login_password_only", password_only, raising=False)
