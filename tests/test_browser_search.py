"""Search help in a real browser: the corrected and "Did you mean" pages, the
synonym screens and the Searches report, checked with axe-core (WCAG 2.2 AA)."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from faq import suggest
from faq.models import SearchCount, SynonymGroup

from .test_browser import WCAG_TAGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-pass-phrase-42"


@pytest.fixture
def site(live_server):
    call_command("seed_content", verbosity=0)
    suggest.rebuild_vocabulary()
    call_command("createeditor", "eddie", password=PASSWORD, verbosity=0)
    group = SynonymGroup.objects.create(terms="ICE, immigration enforcement")
    group.history.update(history_user=None)
    today = timezone.localdate()
    for query, found, count in [("imigrant licence", False, 5), ("opt out", True, 12)]:
        SearchCount.objects.create(
            day=today - datetime.timedelta(days=1),
            language="en",
            query=query,
            found=found,
            count=count,
        )
    return live_server


def log_in(page, site):
    page.goto(f"{site.url}/admin/login/")
    page.fill("#id_username", "eddie")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Welcome, eddie", exact=False)).to_be_visible()


def axe_problems(page, urls):
    axe = Axe()
    problems = {}
    for name, url in urls.items():
        response = page.goto(url)
        assert response.status == 200, name
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        if results.violations_count:
            problems[name] = results.generate_report()
    return problems


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_axe_passes_the_search_help_and_the_editors_screens(site, chromium, color_scheme):
    context = chromium.new_context(
        color_scheme=color_scheme, viewport={"width": 390, "height": 844}, bypass_csp=True
    )
    page = context.new_page()
    try:
        public = {
            "corrected": f"{site.url}/search/?q=imigration",
            "did you mean": f"{site.url}/search/?q=can+ice+see+my+adress",
        }
        assert not axe_problems(page, public)
        log_in(page, site)
        group = SynonymGroup.objects.get()
        admin = {
            "synonym groups": f"{site.url}/admin/faq/synonymgroup/",
            "synonym group": f"{site.url}/admin/faq/synonymgroup/{group.pk}/change/",
            "synonym history": f"{site.url}/admin/faq/synonymgroup/{group.pk}/history/",
            "searches": f"{site.url}/admin/faq/searchcount/",
            "searches, 30 days": f"{site.url}/admin/faq/searchcount/?days=30",
        }
        problems = axe_problems(page, admin)
        assert not problems, "\n\n".join(f"{name}:\n{report}" for name, report in problems.items())
    finally:
        context.close()


def test_an_editor_sees_what_found_nothing_and_adds_a_synonym(site, page):
    log_in(page, site)
    page.goto(f"{site.url}/admin/faq/searchcount/")
    expect(
        page.get_by_role("heading", name="Searches that found nothing, last 7 days (English)")
    ).to_be_visible()
    page.get_by_role("link", name="imigrant licence").first.click()
    expect(page.get_by_text("Showing results for “immigrant license”")).to_be_visible()

    page.goto(f"{site.url}/search/?q=real+id")
    expect(page.get_by_text("No answers found.")).to_be_visible()
    page.goto(f"{site.url}/admin/faq/synonymgroup/add/")
    page.fill("#id_terms", "REAL ID, driver's license")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    reader = page.context.browser.new_context()
    try:
        anonymous = reader.new_page()
        anonymous.goto(f"{site.url}/search/?q=real+id")
        expect(anonymous.locator(".result-count")).to_contain_text("found")
        expect(anonymous.locator(".results li").first).to_be_visible()
    finally:
        reader.close()
