"""Scoped page-cache invalidation: the proof that no edit leaves a page stale,
which scopes each page shows, the stamp store, and one render per page at a time."""

import difflib
import os
import threading
from io import StringIO
from pathlib import Path
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory, SimpleTestCase, TestCase, override_settings
from django.urls import resolve, reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from dmvpolicy.settings import default_stamp_file
from faq import revisions
from faq.cache import (
    CONTENT,
    QUESTIONS,
    SITE,
    bump_stamp,
    guide_scope,
    new_stamp_value,
    page_scopes,
    parse_stamp,
    read_stamp_file,
    read_stamps,
    stamp_store_ok,
    write_stamp_file,
)
from faq.middleware import PageCacheMiddleware
from faq.models import Answer, Category, Guide, Question, SiteNotice, Source, Topic
from faq.translations import bring_up_to_date, english_original

from .factories import make_guide, make_question, make_spanish_guide, make_translation

TOPIC_NAMES = ["Privacy", "Courts", "Illinois law"]
WORDS = st.sampled_from(["license", "records", "court order", "privacy", "ICE agents"])
# The Spanish topics, each the translation of the English topic beside it.
SPANISH_TOPICS = {"Privacidad": "Privacy", "Tribunales": "Courts"}
SPANISH_WORDS = st.sampled_from(["licencia", "registros", "orden judicial", "privacidad"])


class PageScopeTests(SimpleTestCase):
    def test_each_page_type_shows_the_scopes_its_content_comes_from(self):
        cases = {
            "/": (SITE, QUESTIONS),
            "/topics/": (SITE, QUESTIONS),
            "/topics/privacy/": (SITE, QUESTIONS),
            "/a-guide/": (SITE, guide_scope("a-guide")),
            "/a-guide/a-question/": (SITE, guide_scope("a-guide"), QUESTIONS),
            "/a-guide/a-question/changes/": (SITE, guide_scope("a-guide")),
            "/search/": (SITE, CONTENT),
            "/feeds/updates.atom": (SITE, CONTENT),
            "/sitemap.xml": (SITE, CONTENT),
            "/no/such/page/here/": (SITE, CONTENT),
        }
        for path, scopes in cases.items():
            with self.subTest(path):
                self.assertEqual(page_scopes(path), scopes)

    def test_the_default_stamp_file_lives_with_the_database_not_the_code(self):
        sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/faq/db.sqlite3"}
        self.assertEqual(str(default_stamp_file(sqlite)), "/srv/faq/db.sqlite3.page-cache-stamp")
        postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "faq", "HOST": "db"}
        other = {**postgres, "NAME": "faq_staging"}
        self.assertNotEqual(default_stamp_file(postgres), default_stamp_file(other))
        self.assertNotIn("/faq/", str(default_stamp_file(postgres).parent) + "/")


class StampStoreTests(TestCase):
    def test_stamp_store_ok_says_whether_stamps_can_be_written(self):
        self.assertIs(stamp_store_ok(), True)
        with override_settings(PAGE_CACHE_STAMP_FILE="/proc/no-such-dir/stamp"):
            self.assertIs(stamp_store_ok(), False)

    def test_the_health_probe_invalidates_no_page(self):
        before = read_stamps(page_scopes("/a-guide/a-question/"))
        stamp_store_ok()
        self.assertEqual(read_stamps(page_scopes("/a-guide/a-question/")), before)

    def test_a_shared_cache_that_cannot_be_reached_is_reported(self):
        unreachable = {
            "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
            "LOCATION": "127.0.0.1:1",
            "OPTIONS": {"connect_timeout": 0.2, "timeout": 0.2},
        }
        with override_settings(CACHES={"default": unreachable}):
            self.assertIs(stamp_store_ok(), False)


