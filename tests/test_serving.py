"""Serving: the page cache and its invalidation, conditional requests, security
headers, /healthz, static files and the demo data generator."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY, SELF
from csp.exceptions import CSPNonceError
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory, TestCase, TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from faq.cache import (
    CONTENT_MODELS,
    NOT_CONTENT_MODELS,
    STAMP_CACHE_KEY,
    BumpAtCommit,
    page_scopes,
    read_stamp,
    read_stamps,
)
from faq.csp import CSPMiddleware
from faq.markdown import render_markdown
from faq.models import (
    Answer,
    Category,
    Guide,
    Question,
    SiteNotice,
    Source,
    TaggedQuestion,
    Topic,
)
from faq.search import search

from .factories import (
    add_authenticator,
    answer_form_data,
    current_code,
    get_counting_queries,
    make_guide,
    make_guide_with_questions,
    make_question,
    publish_now,
)
from .test_settings import GOOD_KEY

CACHE_CONTROL = "public, max-age=60, must-revalidate"


class PageCacheTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.guide, cls.questions = make_guide_with_questions(3)
        cls.question = cls.questions[0]
        cls.editor = get_user_model().objects.create_superuser("editor", password="pw")

    def test_a_cached_page_is_served_without_any_sql(self):
        first = self.client.get(self.question.get_absolute_url())
        with self.assertNumQueries(0):
            second = self.client.get(self.question.get_absolute_url())
        self.assertEqual(second.status_code, 200)
        self.assertEqual(first.content, second.content)
        self.assertEqual(first["ETag"], second["ETag"])
        self.assertIn("Content-Security-Policy", second)

    def test_a_cached_page_is_refused_to_a_host_not_allowed(self):
        """The page cache remembers the Host headers it has checked (faq/middleware.py
        allowed_host): an unknown host, or one no longer allowed, is still a 400."""
        url = self.question.get_absolute_url()
        with override_settings(ALLOWED_HOSTS=["faq.example.org", "old.example.org"]):
            for host in ("faq.example.org", "old.example.org"):
                self.assertEqual(self.client.get(url, HTTP_HOST=host).status_code, 200)
            self.assertEqual(self.client.get(url, HTTP_HOST="evil.example").status_code, 400)
            with self.settings(ALLOWED_HOSTS=["faq.example.org"]):
                self.assertEqual(self.client.get(url, HTTP_HOST="old.example.org").status_code, 400)
                self.assertEqual(self.client.get(url, HTTP_HOST="faq.example.org").status_code, 200)

    def test_public_pages_say_how_browsers_and_proxies_may_keep_them(self):
        response = self.client.get(self.guide.get_absolute_url())
        self.assertEqual(response["Cache-Control"], CACHE_CONTROL)
        self.assertEqual(response["Vary"], "Cookie, Accept-Encoding")
        self.assertRegex(response["ETag"], r'^"[0-9a-f]{32}"$')
        stamps = read_stamps(page_scopes(self.guide.get_absolute_url()))
        self.assertEqual(response["Last-Modified"], http_date(max(s.modified for s in stamps)))

    def test_an_edit_is_visible_on_the_next_request(self):
        url = self.question.get_absolute_url()
        self.client.get(url)
        answer = self.question.answer
        answer.body = "A corrected answer."
        answer.save()
        self.assertContains(self.client.get(url), "A corrected answer.")

    def test_each_page_type_has_its_own_entry(self):
        pages = [reverse("faq:home"), self.guide.get_absolute_url(), reverse("faq:topics")]
        etags = {self.client.get(url)["ETag"] for url in pages}
        self.assertEqual(len(etags), len(pages))

    def test_logged_in_editors_get_fresh_private_pages(self):
        """An editor's request never reads or fills the cache, and proxies must not keep it."""
        self.client.force_login(self.editor)
        url = self.question.get_absolute_url()
        self.client.get(url)
        response, queries = get_counting_queries(self.client, url)
        self.assertGreater(queries, 0)
        self.assertNotIn("ETag", response)
        self.assertIn("private", response["Cache-Control"])
        self.client.logout()
        self.assertEqual(Client().get(url).status_code, 200)

    def test_admin_health_errors_and_odd_query_strings_are_not_cached(self):
        self.client.force_login(self.editor)
        admin_page = self.client.get(reverse("admin:index"))
        self.assertNotIn("ETag", admin_page)
        anonymous = Client()
        for url in [
            reverse("admin:login"),
            reverse("faq:healthz"),
            "/no-such-guide/",
            reverse("faq:home") + "?utm_source=news",
        ]:
            with self.subTest(url=url):
                anonymous.get(url)
                response, queries = get_counting_queries(anonymous, url)
                self.assertNotIn("ETag", response)
                # The view ran again: it queried the database or rendered a template.
                self.assertTrue(queries or response.templates)

    def test_other_cookies_and_known_parameters_still_use_the_cache(self):
        """Only the session cookie and unknown parameters keep a reader off the cache."""
        reader = Client()
        reader.cookies["consent"] = "yes"
        for url in [self.question.get_absolute_url(), reverse("faq:search") + "?q=licence"]:
            with self.subTest(url=url):
                reader.get(url)
                response, queries = get_counting_queries(reader, url)
                self.assertEqual(queries, 0)
                self.assertIn("ETag", response)

    def test_only_urls_a_page_links_to_are_stored(self):
        """A page is stored only under query values it was rendered from, so made-up
        URLs cannot fill the cache and push real pages out."""
        guide = self.guide.get_absolute_url()
        stored = [guide + "?page=1", reverse("faq:search") + "?q=licence&page=1"]
        not_stored = [
            reverse("faq:home") + "?q=anything",  # the home page reads no q
            self.question.get_absolute_url() + "?page=2",
            guide + "?page=01",
            reverse("faq:search") + "?q=licence&page=99",  # shown as the last page
            reverse("faq:search") + "?q=++licence",  # searched as "licence"
        ]
        for url in stored + not_stored:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)
                _response, queries = get_counting_queries(self.client, url)
                if url in stored:
                    self.assertEqual(queries, 0)
                else:
                    self.assertGreater(queries, 0)

    def test_a_post_to_a_public_page_is_not_answered_from_the_cache(self):
        url = self.guide.get_absolute_url()
        self.client.get(url)
        self.assertEqual(self.client.post(url).status_code, 405)

    def test_head_is_answered_from_the_cache(self):
        url = self.guide.get_absolute_url()
        get = self.client.get(url)
        with self.assertNumQueries(0):
            head = self.client.head(url)
        self.assertEqual(head.status_code, 200)
        self.assertEqual(head["ETag"], get["ETag"])
        self.assertEqual(head.content, b"")

    @override_settings(PAGE_CACHE_SECONDS=0)
    def test_the_cache_can_be_turned_off(self):
        url = self.question.get_absolute_url()
        self.client.get(url)
        response, queries = get_counting_queries(self.client, url)
        self.assertGreater(queries, 0)
        self.assertNotIn("ETag", response)


