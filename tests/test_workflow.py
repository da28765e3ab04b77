"""The publishing workflow's rules (faq/workflow.py), without HTTP."""

import datetime

from django.test import TestCase, TransactionTestCase, skipUnlessDBFeature
from django.utils import timezone

from faq import revisions, workflow
from faq.models import Answer, Question
from faq.models.workflow import ReviewState

from .factories import make_guide, make_question, make_staff
from .races import at_once


class WorkflowCase(TestCase):
    def setUp(self):
        self.editor = make_staff("editor", "Editors")
        self.reviewer = make_staff("reviewer", "Reviewers")
        self.publisher = make_staff("publisher", "Publishers")
        self.question = make_question(make_guide(), topics=["Privacy"], body="Live text.")
        self.answer = self.question.answer

    def draft(self, user=None, body="Draft text.", **parts):
        answer = Answer.objects.get(pk=self.answer.pk)
        live = {"body": answer.body, "change_note": answer.change_note, "is_minor": False}
        workflow.content_edited(answer)
        answer.body, answer.change_note = body, "Clearer."
        revisions.save_draft(answer, user or self.editor, live, **parts)
        return answer

    def reasons(self):
        return list(
            self.answer.history.order_by("history_date", "history_id").values_list(
                "history_change_reason", flat=True
            )
        )


class ReviewTests(WorkflowCase):
    def test_a_reviewer_approves_the_exact_revision_submitted(self):
        self.draft(wording="A new wording?", topics=["Courts"])
        workflow.submit(self.answer, self.editor)
        answer = workflow.approve(self.answer, self.reviewer)
        self.assertEqual(answer.review_state, ReviewState.APPROVED)
        self.assertTrue(workflow.approval_is_current(answer))
        answer = workflow.publish_approved(answer, self.publisher)
        question = Question.objects.get(pk=self.question.pk)
        self.assertEqual(question.text, "A new wording?")
        self.assertEqual([t.name for t in question.tags.all()], ["Courts"])
        self.assertEqual(Answer.objects.get(pk=answer.pk).body, "Draft text.")
        self.assertEqual(
            self.reasons()[-4:],
            [revisions.SAVED_DRAFT, workflow.SUBMITTED, workflow.APPROVED, revisions.PUBLISHED],
        )

    def test_the_author_may_not_approve_even_with_the_permission(self):
        self.draft(user=self.publisher)
        workflow.submit(self.answer, self.publisher)
        with self.assertRaises(workflow.NotAllowed):
            workflow.approve(self.answer, self.publisher)
        self.assertEqual(Answer.objects.get(pk=self.answer.pk).review_state, ReviewState.IN_REVIEW)

    def test_an_edit_after_approval_cancels_it(self):
        self.draft()
        workflow.submit(self.answer, self.editor)
        workflow.approve(self.answer, self.reviewer)
        self.draft(body="Changed after approval.")
        answer = Answer.objects.get(pk=self.answer.pk)
        self.assertFalse(workflow.approval_is_current(answer))
        with self.assertRaises(workflow.WorkflowError):
            workflow.publish_approved(answer, self.publisher)
        self.assertEqual(Question.objects.get(pk=self.question.pk).answer.body, "Live text.")

    def test_sent_back_with_a_comment_the_author_sees(self):
        self.draft()
        workflow.submit(self.answer, self.editor)
        with self.assertRaises(workflow.WorkflowError):
            workflow.send_back(self.answer, self.reviewer, "  ")
        answer = workflow.send_back(self.answer, self.reviewer, "Cite the statute.")
        self.assertEqual(answer.review_state, ReviewState.CHANGES_REQUESTED)
        self.assertEqual(Answer.objects.get(pk=answer.pk).review_comment, "Cite the statute.")

    def test_an_editor_may_not_review(self):
        other = make_staff("other-editor", "Editors")
        self.draft()
        workflow.submit(self.answer, self.editor)
        with self.assertRaises(workflow.NotAllowed):
            workflow.approve(self.answer, other)


class UrgentPublishTests(WorkflowCase):
    def test_published_without_review_stays_marked_until_someone_else_reviews(self):
        self.draft(user=self.publisher)
        answer = workflow.publish_urgently(self.answer, self.publisher)
        self.assertTrue(answer.needs_review_after_publishing)
        with self.assertRaises(workflow.NotAllowed):
            workflow.confirm_review(answer, self.publisher)
        answer = workflow.confirm_review(answer, self.reviewer)
        self.assertFalse(Answer.objects.get(pk=answer.pk).needs_review_after_publishing)

    def test_only_publishers_publish_urgently(self):
        self.draft()
        with self.assertRaises(workflow.NotAllowed):
            workflow.publish_urgently(self.answer, self.reviewer)
        self.assertEqual(Answer.objects.get(pk=self.answer.pk).body, "Live text.")


