"""The permission matrix: every role against every admin screen, every admin
action and every public page.

The list of screens is built from `admin.site._registry` (each model admin's
own URLs, custom views included) and the URLconf, so a new screen is covered
the day it is registered. What a role may do is read from its Django
permissions (faq/roles.py grants them) and, for public text, the publish
permission; nothing is taken from the admin code under test. A refusal is a
403, a redirect to the login page or (an app page) a 404, and changes nothing:
every table's row count and a hash of its rows are compared before and after.
"""

import datetime
import hashlib
import itertools
from html.parser import HTMLParser
from urllib.parse import urlsplit

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.test import Client, RequestFactory, TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_static.models import StaticDevice
from taggit.models import Tag

from faq.models import Guide, Question, SearchCount, SiteNotice, Source, SynonymGroup, Topic
from faq.revisions import save_revision
from faq.roles import PUBLISH_PERMISSION

from .factories import (
    add_authenticator,
    make_guide,
    make_question,
    make_spanish_guide,
    make_staff,
    make_translation,
)

ROLES = ("anonymous", "editor", "publisher", "superuser")
LOGIN = "/admin/login/"
# Public text: changing a published one needs the publish permission too. The
# objects made below are all public (published guide, live topic, active notice).
PUBLIC_TEXT = {"faq.topic", "faq.guide", "faq.category", "faq.sitenotice"}
# Models whose change and add forms post back as the page shows them, so the
# superuser's post of the same data is checked to change something (proof
# that a leak of the refused posts would show). A model added later is still
# checked for refusals; add it here once its form posts as-is.
CONTROLLED = {
    "auth.group",
    "faq.category",
    "faq.guide",
    "faq.question",
    "faq.answer",
    "faq.topic",
    "faq.sitenotice",
}
# Custom admin views that change a published answer's public text; the first
# answer made below is published.
LIVE_CHANGES = {"faq_answer_revert"}
# Tables that logins themselves write (sessions, django-axes' login log).
NOT_CONTENT = {"sessions", "axes"}