class StampFileIdentityTests(SimpleTestCase):
    """Readers re-read a stamp file only when its (inode, mtime, size) changes;
    a freed inode comes back at once and stamps all have one size, so each new
    stamp must have a later mtime than the one it replaces, also where the file
    system keeps whole seconds only."""

    def test_each_new_stamp_file_is_later_than_the_one_it_replaces(self):
        import os
        import tempfile

        real_utime = os.utime

        def utime_in_whole_seconds(path, ns):
            kept = tuple(value - value % 1_000_000_000 for value in ns)
            real_utime(path, ns=kept)

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "stamp"
            with mock.patch("faq.cache.os.utime", utime_in_whole_seconds):
                times = []
                for number in range(10):
                    write_stamp_file(path, new_stamp_value())
                    times.append(path.stat().st_mtime_ns)
                    if number % 2:  # two stamps between reads, as one edit's saves make
                        written = parse_stamp(path.read_text())
                        self.assertEqual(read_stamp_file(path), written)
        self.assertEqual(times, sorted(set(times)))


def topics_request(**headers):
    """A request for /topics/ as the handler passes it to the middleware once
    resolved (RequestFactory does not resolve)."""
    request = RequestFactory().get("/topics/", **headers)
    request.resolver_match = resolve("/topics/")
    return request


class RenderOnceTests(SimpleTestCase):
    """When a page must be rendered, one request renders it and the others wait."""

    def setUp(self):
        cache.clear()
        # The page's stamps exist before the readers arrive (threads that each
        # made a first stamp at once would each key the page differently).
        read_stamps(page_scopes("/topics/"))
        self.renders = 0
        self.release = threading.Event()

    def slow_view(self, request):
        self.renders += 1
        self.release.wait(timeout=10)  # the others arrive while this one renders
        return HttpResponse(f"<p>{'Rendered once. ' * 40}</p>")

    def get_in_threads(self, count):
        middleware = PageCacheMiddleware(self.slow_view)
        responses = [None] * count

        def get(index):
            responses[index] = middleware(topics_request(HTTP_ACCEPT_ENCODING="gzip"))

        threads = [threading.Thread(target=get, args=(index,)) for index in range(count)]
        for thread in threads:
            thread.start()
        return threads, responses

    def test_threads_asking_for_the_same_page_wait_for_one_render(self):
        threads, responses = self.get_in_threads(8)
        while self.renders == 0:
            threading.Event().wait(0.01)
        self.release.set()
        for thread in threads:
            thread.join(timeout=30)
        self.assertEqual(self.renders, 1)
        self.assertEqual({response.content for response in responses}.__len__(), 1)
        self.assertTrue(all(response["Content-Encoding"] == "gzip" for response in responses))

    def test_a_page_answered_by_another_view_than_foreseen_is_not_cached(self):
        """The scopes come from resolving the URL before the view runs; if the
        view that answered resolved differently, its scopes are unknown."""
        self.release.set()
        middleware = PageCacheMiddleware(self.slow_view)
        for _ in range(2):
            request = topics_request()
            request.resolver_match = resolve("/a-guide/")
            middleware(request)
        self.assertEqual(self.renders, 2)

    @override_settings(PAGE_CACHE_RENDER_WAIT=30)
    def test_a_render_on_another_app_server_is_waited_for(self):
        """Another server holds the shared "rendering" mark: this one serves its result."""
        self.release.set()
        # Render once to learn the key, then forget the page and play the other server.
        middleware = PageCacheMiddleware(self.slow_view)
        middleware(topics_request())
        (key,) = [k for k in cache._cache if ":page:" in k and not k.endswith(":rendering")]
        key = key.split(":", 2)[2]
        entry = cache.get(key)
        cache.delete(key)
        cache.add(f"{key}:rendering", 1)
        timer = threading.Timer(0.2, lambda: cache.set(key, entry))
        timer.start()
        response = PageCacheMiddleware(self.slow_view)(topics_request())
        timer.join()
        self.assertEqual(self.renders, 1)
        self.assertContains(response, "Rendered once.")

    @override_settings(PAGE_CACHE_RENDER_WAIT=0.05)
    def test_a_renderer_that_never_finishes_delays_readers_but_never_blocks_them(self):
        self.release.set()
        middleware = PageCacheMiddleware(self.slow_view)
        middleware(topics_request())
        (key,) = [k for k in cache._cache if ":page:" in k]
        key = key.split(":", 2)[2]
        cache.delete(key)
        cache.add(f"{key}:rendering", 1)  # a crashed server's mark
        response = PageCacheMiddleware(self.slow_view)(topics_request())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.renders, 2)