class RevertTests(WorkflowCase):
    def test_reverting_a_public_answer_is_marked_as_published_without_review(self):
        """A revert of a published answer goes live at once: like an urgent
        publish, it is listed until someone other than who reverted reviews it."""
        first = self.answer.history.order_by("history_date", "history_id").first()
        self.draft(user=self.publisher)
        workflow.publish_urgently(self.answer, self.publisher)
        workflow.confirm_review(self.answer, self.reviewer)
        answer = revisions.revert(self.answer, first, self.publisher)
        self.assertEqual(Answer.objects.get(pk=answer.pk).body, "Live text.")
        self.assertEqual(answer.published_unreviewed_by, self.publisher)
        with self.assertRaises(workflow.NotAllowed):
            workflow.confirm_review(answer, self.publisher)
        workflow.confirm_review(answer, self.reviewer)
        self.assertFalse(Answer.objects.get(pk=answer.pk).needs_review_after_publishing)

    def test_reverting_an_unpublished_question_marks_nothing(self):
        self.question.status = Question.Status.DRAFT
        self.question.save()
        first = self.answer.history.order_by("history_date", "history_id").first()
        answer = revisions.revert(self.answer, first, self.publisher)
        self.assertFalse(Answer.objects.get(pk=answer.pk).needs_review_after_publishing)


class ScheduleTests(WorkflowCase):
    def approved(self):
        self.draft(wording="Scheduled wording?")
        workflow.submit(self.answer, self.editor)
        return workflow.approve(self.answer, self.reviewer)

    def test_a_schedule_publishes_once_at_its_time_as_its_scheduler(self):
        when = timezone.now() + datetime.timedelta(hours=2)
        workflow.schedule(self.approved(), self.publisher, when)
        self.assertEqual(workflow.publish_due(), [])
        self.assertEqual(Question.objects.get(pk=self.question.pk).text, self.question.text)
        later = when + datetime.timedelta(minutes=1)
        self.assertEqual([r.published for r in workflow.publish_due(later)], [True])
        self.assertEqual(workflow.publish_due(later), [])
        self.assertEqual(Question.objects.get(pk=self.question.pk).text, "Scheduled wording?")
        row = self.answer.history.order_by("-history_date", "-history_id").first()
        self.assertEqual(row.history_change_reason, workflow.PUBLISHED_ON_SCHEDULE)
        self.assertEqual(row.history_user, self.publisher)
        self.assertEqual(row.change_note, "Clearer.")

    def test_a_time_in_the_past_is_refused(self):
        with self.assertRaises(workflow.WorkflowError):
            workflow.schedule(self.approved(), self.publisher, timezone.now())

    def test_a_failed_schedule_is_kept_and_reported(self):
        when = timezone.now() + datetime.timedelta(hours=1)
        workflow.schedule(self.approved(), self.publisher, when)
        # An edit behind the workflow's back: the approved revision is gone.
        Answer.objects.filter(pk=self.answer.pk).update(draft_body="Sneaked in.")
        later = when + datetime.timedelta(minutes=10)
        with self.assertLogs("faq.workflow", "ERROR"):
            (result,) = workflow.publish_due(later)
        self.assertFalse(result.published)
        self.assertEqual(list(workflow.failed()), [Answer.objects.get(pk=self.answer.pk)])
        self.assertEqual(list(workflow.overdue(later)), [Answer.objects.get(pk=self.answer.pk)])
        self.assertEqual(Answer.objects.get(pk=self.answer.pk).body, "Live text.")


class NewQuestionAuthorTests(WorkflowCase):
    def test_who_added_a_question_may_not_approve_it(self):
        """The first answer is saved by the add screen's inline, whose history row
        has no reason: its user is still an author."""
        from django.urls import reverse

        self.client.force_login(self.publisher)
        data = {
            "guide": self.question.guide.pk,
            "position": 2,
            "text": "A question added by a publisher?",
            "answer-TOTAL_FORMS": 1,
            "answer-INITIAL_FORMS": 0,
            "answer-MIN_NUM_FORMS": 1,
            "answer-MAX_NUM_FORMS": 1,
            "answer-0-body": "Its first answer.",
            "answer-0-review_interval_days": 180,
        }
        self.client.post(reverse("admin:faq_question_add"), data)
        answer = Answer.objects.get(question__text="A question added by a publisher?")
        self.assertEqual(workflow.authors(answer), {self.publisher.pk})
        workflow.submit(answer, self.publisher)
        with self.assertRaises(workflow.NotAllowed):
            workflow.approve(answer, self.publisher)


@skipUnlessDBFeature("has_select_for_update")
class ConcurrentSchedulerTests(TransactionTestCase):
    """Two schedulers at once on PostgreSQL: the change is published once."""

    def test_two_schedulers_publish_once(self):
        editor = make_staff("editor", "Editors")
        reviewer = make_staff("reviewer", "Reviewers")
        publisher = make_staff("publisher", "Publishers")
        answer = make_question(make_guide(), body="Live.").answer
        live = {"body": answer.body, "change_note": "", "is_minor": False}
        answer.body, answer.change_note = "Scheduled.", "Note."
        revisions.save_draft(answer, editor, live)
        workflow.submit(answer, editor)
        workflow.approve(answer, reviewer)
        when = timezone.now() + datetime.timedelta(seconds=30)
        workflow.schedule(Answer.objects.get(pk=answer.pk), publisher, when)
        later = when + datetime.timedelta(seconds=1)
        results = []

        def run():
            results.extend(workflow.publish_due(later))

        at_once(run, run)
        self.assertEqual([r.published for r in results], [True])
        published = answer.history.filter(history_change_reason=workflow.PUBLISHED_ON_SCHEDULE)
        self.assertEqual(published.count(), 1)
