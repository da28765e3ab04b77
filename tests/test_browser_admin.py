"""The admin for editors with disabilities, in a real browser: axe-core's WCAG 2.2
A and AA rules on every admin screen editors use, in light and dark colour
schemes, on a desktop and a 320 px phone; and the answer screen by keyboard alone.

SCREENS is the list to extend: one line per screen.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from faq import workflow
from faq.importing import markdown_front_matter
from faq.importing.export import guide_document
from faq.models import Answer, Guide, SiteNotice, Topic
from faq.revisions import publish, save_draft, save_revision, unpublish
from faq.roles import PUBLISH_PERMISSION

from .factories import add_authenticator, current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-pass-phrase-42"
ANONYMOUS, EDITOR, PUBLISHER = "anonymous", "eddie", "pat"
BOTH = (EDITOR, PUBLISHER)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# The rules whose outcome depends on colour. Django's dark_mode.css and ours
# change colours only (custom properties), never what is shown or where, so
# the dark scheme is checked with these and the light one with every rule.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
# axe files empty table headings under best practice, not WCAG; the issue
# found one on the answer screen, so it is checked too.
EXTRA = {"type": "rule", "values": ["empty-table-header"]}
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 320, "height": 640}
# (colour scheme, width name, viewport, what axe runs: its runOnly option)
MODES = [
    ("light", "desktop", DESKTOP, [{"type": "tag", "values": WCAG_TAGS}, EXTRA]),
    ("light", "phone", PHONE, [{"type": "tag", "values": WCAG_TAGS}]),
    ("dark", "phone", PHONE, [{"type": "rule", "values": COLOUR_RULES}]),
    ("dark", "desktop", DESKTOP, [{"type": "rule", "values": COLOUR_RULES}]),
]


@dataclass(frozen=True)
class Screen:
    name: str
    url: Callable[[SimpleNamespace], str]  # the test's objects -> a path
    roles: tuple = BOTH  # the logins that see it; both where their screens differ
    # (page, objects) -> the page to check (a new tab) or None: the steps
    # that bring the screen into the state to check, after it loaded.
    then: Callable | None = None


def url(name, *args, query=""):
    """A URL builder: the admin URL `name` with the objects' attributes `args`."""
    return lambda o: reverse(f"admin:{name}", args=[getattr(o, a) for a in args]) + query


def fill_in_a_wrong_password(page, o):
    page.fill("#id_username", EDITOR)
    page.fill("#id_password", "not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".errornote")).to_be_visible()


def save_without_a_change_note(page, o):
    page.fill("#id_change_note", "")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".errorlist").first).to_be_visible()


def save_after_a_colleague(page, o):
    """The conflict screen: a colleague saves the answer while this form is open."""
    answer = Answer.objects.get(pk=o.answer)
    answer.body += "\n\nA colleague's sentence."
    save_revision(answer, o.colleague)
    page.fill("#id_body", "My own version of the answer.")
    page.fill("#id_change_note", "Rewrote it")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("alert")).to_be_visible()


def preview(page, o):
    page.fill("#id_body", "Text nobody has saved yet, with a [link](https://www.ilsos.gov/).")
    with page.context.expect_page() as new_tab:
        page.get_by_role("button", name="Preview").click()
    new_tab.value.wait_for_load_state()
    return new_tab.value


def open_the_calendar(page, o):
    page.locator("#calendarlink0").click()
    expect(page.locator("#calendarbox0")).to_be_visible()


def save_an_empty_question(page, o):
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errornote")).to_be_visible()


def preview_a_changed_guide(page, o):
    """The import screen's preview of the seed guide with a question's wording,
    answer and topics changed (every kind of part it marks)."""
    document = guide_document(Guide.objects.get(language="en"))
    entry = document.questions[1]
    entry.text = entry.text.replace("How does", "How exactly does")
    entry.answer = entry.answer.replace("In Illinois,", "Across Illinois,", 1)
    entry.topics = [*entry.topics, "Courts"]
    page.get_by_label("Guide file").set_input_files(
        files=[
            {
                "name": "changed.md",
                "mimeType": "text/markdown",
                "buffer": markdown_front_matter.write(document).encode(),
            }
        ]
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".import-preview ins").first).to_be_visible()


