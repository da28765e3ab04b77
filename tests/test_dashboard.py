"""The editor's dashboard at the top of the admin (faq/dashboard.py,
templates/admin/index.html) and the changelist filters it links to."""

import datetime
import re
import uuid
import zoneinfo

from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from faq import dashboard, workflow
from faq.admin import AnswerAdmin
from faq.models import Answer, Question
from faq.models.workflow import ReviewState

from . import workflow_states as states
from .factories import make_guide, make_question, make_staff

INDEX = reverse("admin:index")


def change_url(answer):
    return reverse("admin:faq_answer_change", args=[answer.pk])


class DashboardCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_staff("editor", "Editors")
        cls.colleague = make_staff("colleague", "Editors")
        cls.reviewer = make_staff("reviewer", "Reviewers")
        cls.publisher = make_staff("publisher", "Publishers")
        cls.guide = make_guide()
        cls.answers = [
            make_question(cls.guide, n, text=f"Question {n} on the dashboard?").answer
            for n in range(1, 8)
        ]
        today = timezone.localdate()
        Answer.objects.update(last_reviewed=today, review_due=today + datetime.timedelta(days=90))

    def section(self, user, key):
        (section,) = [s for s in dashboard.sections_for(user) if s.key == key]
        return section

    def dashboard_of(self, user, **headers):
        self.client.force_login(user)
        response = self.client.get(INDEX, **headers)
        self.assertEqual(response.status_code, 200)
        return response


class DashboardSectionTests(DashboardCase):
    def test_my_drafts_are_the_drafts_i_wrote_and_not_yet_submitted(self):
        mine, theirs, submitted = self.answers[:3]
        states.draft(mine, self.editor)
        states.draft(theirs, self.colleague)
        states.in_review(submitted, self.editor)
        section = self.section(self.editor, "my-drafts")
        self.assertEqual((section.count, section.answers), (1, [mine]))
        response = self.dashboard_of(self.editor)
        self.assertContains(
            response, f'<a href="{change_url(mine)}">Question 1 on the dashboard?</a>', html=True
        )
        self.assertContains(response, "1 draft not yet submitted")
        self.assertContains(response, "?mine=drafts")

    def test_a_new_unpublished_question_i_wrote_is_my_draft(self):
        question = make_question(self.guide, 20, status=Question.Status.DRAFT)
        question.answer.body = "Still writing."
        from faq.revisions import save_revision

        save_revision(question.answer, self.editor)
        self.assertEqual(self.section(self.editor, "my-drafts").answers, [question.answer])
        self.assertEqual(self.section(self.colleague, "my-drafts").count, 0)

    def test_waiting_for_my_review_leaves_out_changes_i_wrote(self):
        by_editor, by_reviewer = self.answers[:2]
        states.in_review(by_editor, self.editor)
        states.in_review(by_reviewer, self.reviewer)
        self.assertEqual(self.section(self.reviewer, "to-review").answers, [by_editor])
        self.assertEqual(self.section(self.publisher, "to-review").count, 2)
        response = self.dashboard_of(self.reviewer)
        self.assertContains(response, "Submitted by editor")

    def test_editors_who_may_not_review_have_no_review_section(self):
        states.in_review(self.answers[0], self.colleague)
        keys = [s.key for s in dashboard.sections_for(self.editor)]
        self.assertNotIn("to-review", keys)
        self.assertNotContains(self.dashboard_of(self.editor), "Waiting for my review")

    def test_sent_back_to_me_shows_the_reviewers_comment(self):
        answer = states.in_review(self.answers[0], self.editor)
        workflow.send_back(answer, self.reviewer, "Cite the statute.")
        self.assertEqual(self.section(self.editor, "sent-back").answers, [answer])
        self.assertEqual(self.section(self.colleague, "sent-back").count, 0)
        self.assertContains(self.dashboard_of(self.editor), "reviewer: “Cite the statute.”")

    def test_scheduled_changes_show_their_time_in_the_sites_zone_with_its_name(self):
        answer = states.scheduled(
            self.answers[0], self.editor, self.reviewer, self.publisher, minutes=600
        )
        response = self.dashboard_of(self.editor)
        local = timezone.localtime(answer.publish_at, zoneinfo.ZoneInfo(settings.TIME_ZONE))
        self.assertContains(response, f"{local:%H:%M} {local.tzname()}, scheduled by publisher")
        self.assertContains(response, f"Times are in the site’s time zone, {settings.TIME_ZONE}.")
        self.assertContains(response, "?review_state=scheduled")

    def test_published_without_review_is_listed_until_someone_reviews_it(self):
        answer = workflow.publish_urgently(
            states.draft(self.answers[0], self.publisher), self.publisher
        )
        self.assertEqual(self.section(self.editor, "unreviewed").answers, [answer])
        self.assertContains(self.dashboard_of(self.editor), "?needs_review=yes")
        workflow.confirm_review(answer, self.reviewer)
        self.assertEqual(self.section(self.editor, "unreviewed").count, 0)

    def test_due_for_review_is_the_models_own_definition(self):
        Answer.objects.filter(pk=self.answers[0].pk).update(last_reviewed=None, review_due=None)
        section = self.section(self.editor, "due")
        self.assertEqual(section.answers, list(Answer.objects.due_for_review()))
        self.assertContains(self.dashboard_of(self.editor), "Never reviewed")

    def test_an_empty_section_says_so_without_a_link(self):
        response = self.dashboard_of(self.editor)
        self.assertContains(response, "You have no draft waiting to be submitted.")
        self.assertNotContains(response, "?mine=drafts")

    def test_only_the_first_few_are_listed_and_the_count_is_all_of_them(self):
        for answer in self.answers[: dashboard.FIRST_FEW + 2]:
            states.draft(answer, self.editor)
        section = self.section(self.editor, "my-drafts")
        self.assertEqual(section.count, dashboard.FIRST_FEW + 2)
        self.assertEqual(len(section.answers), dashboard.FIRST_FEW)

    def test_the_dashboard_reads_in_spanish(self):
        states.draft(self.answers[0], self.editor)
        response = self.dashboard_of(self.editor, HTTP_ACCEPT_LANGUAGE="es")
        self.assertContains(response, "Mis borradores")
        self.assertContains(response, "1 borrador aún no enviado")
        self.assertNotContains(response, "My drafts")