class SharedCacheTests(TestCase):
    """With a cache all app servers share, the stamp lives in that cache."""

    @classmethod
    def setUpTestData(cls):
        cls.guide, (cls.question,) = make_guide_with_questions(1)

    def test_the_stamp_lives_in_a_shared_cache_and_edits_replace_it(self):
        import tempfile

        with (
            tempfile.TemporaryDirectory() as folder,
            override_settings(
                CACHES={
                    "default": {
                        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                        "LOCATION": folder,
                    }
                },
                PAGE_CACHE_STAMP_FILE=f"{folder}/must-not-be-used",
            ),
        ):
            from django.core.cache import cache

            url = self.question.get_absolute_url()
            self.client.get(url)
            guide_key = f"{STAMP_CACHE_KEY}:guide:{self.guide.slug}"
            stored = cache.get_many([STAMP_CACHE_KEY, guide_key])
            self.assertEqual(len(stored), 2)
            with self.assertNumQueries(0):
                self.assertEqual(self.client.get(url).status_code, 200)
            self.question.answer.body = "Changed on another app server."
            self.question.answer.save()
            self.assertNotEqual(cache.get(guide_key), stored[guide_key])
            self.assertContains(self.client.get(url), "Changed on another app server.")
            self.assertFalse(os.path.exists(f"{folder}/must-not-be-used"))

    def test_cache_url_selects_the_backend(self):
        from django.core.exceptions import ImproperlyConfigured

        from dmvpolicy.settings import cache_from_url

        cases = {
            "locmem://": "django.core.cache.backends.locmem.LocMemCache",
            "redis://cache.internal:6379/0": "django.core.cache.backends.redis.RedisCache",
            "memcached://a:11211,b:11211": "django.core.cache.backends.memcached.PyMemcacheCache",
            "dummy://": "django.core.cache.backends.dummy.DummyCache",
        }
        for url, backend in cases.items():
            with self.subTest(url):
                self.assertEqual(cache_from_url(url)["BACKEND"], backend)
        self.assertEqual(
            cache_from_url("memcached://a:11211,b:11211")["LOCATION"], ["a:11211", "b:11211"]
        )
        self.assertEqual(
            cache_from_url("redis://cache.internal:6379/0")["LOCATION"],
            "redis://cache.internal:6379/0",
        )
        with self.assertRaisesMessage(ImproperlyConfigured, "CACHE_URL 'mongodb://x'"):
            cache_from_url("mongodb://x")


