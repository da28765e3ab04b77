import datetime
from io import StringIO
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from faq.models import Answer, Question, SiteNotice

from .factories import (
    answer_form_data,
    make_guide,
    make_question,
    make_staff,
    publish_now,
    question_form_data,
)
from .test_history import ADDED


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
        data = answer_form_data(answer, body="A corrected answer.", change_note="Fix", _draft="1")
        self.assertRedirects(self.client.post(url, data), url)
        self.assertRedirects(publish_now(self.client, answer), url)
        latest = Answer.history.filter(id=answer.pk).latest()
        self.assertEqual(latest.body, "A corrected answer.")
        self.assertEqual(latest.history_user, self.editor)
        self.assertContains(
            self.client.get(self.question.get_absolute_url()), "A corrected answer."
        )

    def test_a_new_question_is_offered_the_next_number_in_its_guide(self):
        response = self.client.get(reverse("admin:faq_question_add"), {"guide": self.guide.pk})
        self.assertEqual(response.context["adminform"].form.initial["position"], 2)


class DraftAndPublishTests(TestCase):
    """Editors draft; only publishers make text public; the public sees only live text."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_staff("eddie", "Editors")
        cls.publisher = make_staff("pat", "Publishers")
        cls.guide = make_guide()
        cls.question = make_question(cls.guide, 1, body="Live text.", topics=["Privacy"])
        cls.answer = cls.question.answer
        cls.url = reverse("admin:faq_answer_change", args=[cls.answer.pk])

    def post(self, user, **changes):
        self.client.force_login(user)
        answer = Answer.objects.get(pk=self.answer.pk)
        return self.client.post(self.url, answer_form_data(answer, **changes))

    def test_a_published_answer_needs_a_change_note(self):
        response = self.post(self.publisher, body="New text.", _draft="1")
        self.assertContains(response, "This field is required.")
        self.assertEqual(Answer.objects.get(pk=self.answer.pk).body, "Live text.")

    def test_save_as_draft_keeps_the_public_text(self):
        response = self.post(self.editor, body="Draft text.", change_note="Clarified", _draft="1")
        self.assertRedirects(response, self.url)
        answer = Answer.objects.get(pk=self.answer.pk)
        self.assertEqual((answer.body, answer.draft_body), ("Live text.", "Draft text."))
        self.assertEqual(answer.draft_saved_by, self.editor)
        public = self.client.get(self.question.get_absolute_url())
        self.assertContains(public, "Live text.")
        self.assertNotContains(public, "Draft text.")
        # Reopening the form continues the draft, and shows what it changes.
        form_page = self.client.get(self.url)
        self.assertEqual(form_page.context["adminform"].form.initial["body"], "Draft text.")
        self.assertContains(form_page, "A draft is waiting to be published")

    def test_an_editor_cannot_publish(self):
        # Whatever button a POST names, an editor's save of a published answer is a draft.
        self.post(self.editor, body="Sneaky.", change_note="x", _publish="1")
        self.post(self.editor, body="Plain save.", change_note="x", _continue="1")
        self.assertEqual(Answer.objects.get(pk=self.answer.pk).body, "Live text.")
        self.assertEqual(publish_now(self.client, self.answer).status_code, 403)
        self.assertEqual(Answer.objects.get(pk=self.answer.pk).body, "Live text.")

    def test_editors_cannot_change_wording_topics_or_sources_of_a_public_question(self):
        self.post(
            self.editor,
            question_text="Changed wording?",
            topics="Other",
            change_note="x",
            _draft="1",
            **{
                "sources-TOTAL_FORMS": 1,
                "sources-0-title": "New",
                "sources-0-url": "https://example.org/",
            },
        )
        question = Question.objects.get(pk=self.question.pk)
        self.assertEqual(question.text, self.question.text)
        self.assertEqual([t.name for t in question.tags.all()], ["Privacy"])
        self.assertFalse(self.answer.sources.exists())

    def test_publish_copies_the_draft_with_its_note_and_records_the_publisher(self):
        self.post(
            self.editor, body="Draft text.", change_note="Clarified", is_minor="on", _draft="1"
        )
        self.client.force_login(self.publisher)
        self.assertRedirects(publish_now(self.client, self.answer), self.url)
        answer = Answer.objects.get(pk=self.answer.pk)
        self.assertEqual(
            (answer.body, answer.change_note, answer.is_minor), ("Draft text.", "Clarified", True)
        )
        self.assertFalse(answer.has_draft)
        self.assertEqual(answer.published_by, self.publisher)
        self.assertIsNotNone(answer.published_at)
        self.assertContains(self.client.get(self.question.get_absolute_url()), "Draft text.")

    def test_a_new_question_is_a_draft_until_a_publisher_publishes_it(self):
        draft = make_question(self.guide, 2, status=Question.Status.DRAFT, body="Secret.")
        url = reverse("admin:faq_answer_change", args=[draft.answer.pk])
        self.assertEqual(self.client.get(draft.get_absolute_url()).status_code, 404)
        self.client.force_login(self.editor)
        # A draft question's answer is saved directly: nobody outside sees it.
        self.client.post(url, answer_form_data(draft.answer, body="Still secret.", _continue="1"))
        self.assertEqual(Answer.objects.get(pk=draft.answer.pk).body, "Still secret.")
        self.client.logout()
        self.assertEqual(self.client.get(draft.get_absolute_url()).status_code, 404)
        self.client.force_login(self.publisher)
        answer = Answer.objects.get(pk=draft.answer.pk)
        self.client.post(url, answer_form_data(answer, change_note="First version", _continue="1"))
        self.assertEqual(self.client.get(draft.get_absolute_url()).status_code, 404)
        publish_now(self.client, answer)
        self.client.logout()
        self.assertContains(self.client.get(draft.get_absolute_url()), "Still secret.")

    def test_editors_cannot_move_or_readdress_a_public_question(self):
        url = reverse("admin:faq_question_change", args=[self.question.pk])
        draft = make_question(self.guide, 2, status=Question.Status.DRAFT)
        self.client.force_login(self.editor)
        data = question_form_data(self.question, position=7, slug="moved")
        self.assertEqual(self.client.post(url, data).status_code, 302)
        question = Question.objects.get(pk=self.question.pk)
        self.assertEqual((question.position, question.slug), (1, self.question.slug))
        draft_url = reverse("admin:faq_question_change", args=[draft.pk])
        self.client.post(draft_url, question_form_data(draft, slug="draft-moved"))
        self.assertEqual(Question.objects.get(pk=draft.pk).slug, "draft-moved")

    def test_status_is_not_editable_on_the_question_screen(self):
        self.client.force_login(self.publisher)
        url = reverse("admin:faq_question_change", args=[self.question.pk])
        data = question_form_data(self.question, status="draft", slug="moved")
        self.assertEqual(self.client.post(url, data).status_code, 302)
        question = Question.objects.get(pk=self.question.pk)
        self.assertEqual((question.status, question.slug), ("published", "moved"))

    def test_returning_a_question_to_draft_is_one_answer_revision(self):
        """As publishing is: the answer's history is where editors look."""
        answer_rows, question_rows = self.answer.history.count(), self.question.history.count()
        self.client.force_login(self.publisher)
        self.client.post(
            reverse("admin:faq_question_changelist"),
            {"action": "unpublish_questions", "_selected_action": [self.question.pk]},
        )
        self.assertEqual(Question.objects.get(pk=self.question.pk).status, "draft")
        self.assertEqual(self.answer.history.count(), answer_rows + 1)
        self.assertEqual(self.question.history.count(), question_rows)
        latest = self.answer.history.latest()
        self.assertEqual(latest.history_change_reason, "Returned to draft")
        self.assertEqual((latest.question_status, latest.history_user), ("draft", self.publisher))

    def test_history_pages_cannot_write_an_old_row_over_the_live_one(self):
        """simple-history's own revert saves with only the change permission and
        writes no answer revision; the answer's revert view is the one way back."""
        old_question_row = self.question.history.earliest()
        old_answer_row = self.answer.history.earliest()
        question_url = reverse(
            "admin:faq_question_simple_history", args=[self.question.pk, old_question_row.pk]
        )
        answer_url = reverse(
            "admin:faq_answer_simple_history", args=[self.answer.pk, old_answer_row.pk]
        )
        pages = {
            question_url: question_form_data(self.question, slug="moved-by-history"),
            answer_url: answer_form_data(self.answer, body="Overwritten.", change_note="x"),
        }
        for user in (self.editor, self.publisher):
            self.client.force_login(user)
            for url, data in pages.items():
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 200)
                    self.assertEqual(self.client.post(url, data).status_code, 403)
        question = Question.objects.get(pk=self.question.pk)
        self.assertEqual((question.status, question.slug), ("published", self.question.slug))
        self.assertEqual(Answer.objects.get(pk=self.answer.pk).body, "Live text.")

    def test_publish_and_unpublish_actions_are_for_publishers_only(self):
        draft = make_question(self.guide, 2, status=Question.Status.DRAFT)
        changelist = reverse("admin:faq_question_changelist")
        self.client.force_login(self.editor)
        self.client.post(
            changelist, {"action": "publish_questions", "_selected_action": [draft.pk]}
        )
        self.assertEqual(Question.objects.get(pk=draft.pk).status, "draft")
        self.client.force_login(self.publisher)
        self.client.post(
            changelist, {"action": "publish_questions", "_selected_action": [draft.pk]}
        )
        self.assertEqual(Question.objects.get(pk=draft.pk).status, "published")
        self.assertEqual(Answer.objects.get(pk=draft.answer.pk).published_by, self.publisher)


