"""The publishing workflow in the admin: whole drafts on the answer screen, the
workflow's buttons, and who may press which (every role against every action,
over HTTP: allowed, or 403 with nothing changed)."""

import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.forms.models import model_to_dict
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from faq import revisions, workflow
from faq.models import Answer, Question
from faq.models.workflow import ReviewState

from .factories import answer_form_data, make_guide, make_question, make_staff, publish_now

CHICAGO = ZoneInfo("America/Chicago")


def change_url(answer):
    return reverse("admin:faq_answer_change", args=[answer.pk])


def step_url(answer, step):
    return reverse("admin:faq_answer_workflow", args=[answer.pk, step])


def fresh(answer):
    return Answer.objects.select_related("question").get(pk=answer.pk)


def whole_draft(**changes):
    """A wording, topic, source and text change, as the answer form posts it."""
    return {
        "question_text": "Does the DMV give ICE my address?",
        "topics": "Privacy, Courts",
        "body": "The draft's answer.",
        "change_note": "Rewrote after the 2025 law.",
        "sources-TOTAL_FORMS": 1,
        "sources-0-position": 1,
        "sources-0-title": "Illinois Public Act 101-0009",
        "sources-0-url": "ilga.gov/act",
        "_draft": "1",
        **changes,
    }


class WorkflowAdminCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_staff("eddie", "Editors")
        cls.reviewer = make_staff("rita", "Editors", "Reviewers")
        cls.publisher = make_staff("pat", "Editors", "Publishers")
        cls.superuser = get_user_model().objects.create_superuser("root", password="pw-for-tests")
        cls.question = make_question(make_guide(), 1, body="Live text.", topics=["Privacy"])
        cls.answer = cls.question.answer
        cls.answer.sources.create(title="Live source", url="https://example.org/live", position=1)

    def save_draft(self, user, **changes):
        self.client.force_login(user)
        answer = fresh(self.answer)
        return self.client.post(change_url(answer), {**answer_form_data(answer), **changes})

    def step(self, user, step, **data):
        self.client.force_login(user)
        return self.client.post(step_url(self.answer, step), data)


