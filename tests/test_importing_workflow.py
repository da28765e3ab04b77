"""A re-import brings the file's whole change into the publishing workflow
(issue 13 after issue 11): wording, answer, topics and sources as one revision,
a draft on a published question, saved on an unpublished one, one history row,
an approval the change invalidates cancelled, an editor's change kept."""

import datetime
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.utils import timezone

from faq import revisions, workflow
from faq.importing import markdown_front_matter
from faq.importing.export import guide_document
from faq.models import Answer, Guide, Question, Topic
from faq.models.workflow import ReviewState

from .factories import make_staff
from .snapshots import changed_tables, database_rows
from .test_fixtures import FIXTURE, seed_text

SOURCE = {"title": "Illinois statute", "url": "https://ilga.gov/"}


def run_import(*args):
    out = StringIO()
    call_command("import_guide", *args, stdout=out)
    return out.getvalue()


class ImportWorkflowCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_content", str(FIXTURE), verbosity=0)
        cls.importer = make_staff("ida", "Editors")
        cls.reviewer = make_staff("rita", "Reviewers")
        cls.publisher = make_staff("pat", "Publishers")

    def write(self, text, name):
        path = Path(self.enterContext(tempfile.TemporaryDirectory())) / name
        path.write_text(text, encoding="utf-8")
        return path

    def markdown(self, change, name="guide.md"):
        """The seed guide as export_guide writes it, with `change(document)` applied."""
        document = guide_document(Guide.objects.get(language="en"))
        change(document)
        return self.write(markdown_front_matter.write(document), name)

    def answer(self, number):
        return Answer.objects.select_related("question").get(
            question__guide__language="en", question__position=number
        )


def second_question_reworded(document):
    entry = document.questions[1]
    entry.text = "How exactly does the process of sharing DMV data with ICE in Illinois work?"
    entry.answer = entry.answer.replace("In Illinois,", "Across Illinois,", 1)
    entry.topics = [*entry.topics, "Courts"]
    entry.sources = [SOURCE]


class WholeDraftTests(ImportWorkflowCase):
    def test_a_published_question_gets_one_whole_draft_and_its_live_page_stays(self):
        before = self.answer(2)
        live = revisions.RevisionText.from_answer(before)
        history = before.history.count()
        out = run_import("--user", "ida", str(self.markdown(second_question_reworded)))
        answer = self.answer(2)
        self.assertEqual(revisions.RevisionText.from_answer(answer, with_draft=False), live)
        self.assertEqual(
            (answer.draft_question_text, answer.draft_sources),
            (
                "How exactly does the process of sharing DMV data with ICE in Illinois work?",
                [SOURCE],
            ),
        )
        self.assertEqual(answer.draft_topics, sorted([*live.topics, "Courts"], key=str.casefold))
        self.assertTrue(answer.draft_body.startswith("Across Illinois,"))
        self.assertEqual(answer.draft_change_note, "Imported from guide.md")
        self.assertEqual(answer.draft_saved_by, self.importer)
        self.assertEqual(answer.review_state, ReviewState.DRAFT)
        self.assertFalse(Topic.objects.filter(name="Courts").exists())  # until published
        row = answer.history.latest("history_date")
        self.assertEqual(answer.history.count(), history + 1)
        self.assertEqual((row.history_change_reason, row.history_user), ("Imported", self.importer))
        self.assertEqual(Answer.objects.with_draft().count(), 1)
        self.assertIn("2. changed (as a draft): How exactly", out)
        self.assertIn("Question: How {+exactly+} does", out)
        self.assertIn("Topics: ", out)
        self.assertIn("{+Courts+}", out)
        self.assertIn("Sources: {+Illinois statute (https://ilga.gov/)+}", out)

    def test_publishing_the_draft_brings_wording_topics_and_sources_live(self):
        run_import("--user", "ida", str(self.markdown(second_question_reworded)))
        workflow.publish_urgently(self.answer(2), self.publisher)
        answer = self.answer(2)
        self.assertTrue(answer.question.text.startswith("How exactly"))
        self.assertIn("Courts", [topic.name for topic in answer.question.tags.all()])
        self.assertEqual(Topic.objects.get(name="Courts").language, "en")
        self.assertEqual([(s.title, s.url) for s in answer.sources.all()], [tuple(SOURCE.values())])
        self.assertTrue(answer.body.startswith("Across Illinois,"))

    def test_plain_text_changes_the_wording_and_keeps_topics_and_sources(self):
        answer = self.answer(3)
        topics = revisions.RevisionText.from_answer(answer).topics
        text = seed_text().replace(
            "3. Are there any restrictions", "3. Are there really any restrictions", 1
        )
        run_import(str(self.write(text, "changed.txt")))
        answer = self.answer(3)
        self.assertTrue(answer.draft_question_text.startswith("Are there really any"))
        self.assertEqual((answer.draft_topics, answer.draft_sources), (topics, []))
        self.assertTrue(answer.question.text.startswith("Are there any restrictions"))

    def test_the_importer_may_not_approve_the_change(self):
        run_import("--user", "ida", str(self.markdown(second_question_reworded)))
        self.assertEqual(workflow.authors(self.answer(2)), {self.importer.pk})

    def test_an_unknown_user_is_refused_and_nothing_changes(self):
        path = self.markdown(second_question_reworded)
        before = database_rows()
        with self.assertRaisesMessage(CommandError, "No active editor login is called “nobody”"):
            run_import("--user", "nobody", str(path))
        self.assertEqual(changed_tables(before, database_rows()), [])


