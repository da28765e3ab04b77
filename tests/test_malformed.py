"""Malformed requests, as anonymous readers and as a logged-in editor: each gets
a 4xx (or a normal page), never a 500. The corpus is built below; `corpus()`
says how many requests it holds."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client, TestCase
from django.urls import reverse

from faq.models import Question

from .factories import answer_form_data, make_guide, make_question, make_staff

HUGE = "x" * 20_000
ODD_VALUES = [
    "abc",
    "-1",
    "0",
    "1e3",
    "99999999999999999999999",
    "%FF%FE",
    "%00",
    "%C3%28",
    "%ED%A0%80",
    "1%20OR%201=1",
    "'\"<script>",
    "\u202e\u200b",
    HUGE,
]
# Admin pages cost more to render: the values that reached different code.
ADMIN_ODD_VALUES = ["abc", "-1", "99999999999999999999999", "%FF%FE", "%00", HUGE]
ODD_METHODS = ["PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND", "BREW"]


def corpus(guide_slug, question_slug, answer_id, question_id, history_id):
    """(method, path, data) for every request the tests send."""
    public = [
        "/",
        f"/{guide_slug}/",
        f"/{guide_slug}/{question_slug}/",
        f"/{guide_slug}/{question_slug}/changes/",
        "/topics/",
        "/topics/privacy/",
        "/search/",
        "/feeds/updates.atom",
        "/sitemap.xml",
        "/robots.txt",
        "/healthz",
    ]
    requests = []
    for path in public:
        for name in ("page", "q", "p", "nocache"):
            for value in ODD_VALUES:
                requests.append(("GET", f"{path}?{name}={value}", None))
        requests.append(("GET", f"{path}?{'&'.join(f'a{n}=1' for n in range(2000))}", None))
        requests.append(("GET", f"{path}?page=1&page=2&q=&q=%FF", None))
        for method in ODD_METHODS + ["POST", "HEAD"]:
            requests.append((method, path, None))
    for value in ODD_VALUES[:-1]:
        requests += [
            ("GET", f"/{value}/", None),
            ("GET", f"/{guide_slug}/{value}/", None),
            ("GET", f"/{guide_slug}/{value}/changes/", None),
            ("GET", f"/topics/{value}/", None),
            ("GET", f"/search/?q={value}*%20NEAR(%22", None),
        ]
    search_syntax = ['"', "NEAR(a b", "a AND OR NOT", "*", "^x", "col:x", "(((", "a-b-c", "''"]
    requests += [("GET", f"/search/?q={q}", None) for q in search_syntax]

    admin = f"/admin/faq/answer/{answer_id}"
    admin_paths = [
        "/admin/",
        "/admin/faq/answer/",
        "/admin/faq/question/",
        "/admin/faq/guide/",
        "/admin/faq/topic/",
        f"{admin}/change/",
        f"{admin}/history/",
        f"{admin}/compare/",
        f"/admin/faq/question/{question_id}/change/",
        f"/admin/faq/question/{question_id}/history/",
    ]
    for path in admin_paths:
        for name in ("p", "o", "q", "question__guide__id__exact"):
            for value in ADMIN_ODD_VALUES:
                requests.append(("GET", f"{path}?{name}={value}", None))
        for name in ("e", "review", "_popup", "to"):
            requests.append(("GET", f"{path}?{name}=%FF", None))
        for method in ODD_METHODS:
            requests.append((method, path, None))
    for value in ODD_VALUES[:-1]:
        requests += [
            ("GET", f"/admin/faq/answer/{value}/change/", None),
            ("GET", f"/admin/faq/question/{value}/history/", None),
            ("GET", f"/admin/faq/answer/{value}/history/", None),
            ("GET", f"{admin}/history/{value}/", None),
            ("GET", f"/admin/faq/question/{question_id}/history/{value}/", None),
            ("GET", f"{admin}/compare/?from={value}&to={history_id}", None),
            ("GET", f"{admin}/compare/?from={history_id}&to={value}", None),
            ("GET", f"{admin}/revert/{value}/", None),
            ("GET", f"/admin/faq/answer/{value}/preview/", None),
            ("POST", f"/admin/faq/answer/{value}/preview/", {}),
        ]
    requests += [
        ("GET", f"{admin}/revert/999999/", None),
        ("GET", "/admin/faq/answer/999999/change/", None),
        ("GET", "/admin/faq/answer/999999/history/", None),
        ("GET", "/admin/faq/answer/999999/compare/", None),
        ("POST", "/admin/faq/answer/999999/preview/", {}),
        ("POST", f"{admin}/preview/", {}),  # only the CSRF token (added by the client)
        ("POST", f"{admin}/preview/", {"sources-TOTAL_FORMS": "x", "body": HUGE * 60}),
        ("POST", f"{admin}/preview/", {"sources-TOTAL_FORMS": "99999999"}),
        ("POST", f"{admin}/change/", {}),
        ("POST", f"{admin}/change/", {"base_version": "abc", "body": HUGE * 60}),
        ("POST", f"{admin}/change/", {"sources-TOTAL_FORMS": "-5", "base_version": "1"}),
        ("POST", f"{admin}/revert/{history_id}/", {}),
        ("POST", f"{admin}/revert/abc/", {}),
        ("POST", "/admin/faq/question/add/", {}),
        ("POST", "/admin/faq/question/add/", {"guide": "abc", "text": HUGE, "position": "-1"}),
        ("POST", f"/admin/faq/question/{question_id}/change/", {"opened_at": "not a date"}),
        ("POST", "/admin/faq/answer/", {"action": "mark_as_reviewed", "_selected_action": "x"}),
        ("POST", "/admin/faq/answer/", {"action": "no_such_action", "_selected_action": "1"}),
        ("POST", "/admin/faq/question/", {"action": "publish_questions", "index": "abc"}),
        ("POST", "/admin/login/", {"username": HUGE, "password": HUGE}),
        ("POST", "/admin/login/", {"username": "\x00", "password": "\x00"}),
        ("GET", "/admin/login/?next=//evil.example/", None),
        ("GET", "/admin/login/?next=%FF", None),
        ("GET", "/admin/%FF%FE/", None),
        ("GET", "/admin/faq/%FF/", None),
        ("GET", "/admin/faq/nosuchmodel/", None),
        ("GET", "/admin/auth/user/", None),
        ("GET", "/admin/jsi18n/?language=%FF", None),
    ]
    return requests


class MalformedRequestTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        from faq.roles import ensure_groups

        ensure_groups()
        guide = make_guide()
        cls.question = make_question(guide, 1, topics=["Privacy"])
        make_question(guide, 2, status=Question.Status.DRAFT)
        cls.editor = make_staff("eddie", "Editors")
        cls.superuser = get_user_model().objects.create_superuser("root", password="pw-for-tests")
        answer = cls.question.answer
        cls.requests = corpus(
            guide.slug,
            cls.question.slug,
            answer.pk,
            cls.question.pk,
            answer.history.first().history_id,
        )

    def send_all(self, client):
        statuses, failures = {}, []
        self.admin_shown = []
        for method, path, data in self.requests:
            response = client.generic(
                method,
                path,
                data=urlencode_or_empty(data),
                content_type="application/x-www-form-urlencoded",
            )
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                failures.append((method, path[:120], response.status_code))
            admin_page = path.startswith("/admin/") and not path.startswith("/admin/login/")
            if admin_page and response.status_code == 200:
                self.admin_shown.append(path[:120])
        return statuses, failures

    def assert_no_server_error(self, client):
        statuses, failures = self.send_all(client)
        self.maxDiff = None
        self.assertEqual(failures, [], f"statuses: {statuses}")
        self.assertGreater(sum(statuses.values()), 1000)
        return statuses

    def test_anonymous(self):
        statuses = self.assert_no_server_error(Client(raise_request_exception=False))
        self.assertEqual(self.admin_shown, [])  # every admin URL sends them to log in
        self.assertGreater(statuses.get(404, 0), 50)

    def test_logged_in_editor(self):
        client = Client(raise_request_exception=False)
        client.force_login(self.editor)
        self.assert_no_server_error(client)

    def test_a_post_without_a_valid_csrf_token_is_refused(self):
        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        client.force_login(self.editor)
        url = reverse("admin:faq_answer_change", args=[self.question.answer.pk])
        data = answer_form_data(self.question.answer, body="Forged.")
        for token in (None, "", "x" * 64, "%FF" * 20):
            payload = data if token is None else {**data, "csrfmiddlewaretoken": token}
            with self.subTest(token=token):
                self.assertEqual(client.post(url, payload).status_code, 403)
        self.question.answer.refresh_from_db()
        self.assertNotEqual(self.question.answer.body, "Forged.")

    def test_the_two_500s_the_issue_names_are_now_404_and_400(self):
        client = Client(raise_request_exception=False)
        client.force_login(self.superuser)
        answer = self.question.answer
        history = client.get(f"/admin/faq/answer/{answer.pk}/history/abc/")
        self.assertEqual(history.status_code, 404)
        preview = client.post(reverse("admin:faq_answer_preview", args=[answer.pk]), {})
        self.assertEqual(preview.status_code, 400)


# Ids as a URL or a form may carry them, none a record's: not a number, a
# negative one, a float, one past 64 bits, SQL, and digits that are not ASCII.
MALFORMED_IDS = ["abc", "-1", "1e3", "99999999999999999999999", "1 OR 1=1", "\u0663"]


def registry_corpus():
    """(method, path, data, status) for every model admin registered, this app's
    or another's (users, groups, django-axes, django-otp): a malformed id in its
    history page's URL is a 404, and in any of its actions' selection a 400."""
    requests = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        actions = ["delete_selected", *(getattr(a, "__name__", a) for a in model_admin.actions)]
        for value in MALFORMED_IDS:
            requests.append(("GET", f"{changelist}{value}/history/", None, 404))
            # simple-history's page of one revision (elsewhere no such page: no 500)
            requests.append(("GET", f"{changelist}1/history/{value}/", None, None))
            for action in actions:
                data = {"action": action, "_selected_action": ["1", value], "index": "0"}
                requests.append(("POST", changelist, data, 400))
    return requests


class RegistryMalformedIdTests(TestCase):
    """Every admin screen, not only the answers': the corpus above missed the
    topics', guides', categories', notices' and synonyms' history pages and the
    actions of every other list (500s found by hand)."""

    @classmethod
    def setUpTestData(cls):
        cls.superuser = get_user_model().objects.create_superuser("root", password="pw-for-tests")
        make_question(make_guide(), 1, topics=["Privacy"])

    def test_malformed_ids_are_404s_and_400s_on_every_screen(self):
        client = Client(raise_request_exception=False)
        client.force_login(self.superuser)
        requests = registry_corpus()
        wrong = []
        for method, path, data, expected in requests:
            response = client.generic(
                method,
                path,
                data=urlencode_or_empty(data),
                content_type="application/x-www-form-urlencoded",
            )
            if response.status_code >= 500 or expected not in (None, response.status_code):
                wrong.append(
                    (method, path, data and data["_selected_action"][1], response.status_code)
                )
        self.assertEqual(wrong, [])
        self.assertGreater(len(requests), 200)

    def test_well_formed_ids_still_reach_the_screens(self):
        """The check that the refusals above are about the ids alone."""
        client = Client()
        client.force_login(self.superuser)
        topic = Question.objects.get().tags.get()
        self.assertEqual(client.get(f"/admin/faq/topic/{topic.pk}/history/").status_code, 200)
        row = topic.history.latest()
        url = f"/admin/faq/topic/{topic.pk}/history/{row.history_id}/"
        self.assertEqual(client.get(url).status_code, 200)
        data = {"action": "delete_selected", "_selected_action": [topic.pk], "index": "0"}
        confirm = client.post("/admin/faq/topic/", data)
        self.assertContains(confirm, f'name="_selected_action" value="{topic.pk}"')


def urlencode_or_empty(data):
    from urllib.parse import urlencode

    return urlencode(data or {}, doseq=True)