def public_urls():
    """Every public page the data can have, published or not (404s count too)."""
    urls = [
        reverse("faq:home"),
        reverse("faq:topics"),
        reverse("faq:feed"),
        reverse("sitemap"),
        reverse("faq:search") + "?q=license",
        reverse("faq:search") + "?q=court",
    ]
    urls += [reverse("faq:topic", args=[topic.slug]) for topic in Topic.objects.all()]
    urls += spanish_urls()
    for guide in Guide.objects.all():
        urls.append(guide.get_absolute_url())
    for question in Question.objects.select_related("guide"):
        urls += [question.get_absolute_url(), question.get_absolute_url() + "changes/"]
    return urls


def spanish_urls():
    """The Spanish pages (issue 10): /es/ home, topics, feed and search, each
    Spanish topic, and each Spanish question's change log (its guide and question
    pages come with every guide's and question's get_absolute_url())."""
    urls = [
        reverse("faq:es_home"),
        reverse("faq:es_topics"),
        reverse("faq:es_feed"),
        reverse("faq:es_search") + "?q=licencia",
        reverse("faq:es_search") + "?q=respuesta",
    ]
    urls += [topic.get_absolute_url() for topic in Topic.objects.filter(language="es")]
    for question in Question.objects.filter(guide__language="es").select_related("guide"):
        urls.append(reverse("faq:es_question_changes", args=[question.guide.slug, question.slug]))
    return urls


