"""The admin in a real browser for editors with disabilities: axe-core's WCAG 2.2
A and AA rules on every admin screen editors use, in light and dark colour
schemes, on a desktop and a 320 px phone, and the answer screen by keyboard alone.

SCREENS is the list to extend: one line per screen (name, URL builder, roles,
and optionally steps that bring the page into the state to check).
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from faq.models import Answer, Category, Guide, Question, SiteNotice, Topic
from faq.revisions import publish, save_draft, save_revision, unpublish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-pass-phrase-42"
ANONYMOUS, EDITOR, PUBLISHER = "anonymous", "eddie", "pat"
STAFF = (EDITOR, PUBLISHER)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
COLOR_SCHEMES = ["light", "dark"]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 320, "height": 640}}


@dataclass(frozen=True)
class Screen:
    name: str
    url: Callable[[SimpleNamespace], str]  # the seeded objects -> a path
    roles: tuple = STAFF
    then: Callable | None = None  # (page, objects) -> None: steps after loading


def change(obj):
    return reverse(f"admin:faq_{obj._meta.model_name}_change", args=[obj.pk])


def changelist(model, query=""):
    return reverse(f"admin:faq_{model._meta.model_name}_changelist") + query


def history(obj):
    return reverse(f"admin:faq_{obj._meta.model_name}_history", args=[obj.pk])


def fill_in_wrong_password(page, objects):
    page.fill("#id_username", EDITOR)
    page.fill("#id_password", "not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".errornote")).to_be_visible()


def save_without_a_change_note(page, objects):
    page.fill("#id_change_note", "")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".errorlist").first).to_be_visible()


def save_after_a_colleague(page, objects):
    """The conflict screen: someone saves the answer while this form is open."""
    answer = Answer.objects.get(pk=objects.answer.pk)
    answer.body += "\n\nA colleague's sentence."
    save_revision(answer, objects.colleague)
    page.fill("#id_body", "My own version of the answer.")
    page.fill("#id_change_note", "Rewrote it")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("alert")).to_be_visible()


def save_an_empty_question(page, objects):
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errornote")).to_be_visible()


def ask_to_delete_the_selected_notices(page, objects):
    page.locator("input.action-select").first.check()
    page.select_option("select[name=action]", "delete_selected")
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".delete-confirmation")).to_be_visible()


def log_out(page, objects):
    page.get_by_role("button", name="Log out").click()
    expect(page.locator("#content h1")).to_be_visible()


# Every admin screen an editor or publisher uses. Screens with side effects
# (a logout) come last, as they run in this order in one logged-in page.
SCREENS = [
    Screen("login", lambda o: reverse("admin:login"), (ANONYMOUS,)),
    Screen(
        "login, wrong password",
        lambda o: reverse("admin:login"),
        (ANONYMOUS,),
        fill_in_wrong_password,
    ),
    Screen("index with review and draft counts", lambda o: reverse("admin:index")),
    Screen("app index", lambda o: reverse("admin:app_list", args=["faq"])),
    Screen("answers", lambda o: changelist(Answer)),
    Screen("answers due for review", lambda o: changelist(Answer, "?review=due")),
    Screen("answers, search", lambda o: changelist(Answer, "?q=license")),
    Screen("answer edit, published", lambda o: change(o.answer)),
    Screen("answer edit, draft waiting", lambda o: change(o.drafted)),
    Screen("answer edit, draft question", lambda o: change(o.draft)),
    Screen("answer edit, errors", lambda o: change(o.answer), then=save_without_a_change_note),
    Screen("answer edit, conflict", lambda o: change(o.answer), then=save_after_a_colleague),
    Screen("answer history", lambda o: history(o.answer)),
    Screen("answer compare", lambda o: reverse("admin:faq_answer_compare", args=[o.answer.pk])),
    Screen(
        "answer revert confirmation",
        lambda o: reverse("admin:faq_answer_revert", args=[o.draft.pk, o.draft.history.last().pk]),
    ),
    Screen("questions", lambda o: changelist(Question)),
    Screen("questions, drafts", lambda o: changelist(Question, "?status=draft")),
    Screen("question add", lambda o: reverse("admin:faq_question_add")),
    Screen(
        "question add, errors",
        lambda o: reverse("admin:faq_question_add"),
        then=save_an_empty_question,
    ),
    Screen("question edit", lambda o: change(o.answer.question)),
    Screen("question history", lambda o: history(o.answer.question)),
    Screen(
        "question history revision",
        lambda o: reverse(
            "admin:faq_question_simple_history",
            args=[o.answer.question.pk, o.answer.question.history.last().pk],
        ),
    ),
    Screen("guides", lambda o: changelist(Guide)),
    Screen("guide view", lambda o: change(o.guide)),
    Screen("categories", lambda o: changelist(Category)),
    Screen("category view", lambda o: change(o.category)),
    Screen("topics", lambda o: changelist(Topic)),
    Screen("topic add", lambda o: reverse("admin:faq_topic_add")),
    Screen("topic edit", lambda o: change(o.topic)),
    Screen("notices", lambda o: changelist(SiteNotice), (PUBLISHER,)),
    Screen("notice edit", lambda o: change(o.notice), (PUBLISHER,)),
    Screen(
        "notice delete",
        lambda o: reverse("admin:faq_sitenotice_delete", args=[o.notice.pk]),
        (PUBLISHER,),
    ),
    Screen(
        "notices, delete selected",
        lambda o: changelist(SiteNotice),
        (PUBLISHER,),
        ask_to_delete_the_selected_notices,
    ),
    Screen("password change", lambda o: reverse("admin:password_change")),
    Screen("password change done", lambda o: reverse("admin:password_change_done")),
    Screen("logout", lambda o: reverse("admin:index"), then=log_out),
]


@pytest.fixture
def objects(live_server):
    """The seed guide, both roles, and answers in every state the edit screen shows."""
    call_command("seed_content", verbosity=0)
    call_command("createeditor", EDITOR, password=PASSWORD, verbosity=0)
    call_command("createeditor", PUBLISHER, "--publisher", password=PASSWORD, verbosity=0)
    publisher = get_user_model().objects.get(username=PUBLISHER)
    answers = {a.question.position: a for a in Answer.objects.select_related("question")}
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
    return SimpleNamespace(
        answer=answer,
        drafted=drafted,
        draft=draft,
        guide=answer.question.guide,
        category=answer.question.guide.category,
        topic=Topic.objects.first(),
        notice=SiteNotice.objects.create(text="General information, not legal advice."),
        colleague=publisher,
        base=live_server.url,
    )


def log_in(page, base, username):
    page.goto(base + reverse("admin:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"Welcome, {username}", exact=False)).to_be_visible()


def axe_violations(page, axe):
    """One line per element axe faults on the page (axe injected once per page)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe.axe_script)
    # The admin's links fade their colour (a CSS transition) when the colour
    # scheme changes; axe must see the colours the editor ends up with.
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    results = page.evaluate("options => axe.run(document, options)", options)
    return [
        f"{rule['id']}: {node['target']} {node['failureSummary'].splitlines()[-1].strip()}"
        for rule in results["violations"]
        for node in rule["nodes"]
    ]


@pytest.mark.parametrize("role", [ANONYMOUS, EDITOR, PUBLISHER])
def test_axe_finds_no_wcag_22_aa_violations_on_any_admin_screen(objects, chromium, role):
    """Each screen, loaded once, is checked in both colour schemes at both widths."""
    context = chromium.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    axe, problems, checked = Axe(), {}, 0
    try:
        if role != ANONYMOUS:
            log_in(page, objects.base, role)
        for screen in [s for s in SCREENS if role in s.roles]:
            response = page.goto(objects.base + screen.url(objects))
            assert response.status == 200, screen.name
            if screen.then:
                screen.then(page, objects)
            for scheme in COLOR_SCHEMES:
                page.emulate_media(color_scheme=scheme)
                for width, viewport in VIEWPORTS.items():
                    page.set_viewport_size(viewport)
                    found = axe_violations(page, axe)
                    if found:
                        problems[f"{screen.name} ({scheme}, {width})"] = found
                    checked += 1
            page.set_viewport_size(VIEWPORTS["desktop"])
            page.emulate_media(color_scheme="light")
    finally:
        context.close()
    assert checked >= 8
    assert problems == {}, "\n".join(
        f"{name}:\n  " + "\n  ".join(found) for name, found in problems.items()
    )