class ConflictTests(TestCase):
    """A stale form is refused, keeps the editor's text, and shows what changed."""

    @classmethod
    def setUpTestData(cls):
        cls.alice = make_staff("alice", "Publishers")
        cls.bob = make_staff("bob", "Publishers")
        cls.answer = make_question(make_guide(), 1, body="The DMV shares data.").answer
        cls.url = reverse("admin:faq_answer_change", args=[cls.answer.pk])

    def test_the_second_save_is_refused_with_a_diff_and_the_text_kept(self):
        opened = answer_form_data(self.answer)
        self.client.force_login(self.alice)
        alice = {**opened, "body": "The DMV never shares data.", "change_note": "A", "_draft": 1}
        self.assertEqual(self.client.post(self.url, alice).status_code, 302)
        self.client.force_login(self.bob)
        bob = {**opened, "body": "Bob's careful rewrite.", "change_note": "B", "_draft": 1}
        response = self.client.post(self.url, bob)
        self.assertContains(response, "alice saved this answer after you opened it")
        self.assertContains(response, "Bob&#x27;s careful rewrite.")
        # Alice's draft, as the conflict shows it: what it changes in the text.
        self.assertContains(response, f"The DMV <ins>{ADDED}never</ins> shares data.", html=False)
        self.assertEqual(
            Answer.objects.get(pk=self.answer.pk).draft_body, "The DMV never shares data."
        )
        # Having seen the change, Bob's next save (the re-rendered form) goes through.
        form = response.context["adminform"].form
        self.assertEqual(int(form["base_version"].value()), self.answer.version + 1)
        again = {**bob, "base_version": form["base_version"].value()}
        self.assertEqual(self.client.post(self.url, again).status_code, 302)
        self.assertEqual(Answer.objects.get(pk=self.answer.pk).draft_body, "Bob's careful rewrite.")