def mark_the_first_answer_reviewed(page, o):
    page.locator("input.action-select").first.check()
    page.select_option("select[name=action]", "mark_as_reviewed")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist .success")).to_be_visible()


def ask_to_delete_the_selected_notices(page, o):
    page.locator("input.action-select").first.check()
    page.select_option("select[name=action]", "delete_selected")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".delete-confirmation")).to_be_visible()


def fill_every_dashboard_section(page, o):
    """Answers 11 to 16 in every state the dashboard lists (5 to 9 hold the edit
    screen's states, workflow_states): a draft of each login's, one in review,
    one sent back, one scheduled and one whose schedule failed."""
    from faq import workflow

    from . import workflow_states as states
    from .factories import make_staff

    answers = {a.question.position: a for a in Answer.objects.all()}
    if answers[11].review_state == "":
        users = get_user_model().objects
        eddie, pat = users.get(username=EDITOR), users.get(username=PUBLISHER)
        reviewer = make_staff("rita", "Reviewers")
        states.draft(answers[11], eddie)
        states.in_review(answers[12], eddie)
        workflow.send_back(states.in_review(answers[13], eddie), reviewer, "Cite the statute.")
        states.scheduled(answers[14], eddie, reviewer, pat)
        states.break_approval(states.make_due(states.scheduled(answers[15], eddie, reviewer, pat)))
        workflow.publish_due()
        states.draft(answers[16], pat)
    page.reload()
    expect(page.locator("#dashboard-schedule-problems li")).to_have_count(1)


def log_out(page, o):
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in again")).to_be_visible()


# Every admin screen editors and publishers use, checked in this order in one
# logged-in tab per role (so a logout comes last). o.answer is published with
# a source, o.drafted has a draft waiting, o.draft is a draft question.
# fmt: off
SCREENS = [
    Screen("login", url("login"), (ANONYMOUS,)),
    Screen("login, wrong password", url("login"), (ANONYMOUS,), fill_in_a_wrong_password),
    Screen("index with review and draft counts", url("index")),
    Screen("index, every dashboard section filled", url("index"), BOTH, fill_every_dashboard_section),  # noqa: E501
    Screen("app index", url("app_list", "app"), (PUBLISHER,)),
    Screen("answers", url("faq_answer_changelist"), (EDITOR,)),
    Screen("answers due for review", url("faq_answer_changelist", query="?review=due"), (PUBLISHER,)),  # noqa: E501
    Screen("answers, after an action", url("faq_answer_changelist"), (EDITOR,), mark_the_first_answer_reviewed),  # noqa: E501
    Screen("answers, searched", url("faq_answer_changelist", query="?q=license"), (EDITOR,)),
    Screen("answer edit, published", url("faq_answer_change", "answer")),
    Screen("answer edit, draft waiting", url("faq_answer_change", "drafted")),
    Screen("answer edit, draft question", url("faq_answer_change", "draft"), (EDITOR,)),
    Screen("answer edit, errors", url("faq_answer_change", "answer"), (EDITOR,), save_without_a_change_note),  # noqa: E501
    Screen("answer edit, conflict", url("faq_answer_change", "answer"), (PUBLISHER,), save_after_a_colleague),  # noqa: E501
    Screen("answer edit, calendar open", url("faq_answer_change", "draft"), (PUBLISHER,), open_the_calendar),  # noqa: E501
    Screen("answer preview", url("faq_answer_change", "answer"), (EDITOR,), preview),
    Screen("answer edit, in review", url("faq_answer_change", "in_review")),
    Screen("answer edit, changes requested", url("faq_answer_change", "sent_back")),
    Screen("answer edit, approved", url("faq_answer_change", "approved")),
    Screen("answer edit, scheduled", url("faq_answer_change", "scheduled")),
    Screen("answer edit, published without review", url("faq_answer_change", "unreviewed")),
    Screen("answer publish without review", url("faq_answer_publish_urgently", "drafted"), (PUBLISHER,)),  # noqa: E501
    Screen("answers in review", url("faq_answer_changelist", query="?review_state=in_review"), (EDITOR,)),  # noqa: E501
    Screen("answer history", url("faq_answer_history", "answer")),
    Screen("answer compare", url("faq_answer_compare", "answer"), (PUBLISHER,)),
    Screen("answer revert confirmation", url("faq_answer_revert", "draft", "draft_first_row"), (EDITOR,)),  # noqa: E501
    Screen("questions", url("faq_question_changelist")),
    Screen("questions, drafts", url("faq_question_changelist", query="?status=draft"), (EDITOR,)),
    Screen("question add", url("faq_question_add"), (EDITOR,)),
    Screen("question add, errors", url("faq_question_add"), (PUBLISHER,), save_an_empty_question),
    Screen("question edit", url("faq_question_change", "question")),
    Screen("question history", url("faq_question_history", "question"), (EDITOR,)),
    Screen("question history, one revision", url("faq_question_simple_history", "question", "question_first_row"), (PUBLISHER,)),  # noqa: E501
    Screen("guides", url("faq_guide_changelist"), (EDITOR,)),
    Screen("guide view", url("faq_guide_change", "guide"), (EDITOR,)),
    Screen("guide edit", url("faq_guide_change", "guide"), (PUBLISHER,)),
    Screen("import a guide", url("faq_guide_import"), (PUBLISHER,)),
    Screen("import a guide, preview", url("faq_guide_import"), (PUBLISHER,), preview_a_changed_guide),  # noqa: E501
    Screen("categories", url("faq_category_changelist"), (PUBLISHER,)),
    Screen("category view", url("faq_category_change", "category"), (EDITOR,)),
    Screen("topics", url("faq_topic_changelist"), (EDITOR,)),
    Screen("topic add", url("faq_topic_add"), (PUBLISHER,)),
    Screen("topic edit", url("faq_topic_change", "topic"), (EDITOR,)),
    Screen("notices", url("faq_sitenotice_changelist"), (PUBLISHER,)),
    Screen("notice add", url("faq_sitenotice_add"), (PUBLISHER,)),
    Screen("notice edit", url("faq_sitenotice_change", "notice"), (PUBLISHER,)),
    Screen("notice delete", url("faq_sitenotice_delete", "notice"), (PUBLISHER,)),
    Screen("notices, delete selected", url("faq_sitenotice_changelist"), (PUBLISHER,), ask_to_delete_the_selected_notices),  # noqa: E501
    Screen("password change", url("password_change"), (EDITOR,)),
    Screen("password change done", url("password_change_done"), (PUBLISHER,)),
    Screen("logged out", url("index"), (EDITOR,), log_out),
]
# fmt: on


