"""A publisher imports a changed copy of the seed article through the admin, in Chromium."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from faq.models import Answer

from .factories import add_authenticator, current_code
from .test_fixtures import FIXTURE, seed_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-pass-phrase-42"


def test_upload_preview_and_confirm(live_server, page, tmp_path):
    call_command("seed_content", str(FIXTURE), verbosity=0)
    call_command("createeditor", "pat", "--publisher", password=PASSWORD, verbosity=0)
    changed = tmp_path / "changed.txt"
    changed.write_text(
        seed_text().replace("1. Currently, in Illinois,", "1. Today, in Illinois,", 1)
    )

    page.goto(f"{live_server.url}/admin/login/?next=/admin/faq/guide/")
    page.fill("#id_username", "pat")
    page.fill("#id_password", PASSWORD)
    # Publishers give the code of their authenticator app too.
    publisher = get_user_model().objects.get(username="pat")
    page.fill("#id_code", current_code(add_authenticator(publisher)))
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Import a guide").click()
    page.get_by_label("Guide file").set_input_files(str(changed))
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("heading", name="Preview of changed.txt", exact=False)).to_be_visible()
    row = page.locator("tr", has_text="What is the current policy in Illinois")
    expect(row).to_contain_text("Changed: the file's version becomes a draft")
    expect(row.locator("ins")).to_contain_text("Today,")
    assert not Answer.objects.with_draft().exists()

    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Imported changed.txt: 0 new question(s)", exact=False)).to_be_visible()
    draft = Answer.objects.with_draft().get()
    assert draft.draft_change_note == "Imported from changed.txt"
    assert draft.body.startswith("1. Currently")