class EditSequences(RuleBasedStateMachine):
    """Random sequences of editors' actions; after each one, every public page
    the cache serves equals a fresh render of the same URL."""

    def __init__(self):
        super().__init__()
        # Each run's edits are rolled back at its end, like a test's.
        self.run_in_savepoint = transaction.atomic()
        self.run_in_savepoint.__enter__()
        self.reader = Client()
        self.editor = get_user_model().objects.get(username="editor")

    def teardown(self):
        transaction.set_rollback(True)
        self.run_in_savepoint.__exit__(None, None, None)

    @initialize()
    def start_from_a_clean_cache(self):
        # Each run starts from the rolled-back database: what the cache holds
        # from an earlier run is from behind Django's back (clear_page_cache's case).
        cache.clear()
        bump_stamp()
        self.urls = public_urls()
        for url in self.urls:
            self.reader.get(url)

    def answer(self, index):
        answers = list(Answer.objects.select_related("question").order_by("pk"))
        return answers[index % len(answers)] if answers else None

    @rule(index=st.integers(0, 9), words=WORDS)
    def edit_answer(self, index, words):
        if answer := self.answer(index):
            answer.body = f"{answer.body} Now about {words}."
            revisions.save_revision(answer, self.editor)

    @rule(index=st.integers(0, 9), words=WORDS)
    def reword_question(self, index, words):
        if answer := self.answer(index):
            question = answer.question
            names = [topic.name for topic in question.tags.all()]
            revisions.set_question_wording(question, f"What about {words}, {index}?", names)
            revisions.save_revision(answer, self.editor)

    @rule(index=st.integers(0, 9))
    def publish(self, index):
        if answer := self.answer(index):
            revisions.publish(answer, self.editor)

    @rule(index=st.integers(0, 9))
    def unpublish(self, index):
        if answer := self.answer(index):
            revisions.unpublish(answer, self.editor)

    @rule(index=st.integers(0, 9))
    def revert_to_first_revision(self, index):
        if answer := self.answer(index):
            row = answer.history.order_by("history_date", "history_id").first()
            revisions.revert(answer, row, self.editor)

    @rule(index=st.integers(0, 9), topic=st.sampled_from(TOPIC_NAMES), add=st.booleans())
    def change_topics(self, index, topic, add):
        if answer := self.answer(index):
            tags = answer.question.tags
            tags.add(topic) if add else tags.remove(*Topic.objects.filter(name=topic))

    @rule(topic=st.integers(0, 9), words=WORDS)
    def rename_topic(self, topic, words):
        topics = list(Topic.objects.order_by("pk"))
        if topics:
            chosen = topics[topic % len(topics)]
            chosen.name = f"{words.title()} {chosen.pk}"
            chosen.save()

    @rule(index=st.integers(0, 9), add=st.booleans())
    def change_sources(self, index, add):
        if answer := self.answer(index):
            if add:
                Source.objects.create(answer=answer, title="A law", url="https://example.org/")
            else:
                answer.sources.all().delete()

    @rule(text=st.one_of(st.none(), WORDS))
    def change_notice(self, text):
        if text is None:
            SiteNotice.objects.all().delete()
        else:
            SiteNotice.objects.create(text=f"Offices closed: {text}.")

    @rule(index=st.integers(0, 9))
    def delete_question(self, index):
        if answer := self.answer(index):
            answer.question.delete()

    @rule(published=st.booleans(), words=WORDS)
    def change_a_guide(self, published, words):
        guide = Guide.objects.order_by("pk").last()
        guide.title, guide.is_published = f"Guide on {words}", published
        guide.save()

    @rule(words=WORDS)
    def rename_category(self, words):
        Category.objects.update_or_create(slug="federal", defaults={"name": words.title()})
        for category in Category.objects.all():
            category.save()

    def spanish_answer(self, index):
        answers = list(
            Answer.objects.select_related("question").filter(question__language="es").order_by("pk")
        )
        return answers[index % len(answers)] if answers else None

    @rule(index=st.integers(0, 9), words=SPANISH_WORDS)
    def edit_spanish_answer(self, index, words):
        if answer := self.spanish_answer(index):
            answer.body = f"{answer.body} Ahora sobre {words}."
            revisions.save_revision(answer, self.editor)

    @rule(index=st.integers(0, 9), words=WORDS, minor=st.booleans())
    def edit_english_original(self, index, words, minor):
        """A notable English edit puts "the English version was updated" on the
        Spanish pages; a minor one must not."""
        if (answer := self.spanish_answer(index)) and (original := english_original(answer)):
            original.body = f"{original.body} Also about {words}."
            original.is_minor = minor
            revisions.save_revision(original, self.editor)

    @rule(index=st.integers(0, 9))
    def bring_translation_up_to_date(self, index):
        if (answer := self.spanish_answer(index)) and (original := english_original(answer)):
            bring_up_to_date(answer, original)
            revisions.save_revision(answer, self.editor)

    @rule(index=st.integers(0, 9), topic=st.sampled_from(sorted(SPANISH_TOPICS)), add=st.booleans())
    def change_spanish_topics(self, index, topic, add):
        if answer := self.spanish_answer(index):
            tag, _ = Topic.objects.get_or_create(name=topic, defaults={"language": "es"})
            tags = answer.question.tags
            tags.add(tag) if add else tags.remove(tag)

    @rule(published=st.booleans(), words=SPANISH_WORDS)
    def change_the_spanish_guide(self, published, words):
        guide = Guide.objects.get(language="es")
        guide.title, guide.is_published = f"Guía sobre {words}", published
        guide.save()

    @invariant()
    def every_cached_page_equals_a_fresh_render(self):
        if not hasattr(self, "urls"):
            return
        with override_settings(PAGE_CACHE_SECONDS=0):
            fresh_client = Client()
            fresh = {url: fresh_client.get(url) for url in self.urls}
        for url in self.urls:
            served = self.reader.get(url)
            assert (served.status_code, served.content) == (
                fresh[url].status_code,
                fresh[url].content,
            ), f"{url} served stale after the last step:\n{differing_lines(served, fresh[url])}"


