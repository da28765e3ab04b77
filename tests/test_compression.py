"""Compressed public pages: chosen by Accept-Encoding, one ETag per encoding,
304s for each, uncached pages too, and never the admin or an editor's page."""

import gzip

import brotli
from django.contrib.auth import get_user_model
from django.test import Client, SimpleTestCase, TestCase
from django.urls import reverse

from faq.compression import preferred_encoding

from .factories import get_counting_queries, make_guide_with_questions


def decoded(response):
    encoding = response.get("Content-Encoding", "")
    if encoding == "br":
        return brotli.decompress(response.content)
    if encoding == "gzip":
        return gzip.decompress(response.content)
    return response.content


class PreferredEncodingTests(SimpleTestCase):
    def test_q_values_choose_the_encoding(self):
        cases = {
            "": "",
            "gzip, deflate, br, zstd": "br",
            "gzip": "gzip",
            "br;q=0.5, gzip": "gzip",
            "br;q=0, gzip;q=0": "",
            "*": "br",
            "*;q=0.3, br;q=0": "gzip",
            "identity": "",
            "identity;q=1, gzip;q=0.5": "",
            "deflate": "",
            "x-gzip": "gzip",
            "gzip;q=abc, br;q=0.1": "br",
        }
        for header, expected in cases.items():
            with self.subTest(header):
                self.assertEqual(preferred_encoding(header), expected)


class CompressedPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.guide, cls.questions = make_guide_with_questions(20)
        cls.url = cls.guide.get_absolute_url()

    def get(self, accept="", client=None, **headers):
        return (client or self.client).get(self.url, headers={"accept-encoding": accept, **headers})

    def test_each_encoding_is_served_from_the_cache_with_its_own_etag(self):
        plain = self.get()
        responses = {"br": self.get("br, gzip"), "gzip": self.get("gzip")}
        self.assertNotIn("Content-Encoding", plain)
        etags = {plain["ETag"]}
        for encoding, response in responses.items():
            with self.subTest(encoding):
                self.assertEqual(response["Content-Encoding"], encoding)
                self.assertEqual(decoded(response), plain.content)
                self.assertEqual(int(response["Content-Length"]), len(response.content))
                self.assertLess(len(response.content), len(plain.content) / 3)
                self.assertEqual(response["Vary"], "Cookie, Accept-Encoding")
                etags.add(response["ETag"])
                # A hit: compressed when stored, not per request.
                again, queries = get_counting_queries(
                    self.client, self.url, accept_encoding=encoding
                )
                self.assertEqual((queries, again.content), (0, response.content))
        self.assertEqual(len(etags), 3)

    def test_a_304_for_each_encoding_and_only_for_its_own_etag(self):
        for accept in ("", "gzip", "br"):
            with self.subTest(accept=accept):
                etag = self.get(accept)["ETag"]
                response, queries = get_counting_queries(
                    self.client, self.url, accept_encoding=accept, if_none_match=etag
                )
                self.assertEqual((response.status_code, queries), (304, 0))
                self.assertEqual(response["ETag"], etag)
                self.assertEqual(response["Vary"], "Cookie, Accept-Encoding")
        gzip_etag = self.get("gzip")["ETag"]
        response = self.get("br", **{"if-none-match": gzip_etag})
        self.assertEqual((response.status_code, response["Content-Encoding"]), (200, "br"))

    def test_head_names_the_encoding_a_get_would_send(self):
        get = self.get("gzip")
        head = self.client.head(self.url, headers={"accept-encoding": "gzip"})
        self.assertEqual((head["Content-Encoding"], head["ETag"]), ("gzip", get["ETag"]))

    def test_pages_the_cache_does_not_keep_are_compressed_too(self):
        for url in [self.url + "?utm_source=news", "/no-such-guide/"]:
            with self.subTest(url):
                response = self.client.get(url, headers={"accept-encoding": "gzip"})
                self.assertEqual(response["Content-Encoding"], "gzip")
                self.assertIn("Accept-Encoding", response["Vary"])
                plain = self.client.get(url)
                self.assertEqual(decoded(response), plain.content)

    def test_the_admin_and_editors_pages_are_never_compressed(self):
        """They carry CSRF tokens and session-bound content: BREACH's targets."""
        editor = Client()
        editor.force_login(get_user_model().objects.create_superuser("editor", password="pw"))
        for client, url in [
            (Client(), reverse("admin:login")),
            (editor, reverse("admin:index")),
            (editor, self.url),
        ]:
            with self.subTest(url):
                response = client.get(url, headers={"accept-encoding": "br, gzip"})
                self.assertEqual(response.status_code, 200)
                self.assertNotIn("Content-Encoding", response)
