"""The revision record: one history row per save, tag and source snapshots,
compare, revert, and the word diff they show."""

from io import StringIO

from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from faq.diff import list_diff, word_diff
from faq.models import Answer, Question, Source
from faq.revisions import mark_reviewed, revert, save_revision

from .factories import (
    answer_form_data,
    make_guide,
    make_question,
    make_staff,
    publish_now,
    question_form_data,
)

ADDED = '<span class="visually-hidden">added: </span>'
REMOVED = '<span class="visually-hidden">removed: </span>'


class AdminWordDiffTests(TestCase):
    def test_marks_inserted_and_deleted_words(self):
        self.assertEqual(
            word_diff("The DMV shares data.", "The DMV never shares records."),
            f"The DMV <ins>{ADDED}never</ins> shares <del>{REMOVED}data.</del> "
            f"<ins>{ADDED}records.</ins>",
        )

    def test_escapes_html_in_both_texts(self):
        html = word_diff("<b>old</b>", "<script>new</script>")
        self.assertNotIn("<script>", html)
        self.assertIn("&lt;script&gt;new&lt;/script&gt;", html)
        self.assertIn(f"<del>{REMOVED}&lt;b&gt;old&lt;/b&gt;</del>", html)

    def test_rewrapped_whitespace_is_not_a_change(self):
        html = word_diff("one two\nthree", "one two three")
        self.assertNotIn("<ins>", html)
        self.assertNotIn("<del>", html)

    def test_an_edit_in_one_paragraph_marks_only_its_words(self):
        old = "First paragraph stays.\n\nSecond has one word wrong.\n\nThird stays."
        new = "First paragraph stays.\n\nSecond has one word right.\n\nThird stays."
        self.assertEqual(
            word_diff(old, new),
            f"First paragraph stays.\n\nSecond has one word <del>{REMOVED}wrong.</del> "
            f"<ins>{ADDED}right.</ins>\n\nThird stays.",
        )

    def test_list_diff_marks_removed_and_added_items(self):
        self.assertEqual(
            list_diff(["Privacy", "Courts"], ["Privacy", "ICE"]),
            f"Privacy, <del>{REMOVED}Courts</del>, <ins>{ADDED}ICE</ins>",
        )


class AdminSaveHistoryTests(TestCase):
    """Every admin save adds exactly one history row, with the editor as its user."""

    @classmethod
    def setUpTestData(cls):
        cls.publisher = make_staff("pat", "Publishers")
        cls.editor = make_staff("eddie", "Editors")
        cls.guide = make_guide()
        cls.question = make_question(cls.guide, 1, topics=["Privacy"])
        cls.answer = cls.question.answer

    def url(self):
        return reverse("admin:faq_answer_change", args=[self.answer.pk])

    def assert_one_new_row(self, before, user):
        rows = Answer.history.filter(id=self.answer.pk)
        self.assertEqual(rows.count(), before + 1)
        self.assertEqual(rows.latest().history_user, user)
        return rows.latest()

    def test_publishing_an_edit_adds_one_answer_row_and_no_question_row(self):
        self.client.force_login(self.publisher)
        question_rows = Question.history.count()
        data = answer_form_data(
            self.answer,
            question_text="Does the DMV share records with ICE?",
            topics="Privacy, ICE",
            body="New text.",
            change_note="Rewrote the answer after the 2025 law.",
            is_minor="on",
            _draft="1",
        )
        self.client.post(self.url(), data)
        before = Answer.history.filter(id=self.answer.pk).count()
        publish_now(self.client, self.answer)
        row = self.assert_one_new_row(before, self.publisher)
        self.assertEqual(
            (row.body, row.change_note, row.is_minor),
            ("New text.", "Rewrote the answer after the 2025 law.", True),
        )
        self.assertEqual(row.question_text, "Does the DMV share records with ICE?")
        self.assertEqual(row.topics, ["ICE", "Privacy"])
        self.assertEqual(Question.history.count(), question_rows)

    def test_saving_a_draft_adds_one_row(self):
        self.client.force_login(self.editor)
        before = Answer.history.filter(id=self.answer.pk).count()
        data = answer_form_data(self.answer, body="Draft text.", change_note="Work in progress")
        self.client.post(self.url(), {**data, "_draft": "1"})
        row = self.assert_one_new_row(before, self.editor)
        self.assertEqual(
            (row.draft_body, row.history_change_reason), ("Draft text.", "Saved a draft")
        )

    def test_a_save_that_changes_nothing_still_records_one_row(self):
        """Decision: a save is an editor's act and is recorded even without changes."""
        self.client.force_login(self.publisher)
        before = Answer.history.filter(id=self.answer.pk).count()
        data = answer_form_data(self.answer, change_note="Checked, no change", _draft="1")
        self.client.post(self.url(), data)
        self.assert_one_new_row(before, self.publisher)

    def test_saving_the_question_screen_adds_one_question_row_and_no_answer_row(self):
        self.client.force_login(self.publisher)
        answer_rows = Answer.history.count()
        before = Question.history.filter(id=self.question.pk).count()
        url = reverse("admin:faq_question_change", args=[self.question.pk])
        data = question_form_data(self.question, position=7)
        self.assertEqual(self.client.post(url, data).status_code, 302)
        rows = Question.history.filter(id=self.question.pk)
        self.assertEqual(rows.count(), before + 1)
        self.assertEqual(rows.latest().history_user, self.publisher)
        self.assertEqual(Answer.history.count(), answer_rows)

    def test_adding_a_question_records_one_row_for_it_and_one_for_its_answer(self):
        self.client.force_login(self.editor)
        data = {
            "guide": self.guide.pk,
            "position": 2,
            "text": "Can I see my own DMV record?",
            "slug": "",
            "tags": "Privacy, Records",
            "answer-TOTAL_FORMS": 1,
            "answer-INITIAL_FORMS": 0,
            "answer-MIN_NUM_FORMS": 1,
            "answer-MAX_NUM_FORMS": 1,
            "answer-0-body": "Yes, by asking the Secretary of State.",
            "answer-0-review_interval_days": 180,
        }
        response = self.client.post(reverse("admin:faq_question_add"), data)
        question = Question.objects.get(position=2)
        self.assertRedirects(
            response, reverse("admin:faq_answer_change", args=[question.answer.pk])
        )
        self.assertEqual(question.status, Question.Status.DRAFT)
        (question_row,) = question.history.all()
        (answer_row,) = question.answer.history.all()
        self.assertEqual(question_row.history_user, self.editor)
        self.assertEqual(answer_row.history_user, self.editor)
        self.assertEqual(answer_row.topics, ["Privacy", "Records"])

    def test_mark_as_reviewed_records_a_row_without_changing_the_text(self):
        self.client.force_login(self.editor)
        before = Answer.history.filter(id=self.answer.pk).count()
        response = self.client.post(
            reverse("admin:faq_answer_changelist"),
            {"action": "mark_as_reviewed", "_selected_action": [self.answer.pk]},
        )
        self.assertEqual(response.status_code, 302)
        row = self.assert_one_new_row(before, self.editor)
        self.assertEqual(row.history_change_reason, "Marked as reviewed")
        self.assertEqual(row.body, self.answer.body)
        self.answer.refresh_from_db()
        self.assertIsNotNone(self.answer.last_reviewed)
        self.assertFalse(self.answer.is_due_for_review)


