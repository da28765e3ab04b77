"""The editor's journeys in a real browser: edit, compare, revert, conflicts,
preview, drafts and roles."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from faq.models import Answer, Question

from .factories import add_authenticator, current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-pass-phrase-42"


@pytest.fixture
def site(live_server):
    call_command("seed_content", verbosity=0)
    for name, flags in [("eddie", []), ("pat", ["--publisher"]), ("alice", ["--publisher"])]:
        call_command("createeditor", name, *flags, password=PASSWORD, verbosity=0)
    # Publishers log in with a code from their authenticator app.
    for user in get_user_model().objects.filter(username__in=["pat", "alice"]):
        add_authenticator(user)
    return live_server


def log_in(page, site, username):
    page.goto(f"{site.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    device = TOTPDevice.objects.filter(user__username=username).first()
    if device is not None:
        page.fill("#id_code", current_code(device))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"Welcome, {username}", exact=False)).to_be_visible()


def publish_without_review(page):
    """A publisher's urgent publish from the answer screen, through its confirmation."""
    page.get_by_role("link", name="Publish now without review…").click()
    expect(page.get_by_text("The answer will be marked as needing review")).to_be_visible()
    page.get_by_role("button", name="Yes, publish now without review").click()
    expect(page.get_by_text("Published without review: the public now sees")).to_be_visible()


def first_answer():
    return Answer.objects.select_related("question__guide").get(
        question__position=1, question__language="en"
    )


def edit_url(site, answer):
    return f"{site.url}/admin/faq/answer/{answer.pk}/change/"


def test_edit_with_a_note_then_compare_and_revert(site, page):
    answer = first_answer()
    original = answer.body
    log_in(page, site, "pat")
    page.goto(edit_url(site, answer))
    page.fill("#id_body", "Illinois limits what the DMV may share with ICE.")
    page.fill("#id_change_note", "Summarised the policy after the 2025 law.")
    page.get_by_role("button", name="Save as draft").click()
    publish_without_review(page)

    page.get_by_role("link", name="History").click()
    # The note is on the draft's row and on the publishing row.
    expect(page.get_by_text("Summarised the policy after the 2025 law.").first).to_be_visible()
    page.get_by_role("button", name="Compare selected revisions").click()
    expect(page.locator(".diff-text ins").first).to_contain_text("Illinois limits")
    expect(page.locator(".diff-text del").first).to_be_visible()

    page.get_by_role("link", name="Revert to the older revision").click()
    expect(
        page.get_by_role("heading", name=re.compile("Revert to the revision of"))
    ).to_be_visible()
    expect(page.locator(".diff-text del").first).to_contain_text("limits what")
    page.get_by_role("button", name="Yes, revert").click()
    expect(page.get_by_text("Reverted to the revision of").first).to_be_visible()

    public = page.context.new_page()
    public.goto(site.url + answer.question.get_absolute_url())
    # A sentence from inside the original text (its Markdown list marker aside).
    expect(public.locator(".answer")).to_contain_text(original.split(". ")[1][:60])
    assert Answer.objects.get(pk=answer.pk).body == original
    expect(public.locator(".answer")).not_to_contain_text("Illinois limits")
    # Seeded, draft saved, published without review, reverted.
    assert Answer.history.filter(id=answer.pk).count() == 4


def test_second_of_two_editors_is_refused_and_keeps_their_text(site, page, chromium):
    answer = first_answer()
    log_in(page, site, "alice")
    page.goto(edit_url(site, answer))
    other_context = chromium.new_context()
    try:
        bob = other_context.new_page()
        log_in(bob, site, "pat")
        bob.goto(edit_url(site, answer))

        page.fill("#id_body", "Alice's new answer.")
        page.fill("#id_change_note", "Alice's change")
        page.get_by_role("button", name="Save as draft").click()
        expect(page.get_by_text("Draft saved.")).to_be_visible()

        bob.fill("#id_body", "Bob's long careful answer that must not be lost.")
        bob.fill("#id_change_note", "Bob's change")
        bob.get_by_role("button", name="Save as draft").click()
        expect(bob.get_by_role("alert")).to_contain_text("alice saved this answer")
        expect(bob.locator(".edit-conflict .diff-text ins").first).to_contain_text("Alice's")
        expect(bob.locator("#id_body")).to_have_value(
            "Bob's long careful answer that must not be lost."
        )
        assert Answer.objects.get(pk=answer.pk).draft_body == "Alice's new answer."
    finally:
        other_context.close()


def test_preview_shows_unsaved_text_but_the_public_page_does_not(site, page):
    answer = first_answer()
    log_in(page, site, "eddie")
    page.goto(edit_url(site, answer))
    page.fill("#id_body", "Text nobody has saved yet.")
    with page.context.expect_page() as preview_info:
        page.get_by_role("button", name="Preview").click()
    preview = preview_info.value
    preview.wait_for_load_state()
    expect(preview.get_by_text("Preview, not saved.")).to_be_visible()
    expect(preview.locator(".answer")).to_contain_text("Text nobody has saved yet.")
    assert preview.locator('meta[name="robots"]').get_attribute("content") == "noindex"

    preview.goto(site.url + answer.question.get_absolute_url())
    expect(preview.locator("h1")).to_have_text(answer.question.text)
    expect(preview.locator(".answer")).not_to_contain_text("Text nobody has saved yet.")
    # The editor's text is still in the form they came from.
    expect(page.locator("#id_body")).to_have_value("Text nobody has saved yet.")


def test_a_new_question_is_invisible_to_the_public_until_published(site, page, chromium):
    log_in(page, site, "eddie")
    page.goto(f"{site.url}/admin/faq/question/add/")
    page.select_option("#id_guide", label="State DMV Data Sharing With ICE in Illinois")
    page.fill("#id_position", "21")
    page.fill("#id_text", "Can I see who looked at my DMV record?")
    page.fill("#id_answer-0-body", "Yes: ask the Secretary of State for the access log.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("saved as a draft")).to_be_visible()
    question = Question.objects.get(position=21)
    assert question.status == Question.Status.DRAFT
    # An editor cannot publish: the button is not there.
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)

    anonymous_context = chromium.new_context()
    try:
        anonymous = anonymous_context.new_page()
        public_url = site.url + question.get_absolute_url()
        assert anonymous.goto(public_url).status == 404

        page.get_by_role("button", name="Log out").click()
        log_in(page, site, "pat")
        page.goto(edit_url(site, question.answer))
        page.fill("#id_change_note", "First version")
        page.get_by_role("button", name="Save", exact=True).click()
        assert anonymous.goto(public_url).status == 404
        publish_without_review(page)

        assert anonymous.goto(public_url).status == 200
        expect(anonymous.locator(".answer")).to_contain_text("access log")
    finally:
        anonymous_context.close()


def test_an_editor_gets_403_on_the_user_admin(site, page):
    log_in(page, site, "eddie")
    response = page.goto(f"{site.url}/admin/auth/user/")
    assert response.status == 403
    assert page.goto(f"{site.url}/admin/faq/answer/").status == 200