class StampFileCheckTests(TestCase):
    def test_an_unwritable_stamp_file_location_is_reported(self):
        from faq.cache_checks import check_stamp_file

        self.assertEqual(check_stamp_file(), [])
        with override_settings(PAGE_CACHE_STAMP_FILE="/proc/no-such-dir/stamp"):
            (error,) = check_stamp_file()
        self.assertEqual(error.id, "faq.E001")
        self.assertIn("/proc/no-such-dir/stamp", error.msg)

    def test_a_stamp_file_left_in_the_temporary_folder_is_a_deploy_warning(self):
        """The PostgreSQL default: a restore or a periodic job that spells
        DATABASE_URL differently, or runs with a private /tmp, bumps another
        file, and readers keep stale pages (issue 12)."""
        import tempfile

        from faq.cache_checks import check_stamp_file_is_chosen

        in_tmp = str(Path(tempfile.gettempdir()) / "dmvpolicy-page-cache-stamp-0123abcd")
        with override_settings(PAGE_CACHE_STAMP_FILE=in_tmp):
            (warning,) = check_stamp_file_is_chosen()
        self.assertEqual(warning.id, "faq.W002")
        self.assertIn("PAGE_CACHE_STAMP_FILE", warning.hint)
        with override_settings(PAGE_CACHE_STAMP_FILE="/srv/faq/page-cache-stamp"):
            self.assertEqual(check_stamp_file_is_chosen(), [])

    def test_check_deploy_fails_on_postgresql_until_the_stamp_file_is_chosen(self):
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            env = production_env(folder, DATABASE_URL="postgres://u:p@127.0.0.1:1/faq")
            del env["PAGE_CACHE_STAMP_FILE"]
            result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("faq.W002", result.stderr + result.stdout)
            env["PAGE_CACHE_STAMP_FILE"] = f"{folder}/stamp"
            result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
            self.assertEqual(result.returncode, 0, result.stderr + result.stdout)


class ConditionalRequestTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.guide, (cls.question,) = make_guide_with_questions(1)

    def setUp(self):
        self.url = self.question.get_absolute_url()
        self.first = self.client.get(self.url)

    def test_a_matching_etag_gets_a_304_without_sql(self):
        with self.assertNumQueries(0):
            response = self.client.get(self.url, headers={"if-none-match": self.first["ETag"]})
        self.assertEqual(response.status_code, 304)
        self.assertEqual(response.content, b"")
        self.assertEqual(response["ETag"], self.first["ETag"])
        self.assertEqual(response["Cache-Control"], CACHE_CONTROL)

    def test_a_worker_that_never_rendered_the_page_answers_304_too(self):
        """Each gunicorn worker has its own cache; the ETag is valid in all of them.
        Proxies that compress (nginx gzip) send it back weakened with W/."""
        from django.core.cache import cache

        cache.clear()
        with self.assertNumQueries(0):
            response = self.client.get(
                self.url, headers={"if-none-match": f'W/{self.first["ETag"]}, "other"'}
            )
        self.assertEqual(response.status_code, 304)
        self.assertEqual(response["Vary"], "Cookie, Accept-Encoding")
        self.assertEqual(response["Last-Modified"], self.first["Last-Modified"])

    def test_if_modified_since_gets_a_304_until_the_content_changes(self):
        since = self.first["Last-Modified"]
        response = self.client.get(self.url, headers={"if-modified-since": since})
        self.assertEqual(response.status_code, 304)
        earlier = http_date(read_stamp().modified - 3600)
        response = self.client.get(self.url, headers={"if-modified-since": earlier})
        self.assertEqual(response.status_code, 200)

    def test_an_old_etag_gets_the_new_page_after_an_edit(self):
        answer = self.question.answer
        answer.body = "Rewritten after the court ruling."
        answer.save()
        response = self.client.get(self.url, headers={"if-none-match": self.first["ETag"]})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Rewritten after the court ruling.")
        self.assertNotEqual(response["ETag"], self.first["ETag"])


