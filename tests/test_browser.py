"""The reader's pages in a real browser, with and without JavaScript."""

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(live_server):
    call_command("seed_content", verbosity=0)
    return live_server


def test_a_reader_without_javascript_reaches_an_answer_from_home(seeded, no_js_page):
    """The whole reading journey works with JavaScript off on a 320 px phone."""
    page = no_js_page
    page.goto(seeded.url + "/")
    page.get_by_role("link", name="State DMV Data Sharing With ICE in Illinois").click()
    page.locator("#q13 h2 a").click()
    assert page.url.endswith("/what-are-the-procedures-for-individuals-to-opt-out-of-having/")
    assert "opt out of having their DMV data shared" in page.locator("h1").inner_text()
    assert page.get_by_text("Last updated").is_visible()
    # Nothing overflows sideways at 320 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