def differing_lines(served, fresh):
    """What a stale page shows that a fresh render does not, and the reverse."""
    lines = difflib.unified_diff(
        fresh.content.decode().splitlines(),
        served.content.decode().splitlines(),
        "fresh render",
        "served from the cache",
        n=1,
        lineterm="",
    )
    return "\n".join(list(lines)[:40])


class EditSequenceTests(TestCase):
    """Runs EditSequences on the test database (SQLite or PostgreSQL)."""

    @classmethod
    def setUpTestData(cls):
        get_user_model().objects.create_superuser("editor", password="pw")
        first = make_guide("first-guide")
        second = make_guide("second-guide")
        for position, topics in enumerate([["Privacy"], ["Privacy", "Courts"], []], start=1):
            make_question(first, position, topics=topics, body=f"About license {position}.")
        make_question(second, 1, topics=["Privacy"], body="About court records.")
        make_question(second, 2, topics=["Courts"], status=Question.Status.DRAFT)
        make_question(second, 3, topics=["Illinois law"], body="About ICE agents.")
        # The first guide in Spanish: two of its questions translated, the
        # first with a topic paired with its English original.
        spanish = make_spanish_guide(first, "primera-guia")
        english = list(first.questions.order_by("position"))
        make_translation(english[0], spanish, topics=["Privacidad"], body="Sobre la licencia.")
        make_translation(english[1], spanish, topics=["Privacidad", "Tribunales"])
        for spanish_name, english_name in SPANISH_TOPICS.items():
            key = Topic.objects.get(name=english_name).translation_key
            Topic.objects.filter(name=spanish_name).update(translation_key=key)

    def test_every_cached_page_equals_a_fresh_render_after_each_edit(self):
        run_state_machine_as_test(
            EditSequences,
            settings=settings(
                # The same examples on every run, so CI cannot go red by luck;
                # EDIT_SEQUENCES=<n> explores n new random ones (README "Tests").
                derandomize="EDIT_SEQUENCES" not in os.environ,
                max_examples=int(os.environ.get("EDIT_SEQUENCES", 20)),
                stateful_step_count=5,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )


class ClearPageCacheTests(TestCase):
    def test_clear_page_cache_renders_every_page_afresh(self):
        guide = make_guide("cleared")
        question = make_question(guide)
        url = question.get_absolute_url()
        Client().get(url)
        Answer.objects.filter(pk=question.answer.pk).update(body_html="<p>Restored.</p>")
        self.assertNotContains(Client().get(url), "Restored.")
        call_command("clear_page_cache", stdout=StringIO())
        self.assertContains(Client().get(url), "Restored.")


class MadeUpUrlTests(TestCase):
    def test_made_up_guide_addresses_leave_no_stamp_behind(self):
        """Every /<slug>/ names a guide scope; a 404 must not keep its stamp,
        or made-up URLs would fill the stamp folder (or Redis) for ever."""
        from pathlib import Path

        from django.conf import settings as django_settings

        folder = Path(f"{django_settings.PAGE_CACHE_STAMP_FILE}.scopes")
        for number in range(5):
            self.assertEqual(Client().get(f"/made-up-{number}/").status_code, 404)
        left = sorted(path.name for path in folder.glob("*")) if folder.exists() else []
        self.assertEqual([name for name in left if "made-up" in name], [])
        guide = make_guide("real-guide")
        Client().get(guide.get_absolute_url())
        self.assertTrue((folder / "guide-real-guide").exists())