class InvalidationTests(TestCase):
    """Every content model, whoever saves it, replaces the stamps of the pages
    showing it, and leaves other guides' pages cached."""

    @classmethod
    def setUpTestData(cls):
        cls.guide, (cls.question,) = make_guide_with_questions(1, topics=["Privacy"])
        cls.other_guide, (cls.other_question,) = make_guide_with_questions(1, slug="other")

    def page_stamps(self, url):
        return read_stamps(page_scopes(url))

    def assert_bumps(self, change, url, untouched=()):
        before = {page: self.page_stamps(page) for page in [url, *untouched]}
        change()
        self.assertNotEqual(self.page_stamps(url), before[url])
        for page in untouched:
            self.assertEqual(self.page_stamps(page), before[page], page)

    def test_a_stamp_written_by_another_worker_is_seen_on_the_next_read(self):
        """Each worker remembers the stamp file it last read; a replaced file
        (what another worker's edit leaves) must never be mistaken for it."""
        before = read_stamp()
        path = settings.PAGE_CACHE_STAMP_FILE
        temporary = f"{path}.other-worker.tmp"
        with open(temporary, "w") as file:
            file.write(f"{before.modified + 1:.6f} 0123456789abcdef")
        os.replace(temporary, path)
        self.assertEqual(read_stamp().token, f"{before.modified + 1:.6f}-0123456789abcdef")

    def test_every_content_model_is_watched(self):
        """A model added to the app later cannot silently leave pages stale."""
        from django.apps import apps

        content_models = {
            model._meta.label
            for model in apps.get_app_config("faq").get_models()
            if not model.__name__.startswith("Historical")
            # No page shows which fixture records were applied (faq/seeding.py).
            and model._meta.label != "faq.SeedRecord"
        }
        self.assertEqual(set(CONTENT_MODELS), content_models - set(NOT_CONTENT_MODELS))
        self.assertFalse(set(CONTENT_MODELS) & set(NOT_CONTENT_MODELS))

    def test_clear_page_cache_command_replaces_the_stamp(self):
        """For changes Django cannot see, such as restoring a backup."""
        url = self.question.get_absolute_url()
        self.assert_bumps(lambda: call_command("clear_page_cache", stdout=StringIO()), url)

    def test_site_wide_changes_replace_every_pages_stamps(self):
        other = self.other_question.get_absolute_url()
        changes = {
            "category": lambda: Category.objects.create(name="New", slug="new"),
            "guide": lambda: Guide.objects.filter(pk=self.guide.pk).get().save(),
            "topic": lambda: Topic.objects.create(name="Courts", slug="courts"),
            "site notice": lambda: SiteNotice.objects.create(text="Offices closed Monday."),
        }
        for name, change in changes.items():
            with self.subTest(name):
                self.assert_bumps(change, other)

    def test_changes_in_a_guide_leave_other_guides_pages_cached(self):
        answer = self.question.answer
        source = Source(answer=answer, title="Law", url="https://example.org/law")
        guide_page = self.guide.get_absolute_url()
        question_page = self.question.get_absolute_url()
        other_guide_page = self.other_guide.get_absolute_url()
        changes = {
            "question": (self.question.save, [question_page], [other_guide_page]),
            "answer": (answer.save, [guide_page, question_page], [other_guide_page]),
            "source save": (source.save, [question_page], [other_guide_page]),
            "source delete": (lambda: source.delete(), [question_page], [other_guide_page]),
            "tag added": (lambda: self.question.tags.add("Courts"), [guide_page], []),
            "tag removed": (lambda: self.question.tags.remove("Privacy"), [guide_page], []),
            "tags cleared": (lambda: self.question.tags.clear(), [guide_page], []),
            "question deleted": (lambda: self.question.delete(), [guide_page], []),
        }
        for name, (change, pages, untouched) in changes.items():
            with self.subTest(name):
                before = {page: self.page_stamps(page) for page in pages}
                self.assert_bumps(change, pages[0], untouched)
                for page in pages:
                    self.assertNotEqual(self.page_stamps(page), before[page], page)

    def test_an_answers_wording_leaves_other_guides_question_pages_cached(self):
        """Only a question's own guide shows its answer; other guides' related
        questions show question wording, which answer edits do not touch."""
        other = self.other_question.get_absolute_url()
        self.assert_bumps(
            self.question.answer.save, self.question.get_absolute_url(), untouched=[other]
        )
        # A question's wording shows in related questions everywhere.
        self.assert_bumps(self.question.save, other)

    def test_a_question_moved_to_another_guide_leaves_neither_guide_stale(self):
        old_page = self.guide.get_absolute_url()
        new_page = self.other_guide.get_absolute_url()
        before = self.page_stamps(old_page)
        self.question.guide = self.other_guide
        self.question.position = 5
        self.question.slug = "moved-question"
        self.assert_bumps(self.question.save, new_page)
        self.assertNotEqual(self.page_stamps(old_page), before)


