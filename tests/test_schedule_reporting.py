"""A schedule that could not run is reported in the three places someone
looks: the admin's dashboard, the log, and /healthz (with /healthz/schedules
for monitoring systems). Issue 11: a schedule cannot be silently forgotten."""

from django.test import TestCase
from django.urls import reverse

from faq import periodic, workflow
from faq.models import Answer

from . import workflow_states as states
from .factories import make_guide, make_question, make_staff

PUBLISH_JOB = periodic.JOBS["publish scheduled changes"]


class ScheduleReportingTests(TestCase):
    def setUp(self):
        self.editor = make_staff("editor", "Editors")
        self.reviewer = make_staff("reviewer", "Reviewers")
        self.publisher = make_staff("publisher", "Publishers")
        question = make_question(make_guide(), 1, text="When does the DMV share data?")
        self.answer = states.scheduled(question.answer, self.editor, self.reviewer, self.publisher)

    def health(self):
        return self.client.get(reverse("faq:healthz")), self.client.get(
            reverse("faq:healthz_schedules")
        )

    def problems_on_dashboard(self):
        self.client.force_login(self.editor)
        response = self.client.get(reverse("admin:index"))
        self.client.logout()
        return response

    def test_a_schedule_not_yet_due_or_just_due_is_no_problem(self):
        states.make_due(self.answer, seconds_ago=workflow.OVERDUE_AFTER_SECONDS - 60)
        health, schedules = self.health()
        self.assertContains(health, "schedules: ok\n")
        self.assertEqual((schedules.status_code, schedules.content), (200, b"schedules: ok\n"))
        self.assertContains(self.problems_on_dashboard(), "Every scheduled change due so far")

    def test_a_failed_schedule_is_reported_on_the_dashboard_in_the_log_and_by_healthz(self):
        states.make_due(self.answer)
        states.break_approval(self.answer)
        with (
            self.assertLogs("faq.workflow", "ERROR") as logs,
            self.assertRaises(periodic.ScheduledPublishingFailed),
        ):
            PUBLISH_JOB.run()
        self.assertIn(
            f"Scheduled publishing of answer {self.answer.pk} failed: "
            "the change was edited after it was approved",
            logs.output[0],
        )
        dashboard = self.problems_on_dashboard()
        self.assertContains(dashboard, "1 schedule failed or overdue")
        self.assertContains(dashboard, "the change was edited after it was approved")
        self.assertContains(dashboard, "When does the DMV share data?")
        health, schedules = self.health()
        # Load balancers act on /healthz's status: a stuck schedule keeps the site up.
        self.assertEqual(health.status_code, 200)
        self.assertContains(health, "schedules: 1 failed, 0 overdue")
        self.assertEqual(schedules.status_code, 503)
        self.assertContains(schedules, "schedules: 1 failed, 0 overdue", status_code=503)
        self.assertEqual(Answer.objects.get(pk=self.answer.pk).body, "Answer number 1.")

    def test_a_missed_window_is_reported_and_logged_when_the_jobs_run_again(self):
        states.make_due(self.answer, seconds_ago=workflow.OVERDUE_AFTER_SECONDS + 60)
        dashboard = self.problems_on_dashboard()
        self.assertContains(dashboard, "has not run: are the periodic jobs running?")
        health, schedules = self.health()
        self.assertContains(health, "schedules: 0 failed, 1 overdue")
        self.assertContains(schedules, "schedules: 0 failed, 1 overdue", status_code=503)
        with self.assertLogs("faq.periodic", "WARNING") as logs:
            self.assertEqual(PUBLISH_JOB.run(), "published 1 scheduled change(s)")
        self.assertIn(f"Scheduled change to answer {self.answer.pk} published late", logs.output[0])
        health, schedules = self.health()
        self.assertContains(health, "schedules: ok\n")
        self.assertEqual(schedules.status_code, 200)

    def test_a_failure_stays_reported_until_the_change_is_rescheduled_or_published(self):
        states.make_due(self.answer)
        states.break_approval(self.answer)
        for _ in range(2):  # every run retries it; the failure stays on the answer
            with (
                self.assertLogs("faq.workflow", "ERROR"),
                self.assertRaises(periodic.ScheduledPublishingFailed),
            ):
                PUBLISH_JOB.run()
        self.assertEqual(list(workflow.failed()), [Answer.objects.get(pk=self.answer.pk)])
        workflow.cancel_schedule(self.answer, self.publisher)
        self.assertContains(self.health()[0], "schedules: ok\n")