class QuestionConflictTests(TestCase):
    """The question screen refuses a form opened before the question changed, and
    only before it changed."""

    def setUp(self):
        self.question = make_question(make_guide(), 1, topics=["Privacy"])
        self.opened = question_form_data(self.question, slug="my-new-address")
        self.url = reverse("admin:faq_question_change", args=[self.question.pk])
        self.client.force_login(make_staff("pat", "Publishers"))

    def publish_answer(self, **changes):
        answer = self.question.answer
        self.client.post(
            reverse("admin:faq_answer_change", args=[answer.pk]),
            answer_form_data(answer, change_note="x", _draft=1, **changes),
        )
        publish_now(self.client, answer)

    def test_a_stale_question_form_is_refused_and_keeps_the_entries(self):
        self.publish_answer(question_text="Reworded?")
        response = self.client.post(self.url, self.opened)
        self.assertContains(response, "changed by someone else after you opened it")
        self.assertContains(response, 'value="my-new-address"')
        self.assertEqual(Question.objects.get(pk=self.question.pk).slug, self.question.slug)
        opened_at = response.context["adminform"].form["opened_at"].value()
        again = {**self.opened, "opened_at": opened_at}
        self.assertEqual(self.client.post(self.url, again).status_code, 302)
        self.assertEqual(Question.objects.get(pk=self.question.pk).slug, "my-new-address")

    def test_an_answer_save_that_keeps_the_wording_leaves_open_question_forms_valid(self):
        """Only a changed wording or topic list saves the question; anything else
        would refuse a colleague's open question form as changed by someone else."""
        self.publish_answer(body="New answer text.")
        self.assertEqual(Answer.objects.get(pk=self.question.answer.pk).body, "New answer text.")
        self.assertEqual(self.client.post(self.url, self.opened).status_code, 302)
        self.assertEqual(Question.objects.get(pk=self.question.pk).slug, "my-new-address")


