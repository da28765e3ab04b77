"""Whatever reaches the database (loaddata, raw SQL, a restore), a page never
prints a link whose scheme is not http, https or mailto, nor an answer over the
limit: the database refuses such rows, and templates check links they print."""

import json
import os
import tempfile

from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import TestCase
from django.urls import reverse

from faq.jinja import link_href
from faq.models import MAX_ANSWER_LENGTH, Answer, Question, Source

from .factories import answer_form_data, make_guide, make_question, make_staff

STAMPS = {"created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}


def fixture(body="A short answer.", url="https://www.ilga.gov/"):
    records = [
        {"model": "faq.category", "pk": 90, "fields": {"name": "Loaded", "slug": "loaded"}},
        {
            "model": "faq.guide",
            "pk": 90,
            "fields": {"title": "Loaded", "slug": "loaded", "category": 90, "is_published": True},
        },
        {
            "model": "faq.question",
            "pk": 90,
            "fields": {
                "guide": 90,
                "position": 1,
                "text": "Loaded?",
                "slug": "loaded",
                "status": "published",
            },
        },
        {"model": "faq.answer", "pk": 90, "fields": {"question": 90, "body": body}},
        {
            "model": "faq.source",
            "pk": 90,
            "fields": {"answer": 90, "title": "A law", "url": url, "position": 0},
        },
    ]
    for record in records[1:4]:
        record["fields"].update(STAMPS)
    return records


class LoaddataTests(TestCase):
    def load(self, records):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "records.json")
            with open(path, "w") as file:
                json.dump(records, file)
            call_command("loaddata", path, verbosity=0)

    def test_a_valid_fixture_loads(self):
        """The check that the refusals below are about the bad value alone."""
        self.load(fixture())
        self.assertEqual(Source.objects.get(pk=90).url, "https://www.ilga.gov/")

    def test_a_javascript_source_url_is_refused(self):
        for url in ("javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "//evil"):
            with self.subTest(url=url), self.assertRaises(IntegrityError), transaction.atomic():
                self.load(fixture(url=url))
            self.assertFalse(Source.objects.exists())
            self.assertFalse(Question.objects.exists())

    def test_an_answer_over_the_limit_is_refused(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            self.load(fixture(body="x" * (MAX_ANSWER_LENGTH + 1)))
        self.assertFalse(Answer.objects.exists())
        self.load(fixture(body="x" * MAX_ANSWER_LENGTH))  # the limit itself is allowed
        self.assertEqual(len(Answer.objects.get(pk=90).body), MAX_ANSWER_LENGTH)


class RawSQLTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.answer = make_question(make_guide(), 1).answer

    def execute(self, sql, params):
        with self.assertRaises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)

    def test_raw_sql_cannot_insert_a_javascript_source(self):
        self.execute(
            "INSERT INTO faq_source (answer_id, title, url, position) VALUES (%s, %s, %s, 0)",
            [self.answer.pk, "Bad", "javascript:alert(1)"],
        )
        self.assertFalse(Source.objects.exists())

    def test_raw_sql_cannot_lengthen_an_answer_or_a_draft_past_the_limit(self):
        for column in ("body", "draft_body"):
            with self.subTest(column=column):
                self.execute(
                    f"UPDATE faq_answer SET {column} = %s WHERE id = %s",
                    ["x" * (MAX_ANSWER_LENGTH + 1), self.answer.pk],
                )
        self.assertEqual(Answer.objects.get(pk=self.answer.pk).body, "Answer number 1.")


class RenderedLinkTests(TestCase):
    def test_only_http_https_and_mailto_are_links(self):
        for value in ("https://a.example/", "HTTP://a.example/", "mailto:help@example.org"):
            self.assertEqual(link_href(value), value)
        for value in ("javascript:alert(1)", " JavaScript:x", "data:,x", "tel:123", "/x", ""):
            with self.subTest(value=value):
                self.assertIsNone(link_href(value))

    def test_the_preview_prints_no_javascript_link_an_editor_typed(self):
        """Preview renders sources straight from the form, unchecked by the database."""
        answer = make_question(make_guide(), 1, status=Question.Status.DRAFT).answer
        self.client.force_login(make_staff("pat", "Publishers"))
        data = answer_form_data(answer)
        data.update(
            {
                "sources-TOTAL_FORMS": 1,
                "sources-0-position": 0,
                "sources-0-title": "Click me",
                "sources-0-url": "javascript:alert(document.cookie)",
            }
        )
        response = self.client.post(reverse("admin:faq_answer_preview", args=[answer.pk]), data)
        self.assertContains(response, "Click me")
        self.assertNotContains(response, "javascript:")