class WholeDraftTests(WorkflowAdminCase):
    def test_an_editor_drafts_wording_topics_sources_and_text_and_the_public_sees_none(self):
        response = self.save_draft(self.editor, **whole_draft())
        self.assertRedirects(response, change_url(self.answer))
        answer = fresh(self.answer)
        self.assertEqual(answer.draft_question_text, "Does the DMV give ICE my address?")
        self.assertEqual(answer.draft_topics, ["Courts", "Privacy"])
        self.assertEqual(
            answer.draft_sources,
            [{"title": "Illinois Public Act 101-0009", "url": "https://ilga.gov/act"}],
        )
        self.assertEqual((answer.body, answer.draft_body), ("Live text.", "The draft's answer."))
        self.assertEqual(answer.review_state, ReviewState.DRAFT)
        # Nothing of it is public: wording, topics and Source rows are as they were.
        question = Question.objects.get(pk=self.question.pk)
        self.assertEqual(question.text, self.question.text)
        self.assertEqual([t.name for t in question.tags.all()], ["Privacy"])
        self.assertEqual([s.title for s in answer.sources.all()], ["Live source"])
        self.client.logout()
        public = self.client.get(self.question.get_absolute_url())
        self.assertContains(public, "Live source")
        for secret in ("Does the DMV give ICE my address?", "Public Act", "draft's answer"):
            self.assertNotContains(public, secret)

    def test_a_waiting_draft_reopens_with_its_own_wording_topics_and_sources(self):
        self.save_draft(self.editor, **whole_draft())
        self.client.force_login(self.reviewer)
        page = self.client.get(change_url(self.answer))
        form = page.context["adminform"].form
        self.assertEqual(form["question_text"].value(), "Does the DMV give ICE my address?")
        self.assertContains(page, 'value="Courts, Privacy"')
        self.assertContains(page, 'value="Illinois Public Act 101-0009"')
        self.assertNotContains(page, 'value="Live source"')
        self.assertContains(page, "What the draft changes in the published answer")

    def test_a_bad_source_address_is_refused_and_nothing_changes(self):
        before = fresh(self.answer)
        response = self.save_draft(
            self.editor, **whole_draft(**{"sources-0-url": "javascript:alert(1)"})
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Enter a valid URL.")
        after = fresh(self.answer)
        self.assertEqual((after.version, after.has_draft), (before.version, False))
        self.assertEqual(after.history.count(), before.history.count())

    def test_publishing_applies_the_whole_draft(self):
        self.save_draft(self.editor, **whole_draft())
        self.client.force_login(self.publisher)
        publish_now(self.client, self.answer)
        question = Question.objects.get(pk=self.question.pk)
        self.assertEqual(question.text, "Does the DMV give ICE my address?")
        self.assertEqual(sorted(t.name for t in question.tags.all()), ["Courts", "Privacy"])
        self.assertEqual([s.url for s in question.answer.sources.all()], ["https://ilga.gov/act"])
        self.assertEqual(question.answer.body, "The draft's answer.")
        self.assertTrue(question.answer.needs_review_after_publishing)

    def test_preview_shows_the_whole_draft(self):
        self.client.force_login(self.editor)
        answer = fresh(self.answer)
        data = {**answer_form_data(answer), **whole_draft()}
        response = self.client.post(reverse("admin:faq_answer_preview", args=[answer.pk]), data)
        for part in ("Does the DMV give ICE my address?", "Courts", "Public Act 101-0009"):
            self.assertContains(response, part)
        self.assertFalse(fresh(self.answer).has_draft)

    def test_compare_shows_the_drafts_wording_topics_and_sources(self):
        self.save_draft(self.editor, **whole_draft())
        self.client.force_login(self.editor)
        response = self.client.get(reverse("admin:faq_answer_compare", args=[self.answer.pk]))
        labels = [part.label for part in response.context["differences"] if part.changed]
        drafts = [label for label in labels if label.startswith("Unpublished draft")]
        self.assertEqual(
            drafts,
            [
                "Unpublished draft: question",
                "Unpublished draft",
                "Unpublished draft: topics",
                "Unpublished draft: sources",
            ],
        )
        self.assertContains(response, "Illinois Public Act 101-0009 (https://ilga.gov/act)")

    def test_an_edit_after_approval_cancels_it(self):
        self.save_draft(self.editor, **whole_draft())
        self.step(self.editor, "submit")
        self.step(self.reviewer, "approve")
        self.assertEqual(fresh(self.answer).review_state, ReviewState.APPROVED)
        # Saving the approved draft unchanged keeps the approval; any change ends it.
        self.save_draft(self.editor, _draft="1")
        self.assertEqual(fresh(self.answer).review_state, ReviewState.APPROVED)
        self.save_draft(self.editor, body="Changed after approval.", _draft="1")
        answer = fresh(self.answer)
        self.assertEqual(answer.review_state, ReviewState.DRAFT)
        self.assertFalse(workflow.approval_is_current(answer))


class WorkflowButtonTests(WorkflowAdminCase):
    def test_send_back_shows_the_comment_to_the_author_and_resubmitting_works(self):
        self.save_draft(self.editor, **whole_draft())
        self.step(self.editor, "submit")
        self.step(self.reviewer, "send-back", comment="Cite the act's section, please.")
        self.client.force_login(self.editor)
        page = self.client.get(change_url(self.answer))
        self.assertContains(page, "Changes requested by rita")
        self.assertContains(page, "Cite the act&#x27;s section, please.")
        self.assertContains(page, "Submit for review")
        history = self.client.get(reverse("admin:faq_answer_history", args=[self.answer.pk]))
        self.assertContains(history, "Sent back with comments")
        self.assertContains(history, "Cite the act&#x27;s section, please.")
        self.save_draft(self.editor, change_note="Cited section 5.", _draft="1")
        self.step(self.editor, "submit")
        self.assertEqual(fresh(self.answer).review_state, ReviewState.IN_REVIEW)

    def test_sending_back_without_a_comment_is_an_error_and_changes_nothing(self):
        self.save_draft(self.editor, **whole_draft())
        self.step(self.editor, "submit")
        before = model_to_dict(fresh(self.answer))
        response = self.step(self.reviewer, "send-back", comment="  ")
        self.assertRedirects(response, change_url(self.answer), fetch_redirect_response=False)
        page = self.client.get(change_url(self.answer))
        self.assertContains(page, "Say what needs to change")
        self.assertEqual(model_to_dict(fresh(self.answer)), before)

    def test_the_author_is_not_offered_approval_and_is_refused_over_http(self):
        self.save_draft(self.reviewer, **whole_draft())
        self.step(self.reviewer, "submit")
        page = self.client.get(change_url(self.answer))
        self.assertNotContains(page, ">Approve<")
        self.assertContains(page, "You wrote part of this change")
        self.assertEqual(self.step(self.reviewer, "approve").status_code, 403)
        self.assertEqual(fresh(self.answer).review_state, ReviewState.IN_REVIEW)

    @override_settings(TIME_ZONE="America/Chicago")
    def test_a_schedule_is_entered_and_shown_in_the_sites_time_zone(self):
        self.save_draft(self.editor, **whole_draft())
        self.step(self.editor, "submit")
        self.step(self.reviewer, "approve")
        year = timezone.now().year + 1
        self.step(self.publisher, "schedule", publish_at=f"{year}-01-15T09:30")
        answer = fresh(self.answer)
        self.assertEqual(answer.review_state, ReviewState.SCHEDULED)
        self.assertEqual(answer.publish_at, datetime.datetime(year, 1, 15, 9, 30, tzinfo=CHICAGO))
        page = self.client.get(change_url(self.answer))
        self.assertContains(page, f"15 January {year}, 09:30 America/Chicago (CST)")
        self.assertContains(page, "Publish at (date and time, America/Chicago (CST))")
        self.assertContains(page, f'value="{year}-01-15T09:30"')
        # Changed, then cancelled: still approved, never published.
        self.step(self.publisher, "schedule", publish_at=f"{year}-07-01T08:00")
        self.assertEqual(
            fresh(self.answer).publish_at, datetime.datetime(year, 7, 1, 8, tzinfo=CHICAGO)
        )
        self.step(self.publisher, "cancel-schedule")
        answer = fresh(self.answer)
        self.assertEqual((answer.review_state, answer.publish_at), (ReviewState.APPROVED, None))
        self.assertEqual(answer.body, "Live text.")

    def test_a_bad_or_past_schedule_is_an_error_and_changes_nothing(self):
        self.save_draft(self.editor, **whole_draft())
        self.step(self.editor, "submit")
        self.step(self.reviewer, "approve")
        before = model_to_dict(fresh(self.answer))
        for value, message in [
            ("", "Enter the date and time to publish at."),
            ("next tuesday", "Enter a date and time"),
            ("2001-01-01T09:00", "Choose a time in the future."),
        ]:
            with self.subTest(value=value):
                self.step(self.publisher, "schedule", publish_at=value)
                self.assertContains(self.client.get(change_url(self.answer)), message)
                self.assertEqual(model_to_dict(fresh(self.answer)), before)

    def test_the_scheduler_publishes_the_whole_draft_at_its_time(self):
        self.save_draft(self.editor, **whole_draft())
        self.step(self.editor, "submit")
        self.step(self.reviewer, "approve")
        when = timezone.now() + datetime.timedelta(days=2)
        local = timezone.localtime(when, CHICAGO).strftime("%Y-%m-%dT%H:%M")
        self.step(self.publisher, "schedule", publish_at=local)
        self.assertEqual(workflow.publish_due(), [])
        results = workflow.publish_due(now=when + datetime.timedelta(minutes=1))
        self.assertEqual([r.published for r in results], [True])
        question = Question.objects.get(pk=self.question.pk)
        self.assertEqual(question.text, "Does the DMV give ICE my address?")
        row = question.answer.history.latest()
        self.assertEqual(
            (row.history_user, row.history_change_reason, row.change_note),
            (self.publisher, workflow.PUBLISHED_ON_SCHEDULE, "Rewrote after the 2025 law."),
        )

    def test_urgent_publishing_asks_first_and_marks_the_answer_for_review(self):
        self.save_draft(self.editor, **whole_draft())
        self.client.force_login(self.publisher)
        url = reverse("admin:faq_answer_publish_urgently", args=[self.answer.pk])
        confirm = self.client.get(url)
        self.assertContains(confirm, "The answer will be marked as needing review")
        self.assertEqual(fresh(self.answer).body, "Live text.")  # asking changes nothing
        self.client.post(url)
        answer = fresh(self.answer)
        self.assertEqual(answer.body, "The draft's answer.")
        self.assertEqual(answer.published_unreviewed_by, self.publisher)
        page = self.client.get(change_url(self.answer))
        self.assertContains(page, "Published without review: it needs a review")
        self.assertNotContains(page, "Mark as reviewed after publishing</button>")
        self.assertEqual(self.step(self.publisher, "confirm-review").status_code, 403)
        self.step(self.reviewer, "confirm-review")
        self.assertFalse(fresh(self.answer).needs_review_after_publishing)

    def test_the_answers_list_filters_by_state_and_review_after_publishing(self):
        other = make_question(self.question.guide, 2)
        self.save_draft(self.editor, **whole_draft())
        self.step(self.editor, "submit")
        Answer.objects.filter(pk=other.answer.pk).update(published_unreviewed_at=timezone.now())
        self.client.force_login(self.editor)
        changelist = reverse("admin:faq_answer_changelist")
        for query, expected in [
            ({"review_state": "in_review"}, [self.answer.pk]),
            ({"review_state": "approved"}, []),
            ({"needs_review": "yes"}, [other.answer.pk]),
        ]:
            with self.subTest(query=query):
                response = self.client.get(changelist, query)
                self.assertEqual([a.pk for a in response.context["cl"].result_list], expected)
        self.assertContains(self.client.get(changelist), "in review")

    def test_an_unknown_step_is_a_404_and_a_get_is_refused(self):
        self.client.force_login(self.publisher)
        self.assertEqual(self.client.post(step_url(self.answer, "explode")).status_code, 404)
        self.assertEqual(self.client.get(step_url(self.answer, "submit")).status_code, 405)


# Each action, the state the answer is put in first (by others), and who may do it.
EVERYONE = {"editor", "reviewer", "publisher", "superuser"}
REVIEWERS = {"reviewer", "publisher", "superuser"}
PUBLISHERS = {"publisher", "superuser"}
MATRIX = [
    ("submit", "draft", EVERYONE),
    ("approve", "in_review", REVIEWERS),
    ("send-back", "in_review", REVIEWERS),
    ("publish", "approved", PUBLISHERS),
    ("publish-urgently", "draft", PUBLISHERS),
    ("schedule", "approved", PUBLISHERS),
    ("cancel-schedule", "scheduled", PUBLISHERS),
    ("confirm-review", "published_unreviewed", REVIEWERS),
]


class PermissionMatrixTests(TestCase):
    """Every role against every workflow action, over HTTP (README "Publishing workflow")."""

    @classmethod
    def setUpTestData(cls):
        cls.author = make_staff("author", "Editors")
        cls.second = make_staff("second", "Editors", "Reviewers")
        cls.boss = make_staff("boss", "Editors", "Publishers")
        cls.roles = {
            "editor": make_staff("eddie", "Editors"),
            "reviewer": make_staff("rita", "Editors", "Reviewers"),
            "publisher": make_staff("pat", "Editors", "Publishers"),
            "superuser": get_user_model().objects.create_superuser("root", password="pw"),
        }

    def prepare(self, state):
        """A fresh published answer whose draft (by `author`) is in `state`."""
        question = make_question(make_guide(f"guide-{Answer.objects.count()}"), body="Live.")
        answer = question.answer
        live = {"body": answer.body, "change_note": "", "is_minor": False}
        workflow.content_edited(answer)
        answer.body, answer.change_note = "Draft.", "Drafted."
        revisions.save_draft(answer, self.author, live, wording="Reworded?")
        if state == "draft":
            return answer
        workflow.submit(answer, self.author)
        if state == "in_review":
            return answer
        if state == "published_unreviewed":
            return workflow.publish_urgently(answer, self.boss)
        workflow.approve(answer, self.second)
        if state == "scheduled":
            workflow.schedule(answer, self.boss, timezone.now() + datetime.timedelta(days=1))
        return answer

    def post(self, answer, action):
        if action == "publish-urgently":
            url = reverse("admin:faq_answer_publish_urgently", args=[answer.pk])
        else:
            url = step_url(answer, action)
        data = {"comment": "Please cite it.", "publish_at": "2099-06-01T10:00"}
        return self.client.post(url, data)

    def snapshot(self, answer):
        answer = fresh(answer)
        return (
            model_to_dict(answer),
            model_to_dict(answer.question, exclude=["tags"]),
            answer.history.count(),
            list(answer.sources.values_list("title", "url")),
        )

    def test_every_role_against_every_action(self):
        for action, state, allowed in MATRIX:
            for role, user in self.roles.items():
                with self.subTest(action=action, role=role):
                    answer = self.prepare(state)
                    before = self.snapshot(answer)
                    self.client.force_login(user)
                    response = self.post(answer, action)
                    if role in allowed:
                        self.assertRedirects(response, change_url(answer))
                        self.assertEqual(fresh(answer).history.count(), before[2] + 1)
                    else:
                        self.assertEqual(response.status_code, 403)
                        self.assertEqual(self.snapshot(answer), before)

    def test_an_author_with_the_permission_may_not_review_their_own_change(self):
        for role in sorted(REVIEWERS):
            with self.subTest(role=role):
                user = self.roles[role]
                answer = self.prepare("draft")
                live = {"body": answer.body, "change_note": "", "is_minor": False}
                answer = fresh(answer)
                answer.body = "Their own sentence."
                revisions.save_draft(answer, user, live, wording="Reworded?")
                workflow.submit(answer, self.author)
                before = self.snapshot(answer)
                self.client.force_login(user)
                for action in ("approve", "send-back"):
                    self.assertEqual(self.post(answer, action).status_code, 403)
                self.assertEqual(self.snapshot(answer), before)