@pytest.fixture
def objects(live_server):
    """The seed guide, both logins, and answers in every state the edit screen shows."""
    call_command("seed_content", verbosity=0)
    call_command("createeditor", EDITOR, password=PASSWORD, verbosity=0)
    call_command("createeditor", PUBLISHER, "--publisher", password=PASSWORD, verbosity=0)
    publisher = get_user_model().objects.get(username=PUBLISHER)
    answers = {a.question.position: a for a in Answer.objects.select_related("question__guide")}
    answer, drafted, draft = answers[1], answers[2], answers[3]
    answer.sources.create(title="Illinois Secretary of State", url="https://www.ilsos.gov/")
    answer.body += "\n\nUpdated after the 2025 law."
    answer.change_note = "Added the 2025 law."
    save_revision(answer, publisher)
    live = {"body": drafted.body, "change_note": drafted.change_note, "is_minor": False}
    drafted.body += "\n\nA sentence in a draft."
    drafted.change_note = "Drafted a sentence."
    save_draft(drafted, publisher, live)
    unpublish(draft, publisher)
    publish(answers[4], publisher)
    states = workflow_states(answers, publisher)
    question = answer.question
    return SimpleNamespace(
        base=live_server.url,
        app="faq",
        answer=answer.pk,
        drafted=drafted.pk,
        draft=draft.pk,
        draft_first_row=draft.history.last().pk,
        question=question.pk,
        question_first_row=question.history.last().pk,
        guide=question.guide.pk,
        category=question.guide.category.pk,
        topic=Topic.objects.first().pk,
        notice=SiteNotice.objects.create(text="General information, not legal advice.").pk,
        colleague=publisher,
        **states,
    )


