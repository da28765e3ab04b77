"""The reader's pages in a real browser: axe-core, keyboard only, and JavaScript off."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.urls import reverse

from faq.models import Question, SiteNotice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GUIDE = "/dmv-data-sharing-with-ice-illinois/"
OPT_OUT = GUIDE + "what-are-the-procedures-for-individuals-to-opt-out-of-having/"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


@pytest.fixture
def seeded(live_server):
    """The seed guide, a site notice, a source and one published change with a diff."""
    call_command("seed_content", verbosity=0)
    SiteNotice.objects.create(text="This page is general information, not legal advice.")
    answer = Question.objects.get(position=13, language="en").answer
    answer.sources.create(
        title="Illinois Secretary of State: driver services", url="https://www.ilsos.gov/"
    )
    answer.body = answer.body.replace("obtain the necessary forms", "ask for the written forms")
    answer.change_note = "Said which forms to ask for."
    answer.save()
    return live_server


def public_pages(base):
    """One URL of every public page type."""
    return {
        "home": base + "/",
        "guide": base + GUIDE,
        "question": base + OPT_OUT,
        "change log": base + OPT_OUT + "changes/",
        "topics": base + reverse("faq:topics"),
        "topic": base + reverse("faq:topic", args=["opting-out"]),
        "search results": base + "/search/?q=opt+out",
        "search, no results": base + "/search/?q=xylophone",
        "search, empty": base + "/search/",
        "not found": base + "/no-such-page/",
    }


def axe_problems(chromium, color_scheme, pages, check):
    """axe-core's WCAG 2.2 A and AA report for each page with violations, on a
    phone-sized window; `check(name, response, page)` asserts each page's own state."""
    context = chromium.new_context(
        color_scheme=color_scheme, viewport={"width": 390, "height": 844}, bypass_csp=True
    )
    page = context.new_page()
    axe = Axe()
    problems = {}
    try:
        for name, url in pages.items():
            check(name, page.goto(url), page)
            results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
            if results.violations_count:
                problems[name] = results.generate_report()
    finally:
        context.close()
    return problems


def report(problems):
    return "\n\n".join(f"{name}:\n{text}" for name, text in problems.items())


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_axe_finds_no_wcag_22_aa_violations_on_any_public_page(seeded, chromium, color_scheme):
    """Every page type, in both colour schemes, passes axe-core's WCAG 2.2 A and AA rules."""

    def check(name, response, page):
        assert response.status == (404 if name == "not found" else 200), name

    problems = axe_problems(chromium, color_scheme, public_pages(seeded.url), check)
    assert problems == {}, report(problems)


def test_keyboard_alone_reaches_the_search_box_and_every_question(seeded, page):
    """Tab from the top of the guide: skip link first, then the search box, then every question."""
    page.goto(seeded.url + GUIDE)
    question_urls = set(
        page.eval_on_selector_all(".qa h2 a", "links => links.map(a => a.getAttribute('href'))")
    )
    assert len(question_urls) == 20
    reached, first = set(), None
    for _ in range(400):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return e.id || e.getAttribute('href') || e.tagName; }"
        )
        first = first or focused
        reached.add(focused)
        if question_urls <= reached and "site-search-q" in reached:
            break
    assert first == "#main"
    assert "site-search-q" in reached
    assert question_urls - reached == set()


def test_focus_is_clearly_visible(seeded, page):
    page.goto(seeded.url + "/")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineWidth")
    assert outline == "3px"
    page.locator("#site-search-q").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"


def test_a_reader_without_javascript_reaches_an_answer_from_home(seeded, no_js_page):
    """The whole reading journey works with JavaScript off on a 320 px phone."""
    page = no_js_page
    page.goto(seeded.url + "/")
    page.get_by_role("link", name="State DMV Data Sharing With ICE in Illinois").click()
    page.locator("#q13 h2 a").click()
    assert page.url.endswith(OPT_OUT)
    assert "opt out of having their DMV data shared" in page.locator("h1").inner_text()
    assert page.get_by_text("Last updated").is_visible()
    # Nothing overflows sideways at 320 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_search_sources_change_log_and_navigation_work_without_javascript(seeded, no_js_page):
    """The issue's journey: search "opt out", open the answer, its sources and its change log."""
    page = no_js_page
    page.goto(seeded.url + "/")
    page.get_by_label("Search the answers").fill("opt out")
    page.get_by_label("Search the answers").press("Enter")
    assert "/search/?q=opt+out" in page.url
    assert page.locator("h1").inner_text() == "Search results for “opt out”"
    assert page.locator(".result-count").inner_text().startswith("1 answer found")
    assert page.locator(".snippet mark").first.is_visible()
    page.locator(".results h2 a").first.click()
    assert page.url.endswith(OPT_OUT)

    sources = page.locator(".sources a")
    assert sources.inner_text() == "Illinois Secretary of State: driver services"
    assert page.get_by_text("This page is general information, not legal advice.").is_visible()
    assert page.locator(".related li").count() >= 1
    assert page.get_by_role("link", name="Next question").is_visible()

    page.get_by_role("link", name="See what changed").click()
    assert page.url.endswith(OPT_OUT + "changes/")
    assert page.get_by_text("Said which forms to ask for.").is_visible()
    # What a screen reader reads: the hidden label, then the words.
    assert page.locator(".diff ins").first.text_content() == "added: ask for"
    assert page.locator(".diff del").first.text_content() == "removed: obtain"
    # ...while sighted readers see only the words, underlined or struck through.
    assert page.locator(".diff ins .visually-hidden").first.bounding_box()["width"] <= 1
    assert (
        page.locator(".diff del").first.evaluate("e => getComputedStyle(e).textDecorationLine")
        == "line-through"
    )

    page.get_by_role("link", name="What are the procedures").first.click()
    page.get_by_role("link", name="Previous question").click()
    assert page.locator("h1").inner_text() == Question.objects.get(position=12, language="en").text
    page.locator(".topics a").first.click()
    assert page.locator("h1").inner_text().startswith("Topic: ")


def test_every_page_reflows_at_320_px_without_sideways_scrolling(seeded, no_js_page):
    """320 CSS px is what a 1280 px window shows at 400% zoom (WCAG 1.4.10)."""
    overflowing = {}
    for name, url in public_pages(seeded.url).items():
        no_js_page.goto(url)
        width = no_js_page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            overflowing[name] = width
    assert overflowing == {}
