"""The page cache on real Redis and Memcached servers, as several app servers use it.

Collected only when SHARED_CACHE_URLS names the servers (`.ci/run` starts them:
`SHARED_CACHE_URLS="redis://127.0.0.1:6379/15 memcached://127.0.0.1:11211"`).
Each test writes under its own key prefix, so it never clears a server.
"""

import os
import uuid

from django.core.cache import caches
from django.test import TestCase, override_settings

from dmvpolicy.settings import cache_from_url
from faq.cache import STAMP_CACHE_KEY, new_stamp_value
from faq.models import Answer

from .factories import get_counting_queries, make_guide_with_questions

SHARED_CACHE_URLS = os.environ.get("SHARED_CACHE_URLS", "").split()


class SharedCacheServerTests(TestCase):
    """Pages and the content stamp live in the shared server: what one app server
    caches or invalidates, every other one sees on its next request."""

    @classmethod
    def setUpTestData(cls):
        cls.guide, (cls.question,) = make_guide_with_questions(1)

    def on_each_server(self):
        for url in SHARED_CACHE_URLS:
            backend = {**cache_from_url(url), "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
            with self.subTest(url=url), override_settings(CACHES={"default": backend}):
                yield url

    def test_a_page_rendered_once_is_served_from_the_server_without_sql(self):
        path = self.question.get_absolute_url()
        for _url in self.on_each_server():
            first, first_queries = get_counting_queries(self.client, path)
            second, second_queries = get_counting_queries(self.client, path)
            self.assertGreater(first_queries, 0)
            self.assertEqual(second_queries, 0)
            self.assertEqual(second.content, first.content)
            self.assertEqual(second["ETag"], first["ETag"])

    def test_another_app_servers_edit_shows_on_the_next_request(self):
        """Another app server saves an edit: its own client replaces the stamp in
        the shared server. This process, which saw no signal, renders afresh."""
        path = self.question.get_absolute_url()
        for url in self.on_each_server():
            self.client.get(path)
            text = f"Changed on another app server ({url})."
            Answer.objects.filter(pk=self.question.answer.pk).update(body_html=f"<p>{text}</p>")
            self.assertNotContains(self.client.get(path), text)  # still the cached page
            other_server = caches.create_connection("default")
            other_server.set(STAMP_CACHE_KEY, new_stamp_value(), timeout=None)
            self.assertContains(self.client.get(path), text)

    def test_a_readers_copy_is_current_until_any_app_server_replaces_the_stamp(self):
        path = self.question.get_absolute_url()
        for _url in self.on_each_server():
            etag = self.client.get(path)["ETag"]
            response, queries = get_counting_queries(self.client, path, if_none_match=etag)
            self.assertEqual((response.status_code, queries), (304, 0))
            other_server = caches.create_connection("default")
            other_server.set(STAMP_CACHE_KEY, new_stamp_value(), timeout=None)
            response = self.client.get(path, headers={"if_none_match": etag})
            self.assertEqual(response.status_code, 200)
            self.assertNotEqual(response["ETag"], etag)

    def test_an_edit_in_one_guide_leaves_other_guides_pages_cached_on_the_server(self):
        other_guide, (other,) = make_guide_with_questions(1, slug="other-guide")
        path, other_path = self.question.get_absolute_url(), other.get_absolute_url()
        for url in self.on_each_server():
            self.client.get(path)
            self.client.get(other_path, headers={"accept-encoding": "br"})
            answer = Answer.objects.get(pk=self.question.answer.pk)
            answer.body = f"Edited for {url}."
            answer.save()
            cached, queries = get_counting_queries(self.client, other_path, accept_encoding="br")
            self.assertEqual((queries, cached["Content-Encoding"]), (0, "br"))
            self.assertContains(self.client.get(path), f"Edited for {url}.")