class PublishIsVisibleTests(TransactionTestCase):
    """The lead's proof, with real commits: an editor publishes a draft in the
    admin, and the very next anonymous request shows it on every page."""

    def test_publishing_in_the_admin_shows_on_the_next_request(self):
        guide, _ = make_guide_with_questions(2)
        draft = make_question(
            guide, 3, status=Question.Status.DRAFT, text="Brand new question?", topics=["Courts"]
        )
        editor = get_user_model().objects.create_superuser("editor", password="pw")
        reader = Client()
        pages = [reverse("faq:home"), guide.get_absolute_url(), reverse("faq:topics")]
        for url in pages:
            self.assertEqual(reader.get(url).status_code, 200)
        self.assertEqual(reader.get(draft.get_absolute_url()).status_code, 404)

        admin = Client()
        admin.force_login(editor)
        response = admin.post(
            reverse("admin:faq_answer_change", args=[draft.answer.pk]),
            answer_form_data(draft.answer, change_note="First published.", _continue="1"),
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(reader.get(draft.get_absolute_url()).status_code, 404)
        self.assertEqual(publish_now(admin, draft.answer).status_code, 302)

        self.assertContains(reader.get(guide.get_absolute_url()), "Brand new question?")
        self.assertContains(reader.get(reverse("faq:home")), "3 questions")
        self.assertContains(reader.get(reverse("faq:topics")), "Courts")
        self.assertContains(reader.get(draft.get_absolute_url()), "Brand new question?")

    def test_seeding_shows_on_the_next_request(self):
        reader = Client()
        self.assertNotContains(reader.get(reverse("faq:home")), "Illinois")
        call_command("seed_content", verbosity=0)
        self.assertContains(reader.get(reverse("faq:home")), "Data Sharing With ICE in Illinois")

    def test_the_stamp_is_replaced_again_when_the_transaction_commits(self):
        """A page rendered between a save and its commit shows the old content;
        the commit-time bump makes sure it is never served after the commit.
        One commit-time bump per transaction is enough, however many saves."""
        guide, (question,) = make_guide_with_questions(1)
        with transaction.atomic():
            for _ in range(3):
                question.answer.save()
            during = read_stamps(page_scopes(question.get_absolute_url()))
            pending = [callback for _, callback, _ in connection.run_on_commit]
        self.assertEqual([type(callback) for callback in pending], [BumpAtCommit])
        self.assertNotEqual(read_stamps(page_scopes(question.get_absolute_url())), during)


class PaginationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.guide, cls.questions = make_guide_with_questions(60, topics=["Privacy"])

    def test_a_long_guide_is_split_into_pages_with_links(self):
        first = self.client.get(self.guide.get_absolute_url())
        self.assertContains(first, 'id="q50"')
        self.assertNotContains(first, 'id="q51"')
        self.assertContains(first, '<link rel="next" href="?page=2">', html=False)
        self.assertContains(first, "Page 1 of 2")
        second = self.client.get(self.guide.get_absolute_url() + "?page=2")
        self.assertContains(second, 'href="#q51"')
        self.assertContains(second, '<link rel="prev" href="?page=1">', html=False)
        self.assertNotContains(second, 'rel="next"')
        self.assertContains(second, "(page 2)")
        # Search engines are told page 2 is a page of its own.
        canonical = f"http://testserver{self.guide.get_absolute_url()}"
        self.assertContains(first, f'<link rel="canonical" href="{canonical}">')
        self.assertContains(second, f'<link rel="canonical" href="{canonical}?page=2">')

    def test_a_page_that_does_not_exist_is_a_404(self):
        for page in ("3", "0", "abc"):
            with self.subTest(page=page):
                response = self.client.get(self.guide.get_absolute_url() + f"?page={page}")
                self.assertEqual(response.status_code, 404)

    def test_topic_pages_are_paginated_too(self):
        response = self.client.get(reverse("faq:topic", args=["privacy"]) + "?page=2")
        self.assertContains(response, "Page 2 of 2")
        self.assertContains(response, self.questions[-1].text)


class HealthCheckTests(TransactionTestCase):
    def get(self):
        return Client().get(reverse("faq:healthz"))

    def test_a_working_database_is_healthy(self):
        response = self.get()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.content, b"ok\ndatabase: ok\npage-cache stamp: ok\nschedules: ok\n"
        )
        self.assertIn("no-store", response["Cache-Control"])

    # A read-only or unreachable database: tests/test_faults.py HealthFaultTests.

    def test_a_locked_database_is_unhealthy(self):
        """Another connection holds the write lock: the check fails in two seconds."""
        other = connection.copy()
        try:
            other.connect()
            other.set_autocommit(False)
            with other.cursor() as cursor:
                if other.vendor == "sqlite":
                    cursor.execute(
                        "UPDATE django_migrations SET applied = applied "
                        "WHERE id = (SELECT MIN(id) FROM django_migrations)"
                    )
                else:
                    cursor.execute("LOCK TABLE django_migrations IN ACCESS EXCLUSIVE MODE")
            started = timezone.now()
            response = self.get()
            elapsed = timezone.now() - started
        finally:
            other.rollback()
            other.close()
        self.assertEqual(response.status_code, 503)
        self.assertLess(elapsed, timedelta(seconds=10))
        # The connection lives on: editors' saves must get their full lock wait back.
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA busy_timeout")
                self.assertEqual(cursor.fetchone()[0], settings.SQLITE_BUSY_TIMEOUT * 1000)
            else:
                cursor.execute("SHOW lock_timeout")
                self.assertEqual(cursor.fetchone()[0], "0")


