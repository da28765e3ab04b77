"""The Spanish pages in a real browser: the language switch by keyboard, a
Spanish search without accents, and axe-core's WCAG 2.2 A/AA rules."""

import pytest
from django.core.management import call_command

from faq.models import Question, SiteNotice
from faq.revisions import save_revision

from .test_browser import axe_problems, report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GUIDE_ES = "/es/intercambio-de-datos-del-dmv-con-ice-en-illinois/"


@pytest.fixture
def seeded(live_server):
    """Both seed guides: the English one and its Spanish translation, and an
    English notice, which Spanish pages show marked lang="en"."""
    call_command("seed_content", verbosity=0)
    SiteNotice.objects.create(text="This page is general information, not legal advice.")
    return live_server


def spanish_pages(base):
    """Every Spanish page type; question 12's English original has changed since
    it was translated, so its page carries the "La versión en inglés…" notice."""
    question = Question.objects.get(language="es", position=13)
    behind = Question.objects.get(language="es", position=12)
    english = Question.objects.get(language="en", position=12).answer
    english.body += "\n\nA paragraph added after the translation."
    english.change_note = "Added a paragraph."
    save_revision(english, None)
    return {
        "home": base + "/es/",
        "guide": base + GUIDE_ES,
        "question": base + question.get_absolute_url(),
        "question, English updated": base + behind.get_absolute_url(),
        "change log": base + question.get_absolute_url() + "cambios/",
        "search results": base + "/es/buscar/?q=licencia",
        "search, no results": base + "/es/buscar/?q=zzzqqq",
        "search, empty": base + "/es/buscar/",
        "topics": base + "/es/temas/",
        "topic": base + question.tags.first().get_absolute_url(),
        "not found": base + "/es/no-hay-tal-pagina/",
    }


def tab_to(page, href, limit=60):
    """Press Tab until the link to `href` has the focus; True if it got there."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.getAttribute('href')") == href:
            return True
    return False


def test_the_language_switch_works_by_keyboard_both_ways(seeded, page):
    english = Question.objects.get(language="en", position=13)
    spanish = Question.objects.get(language="es", position=13)
    page.goto(seeded.url + english.get_absolute_url())
    assert page.evaluate("document.documentElement.lang") == "en"
    assert tab_to(page, spanish.get_absolute_url())
    focused = page.evaluate("() => [document.activeElement.lang, document.activeElement.innerText]")
    assert focused == ["es", "Español"]
    page.keyboard.press("Enter")
    page.wait_for_url("**" + spanish.get_absolute_url())
    assert page.evaluate("document.documentElement.lang") == "es"
    assert page.locator("h1").inner_text() == spanish.text
    assert tab_to(page, english.get_absolute_url())
    page.keyboard.press("Enter")
    page.wait_for_url("**" + english.get_absolute_url())
    assert page.locator("h1").inner_text() == english.text


def test_a_reader_searches_in_spanish_without_accents(seeded, no_js_page):
    page = no_js_page
    page.goto(seeded.url + GUIDE_ES)
    page.locator("#site-search-q").fill("informacion")
    page.locator("#site-search-q").press("Enter")
    assert "/es/buscar/?q=informacion" in page.url
    assert page.locator(".results li").count() >= 1
    assert "información" in page.locator(".snippet mark").first.inner_text().lower()
    page.locator(".results h2 a").first.click()
    assert "/es/" in page.url
    assert page.evaluate("document.documentElement.lang") == "es"


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_axe_finds_no_wcag_22_aa_violations_on_spanish_pages(seeded, chromium, color_scheme):
    def check(name, response, page):
        assert response.status == (404 if name == "not found" else 200), name
        assert page.evaluate("document.documentElement.lang") == "es", name
        if name == "question, English updated":
            assert page.locator(".translation-notice").count() == 1

    problems = axe_problems(chromium, color_scheme, spanish_pages(seeded.url), check)
    assert problems == {}, report(problems)


def test_spanish_pages_reflow_at_320_px(seeded, no_js_page):
    overflowing = {}
    for name, url in spanish_pages(seeded.url).items():
        no_js_page.goto(url)
        width = no_js_page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            overflowing[name] = width
    assert overflowing == {}