def snapshot():
    """Row count and content hash of every table but sessions and login logs."""
    state = {}
    for model in apps.get_models():
        if model._meta.app_label in NOT_CONTENT:
            continue
        rows = list(model._base_manager.order_by("pk").values_list())
        state[model._meta.label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return state


def changed_tables(before, after):
    return sorted(label for label in after if before.get(label) != after[label])


class FormFields(HTMLParser):
    """The fields of an admin form, as a browser would post them."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data, self.kinds = form_id, False, {}, {}
        self.select = self.textarea = None

    def add(self, name, value, kind):
        self.data.setdefault(name, []).append(value)
        self.kinds[name] = kind

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside or "name" not in attrs and tag != "option":
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.add(attrs["name"], attrs.get("value", "on"), kind)
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.add(attrs["name"], attrs.get("value") or "", kind)
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.add(self.textarea, "", "textarea")
        elif tag == "select":
            self.select = {
                "name": attrs["name"],
                "first": None,
                "chosen": False,
                "required": "required" in attrs,  # an optional one is left empty
            }
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.select["first"] is None and value:
                self.select["first"] = value
            if "selected" in attrs and value:
                self.add(self.select["name"], value, "select")
                self.select["chosen"] = True

    def handle_data(self, data):
        if self.textarea is not None:
            self.data[self.textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select" and self.select is not None:
            if not self.select["chosen"] and self.select["first"] and self.select["required"]:
                self.add(self.select["name"], self.select["first"], "select")
            self.select = None
        elif tag == "form" and self.inside:
            self.inside = False


UNIQUE = itertools.count(1)


def form_data(response, model, fill_empty=False):
    parser = FormFields(f"{model._meta.model_name}_form")
    parser.feed(response.content.decode())
    data = parser.data
    text_fields = [
        f.name
        for f in model._meta.get_fields()
        if getattr(f, "get_internal_type", None)
        and f.get_internal_type() in ("CharField", "TextField", "SlugField")
        and f.editable
    ]
    for name, values in data.items():
        if len(values) != 1 or values[0].strip():
            continue
        kind = parser.kinds[name]
        # Blank text the model requires (a name, a change note) gets a value;
        # a new object also gets its number and its first inline's text.
        if kind == "text" and (name in text_fields or fill_empty and "-" not in name):
            data[name] = [f"matrix-test-{next(UNIQUE)}"]
        elif fill_empty and kind == "number" and "-" not in name:
            data[name] = ["99"]
        elif fill_empty and kind == "textarea":
            data[name] = ["Matrix test text."]
    # One text field of the model itself changes, so a save would show.
    for name in [*text_fields, "question_text", "body"]:
        if name in data and data[name][0]:
            data[name] = [data[name][0] + "-changed"]
            break
    data["_save"] = ["Save"]
    return data


def admin_url_cases():
    """(label, url, model or None, kind, model admin or None) for every admin URL."""
    cases = []
    for pattern in admin.site.get_urls():
        name = getattr(pattern, "name", None)
        if isinstance(pattern, URLPattern) and name and name != "view_on_site":
            if name == "app_list":
                for app_label in sorted({m._meta.app_label for m in admin.site._registry}):
                    url = reverse("admin:app_list", kwargs={"app_label": app_label})
                    cases.append((f"app_list {app_label}", url, None, app_label, None))
            elif not pattern_keys(pattern):
                cases.append((name, reverse(f"admin:{name}"), None, name, None))
    guide = Guide.objects.first()
    guide_type = ContentType.objects.get_for_model(Guide)
    cases.append(
        ("view_on_site", f"/admin/r/{guide_type.pk}/{guide.pk}/", None, "view_on_site", None)
    )
    for model, model_admin in admin.site._registry.items():
        obj = model._base_manager.order_by("pk").first()
        for pattern in model_admin.get_urls():
            if not isinstance(pattern, URLPattern) or not pattern.name:
                continue
            if pattern.pattern.regex.groups > len(pattern_keys(pattern)):
                # simple-history's re_path: <object id>/history/<history id>/.
                history = getattr(obj, "history", None)
                row = history.order_by("history_id").first() if history else None
                if pattern.name.endswith("_simple_history") and row is not None:
                    url = reverse(f"admin:{pattern.name}", args=[obj.pk, row.history_id])
                    cases.append((pattern.name, url, model, "history", model_admin))
                continue
            kwargs = {}
            for key in pattern_keys(pattern):
                if key in ("object_id", "pk") and obj is not None:
                    kwargs[key] = obj.pk
                elif key in ("history_id", "version_id") and obj is not None:
                    history = getattr(obj, "history", None)
                    row = history.order_by("history_id").first() if history else None
                    if row is not None:
                        kwargs[key] = row.history_id
            if set(kwargs) != set(pattern_keys(pattern)):
                continue  # no object (or no history) of this model to open
            kind = model_kind(model, pattern.name)
            url = reverse(f"admin:{pattern.name}", kwargs=kwargs)
            cases.append((pattern.name, url, model, kind, model_admin))
    return cases


def pattern_keys(pattern):
    """The URL's named parts, for path() and re_path() patterns alike."""
    return set(pattern.pattern.regex.groupindex)


def model_kind(model, url_name):
    prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
    kind = url_name.removeprefix(prefix)
    return kind if kind in ("changelist", "add", "change", "delete", "history") else "other"


def may(user, model, action):
    """What the role's Django permissions allow on `model`."""
    label = f"{model._meta.app_label}.%s_{model._meta.model_name}"
    if action == "view":
        return user.has_perm(label % "view") or user.has_perm(label % "change")
    if action == "publish":
        return user.has_perm(PUBLISH_PERMISSION)
    return user.has_perm(label % action)


class MatrixTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        guide = make_guide("matrix-guide")
        cls.published = make_question(guide, 1, topics=["Privacy"])
        cls.draft = make_question(guide, 2, status=Question.Status.DRAFT, topics=["Draft topic"])
        spanish_guide = make_spanish_guide(guide, "guia-matriz")
        cls.spanish = make_translation(cls.published, spanish_guide, topics=["Privacidad"])
        cls.spanish_draft = make_translation(cls.draft, spanish_guide, status=Question.Status.DRAFT)
        answer = cls.published.answer
        Source.objects.create(answer=answer, title="The law", url="https://example.org/law")
        answer.body = "A second revision of the answer."
        answer.change_note = "Second revision"
        save_revision(answer, None)
        SiteNotice.objects.create(text="General information, not legal advice.")
        SynonymGroup.objects.create(language="en", terms="license, licence")
        SearchCount.objects.create(
            day=datetime.date(2026, 12, 1), language="en", query="licence", found=True, count=3
        )
        Tag.objects.create(name="An unused taggit tag")
        cls.users = {
            "editor": make_staff("matrix-editor", "Editors"),
            "publisher": make_staff("matrix-publisher", "Editors", "Publishers"),
            "superuser": get_user_model().objects.create_superuser("matrix-root", password="x"),
        }
        for user in cls.users.values():
            add_authenticator(user)
        StaticDevice.objects.create(user=cls.users["superuser"], name="Recovery codes")
        AccessAttempt.objects.create(
            username="someone",
            ip_address="192.0.2.1",
            failures_since_start=1,
            get_data="",
            post_data="",
            http_accept="",
            path_info="/admin/login/",
            user_agent="test",
        )
        AccessLog.objects.create(username="someone", ip_address="192.0.2.1", user_agent="test")
        AccessFailureLog.objects.create(
            username="someone", ip_address="192.0.2.1", user_agent="test", locked_out=False
        )

    def setUp(self):
        self.clients = {"anonymous": Client()}
        for role, user in self.users.items():
            self.clients[role] = Client()
            self.clients[role].force_login(user)

    def user(self, role):
        return self.users.get(role) or AnonymousUser()

    def assertRefused(self, role, response, message):
        if role == "anonymous":
            self.assertEqual(response.status_code, 302, message)
            self.assertTrue(urlsplit(response["Location"]).path == LOGIN, message)
        else:
            self.assertIn(response.status_code, (403, 404), message)


class AdminScreenTests(MatrixTestCase):
    def test_the_list_covers_every_registered_model_and_the_custom_views(self):
        cases = admin_url_cases()
        names = {name for name, *_ in cases}
        for model in admin.site._registry:
            with self.subTest(model=model._meta.label):
                prefix = f"{model._meta.app_label}_{model._meta.model_name}"
                self.assertIn(f"{prefix}_changelist", names)
                self.assertIn(f"{prefix}_change", names)
        for custom in ("faq_answer_preview", "faq_answer_compare", "faq_answer_revert"):
            self.assertIn(custom, names)
        self.assertIn("faq_answer_simple_history", names)
        self.assertIn("second_factor", names)

    def test_every_role_on_every_admin_screen(self):
        superuser_status = {}
        for name, url, model, kind, _model_admin in admin_url_cases():
            for role in ("superuser", "anonymous", "editor", "publisher"):
                response = self.clients[role].get(url)
                message = f"{role} GET {url} ({name}): {response.status_code}"
                with self.subTest(role=role, url=url):
                    self.assertLess(response.status_code, 500, message)
                    if role == "superuser":
                        superuser_status[url] = response.status_code
                        self.assertNotEqual(response.get("Location", "").split("?")[0], LOGIN)
                    elif role == "anonymous":
                        if name == "login":
                            self.assertEqual(response.status_code, 200, message)
                        elif name != "logout":  # GET is not a logout: 405
                            self.assertRefused(role, response, message)
                    elif model is not None:
                        self.check_model_screen(
                            role, model, kind, response, message, superuser_status[url]
                        )

    def check_model_screen(self, role, model, kind, response, message, superuser_status):
        action = {"add": "add", "delete": "delete"}.get(kind, "view")
        if not may(self.user(role), model, action) or superuser_status == 403:
            self.assertRefused(role, response, message)
        elif kind == "other":
            # Custom views add their own rules (revert: publishers only when live).
            # 405: a view that only takes POST (Translate) refuses a GET.
            self.assertIn(response.status_code, (200, 302, 403, 405), message)
        else:
            self.assertIn(response.status_code, (200, 302), message)
            self.assertNotEqual(response.get("Location", "").split("?")[0], LOGIN, message)

    def test_editors_and_publishers_see_only_their_apps(self):
        for role in ("editor", "publisher"):
            for app_label in ("auth", "otp_totp", "otp_static", "axes"):
                with self.subTest(role=role, app=app_label):
                    url = reverse("admin:app_list", kwargs={"app_label": app_label})
                    self.assertEqual(self.clients[role].get(url).status_code, 404)
            self.assertEqual(self.clients[role].get("/admin/faq/").status_code, 200)
        # taggit's generic Tag screen (unused here) had a merge view open to all staff.
        self.assertFalse(admin.site.is_registered(Tag))


class RefusedPostTests(MatrixTestCase):
    def refused_posts(self):
        """(role, label, url, data) for every add, change and delete a role may not make."""
        root = self.clients["superuser"]
        posts = []
        for model, _model_admin in admin.site._registry.items():
            opts = model._meta
            prefix = f"admin:{opts.app_label}_{opts.model_name}"
            obj = model._base_manager.order_by("pk").first()
            add_page = root.get(reverse(f"{prefix}_add"))
            forms = []
            if add_page.status_code == 200:
                forms.append(("add", reverse(f"{prefix}_add"), form_data(add_page, model, True)))
            if obj is not None:
                change_url = reverse(f"{prefix}_change", args=[obj.pk])
                change_page = root.get(change_url)
                if change_page.status_code == 200:
                    forms.append(("change", change_url, form_data(change_page, model)))
                delete_url = reverse(f"{prefix}_delete", args=[obj.pk])
                forms.append(("delete", delete_url, {"post": ["yes"]}))
            for action, url, data in forms:
                for role in ("anonymous", "editor", "publisher"):
                    user = self.user(role)
                    allowed = may(user, model, action)
                    if action != "add" and opts.label_lower in PUBLIC_TEXT:
                        allowed = allowed and may(user, model, "publish")
                    if not allowed:
                        posts.append((role, f"{action} {opts.label}", url, data))
        for name, url, model, kind, _model_admin in admin_url_cases():
            if model is None or kind not in ("other", "history"):
                continue
            for role in ("anonymous", "editor", "publisher"):
                user = self.user(role)
                # Reverting a published answer changes the public page at once.
                live = name in LIVE_CHANGES and not may(user, model, "publish")
                if not may(user, model, "view") or live:
                    posts.append((role, f"{name} {model._meta.label}", url, {"post": ["yes"]}))
        return posts

    def test_nobody_reverts_through_simple_historys_own_screen(self):
        """Reverts go through the answer's revert view, which writes a revision."""
        urls = [url for name, url, *_ in admin_url_cases() if name.endswith("_simple_history")]
        self.assertGreaterEqual(len(urls), 5)
        for url in urls:
            for role in ROLES:
                with self.subTest(role=role, url=url):
                    before = snapshot()
                    response = self.clients[role].post(url, {"_save": "Save"})
                    if role == "anonymous":
                        self.assertRefused(role, response, url)
                    else:
                        self.assertEqual(response.status_code, 403, url)
                    self.assertEqual(changed_tables(before, snapshot()), [], url)

    def test_refused_adds_changes_and_deletes_change_nothing(self):
        posts = self.refused_posts()
        roles = {role for role, *_ in posts}
        self.assertEqual(roles, {"anonymous", "editor", "publisher"})
        self.assertIn(
            ("editor", "faq_answer_revert faq.Answer"), {(r, label) for r, label, *_ in posts}
        )
        for role, label, url, data in posts:
            with self.subTest(role=role, post=label):
                before = snapshot()
                response = self.clients[role].post(url, data)
                message = f"{role} POST {url} ({label}): {response.status_code}"
                self.assertRefused(role, response, message)
                self.assertEqual(changed_tables(before, snapshot()), [], message)

    def test_the_same_posts_from_the_superuser_do_change_things(self):
        """The control: the refused posts carry data a save would accept."""
        posts = {(label, url): data for _role, label, url, data in self.refused_posts()}
        checked = set()
        for (label, url), data in sorted(posts.items()):
            action, model_label = label.split(" ")
            if model_label.lower() not in CONTROLLED or action not in ("add", "change"):
                continue
            with self.subTest(post=label):
                before = snapshot()
                response = self.clients["superuser"].post(url, data)
                errors = response.context and [
                    (f.errors, getattr(f, "non_form_errors", list)())
                    for f in [
                        response.context.get("adminform") and response.context["adminform"].form,
                        *[i.formset for i in response.context.get("inline_admin_formsets", [])],
                    ]
                    if f
                ]
                self.assertEqual(
                    response.status_code, 302, f"{label}: {response.status_code} {errors}"
                )
                self.assertNotEqual(changed_tables(before, snapshot()), [], label)
                checked.add(label)
        self.assertTrue({"change faq.Topic", "change faq.SiteNotice", "add faq.Guide"} <= checked)

    def test_an_editor_cannot_delete_but_a_superuser_can(self):
        """A delete that is allowed does delete: the refusals above are real."""
        notice = SiteNotice.objects.get()
        url = reverse("admin:faq_sitenotice_delete", args=[notice.pk])
        self.assertEqual(self.clients["editor"].post(url, {"post": "yes"}).status_code, 403)
        self.assertTrue(SiteNotice.objects.exists())
        self.assertEqual(self.clients["superuser"].post(url, {"post": "yes"}).status_code, 302)
        self.assertFalse(SiteNotice.objects.filter(pk=notice.pk).exists())


class AdminActionTests(MatrixTestCase):
    def test_refused_actions_change_nothing(self):
        factory = RequestFactory()
        tried = 0
        for model, model_admin in admin.site._registry.items():
            opts = model._meta
            request = factory.get("/admin/")
            request.user = self.users["superuser"]
            actions = model_admin.get_actions(request)
            pks = [str(pk) for pk in model._base_manager.values_list("pk", flat=True)]
            if not pks:
                continue
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            for name, (function, _name, _description) in actions.items():
                needed = getattr(function, "allowed_permissions", ()) or ("view",)
                for role in ("anonymous", "editor", "publisher"):
                    user = self.user(role)
                    if all(may(user, model, permission) for permission in needed):
                        continue
                    data = {"action": name, "_selected_action": pks, "index": 0, "post": "yes"}
                    with self.subTest(role=role, action=f"{opts.label}.{name}"):
                        before = snapshot()
                        response = self.clients[role].post(url, data)
                        self.assertLess(response.status_code, 500)
                        if role == "anonymous":
                            self.assertRefused(role, response, name)
                        self.assertEqual(changed_tables(before, snapshot()), [], name)
                        tried += 1
        self.assertGreater(tried, 10)

    def test_publishing_actions_are_refused_to_editors(self):
        url = reverse("admin:faq_question_changelist")
        data = {"action": "publish_questions", "_selected_action": [self.draft.pk], "index": 0}
        self.clients["editor"].post(url, data)
        self.assertEqual(Question.objects.get(pk=self.draft.pk).status, Question.Status.DRAFT)
        self.clients["publisher"].post(url, data)
        self.assertEqual(Question.objects.get(pk=self.draft.pk).status, Question.Status.PUBLISHED)


def public_url_cases(published, draft, spanish, spanish_draft):
    """Every public URL of the URLconf, with this test's guide, questions and
    topic (their Spanish versions for the Spanish pages, named "es_…")."""
    values_in = {
        False: {
            "guide_slug": published.guide.slug,
            "question_slug": published.slug,
            "topic_slug": Topic.objects.get(name="Privacy").slug,
        },
        True: {
            "guide_slug": spanish.guide.slug,
            "question_slug": spanish.slug,
            "topic_slug": Topic.objects.get(name="Privacidad").slug,
        },
    }
    drafts_in = {False: draft, True: spanish_draft}
    cases = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name != "admin":
                    namespace = f"{pattern.namespace}:" if pattern.namespace else ""
                    walk(pattern.url_patterns, prefix + namespace)
            elif pattern.name:
                spanish_page = pattern.name.startswith("es_")
                values, draft = values_in[spanish_page], drafts_in[spanish_page]
                kwargs = {key: values[key] for key in pattern_keys(pattern)}
                cases.append((prefix + pattern.name, reverse(prefix + pattern.name, kwargs=kwargs)))
                if "question_slug" in kwargs:
                    hidden = {**kwargs, "question_slug": draft.slug}
                    cases.append(
                        (
                            prefix + pattern.name + " (draft)",
                            reverse(prefix + pattern.name, kwargs=hidden),
                        )
                    )

    walk(get_resolver().url_patterns)
    return cases


class PublicPageTests(MatrixTestCase):
    def test_every_role_gets_the_same_public_pages_and_drafts_stay_hidden(self):
        cases = public_url_cases(self.published, self.draft, self.spanish, self.spanish_draft)
        self.assertGreaterEqual(len(cases), 10)
        for name, url in cases:
            statuses = {role: self.clients[role].get(url).status_code for role in ROLES}
            with self.subTest(url=url):
                expected = 404 if "(draft)" in name else 200
                self.assertEqual(set(statuses.values()), {expected}, f"{name} {url}: {statuses}")

    def test_posts_to_public_pages_change_nothing(self):
        for name, url in public_url_cases(
            self.published, self.draft, self.spanish, self.spanish_draft
        ):
            for role in ROLES:
                with self.subTest(role=role, url=url):
                    before = snapshot()
                    response = self.clients[role].post(url, {"q": "x", "body": "x"})
                    # Feeds, the sitemap and /healthz answer any method; none writes.
                    self.assertLess(response.status_code, 500, f"{name} {url}")
                    self.assertEqual(changed_tables(before, snapshot()), [])
