"""Workflow emails (faq/notifications.py): who is told of each step, what the
email says, and that a mail server failure never fails or undoes the step."""

import datetime
import smtplib
from unittest import mock

from django.core import mail
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from faq import workflow
from faq.models import Answer
from faq.models.workflow import ReviewState

from . import workflow_states as states
from .factories import make_guide, make_question, make_staff

SITE = "https://faq.example.org"


@override_settings(SITE_URL=SITE, LANGUAGE_CODE="en")
class NotificationTests(TestCase):
    def setUp(self):
        self.editor = self.staff("editor", "Editors")
        self.other_editor = self.staff("other-editor", "Editors")
        self.reviewer = self.staff("reviewer", "Reviewers")
        self.publisher = self.staff("publisher", "Publishers")
        self.second_publisher = self.staff("second-publisher", "Publishers")
        question = make_question(make_guide(), 1, text="Does the DMV share my address?")
        self.answer = question.answer
        self.link = SITE + reverse("admin:faq_answer_change", args=[self.answer.pk])

    def staff(self, username, group):
        user = make_staff(username, group)
        user.email = f"{username}@example.org"
        user.save()
        return user

    def step(self, function, *args):
        """Run a workflow step and the callbacks that follow its commit."""
        with self.captureOnCommitCallbacks(execute=True):
            result = function(*args)
        return result

    def recipients(self):
        return sorted(address for message in mail.outbox for address in message.to)

    def only_email(self):
        subjects = {message.subject for message in mail.outbox}
        self.assertEqual(len(subjects), 1, subjects)
        return mail.outbox[0]

    def test_a_submission_goes_to_reviewers_and_publishers_never_the_author(self):
        states.draft(self.answer, self.publisher)
        self.step(workflow.submit, self.answer, self.publisher)
        self.assertEqual(
            self.recipients(), ["reviewer@example.org", "second-publisher@example.org"]
        )
        email = self.only_email()
        self.assertEqual(
            email.subject, "[DMV Policy FAQ] Review requested: Does the DMV share my address?"
        )
        self.assertIn("publisher submitted a change to “Does the DMV share my", email.body)
        self.assertIn(self.link, email.body)
        self.assertEqual(len(mail.outbox), 2)  # one each: no one sees the others' addresses

    def test_approval_and_sending_back_go_to_who_submitted_with_the_comment(self):
        answer = self.step(states.in_review, self.answer, self.editor)
        mail.outbox.clear()
        self.step(workflow.send_back, answer, self.reviewer, "Cite the 2025 statute.")
        email = self.only_email()
        self.assertEqual(self.recipients(), ["editor@example.org"])
        self.assertIn("reviewer sent back your change to “Does the DMV share", email.body)
        self.assertIn("\n\nCite the 2025 statute.\n\n", email.body)
        self.assertIn(self.link, email.body)
        mail.outbox.clear()
        answer = self.step(workflow.submit, Answer.objects.get(pk=answer.pk), self.editor)
        mail.outbox.clear()
        self.step(workflow.approve, answer, self.reviewer)
        email = self.only_email()
        self.assertEqual(self.recipients(), ["editor@example.org"])
        self.assertEqual(email.subject, "[DMV Policy FAQ] Approved: Does the DMV share my address?")
        self.assertIn("reviewer approved your change", email.body)

    def test_publishing_on_schedule_tells_the_author_and_the_scheduler(self):
        states.make_due(
            states.scheduled(self.answer, self.editor, self.reviewer, self.second_publisher)
        )
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            workflow.publish_due()
        email = self.only_email()
        self.assertEqual(self.recipients(), ["editor@example.org", "second-publisher@example.org"])
        self.assertIn("Published on schedule: Does the DMV share my address?", email.subject)
        self.assertIn("that second-publisher scheduled was published on schedule", email.body)
        self.assertRegex(email.body, r"\d{4}, \d\d:\d\d C[SD]T")

    def test_a_failed_schedule_tells_the_scheduler_and_publishers_once(self):
        admin = self.staff("operator", "Editors")
        admin.is_superuser = True
        admin.save()
        states.make_due(states.scheduled(self.answer, self.editor, self.reviewer, self.publisher))
        states.break_approval(self.answer)
        mail.outbox.clear()
        for _ in range(3):  # every run retries it: the people are told once
            with self.assertLogs("faq.workflow", "ERROR"):
                workflow.publish_due()
        email = self.only_email()
        self.assertEqual(
            self.recipients(),
            ["operator@example.org", "publisher@example.org", "second-publisher@example.org"],
        )
        self.assertIn("Scheduled publishing failed: Does the DMV share my address?", email.subject)
        self.assertIn("the change was edited after it was approved", email.body)
        self.assertIn("that publisher scheduled for", email.body)
        self.assertIn(self.link, email.body)

    def test_publishing_without_review_tells_the_reviewers_but_not_its_publisher(self):
        states.draft(self.answer, self.editor)
        self.step(workflow.publish_urgently, self.answer, self.publisher)
        self.assertEqual(
            self.recipients(), ["reviewer@example.org", "second-publisher@example.org"]
        )
        self.assertIn("publisher published a change to “Does", self.only_email().body)

    def test_scheduling_and_cancelling_email_nobody(self):
        answer = states.approved(self.answer, self.editor, self.reviewer)
        when = timezone.now() + datetime.timedelta(hours=1)
        mail.outbox.clear()
        answer = self.step(workflow.schedule, answer, self.publisher, when)
        self.step(workflow.cancel_schedule, answer, self.publisher)
        self.assertEqual(Answer.objects.get(pk=answer.pk).review_state, ReviewState.APPROVED)
        self.assertEqual(mail.outbox, [])

    def test_people_without_an_address_or_no_longer_active_are_left_out(self):
        self.reviewer.email = ""
        self.reviewer.save()
        self.second_publisher.is_active = False
        self.second_publisher.save()
        self.step(states.in_review, self.answer, self.editor)
        self.assertEqual(self.recipients(), ["publisher@example.org"])

    def test_a_mail_server_failure_is_logged_and_the_step_stands(self):
        states.draft(self.answer, self.editor)
        broken = mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages",
            side_effect=smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        )
        with broken, self.assertLogs("faq.notifications", "ERROR") as logs:
            self.step(workflow.submit, self.answer, self.editor)
        self.assertIn(f"Could not email about answer {self.answer.pk}", logs.output[0])
        self.assertIn("Connection unexpectedly closed", logs.output[0])
        self.assertEqual(Answer.objects.get(pk=self.answer.pk).review_state, ReviewState.IN_REVIEW)

    def test_emails_are_in_the_sites_language_whatever_the_editors_admin_language(self):
        states.draft(self.answer, self.editor)
        with translation.override("es"):
            self.step(workflow.submit, self.answer, self.editor)
        self.assertTrue(mail.outbox[0].subject.startswith("[DMV Policy FAQ] Review requested"))
        mail.outbox.clear()
        with override_settings(LANGUAGE_CODE="es"):
            self.step(workflow.send_back, self.answer, self.reviewer, "Más corto.")
        self.assertIn("Devuelto", self.only_email().subject)