def production_env(tmp_dir, **extra):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return {
        **clean,
        "DJANGO_SETTINGS_MODULE": "dmvpolicy.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": GOOD_KEY,
        "DJANGO_ALLOWED_HOSTS": "faq.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_dir}/db.sqlite3",
        "PAGE_CACHE_STAMP_FILE": f"{tmp_dir}/stamp",
        "DJANGO_STATIC_ROOT": f"{tmp_dir}/static",
        **extra,
    }


def run(args, env, **kwargs):
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


# Requests made inside a production-configured process, reported as JSON.
HEADER_SCRIPT = """
import json, django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from tests.factories import add_authenticator, current_code
user = get_user_model().objects.create_superuser("editor", password="pw-for-tests")
device = add_authenticator(user)
client = Client(HTTP_HOST="faq.example.org")
def show(response):
    return {"status": response.status_code, "headers": dict(response.items()),
            "cookies": {name: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"]),
                               "samesite": m["samesite"]} for name, m in response.cookies.items()}}
out = {
    "http": show(client.get("/")),
    "http_healthz": show(client.get("/healthz")),
    "home": show(client.get("/", secure=True)),
    "login": show(client.get("/admin/login/", secure=True)),
}
login = client.post("/admin/login/", {"username": "editor", "password": "pw-for-tests",
                                      "code": current_code(device), "next": "/admin/"}, secure=True)
out["logged_in"] = show(login)
out["admin"] = show(client.get("/admin/faq/question/add/", secure=True))
print(json.dumps(out))
"""


