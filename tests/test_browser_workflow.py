"""The publishing workflow in a real browser, as three people use it: an editor
drafts a whole change and submits it, a reviewer sends it back with a comment,
the author fixes it, the reviewer approves, a publisher schedules it and the
scheduler publishes it once its time has come (time moved forward, not waited
for). The public sees nothing of the draft until then, and all of it after."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from faq import workflow
from faq.models import Answer, Question
from faq.models.workflow import ReviewState

from .factories import add_authenticator
from .test_browser_editor import PASSWORD, edit_url, first_answer, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDING = "Does the Illinois DMV share my address with ICE?"
TOPIC = "Court orders"
SOURCE = (
    "Illinois Public Act 101-0009",
    "https://www.ilga.gov/legislation/publicacts/101/101-0009.htm",
)
TEXT = "Only with a court order signed by a judge, since the 2025 law."


@pytest.fixture
def site(live_server):
    call_command("seed_content", verbosity=0)
    # The author may review others' changes, so only the "not the author" rule stops her.
    call_command("createeditor", "erin", "--reviewer", password=PASSWORD, verbosity=0)
    call_command("createeditor", "rita", "--reviewer", password=PASSWORD, verbosity=0)
    call_command("createeditor", "pat", "--publisher", password=PASSWORD, verbosity=0)
    add_authenticator(get_user_model().objects.get(username="pat"))
    return live_server


def log_out(page):
    page.get_by_role("button", name="Log out").click()


def public_text(reader, site, question):
    reader.goto(site.url + question.get_absolute_url())
    return reader.locator("main").inner_text()


def draft_a_whole_change(page):
    """Wording, a topic, a source and the text, then "Save as draft"."""
    page.fill("#id_question_text", WORDING)
    topics = page.input_value("#id_topics")
    page.fill("#id_topics", f"{topics}, {TOPIC}" if topics else TOPIC)
    blank = int(page.input_value("#id_sources-TOTAL_FORMS")) - 1  # the empty row
    page.fill(f"#id_sources-{blank}-title", SOURCE[0])
    page.fill(f"#id_sources-{blank}-url", SOURCE[1])
    page.fill("#id_body", TEXT)
    page.fill("#id_change_note", "Explained the court-order rule of the 2025 law.")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()


def test_a_change_goes_from_draft_through_review_to_scheduled_publication(site, page, chromium):
    answer = first_answer()
    question = answer.question
    reader_context = chromium.new_context()
    reader = reader_context.new_page()
    try:
        # An editor drafts the whole change and submits it.
        log_in(page, site, "erin")
        page.goto(edit_url(site, answer))
        draft_a_whole_change(page)
        page.get_by_role("button", name="Submit for review").click()
        expect(page.get_by_text("Submitted for review.")).to_be_visible()
        # The author may not approve her own change: not offered, and refused.
        expect(page.get_by_text("You wrote part of this change")).to_be_visible()
        expect(page.get_by_role("button", name="Approve")).to_have_count(0)
        token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
        approve = site.url + reverse("admin:faq_answer_workflow", args=[answer.pk, "approve"])
        refused = page.request.post(approve, form={"csrfmiddlewaretoken": token})
        assert refused.status == 403
        assert Answer.objects.get(pk=answer.pk).review_state == ReviewState.IN_REVIEW
        log_out(page)

        # A reviewer sends it back with a comment.
        log_in(page, site, "rita")
        page.goto(edit_url(site, answer))
        expect(page.locator(".draft-notice")).to_contain_text("signed by a judge")
        page.fill("#id_review_comment", "Name the act in the text, please.")
        page.get_by_role("button", name="Send back with this comment").click()
        expect(page.get_by_text("Sent back to its author")).to_be_visible()
        log_out(page)

        # The author sees the comment, edits and resubmits.
        log_in(page, site, "erin")
        page.goto(edit_url(site, answer))
        expect(page.locator(".review-comment")).to_contain_text("Name the act in the text, please.")
        expect(page.locator("#id_question_text")).to_have_value(WORDING)
        page.fill("#id_body", TEXT + " See Public Act 101-0009.")
        page.get_by_role("button", name="Save as draft").click()
        page.get_by_role("button", name="Submit for review").click()
        expect(page.get_by_text("Submitted for review.")).to_be_visible()
        log_out(page)

        # The reviewer approves.
        log_in(page, site, "rita")
        page.goto(edit_url(site, answer))
        page.get_by_role("button", name="Approve").click()
        expect(page.get_by_text("Approved. A publisher")).to_be_visible()
        log_out(page)

        # A publisher schedules it for tomorrow, in the site's time zone.
        zone = ZoneInfo(settings.TIME_ZONE)
        when = timezone.localtime(timezone.now() + datetime.timedelta(days=1), zone)
        when = when.replace(second=0, microsecond=0)
        log_in(page, site, "pat")
        page.goto(edit_url(site, answer))
        expect(
            page.get_by_text(f"Publish at (date and time, {settings.TIME_ZONE} (")
        ).to_be_visible()
        page.fill("#id_publish_at", when.strftime("%Y-%m-%dT%H:%M"))
        page.get_by_role("button", name="Schedule", exact=True).click()
        expect(page.get_by_text("Scheduled. It will be published")).to_be_visible()
        expect(page.locator(".workflow-facts")).to_contain_text(when.strftime("%H:%M"))
        expect(page.locator(".workflow-facts")).to_contain_text(settings.TIME_ZONE)

        # Until its time, the public sees nothing of the draft.
        before = public_text(reader, site, question)
        for part in (WORDING, TOPIC, SOURCE[0], TEXT):
            assert part not in before

        # The scheduler runs a minute after the time (time moved forward).
        assert workflow.publish_due(now=when - datetime.timedelta(minutes=1)) == []
        results = workflow.publish_due(now=when + datetime.timedelta(minutes=1))
        assert [result.published for result in results] == [True]
        assert workflow.publish_due(now=when + datetime.timedelta(minutes=2)) == []

        # A new reader (the first one's browser may keep its copy for max-age).
        reader_context.close()
        reader_context = chromium.new_context()
        after = public_text(reader_context.new_page(), site, Question.objects.get(pk=question.pk))
        for part in (WORDING, TOPIC, SOURCE[0], TEXT):
            assert part in after
        row = Answer.objects.get(pk=answer.pk).history.latest()
        assert row.history_change_reason == workflow.PUBLISHED_ON_SCHEDULE
        assert row.history_user.username == "pat"
        assert row.change_note == "Explained the court-order rule of the 2025 law."
    finally:
        reader_context.close()