def workflow_states(answers, publisher):
    """Answers 5 to 9 in each state of the publishing workflow, drafted by a third login."""
    call_command("createeditor", "author", password=PASSWORD, verbosity=0)
    author = get_user_model().objects.get(username="author")
    states = {}
    for position, name in enumerate(
        ["in_review", "sent_back", "approved", "scheduled", "unreviewed"], start=5
    ):
        answer = answers[position]
        live = {"body": answer.body, "change_note": answer.change_note, "is_minor": False}
        workflow.content_edited(answer)
        answer.body += "\n\nA sentence waiting for review."
        answer.change_note = "Added a sentence."
        save_draft(answer, author, live, wording=answer.question.text + " (draft)")
        workflow.submit(answer, author)
        if name == "sent_back":
            workflow.send_back(answer, publisher, "Please cite the 2025 law for this sentence.")
        elif name in ("approved", "scheduled"):
            workflow.approve(answer, publisher)
        if name == "scheduled":
            when = timezone.now() + datetime.timedelta(days=3)
            workflow.schedule(answer, publisher, when)
        if name == "unreviewed":
            workflow.publish_urgently(answer, publisher)
        states[name] = answer.pk
    return states


def log_in(page, base, username):
    """The real login form; a publisher also gives the code of an authenticator app."""
    page.goto(base + reverse("admin:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    user = get_user_model().objects.get(username=username)
    if user.has_perm(PUBLISH_PERMISSION):
        device = TOTPDevice.objects.filter(user=user).first() or add_authenticator(user)
        page.fill("#id_code", current_code(device))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"Welcome, {username}", exact=False)).to_be_visible()


# The page never scrolls sideways on a phone (a wide table scrolls in its own box).
SCROLLS_SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth"


def axe_violations(page, axe, runs):
    """One line per element axe faults on the page (axe injected once per page)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe.axe_script)
    # The admin's links fade to a new colour (a CSS transition) when the colour
    # scheme changes; axe must see the colours the editor ends up with.
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
    found = []
    for run_only in runs:
        options = {"runOnly": run_only, "resultTypes": ["violations"]}
        results = page.evaluate("options => axe.run(document, options)", options)
        found += [
            f"{rule['id']}: {node['target']} {node['failureSummary'].splitlines()[-1].strip()}"
            for rule in results["violations"]
            for node in rule["nodes"]
        ]
    return found


@pytest.mark.parametrize("role", [ANONYMOUS, EDITOR, PUBLISHER])
def test_axe_finds_no_wcag_22_aa_violations_on_any_admin_screen(objects, chromium, role):
    """Each screen is loaded once and checked in both colour schemes at both widths,
    under the site's real Content-Security-Policy (no inline style gets through)."""
    context = chromium.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    axe, problems, checked = Axe(), {}, []
    # What the Content-Security-Policy blocked (an inline style or script),
    # before axe runs: axe itself sets a style attribute on form fields.
    refused, refused_by_screens = [], {}
    context.on(
        "console",
        lambda message: "Content Security Policy" in message.text and refused.append(message.text),
    )
    try:
        if role != ANONYMOUS:
            log_in(page, objects.base, role)
        for screen in [s for s in SCREENS if role in s.roles]:
            response = page.goto(objects.base + screen.url(objects))
            assert response.status == 200, screen.name
            shown = (screen.then and screen.then(page, objects)) or page
            if refused:
                refused_by_screens[screen.name] = refused[:]
            for scheme, width, viewport, runs in MODES:
                shown.emulate_media(color_scheme=scheme)
                shown.set_viewport_size(viewport)
                found = axe_violations(shown, axe, runs)
                if viewport is PHONE and shown.evaluate(SCROLLS_SIDEWAYS):
                    found.append("reflow: the page scrolls sideways at 320 px (1.4.10)")
                if found:
                    problems[f"{screen.name} ({scheme}, {width})"] = found
            checked.append(screen.name)
            refused.clear()
            if shown is not page:
                shown.close()
            page.emulate_media(color_scheme="light")
            page.set_viewport_size(DESKTOP)
    finally:
        context.close()
    assert checked == [s.name for s in SCREENS if role in s.roles]
    assert refused_by_screens == {}
    assert problems == {}, "\n".join(
        f"{name}:\n  " + "\n  ".join(found) for name, found in problems.items()
    )