class SeedConflictTests(TestCase):
    def test_running_seed_content_again_does_not_invalidate_open_forms(self):
        """Seeding never touches existing rows, so it never bumps their version."""
        call_command("seed_content", verbosity=0)
        answer = Answer.objects.first()
        opened = answer_form_data(answer)
        call_command("seed_content", verbosity=0)
        self.client.force_login(make_staff("alice", "Publishers"))
        data = {**opened, "body": "Edited.", "change_note": "Edit", "_draft": 1}
        url = reverse("admin:faq_answer_change", args=[answer.pk])
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.assertEqual(Answer.objects.get(pk=answer.pk).draft_body, "Edited.")


class PreviewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_staff("eddie", "Editors")
        cls.question = make_question(make_guide(), 1, body="Live text.", topics=["Privacy"])
        cls.answer = cls.question.answer
        cls.url = reverse("admin:faq_answer_preview", args=[cls.answer.pk])

    def test_preview_renders_unsaved_text_in_the_public_template_and_saves_nothing(self):
        self.client.force_login(self.editor)
        rows = self.answer.history.count()
        data = answer_form_data(self.answer, body="Unsaved **bold** text.", _preview="1")
        response = self.client.post(self.url, data)
        self.assertTemplateUsed(response, "faq/question_preview.html")
        self.assertContains(response, "Unsaved <strong>bold</strong> text.", html=False)
        self.assertContains(response, '<meta name="robots" content="noindex">', html=False)
        self.assertContains(response, "Preview, not saved.")
        # As the page would read once published: updated now.
        today = date_format(timezone.localtime(), "F j, Y")
        self.assertContains(response, f">{today}</time>")
        self.assertEqual(response["X-Robots-Tag"], "noindex")
        self.assertEqual(Answer.objects.get(pk=self.answer.pk).body, "Live text.")
        self.assertEqual(self.answer.history.count(), rows)
        self.assertNotContains(self.client.get(self.question.get_absolute_url()), "Unsaved")

    def test_preview_shows_unsaved_sources_and_topics_on_a_draft_question(self):
        draft = make_question(self.question.guide, 2, status=Question.Status.DRAFT)
        self.client.force_login(self.editor)
        data = answer_form_data(
            draft.answer,
            topics="Brand new topic, Privacy",
            **{
                "sources-TOTAL_FORMS": 1,
                "sources-0-title": "Unsaved statute",
                "sources-0-url": "https://ilga.gov/",
            },
        )
        url = reverse("admin:faq_answer_preview", args=[draft.answer.pk])
        response = self.client.post(url, data)
        self.assertContains(response, "Unsaved statute")
        self.assertContains(response, "Brand new topic")
        self.assertFalse(draft.answer.sources.exists())

    def test_preview_needs_a_logged_in_editor_and_a_post(self):
        self.assertEqual(self.client.post(self.url).status_code, 302)
        self.client.force_login(self.editor)
        change = reverse("admin:faq_answer_change", args=[self.answer.pk])
        self.assertRedirects(self.client.get(self.url), change)


class SourceEditingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_staff("eddie", "Editors")
        cls.answer = make_question(make_guide(), 1, status=Question.Status.DRAFT).answer
        cls.url = reverse("admin:faq_answer_change", args=[cls.answer.pk])

    def test_sources_are_added_reordered_and_removed_on_the_answer_screen(self):
        self.client.force_login(self.editor)
        first = {
            "sources-TOTAL_FORMS": 2,
            "sources-0-position": 2,
            "sources-0-title": "Second",
            "sources-0-url": "https://two.example/",
            "sources-1-position": 1,
            "sources-1-title": "First",
            "sources-1-url": "two.example/one",
            "_continue": 1,
        }
        self.client.post(self.url, answer_form_data(self.answer, **first))
        answer = Answer.objects.get(pk=self.answer.pk)
        self.assertEqual([s.title for s in answer.sources.all()], ["First", "Second"])
        self.assertEqual(answer.sources.get(title="First").url, "https://two.example/one")
        self.assertEqual([s["title"] for s in answer.history.latest().sources], ["First", "Second"])
        remove = answer_form_data(answer, **{"sources-0-DELETE": "on", "_continue": 1})
        self.client.post(self.url, remove)
        self.assertEqual([s.title for s in answer.sources.all()], ["Second"])
        self.assertEqual([s["title"] for s in answer.history.latest().sources], ["Second"])

    def test_a_non_web_address_is_refused(self):
        self.client.force_login(self.editor)
        bad = {
            "sources-TOTAL_FORMS": 1,
            "sources-0-title": "FTP",
            "sources-0-url": "ftp://example.org/file",
            "_continue": 1,
        }
        response = self.client.post(self.url, answer_form_data(self.answer, **bad))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Enter a valid URL.")
        self.assertFalse(self.answer.sources.exists())


class ReviewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_staff("eddie", "Editors")
        guide = make_guide()
        today = timezone.localdate()
        cls.overdue = make_question(guide, 1).answer
        cls.overdue.last_reviewed = today - datetime.timedelta(days=200)
        cls.overdue.save()
        cls.fresh = make_question(guide, 2).answer
        cls.fresh.last_reviewed = today - datetime.timedelta(days=10)
        cls.fresh.save()
        cls.never = make_question(guide, 3).answer

    def test_due_filter_lists_overdue_and_never_reviewed_answers(self):
        self.client.force_login(self.editor)
        url = reverse("admin:faq_answer_changelist")
        due = self.client.get(url, {"review": "due"}).context["cl"].result_list
        self.assertEqual(set(due), {self.overdue, self.never})
        ok = self.client.get(url, {"review": "ok"}).context["cl"].result_list
        self.assertEqual(list(ok), [self.fresh])

    def test_admin_index_counts_answers_due_for_review(self):
        self.client.force_login(self.editor)
        response = self.client.get(reverse("admin:index"))
        self.assertContains(response, "2 answers due for review")

    def test_the_review_action_from_the_due_list_reports_what_it_did(self):
        self.client.force_login(self.editor)
        url = reverse("admin:faq_answer_changelist") + "?review=due"
        data = {"action": "mark_as_reviewed", "_selected_action": [self.overdue.pk, self.never.pk]}
        response = self.client.post(url, data, follow=True)
        self.assertContains(response, "Marked 2 answers as reviewed.")
        self.assertFalse(Answer.objects.due_for_review().exists())

    def test_the_interval_decides_when_an_answer_is_due(self):
        self.fresh.review_interval_days = 5
        self.fresh.save()
        self.assertIn(self.fresh, Answer.objects.due_for_review())