class DashboardFilterTests(DashboardCase):
    """Each section's link, followed into the answers changelist with the
    dashboard's filters, lists exactly the answers the section counts."""

    def listed(self, user, query):
        request = RequestFactory().get("/admin/faq/answer/" + query)
        request.user = user
        changelist = AnswerAdmin(Answer, admin.site).get_changelist_instance(request)
        return sorted(changelist.queryset, key=lambda answer: answer.pk)

    def link_of(self, user, key):
        self.client.force_login(user)
        html = self.client.get(INDEX).content.decode()
        section = html[html.index(f'id="dashboard-{key}"') :]
        section = section[: section.index("</section>")]
        (query,) = re.findall(r'href="/admin/faq/answer/(\?[^"]+)"', section)
        return query.replace("&amp;", "&")

    def test_every_sections_link_lists_what_it_counts(self):
        states.draft(self.answers[0], self.editor)
        sent_back = states.in_review(self.answers[1], self.editor)
        workflow.send_back(sent_back, self.reviewer, "Shorter, please.")
        states.in_review(self.answers[2], self.colleague)
        late = states.scheduled(self.answers[3], self.colleague, self.reviewer, self.publisher)
        states.make_due(late, seconds_ago=workflow.OVERDUE_AFTER_SECONDS + 60)
        on_time = states.scheduled(self.answers[4], self.colleague, self.reviewer, self.publisher)
        states.make_due(on_time, seconds_ago=10)
        for key, user in [
            ("my-drafts", self.editor),
            ("sent-back", self.editor),
            ("to-review", self.reviewer),
            ("schedule-problems", self.editor),
            ("scheduled", self.editor),
        ]:
            with self.subTest(key):
                section = self.section(user, key)
                self.assertTrue(section.answers)
                listed = self.listed(user, self.link_of(user, key))
                self.assertEqual(listed, sorted(section.answers, key=lambda a: a.pk))
        self.assertEqual(self.listed(self.editor, "?mine=to_review"), [])  # may not review
        self.assertEqual(self.listed(self.editor, "?schedule=problems"), [late])


class DashboardQueryCountTests(TestCase):
    """The dashboard makes the same number of queries at 20 and at 10,000 answers,
    with answers in every section."""

    def setUp(self):
        self.editor = make_staff("editor", "Editors")
        self.reviewer = make_staff("reviewer", "Reviewers")
        self.publisher = make_staff("publisher", "Publishers")

    def fill(self, count):
        """`count` answers, bulk-created, spread over every state a section lists."""
        guide = make_guide(f"guide-{count}")
        questions = Question.objects.bulk_create(
            Question(
                guide=guide,
                position=n,
                text=f"Bulk question {n}?",
                slug=f"bulk-{n}",
                status=Question.Status.PUBLISHED,
                language=guide.language,
                translation_key=uuid.uuid4(),
            )
            for n in range(1, count + 1)
        )
        now = timezone.now()
        cycle = [
            {"review_state": ReviewState.DRAFT, "draft_saved_by": self.editor},
            {"review_state": ReviewState.IN_REVIEW, "submitted_by": self.editor},
            {"review_state": ReviewState.CHANGES_REQUESTED, "submitted_by": self.editor},
            {"review_state": ReviewState.SCHEDULED, "publish_at": now + datetime.timedelta(1)},
            {"review_state": ReviewState.SCHEDULED, "publish_at": now - datetime.timedelta(1)},
            {"published_unreviewed_at": now, "published_unreviewed_by": self.publisher},
            {"review_due": None},
        ]
        Answer.objects.bulk_create(
            Answer(
                question=question,
                body="Bulk answer.",
                body_html="<p>Bulk answer.</p>",
                draft_saved_at=now if index % len(cycle) == 0 else None,
                scheduled_by=self.publisher,
                reviewed_by=self.reviewer,
                **cycle[index % len(cycle)],
            )
            for index, question in enumerate(questions)
        )
        self.assertEqual(Answer.objects.count(), count)
        # As autovacuum does for a real database: without statistics on rows a
        # test inserted in bulk, PostgreSQL's planner can pick plans that scan
        # one table once per row of another (minutes at 10,000 answers).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE faq_answer" if connection.vendor == "postgresql" else "ANALYZE")
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE faq_question")

    def count_queries(self, user, *filled):
        self.client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(INDEX)
        self.assertEqual(response.status_code, 200)
        for key in ["scheduled", "schedule-problems", "unreviewed", "due", *filled]:
            self.assertContains(response, f'id="dashboard-{key}" class="dashboard-section has')
        return len(queries)

    def counts(self):
        return (
            self.count_queries(self.editor, "my-drafts", "sent-back"),
            self.count_queries(self.reviewer, "to-review"),
        )

    def test_the_same_number_of_queries_at_20_and_at_10000_answers(self):
        self.fill(20)
        few = self.counts()
        Answer.objects.all().delete()
        Question.objects.all().delete()
        self.fill(10_000)
        many = self.counts()
        print(f"\ndashboard queries (editor, reviewer): {few} at 20, {many} at 10,000 answers")
        self.assertEqual(few, many)