def test_every_role_has_screens_and_every_screen_a_role():
    """A screen added with a typo in its role would silently never be checked."""
    roles = {role for screen in SCREENS for role in screen.roles}
    assert roles == {ANONYMOUS, EDITOR, PUBLISHER}
    names = [screen.name for screen in SCREENS]
    assert len(names) == len(set(names))


FOCUSED = """() => {
  const e = document.activeElement, style = getComputedStyle(e);
  return {
    id: e.id, tag: e.tagName, text: (e.value || e.textContent || "").trim().slice(0, 40),
    outline: style.outlineStyle + " " + style.outlineWidth,
  };
}"""


def tab_to(page, wanted, stops, limit=80):
    """Press Tab until `wanted(focused)` is true, noting every element focus reaches."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        stops.append(focused)
        if wanted(focused):
            return focused
    raise AssertionError(f"Tab never reached it; focus went through {stops}")


def test_an_editor_fills_and_saves_the_answer_screen_with_the_keyboard_alone(objects, page):
    """Tab, type and Enter are enough, and every element focus reaches shows a
    3 px focus ring (admin.css) on the way."""
    log_in(page, objects.base, EDITOR)
    page.goto(objects.base + reverse("admin:faq_answer_change", args=[objects.answer]))
    stops = []
    tab_to(page, lambda f: f["id"] == "id_body", stops)
    page.keyboard.press("Control+A")
    page.keyboard.type("Illinois limits what the DMV may share with ICE.")
    tab_to(page, lambda f: f["id"] == "id_change_note", stops)
    page.keyboard.type("Typed with the keyboard alone.")
    tab_to(page, lambda f: f["tag"] == "INPUT" and f["text"] == "Save as draft", stops)
    page.keyboard.press("Enter")

    expect(page.get_by_text("Draft saved.")).to_be_visible()
    answer = Answer.objects.get(pk=objects.answer)
    assert answer.draft_body == "Illinois limits what the DMV may share with ICE."
    assert answer.draft_change_note == "Typed with the keyboard alone."
    # The first stop is the skip link; the form's own fields come later.
    assert stops[0]["text"] == "Skip to main content"
    assert {"id_body", "id_change_note"} <= {stop["id"] for stop in stops}
    unringed = [stop for stop in stops if stop["outline"] != "solid 3px"]
    assert unringed == []


def test_focus_ring_and_underlined_links_come_from_admin_css_on_django_screens(objects, page):
    """Django's own screens (here a change list) get the project's admin.css too."""
    log_in(page, objects.base, EDITOR)
    page.goto(objects.base + reverse("admin:faq_answer_changelist"))
    stylesheets = page.eval_on_selector_all("link[rel=stylesheet]", "ls => ls.map(l => l.href)")
    assert stylesheets[-1].endswith("faq/admin.css")
    breadcrumb = page.locator(".breadcrumbs a").first
    assert breadcrumb.evaluate("a => getComputedStyle(a).textDecorationLine") == "underline"
    filter_link = page.locator("#changelist-filter li a").first
    assert filter_link.bounding_box()["height"] >= 24
    checkbox = page.locator("#result_list input.action-select").first
    box = checkbox.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24


def test_a_long_question_is_not_covered_by_the_screens_tools(objects, page):
    """Django pulls "Compare revisions" and "History" 48 px up beside the page's
    title; on screens with a subtitle (the answer's question, often long in
    Spanish) they covered its words."""
    page.set_viewport_size(DESKTOP)
    log_in(page, objects.base, EDITOR)
    longest = max(Answer.objects.select_related("question"), key=lambda a: len(a.question.text))
    for name in ("faq_answer_change", "faq_question_change"):
        pk = longest.pk if name == "faq_answer_change" else longest.question_id
        page.goto(objects.base + reverse(f"admin:{name}", args=[pk]))
        title = page.locator("#content > h2").bounding_box()
        tools = page.locator(".object-tools").bounding_box()
        assert tools["y"] >= title["y"] + title["height"], name