class ProductionSettingsTests(TestCase):
    """The production configuration, in a fresh process with DJANGO_DEBUG=false."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import tempfile

        cls.tmp = tempfile.TemporaryDirectory()
        cls.env = production_env(cls.tmp.name)
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
            result = run(["manage.py", *command, "-v0"], cls.env)
            assert result.returncode == 0, result.stderr
        result = run(["-c", HEADER_SCRIPT], cls.env)
        assert result.returncode == 0, result.stderr
        cls.responses = json.loads(result.stdout.strip().splitlines()[-1])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        super().tearDownClass()

    def test_check_deploy_passes_at_warning_level(self):
        result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], self.env)
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)

    def test_plain_http_is_redirected_except_the_health_check(self):
        self.assertEqual(self.responses["http"]["status"], 301)
        self.assertEqual(self.responses["http"]["headers"]["Location"], "https://faq.example.org/")
        self.assertEqual(self.responses["http_healthz"]["status"], 200)

    def test_security_headers_on_public_and_admin_pages(self):
        for name in ("home", "login", "admin"):
            with self.subTest(name):
                response = self.responses[name]
                self.assertEqual(response["status"], 200)
                headers = response["headers"]
                hsts = headers["Strict-Transport-Security"]
                self.assertEqual(hsts, "max-age=31536000; includeSubDomains; preload")
                self.assertGreaterEqual(int(hsts.split(";")[0].split("=")[1]), 183 * 86400)
                self.assertEqual(headers["X-Content-Type-Options"], "nosniff")
                self.assertEqual(headers["Referrer-Policy"], "strict-origin-when-cross-origin")
                self.assertEqual(headers["Cross-Origin-Opener-Policy"], "same-origin")
                self.assertEqual(headers["X-Frame-Options"], "DENY")

    def test_content_security_policy_forbids_inline_code_and_framing(self):
        for name in ("home", "login", "admin"):
            with self.subTest(name):
                policy = self.responses[name]["headers"]["Content-Security-Policy"]
                directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
                self.assertEqual(directives["default-src"], "'none'")
                self.assertEqual(directives["script-src"], "'self'")
                self.assertEqual(directives["style-src"], "'self'")
                self.assertEqual(directives["frame-ancestors"], "'none'")
                self.assertEqual(directives["base-uri"], "'none'")
                self.assertEqual(directives["form-action"], "'self'")
                self.assertNotIn("unsafe", policy)

    def test_cookies_are_secure_httponly_and_same_site(self):
        cookies = {
            **self.responses["login"]["cookies"],
            **self.responses["logged_in"]["cookies"],
        }
        self.assertEqual(set(cookies), {"csrftoken", "sessionid"})
        for name, flags in cookies.items():
            with self.subTest(name):
                self.assertEqual(flags, {"secure": True, "httponly": True, "samesite": "Lax"})

    def test_hashed_static_files_are_compressed_and_cached_for_years(self):
        script = (
            "import django, json; django.setup()\n"
            "from django.templatetags.static import static\n"
            "from django.test import Client\n"
            "c = Client(HTTP_HOST='faq.example.org')\n"
            "url = static('css/site.css')\n"
            "r = c.get(url, secure=True, headers={'accept-encoding': 'br, gzip'})\n"
            "print(json.dumps([url, r.status_code, dict(r.items())]))\n"
        )
        result = run(["-c", script], self.env)
        self.assertEqual(result.returncode, 0, result.stderr)
        url, status, headers = json.loads(result.stdout.strip().splitlines()[-1])
        self.assertRegex(url, r"^/static/css/site\.[0-9a-f]{12}\.css$")
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Encoding"], "br")
        self.assertEqual(headers["Cache-Control"], "max-age=315360000, public, immutable")


class ContentSecurityPolicyTests(TestCase):
    """faq/csp.py builds the site's policy once: it must send what django-csp
    itself builds, follow settings changes, and leave per-view policies
    (django-csp's decorators) and nonces to django-csp."""

    def respond(self, **attributes):
        def view(request):
            response = HttpResponse("page")
            for name, value in attributes.items():
                setattr(response, name, value)
            return response

        request = RequestFactory().get("/")
        return request, CSPMiddleware(view)(request)

    def test_pages_carry_the_policy_django_csp_builds_from_settings(self):
        for url in ("/", "/topics/", "/admin/login/"):
            with self.subTest(url):
                self.assertEqual(self.client.get(url)[HEADER], build_policy())
        self.assertNotIn(HEADER_REPORT_ONLY, self.client.get("/"))

    def test_a_changed_setting_changes_the_header(self):
        self.respond()  # the policy is built and remembered
        policy = {"DIRECTIVES": {"default-src": [SELF], "img-src": [SELF, "data:"]}}
        with override_settings(
            CONTENT_SECURITY_POLICY=policy, CONTENT_SECURITY_POLICY_REPORT_ONLY=policy
        ):
            request, response = self.respond()
            directives = sorted(response[HEADER].split("; "))  # django-csp's order varies
            self.assertEqual(directives, ["default-src 'self'", "img-src 'self' data:"])
            self.assertEqual(response[HEADER_REPORT_ONLY], response[HEADER])
        self.assertEqual(self.respond()[1][HEADER], build_policy())

    def test_a_views_own_policy_is_left_to_django_csp(self):
        request, response = self.respond(_csp_update={"img-src": ["data:"]})
        self.assertEqual(response[HEADER], build_policy(update={"img-src": ["data:"]}))
        self.assertIn("data:", response[HEADER])
        request, response = self.respond(_csp_exempt=True)
        self.assertNotIn(HEADER, response)

    def test_a_nonce_asked_for_after_the_header_is_an_error(self):
        request, response = self.respond()
        with self.assertRaises(CSPNonceError):
            str(request.csp_nonce)


class DemoDataTests(TestCase):
    def test_generates_guides_questions_sources_topics_and_history(self):
        call_command("generate_demo_data", guides=3, questions=30, revisions=3, stdout=StringIO())
        self.assertEqual(Guide.objects.filter(slug__startswith="demo-").count(), 3)
        self.assertEqual(Question.objects.published().count(), 30)
        self.assertTrue(Source.objects.exists())
        answer = Answer.objects.select_related("question").first()
        history = list(answer.history.order_by("history_date"))
        self.assertEqual(len(history), 3)
        self.assertEqual(history[-1].body, answer.body)
        self.assertNotEqual(history[0].body, answer.body)
        self.assertTrue(answer.question.tags.exists())
        # Rendered once per text template: the same HTML and summary a save makes.
        for generated in Answer.objects.order_by("pk")[:12]:
            saved = Answer(body=generated.body, last_reviewed=generated.last_reviewed)
            saved.prepare_for_save()
            self.assertEqual(
                (generated.body_html, generated.summary, generated.review_due),
                (saved.body_html, saved.summary, saved.review_due),
            )
        self.assertEqual(history[0].body_html, render_markdown(history[0].body))
        self.assertEqual(self.client.get(answer.question.get_absolute_url()).status_code, 200)
        # As if saved one by one: searchable, with public dates for pages and feeds.
        self.assertFalse(Answer.objects.filter(text_updated_at=None).exists())
        self.assertEqual(search("facial recognition").page.paginator.count, 3)
        self.assertContains(self.client.get(reverse("faq:feed")), answer.question.text)

    def test_spanish_demo_data_beside_the_english(self):
        """So that `make bench` measures Spanish search at the same size as English."""
        call_command("generate_demo_data", guides=2, questions=20, stdout=StringIO())
        call_command("generate_demo_data", guides=2, questions=20, language="es", stdout=StringIO())
        spanish = Question.objects.published().filter(language="es")
        self.assertEqual(spanish.count(), 20)
        self.assertEqual(set(spanish.values_list("guide__language", flat=True)), {"es"})
        self.assertFalse(
            TaggedQuestion.objects.filter(
                tag__language="es", content_object__language="en"
            ).exists()
        )
        self.assertTrue(TaggedQuestion.objects.filter(tag__language="es").exists())
        question = spanish.select_related("guide").first()
        self.assertTrue(question.get_absolute_url().startswith("/es/demo-es-guide-"))
        self.assertEqual(self.client.get(question.get_absolute_url()).status_code, 200)
        self.assertEqual(search("reconocimiento facial", language="es").page.paginator.count, 2)
        self.assertEqual(search("reconocimiento").page.paginator.count, 0)
        self.assertEqual(search("facial recognition").page.paginator.count, 2)
        with self.assertRaisesMessage(CommandError, "already loaded"):
            call_command("generate_demo_data", guides=1, questions=5, language="es", force=True)

    def test_refuses_a_database_with_real_content_unless_forced(self):
        make_guide("real-guide")
        with self.assertRaisesMessage(CommandError, "not demo data"):
            call_command("generate_demo_data", guides=1, questions=5)
        self.assertFalse(Question.objects.exists())
        call_command("generate_demo_data", guides=1, questions=5, force=True, stdout=StringIO())
        self.assertEqual(Question.objects.count(), 5)
        with self.assertRaisesMessage(CommandError, "already loaded"):
            call_command("generate_demo_data", guides=1, questions=5, force=True)

    def test_bad_numbers_are_refused(self):
        with self.assertRaisesMessage(CommandError, "at least one guide"):
            call_command("generate_demo_data", guides=5, questions=2)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_public_and_admin_pages_work_under_the_content_security_policy(live_server, page):
    """Chromium enforces the policy: no page, public or admin, triggers a violation."""
    call_command("seed_content", verbosity=0)
    device = add_authenticator(
        get_user_model().objects.create_superuser("editor", password="pw-for-tests")
    )
    question = Question.objects.published().first()
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for path in ("/", question.guide.get_absolute_url(), question.get_absolute_url()):
        response = page.goto(live_server.url + path)
        assert "unsafe-inline" not in response.headers["content-security-policy"]
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-for-tests")
    page.fill("#id_code", current_code(device))
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    for path in (
        reverse("admin:faq_question_changelist"),
        reverse("admin:faq_question_add"),
        reverse("admin:faq_question_change", args=[question.pk]),
        reverse("admin:faq_question_history", args=[question.pk]),
        reverse("admin:faq_answer_history", args=[question.answer.pk]),
    ):
        page.goto(live_server.url + path)
    # The admin's JavaScript ran: the "add another topic" popup link is wired up.
    page.goto(live_server.url + reverse("admin:faq_question_change", args=[question.pk]))
    assert page.evaluate("typeof django !== 'undefined' && typeof django.jQuery") == "function"
    assert violations == []