class SnapshotTests(TestCase):
    """Topics and sources are part of each revision (simple-history #395, taggit #918)."""

    def test_each_row_keeps_the_topics_and_sources_of_its_time(self):
        user = make_staff("pat", "Publishers")
        answer = make_question(make_guide(), 1, topics=["Privacy"]).answer
        Source.objects.create(answer=answer, title="Illinois statute", url="https://ilga.gov/")
        save_revision(answer, user)
        answer.question.tags.set(["Courts"])
        answer.sources.all().delete()
        save_revision(answer, user)
        newer, older = answer.history.all()[:2]
        self.assertEqual(older.topics, ["Privacy"])
        self.assertEqual(older.sources, [{"title": "Illinois statute", "url": "https://ilga.gov/"}])
        self.assertEqual((newer.topics, newer.sources), (["Courts"], []))

    def test_seed_content_records_topics_on_its_first_rows(self):
        call_command("seed_content", stdout=StringIO())
        rows = Answer.history.filter(
            question_text__in=Question.objects.filter(language="en").values("text")
        )
        self.assertEqual(rows.count(), 20)
        first = rows.get(question_text__startswith="What is the current policy")
        question = Question.objects.get(text=first.question_text)
        self.assertEqual(first.topics, sorted(t.name for t in question.tags.all()))
        self.assertTrue(first.topics)
        self.assertTrue(all(row.topics for row in rows))


class CompareAndRevertTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.publisher = make_staff("pat", "Publishers")
        cls.editor = make_staff("eddie", "Editors")
        question = make_question(
            make_guide(), 1, topics=["Privacy"], body="The DMV shares records.", text="Old?"
        )
        cls.answer = question.answer
        Source.objects.create(answer=cls.answer, title="Old source", url="https://old.example/")
        save_revision(cls.answer, cls.publisher)
        cls.first = cls.answer.history.latest()
        question.text = "New wording?"
        question.save()
        question.tags.set(["Courts"])
        cls.answer.sources.all().delete()
        cls.answer.body = "The DMV never shares records."
        cls.answer.change_note = "Corrected after the 2025 law."
        save_revision(cls.answer, cls.publisher)
        cls.second = cls.answer.history.latest()

    def test_compare_marks_words_in_answer_question_topics_and_sources(self):
        self.client.force_login(self.editor)
        url = reverse("admin:faq_answer_compare", args=[self.answer.pk])
        response = self.client.get(url, {"from": self.first.pk, "to": self.second.pk})
        self.assertContains(
            response, f"The DMV <ins>{ADDED}never</ins> shares records.", html=False
        )
        self.assertContains(
            response, f"<del>{REMOVED}Old?</del> <ins>{ADDED}New wording?</ins>", html=False
        )
        self.assertContains(
            response, f"<del>{REMOVED}Privacy</del>, <ins>{ADDED}Courts</ins>", html=False
        )
        self.assertContains(
            response, f"<del>{REMOVED}Old source (https://old.example/)</del>", html=False
        )
        self.assertContains(response, "Corrected after the 2025 law.")

    def test_compare_defaults_to_the_last_two_and_rejects_foreign_revisions(self):
        self.client.force_login(self.editor)
        url = reverse("admin:faq_answer_compare", args=[self.answer.pk])
        self.assertContains(self.client.get(url), f"<ins>{ADDED}never</ins>", html=False)
        other = make_question(self.answer.question.guide, 2).answer.history.get()
        self.assertEqual(self.client.get(url, {"from": other.pk}).status_code, 404)
        self.assertEqual(self.client.get(url, {"from": "x"}).status_code, 404)

    def test_history_page_offers_compare_and_revert(self):
        self.client.force_login(self.editor)
        response = self.client.get(reverse("admin:faq_answer_history", args=[self.answer.pk]))
        self.assertContains(response, "Compare selected revisions")
        self.assertContains(response, "Corrected after the 2025 law.")

    def test_revert_is_offered_only_to_those_who_may_revert(self):
        """An editor may not revert a published answer, so is not offered the link."""
        url = reverse("admin:faq_answer_history", args=[self.answer.pk])
        self.client.force_login(self.publisher)
        self.assertContains(self.client.get(url), "Revert to this")
        self.client.force_login(self.editor)
        self.assertNotContains(self.client.get(url), "Revert to this")

    def test_revert_confirmation_shows_the_diff_and_changes_nothing(self):
        self.client.force_login(self.publisher)
        url = reverse("admin:faq_answer_revert", args=[self.answer.pk, self.first.pk])
        rows = self.answer.history.count()
        response = self.client.get(url)
        self.assertContains(response, f"<del>{REMOVED}never</del>", html=False)
        self.assertContains(response, "Yes, revert")
        self.assertEqual(self.answer.history.count(), rows)

    def test_revert_is_a_new_revision_restoring_text_topics_and_sources(self):
        self.client.force_login(self.publisher)
        rows = self.answer.history.count()
        url = reverse("admin:faq_answer_revert", args=[self.answer.pk, self.first.pk])
        self.assertEqual(self.client.post(url).status_code, 302)
        answer = Answer.objects.get(pk=self.answer.pk)
        self.assertEqual(answer.body, "The DMV shares records.")
        self.assertEqual(answer.question.text, "Old?")
        self.assertEqual([t.name for t in answer.question.tags.all()], ["Privacy"])
        self.assertEqual([s.title for s in answer.sources.all()], ["Old source"])
        self.assertEqual(self.answer.history.count(), rows + 1)
        latest = self.answer.history.latest()
        self.assertTrue(latest.change_note.startswith("Reverted to the revision of "))
        self.assertEqual(latest.history_user, self.publisher)
        self.assertIn(
            "The DMV shares records.",
            self.client.get(answer.question.get_absolute_url()).content.decode(),
        )

    def test_editors_cannot_revert_a_published_answer(self):
        self.client.force_login(self.editor)
        url = reverse("admin:faq_answer_revert", args=[self.answer.pk, self.first.pk])
        self.assertEqual(self.client.post(url).status_code, 403)
        self.assertEqual(
            Answer.objects.get(pk=self.answer.pk).body, "The DMV never shares records."
        )

    def test_a_form_opened_before_a_revert_is_refused(self):
        """The version check works with our revert (django-concurrency's clash)."""
        self.client.force_login(self.publisher)
        stale = answer_form_data(self.answer, body="My edit.", change_note="Mine", _draft="1")
        revert(self.answer, self.first, self.editor)
        url = reverse("admin:faq_answer_change", args=[self.answer.pk])
        response = self.client.post(url, stale)
        self.assertContains(response, "saved this answer after you opened it")
        self.assertEqual(Answer.objects.get(pk=self.answer.pk).body, "The DMV shares records.")

    def test_marking_reviewed_keeps_body_so_the_public_change_log_skips_it(self):
        mark_reviewed(self.answer, self.editor)
        newest, previous = self.answer.history.all()[:2]
        self.assertEqual(newest.body, previous.body)


class RevertOldRowTests(TestCase):
    def test_a_row_from_before_snapshots_restores_only_the_answer_text(self):
        """Rows written before migration 0002 have no snapshot; revert must not wipe topics."""
        user = make_staff("pat", "Publishers")
        answer = make_question(make_guide(), 1, topics=["Privacy"], body="Old body.").answer
        old = answer.history.get()
        answer.history.filter(pk=old.pk).update(question_text="", topics=[], sources=[])
        old.refresh_from_db()
        Source.objects.create(answer=answer, title="Kept", url="https://kept.example/")
        answer.body = "New body."
        save_revision(answer, user)
        revert(answer, old, user)
        answer = Answer.objects.get(pk=answer.pk)
        self.assertEqual(answer.body, "Old body.")
        self.assertEqual([t.name for t in answer.question.tags.all()], ["Privacy"])
        self.assertEqual([s.title for s in answer.sources.all()], ["Kept"])
