from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from faq.models import Question
from faq.views import PAGE_SIZE

from .factories import make_guide, make_guide_with_questions, make_question


class PublicPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.guide, cls.questions = make_guide_with_questions(3)
        cls.draft = make_question(
            cls.guide,
            9,
            status=Question.Status.DRAFT,
            text="Secret draft question?",
            topics=["Privacy"],
        )
        cls.question = cls.questions[1]
        cls.question.answer.body = "Intro.\n\n1. First item.\n2. Second item."
        cls.question.answer.save()

    def test_home_lists_guides_by_category(self):
        response = self.client.get(reverse("faq:home"))
        self.assertTemplateUsed(response, "faq/home.html")
        self.assertContains(
            response, '<h2 id="category-federal">Federal Government</h2>', html=False
        )
        self.assertContains(response, self.guide.get_absolute_url())
        self.assertContains(response, "3 questions")

    def test_guide_shows_every_published_question_in_order_with_anchors(self):
        response = self.client.get(self.guide.get_absolute_url())
        self.assertTemplateUsed(response, "faq/guide_detail.html")
        body = response.content.decode()
        positions = [body.index(f'id="q{q.position}"') for q in self.questions]
        self.assertEqual(positions, sorted(positions))
        self.assertIn('href="#q2"', body)
        self.assertIn("<li>First item.</li>", body)
        self.assertNotIn("Secret draft question", body)

    def test_question_page_shows_answer_topics_and_last_updated(self):
        response = self.client.get(self.question.get_absolute_url())
        self.assertTemplateUsed(response, "faq/question_detail.html")
        self.assertContains(response, f"<h1>{self.question.text}</h1>", html=True)
        self.assertContains(response, "<li>Second item.</li>", html=True)
        self.assertContains(response, "Last updated")
        self.assertContains(response, reverse("faq:topic", args=["privacy"]))

    def test_topic_pages_list_only_published_questions(self):
        index = self.client.get(reverse("faq:topics"))
        self.assertTemplateUsed(index, "faq/topic_list.html")
        self.assertContains(index, "Illinois law")
        topic = self.client.get(reverse("faq:topic", args=["privacy"]))
        self.assertTemplateUsed(topic, "faq/topic_detail.html")
        self.assertContains(topic, self.questions[0].text)
        self.assertNotContains(topic, "Secret draft question")

    def test_drafts_are_not_found(self):
        response = self.client.get(self.draft.get_absolute_url())
        self.assertEqual(response.status_code, 404)
        self.assertTemplateUsed(response, "404.html")
        self.assertContains(response, "could not find that page", status_code=404)

    def test_an_unpublished_guide_and_its_questions_are_not_found(self):
        hidden = make_guide("hidden", is_published=False)
        question = make_question(hidden, 1, topics=["Hidden only"])
        self.assertEqual(self.client.get(hidden.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get(question.get_absolute_url()).status_code, 404)
        self.assertEqual(
            self.client.get(reverse("faq:topic", args=["hidden-only"])).status_code, 404
        )
        self.assertNotContains(self.client.get(reverse("faq:home")), "Hidden")

    def test_server_error_page_renders_without_a_request_context(self):
        from django.views.defaults import server_error

        response = server_error(self.client.get("/").wsgi_request)
        self.assertEqual(response.status_code, 500)
        self.assertIn(b"Something went wrong", response.content)


@override_settings(PAGE_CACHE_SECONDS=0)  # count the queries of rendering, not of a cache hit
class QueryCountTests(TestCase):
    """Every public page makes the same number of queries for 20 or 300 questions
    (the benchmark covers 10,000), including the last page of a long guide."""

    def count_queries(self, url):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return len(queries)

    def counts_for(self, question_count):
        Question.objects.all().delete()
        guide, questions = make_guide_with_questions(
            question_count,
            slug=f"guide-{question_count}",
            topics=("Privacy", "Illinois law", "ICE"),
        )
        last_page = (question_count - 1) // PAGE_SIZE + 1
        urls = {
            "home": reverse("faq:home"),
            "guide": guide.get_absolute_url(),
            "guide, last page": f"{guide.get_absolute_url()}?page={last_page}",
            "question": questions[-1].get_absolute_url(),
            "topics": reverse("faq:topics"),
            "topic": reverse("faq:topic", args=["privacy"]),
            "topic, last page": reverse("faq:topic", args=["privacy"]) + f"?page={last_page}",
            "health": reverse("faq:healthz"),
        }
        return {name: self.count_queries(url) for name, url in urls.items()}

    def test_query_counts_do_not_grow_with_content(self):
        self.assertEqual(self.counts_for(20), self.counts_for(300))
