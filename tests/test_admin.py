from django.contrib.auth import get_user_model
from django.test import TestCase
from django.urls import reverse

from faq.models import Answer, Question

from .factories import answer_form_data, make_guide, make_question


class AdminPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = get_user_model().objects.create_superuser("editor", password="pw-for-tests")
        cls.guide = make_guide()
        cls.question = make_question(cls.guide, 1, topics=["Privacy"])

    def setUp(self):
        self.client.force_login(self.editor)

    def test_every_faq_admin_page_loads(self):
        question, answer = self.question, self.question.answer
        urls = [
            reverse("admin:index"),
            reverse("admin:faq_guide_changelist"),
            reverse("admin:faq_guide_change", args=[self.guide.pk]),
            reverse("admin:faq_question_changelist"),
            reverse("admin:faq_question_add"),
            reverse("admin:faq_question_change", args=[question.pk]),
            reverse("admin:faq_question_history", args=[question.pk]),
            reverse("admin:faq_answer_changelist"),
            reverse("admin:faq_answer_change", args=[answer.pk]),
            reverse("admin:faq_answer_history", args=[answer.pk]),
            reverse("admin:faq_topic_changelist"),
            reverse("admin:faq_category_changelist"),
        ]
        for url in urls:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_changelist_shows_columns_and_searches_answer_text(self):
        other = make_question(self.guide, 2, body="Mentions the Secretary of State.")
        url = reverse("admin:faq_question_changelist")
        response = self.client.get(url, {"q": "Secretary"})
        self.assertContains(response, other.text)
        self.assertNotContains(response, self.question.text)
        self.assertContains(self.client.get(url), "Privacy")

    def test_changelist_filters_by_guide_topic_and_status(self):
        draft = make_question(self.guide, 2, status=Question.Status.DRAFT, topics=["Courts"])
        url = reverse("admin:faq_question_changelist")
        by_status = self.client.get(url, {"status__exact": "draft"})
        self.assertEqual(list(by_status.context["cl"].result_list), [draft])
        by_topic = self.client.get(url, {"tags__id__exact": draft.tags.get().pk})
        self.assertEqual(list(by_topic.context["cl"].result_list), [draft])
        by_guide = self.client.get(url, {"guide__id__exact": self.guide.pk})
        self.assertEqual(len(by_guide.context["cl"].result_list), 2)

    def test_editing_an_answer_in_the_admin_shows_publicly_and_records_the_editor(self):
        answer = self.question.answer
        url = reverse("admin:faq_answer_change", args=[answer.pk])
        data = answer_form_data(answer, body="A corrected answer.", change_note="Fix", _publish="1")
        response = self.client.post(url, data)
        self.assertRedirects(response, url)
        latest = Answer.history.filter(id=answer.pk).latest()
        self.assertEqual(latest.body, "A corrected answer.")
        self.assertEqual(latest.history_user, self.editor)
        self.assertContains(
            self.client.get(self.question.get_absolute_url()), "A corrected answer."
        )

    def test_a_new_question_is_offered_the_next_number_in_its_guide(self):
        response = self.client.get(reverse("admin:faq_question_add"), {"guide": self.guide.pk})
        self.assertEqual(response.context["adminform"].form.initial["position"], 2)