class WaitingChangeTests(ImportWorkflowCase):
    def test_an_approved_and_scheduled_import_is_replaced_and_its_schedule_cancelled(self):
        run_import("--user", "ida", str(self.markdown(second_question_reworded)))
        answer = workflow.submit(self.answer(2), self.importer)
        answer = workflow.approve(answer, self.reviewer)
        when = timezone.now() + datetime.timedelta(hours=1)
        self.assertEqual(workflow.schedule(answer, self.publisher, when).review_state, "scheduled")

        def newer(document):
            second_question_reworded(document)
            document.questions[1].answer += "\n\nA newer paragraph."

        out = run_import("--user", "ida", str(self.markdown(newer, "newer.md")))
        answer = self.answer(2)
        self.assertTrue(answer.draft_body.endswith("A newer paragraph."))
        self.assertEqual(answer.draft_change_note, "Imported from newer.md")
        self.assertEqual(
            (answer.review_state, answer.publish_at, answer.approved_fingerprint),
            (ReviewState.DRAFT, None, ""),
        )
        self.assertIn("2. changed (as a draft)", out)

    def test_importing_the_same_file_again_changes_nothing(self):
        path = self.markdown(second_question_reworded)
        run_import(str(path))
        before = database_rows()
        out = run_import(str(path))
        self.assertEqual(changed_tables(before, database_rows()), [])
        self.assertIn("20 unchanged", out)

    def test_an_editors_edit_of_an_imported_draft_is_kept(self):
        run_import(str(self.markdown(second_question_reworded)))
        answer = self.answer(2)
        live = {"body": answer.body, "change_note": answer.change_note, "is_minor": False}
        answer.body = "The editor's own words."
        revisions.save_draft(answer, self.reviewer, live)

        def newer(document):
            document.questions[1].answer = "The file's words."

        out = run_import(str(self.markdown(newer, "newer.md")))
        self.assertEqual(self.answer(2).draft_body, "The editor's own words.")
        self.assertIn("2. skipped: How does the process", out)
        self.assertIn("an editor's change waits to be published; it is kept", out)


class UnpublishedQuestionTests(ImportWorkflowCase):
    """Nobody sees it: the change is saved on it, as the answer screen saves it."""

    def unpublish(self, number):
        revisions.unpublish(self.answer(number), self.publisher)

    def test_the_change_is_saved_on_the_question_in_one_revision(self):
        self.unpublish(2)
        history = self.answer(2).history.count()
        out = run_import("--user", "ida", str(self.markdown(second_question_reworded)))
        answer = self.answer(2)
        self.assertFalse(answer.has_draft)
        self.assertTrue(answer.question.text.startswith("How exactly"))
        self.assertTrue(answer.body.startswith("Across Illinois,"))
        self.assertIn("Courts", [topic.name for topic in answer.question.tags.all()])
        self.assertEqual([(s.title, s.url) for s in answer.sources.all()], [tuple(SOURCE.values())])
        self.assertEqual(answer.change_note, "Imported from guide.md")
        self.assertEqual(answer.question.status, Question.Status.DRAFT)
        self.assertEqual(answer.history.count(), history + 1)
        self.assertEqual(answer.review_state, ReviewState.DRAFT)
        self.assertIn("2. changed (unpublished: saved on it)", out)

    def test_an_editors_edit_of_an_unpublished_question_is_kept(self):
        self.unpublish(2)
        answer = self.answer(2)
        answer.body = "The editor's own words."
        revisions.save_revision(answer, self.reviewer)
        out = run_import(str(self.markdown(second_question_reworded)))
        self.assertEqual(self.answer(2).body, "The editor's own words.")
        self.assertIn("2. skipped", out)

    def test_a_new_guide_imported_then_changed_takes_the_change_on_its_drafts(self):
        other = seed_text().replace("State DMV", "Another DMV", 1)
        run_import(str(self.write(other, "other.txt")))
        changed = other.replace("1. Currently, in Illinois,", "1. Today, in Illinois,", 1)
        out = run_import(str(self.write(changed, "other.txt")))
        guide = Guide.objects.get(title__startswith="Another")
        answer = Answer.objects.get(question__guide=guide, question__position=1)
        self.assertTrue(answer.body.startswith("1. Today, in Illinois,"))
        self.assertEqual(answer.history.count(), 2)
        self.assertIn("1 changed, 19 unchanged", out)


class HistoryScreenTests(ImportWorkflowCase):
    def test_the_history_names_the_import_and_its_note(self):
        run_import("--user", "ida", str(self.markdown(second_question_reworded)))
        self.client.force_login(self.publisher)
        response = self.client.get(f"/admin/faq/answer/{self.answer(2).pk}/history/")
        self.assertContains(response, "<td>Imported</td>", html=True)
        self.assertContains(response, "<td>Imported from guide.md</td>", html=True)