class RoleTests(TestCase):
    def test_groups_exist_after_migrate_with_only_faq_permissions(self):
        editors = Group.objects.get(name="Editors")
        publishers = Group.objects.get(name="Publishers")
        labels = {p.content_type.app_label for p in editors.permissions.all()}
        self.assertEqual(labels, {"faq"})
        codenames = set(editors.permissions.values_list("codename", flat=True))
        self.assertIn("change_answer", codenames)
        self.assertNotIn("publish_answer", codenames)
        self.assertNotIn("delete_question", codenames)
        self.assertIn("publish_answer", publishers.permissions.values_list("codename", flat=True))

    def test_only_publishers_manage_the_site_wide_notice(self):
        """A notice is public as soon as it is saved, like a publish."""
        url = reverse("admin:faq_sitenotice_add")
        self.client.force_login(make_staff("eddie", "Editors"))
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(make_staff("pat", "Publishers"))
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_editors_get_403_on_users_and_groups_but_can_edit_answers(self):
        self.client.force_login(make_staff("eddie", "Editors"))
        self.assertEqual(self.client.get(reverse("admin:auth_user_changelist")).status_code, 403)
        self.assertEqual(self.client.get(reverse("admin:auth_group_changelist")).status_code, 403)
        answer = make_question(make_guide(), 1).answer
        url = reverse("admin:faq_answer_change", args=[answer.pk])
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_createeditor_makes_a_staff_editor_with_the_given_password(self):
        out = StringIO()
        call_command("createeditor", "alice", password="a-long-pass-phrase-42", stdout=out)
        alice = get_user_model().objects.get(username="alice")
        self.assertTrue(alice.is_staff and not alice.is_superuser)
        self.assertTrue(alice.check_password("a-long-pass-phrase-42"))
        self.assertEqual([g.name for g in alice.groups.all()], ["Editors"])
        self.assertFalse(alice.has_perm("faq.publish_answer"))
        self.assertIn("Created editor", out.getvalue())

    def test_createeditor_publisher_flag_and_rerun_update_groups(self):
        call_command("createeditor", "bob", "--publisher", password="a-long-pass-phrase-42")
        bob = get_user_model().objects.get(username="bob")
        self.assertTrue(bob.has_perm("faq.publish_answer"))
        call_command("createeditor", "bob", "--no-input", stdout=StringIO())
        bob = get_user_model().objects.get(username="bob")
        self.assertFalse(bob.has_perm("faq.publish_answer"))
        self.assertTrue(bob.check_password("a-long-pass-phrase-42"))

    def test_createeditor_reviewer_flag_gives_review_but_not_publishing(self):
        out = StringIO()
        call_command(
            "createeditor", "rita", "--reviewer", password="a-long-pass-phrase-42", stdout=out
        )
        rita = get_user_model().objects.get(username="rita")
        self.assertEqual(sorted(g.name for g in rita.groups.all()), ["Editors", "Reviewers"])
        self.assertTrue(rita.has_perm("faq.review_answer"))
        self.assertFalse(rita.has_perm("faq.publish_answer"))
        self.assertIn("Created reviewer", out.getvalue())
        call_command("createeditor", "rita", "--no-input", stdout=StringIO())
        rita = get_user_model().objects.get(username="rita")
        self.assertFalse(rita.has_perm("faq.review_answer"))

    def test_createeditor_prompts_for_the_password(self):
        with mock.patch("getpass.getpass", side_effect=["a-long-pass-phrase-42"] * 2):
            call_command("createeditor", "carol", stdout=StringIO())
        self.assertTrue(
            get_user_model().objects.get(username="carol").check_password("a-long-pass-phrase-42")
        )

    def test_createeditor_refuses_a_weak_password_and_creates_nothing(self):
        with self.assertRaisesMessage(CommandError, "too short"):
            call_command("createeditor", "dave", password="abc")
        self.assertFalse(get_user_model().objects.filter(username="dave").exists())


class AccessibleLabelTests(TestCase):
    """The labels screen readers need on Django's own widgets (the browser test
    tests/test_browser_admin.py runs axe on every screen; these pin the markup)."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_staff("eddie", "Editors")
        cls.publisher = make_staff("pat", "Editors", "Publishers")
        guide = make_guide()
        cls.draft = make_question(guide, 1, status=Question.Status.DRAFT).answer
        cls.published = make_question(guide, 2).answer
        for answer in (cls.draft, cls.published):
            answer.sources.create(title="Illinois Secretary of State", url="https://ilsos.gov/")

    def test_every_field_of_a_source_row_has_a_label(self):
        self.client.force_login(self.editor)
        response = self.client.get(reverse("admin:faq_answer_change", args=[self.draft.pk]))
        for field, label in [("position", "Position"), ("title", "Title"), ("url", "Web address")]:
            with self.subTest(field=field):
                self.assertContains(
                    response,
                    f'<label class="visually-hidden" for="id_sources-0-{field}">{label}</label>',
                    html=True,
                )
        self.assertContains(
            response,
            '<label class="visually-hidden" for="id_sources-0-DELETE">Delete?</label>',
            html=True,
        )

    def test_a_published_questions_draft_sources_are_labelled_and_have_no_empty_heading(self):
        """An editor drafts a published question's sources in rows like a draft
        question's (issue 11: whole drafts), each field labelled."""
        self.client.force_login(self.editor)
        response = self.client.get(reverse("admin:faq_answer_change", args=[self.published.pk]))
        self.assertContains(response, 'value="Illinois Secretary of State"')
        self.assertContains(
            response,
            '<label class="visually-hidden" for="id_sources-0-title">Title</label>',
            html=True,
        )
        self.assertNotContains(response, "<th></th>", html=True)

    def test_each_editable_box_in_a_change_list_names_its_field_and_row(self):
        SiteNotice.objects.create(text="General information, not legal advice.")
        self.client.force_login(self.publisher)
        response = self.client.get(reverse("admin:faq_sitenotice_changelist"))
        self.assertContains(
            response, 'aria-label="Show on the site: General information, not legal advice."'
        )
