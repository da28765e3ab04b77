"""seed_content never fights the editors (issue 16): `make run` seeds on every
start, so a restart must never undo an editor's decision or stop the site."""

import json
import tempfile
from io import StringIO
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.urls import reverse

from faq import revisions
from faq.models import Answer, Guide, Question, SeedRecord, TaggedQuestion, Topic

from .factories import make_question, make_staff
from .snapshots import changed_tables, database_rows
from .test_permissions import FormFields

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "dmv_ice_illinois.json"
GUIDE = "dmv-data-sharing-with-ice-illinois"
QUESTION_7 = "what-are-the-potential-consequences-for-individuals-whose"


def seed(*args):
    """Run seed_content on the English seed fixture unless given files; (stdout,
    stderr). A CommandError (exit status 1) propagates. (The Spanish fixture's
    restarts are tested in tests/test_languages.py.)"""
    out, err = StringIO(), StringIO()
    call_command("seed_content", *(args or [str(FIXTURE)]), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class ExtraFixtureMixin:
    def write_fixture(self, records, name="more.json"):
        path = Path(self.enterContext(tempfile.TemporaryDirectory())) / name
        path.write_text(json.dumps(records), encoding="utf-8")
        return path


def new_question_records(guide=GUIDE, position=21, slug="a-new-question", topic="Data security"):
    """A question, its answer and a topic link, as a later version of a fixture adds them."""
    return [
        {
            "model": "faq.question",
            "fields": {
                "guide": [guide],
                "position": position,
                "text": "Is this a new question?",
                "slug": slug,
                "status": "published",
            },
        },
        {"model": "faq.answer", "fields": {"question": [guide, slug], "body": "Yes, it is."}},
        {
            "model": "faq.taggedquestion",
            "fields": {"content_object": [guide, slug], "tag": [topic]},
        },
    ]


class RestartAfterEditsTests(ExtraFixtureMixin, TestCase):
    """The four ways a restart broke on a database seeded once (issue 16), and the rules
    that replace them. Each test fails on the seed_content before SeedRecord."""

    @classmethod
    def setUpTestData(cls):
        call_command("seed_content", str(FIXTURE), verbosity=0)

    def assert_restart_changes_nothing(self):
        before = database_rows()
        out, err = seed()
        self.assertEqual(changed_tables(before, database_rows()), [])
        self.assertEqual(err, "")
        return out

    def test_an_editor_renaming_a_topic_does_not_stop_the_site(self):
        Topic.objects.filter(slug="data-security").update(name="Data security and privacy")
        self.assert_restart_changes_nothing()
        self.assertEqual(Topic.objects.get(slug="data-security").name, "Data security and privacy")
        self.assertEqual(Topic.objects.count(), 12)

    def test_a_shorter_question_address_does_not_stop_the_site(self):
        question = Question.objects.get(position=1)
        question.slug = "current-policy"
        question.save()
        out = self.assert_restart_changes_nothing()
        self.assertEqual(Question.objects.count(), 20)
        self.assertEqual(Question.objects.get(position=1).slug, "current-policy")
        self.assertIn("1 of these differs from the fixture files", out)
        out, _ = seed("-v", "2", str(FIXTURE))
        self.assertIn("differs from dmv_ice_illinois.json in slug", out)

    def test_every_start_says_in_one_line_how_many_records_editors_changed(self):
        """make run seeds on every start: a line per record editors ever changed
        would grow with every edit; they are counted, and -v 2 names them."""
        Topic.objects.filter(slug="data-security").update(name="Data security and privacy")
        Question.objects.filter(position__in=[1, 2]).update(status=Question.Status.DRAFT)
        out, _ = seed()
        self.assertNotIn("Kept the database's version", out)
        self.assertIn(
            "3 of these differ from the fixture files; the database's version stays "
            "(seed_content -v 2 names them and the fields that differ).",
            out,
        )
        out, _ = seed("-v", "2", str(FIXTURE))
        self.assertIn("Kept the database's version of record 3 (faq.topic “Data security”)", out)

    def test_a_new_guide_address_does_not_duplicate_the_guide(self):
        Guide.objects.filter(slug=GUIDE).update(slug="dmv-ice-illinois")
        self.assert_restart_changes_nothing()
        self.assertEqual(Guide.objects.count(), 1)
        self.assertEqual(Question.objects.published().count(), 20)

    def test_a_deleted_question_stays_deleted_and_a_draft_stays_a_draft(self):
        deleted = Question.objects.get(position=7)
        links = TaggedQuestion.objects.filter(content_object=deleted).count()
        deleted.delete()
        revisions.unpublish(Answer.objects.get(question__position=8), user=None)
        out = self.assert_restart_changes_nothing()
        self.assertFalse(Question.objects.filter(position=7).exists())
        self.assertEqual(Question.objects.get(position=8).status, Question.Status.DRAFT)
        self.assertIn(
            f"Left out {2 + links} records deleted since they were seeded "
            f"(1 answer, 1 question, {links} tagged questions)",
            out,
        )

    def test_the_readme_way_to_bring_back_a_deleted_question_brings_its_answer_and_topics(self):
        """README "Seed content and fixtures": the rows whose key holds the question's
        guide and address (its own row alone brought it back without an answer)."""
        topics = sorted(Question.objects.get(position=7).tags.names())
        Question.objects.get(position=7).delete()
        seed()
        SeedRecord.objects.filter(key__contains=f'"{GUIDE}", "{QUESTION_7}"').delete()
        out, _ = seed()
        self.assertIn("Created 5 records", out)
        question = Question.objects.get(position=7)
        self.assertEqual(question.status, Question.Status.PUBLISHED)
        self.assertIn(question, Question.objects.published())
        self.assertTrue(question.answer.body.startswith("1. Individuals whose DMV data"))
        self.assertEqual(sorted(question.tags.names()), topics)
        self.assertEqual(SeedRecord.objects.count(), 94)
        self.assert_restart_changes_nothing()

    def test_deleting_a_topic_or_a_topic_link_is_kept(self):
        Topic.objects.get(name="Public opinion").delete()
        TaggedQuestion.objects.filter(content_object__position=1).first().delete()
        self.assert_restart_changes_nothing()
        self.assertFalse(Topic.objects.filter(name="Public opinion").exists())

    def test_a_new_fixture_record_attaches_to_a_guide_and_topic_editors_renamed(self):
        """References resolve through what was seeded, not through today's slugs and names."""
        Guide.objects.filter(slug=GUIDE).update(slug="dmv-ice-illinois")
        Topic.objects.filter(name="Data security").update(name="Keeping data safe", slug="safe")
        out, err = seed(str(FIXTURE), str(self.write_fixture(new_question_records())))
        self.assertEqual(err, "")
        self.assertIn("Created 3 records; left 94 records", out)
        question = Question.objects.get(slug="a-new-question")
        self.assertEqual(question.guide.slug, "dmv-ice-illinois")
        self.assertEqual([t.name for t in question.tags.all()], ["Keeping data safe"])
        self.assertEqual(Guide.objects.count(), 1)
        row = question.answer.history.get()
        self.assertEqual(
            (row.history_change_reason, row.topics),
            ("Loaded from more.json", ["Keeping data safe"]),
        )
        self.assertEqual(question.history.count(), 1)

    def test_a_new_topic_link_on_a_seeded_answer_writes_one_revision(self):
        answer = Answer.objects.get(question__position=1)
        link = {
            "model": "faq.taggedquestion",
            "fields": {"content_object": [GUIDE, answer.question.slug], "tag": ["Public opinion"]},
        }
        seed(str(FIXTURE), str(self.write_fixture([link])))
        self.assertEqual(answer.history.count(), 2)
        self.assertIn("Public opinion", answer.history.latest().topics)

    def test_a_new_record_for_a_deleted_question_is_left_out(self):
        Question.objects.get(position=7).delete()
        link = {
            "model": "faq.taggedquestion",
            "fields": {"content_object": [GUIDE, QUESTION_7], "tag": ["Public opinion"]},
        }
        before = database_rows()
        out, _ = seed(str(FIXTURE), str(self.write_fixture([link])))
        self.assertEqual(changed_tables(before, database_rows()), [])
        self.assertIn(f"its question “{GUIDE}/{QUESTION_7}” was deleted since it was seeded", out)

    def test_a_clash_is_skipped_with_both_named_and_the_site_still_starts(self):
        editors = make_question(Guide.objects.get(), 21, text="An editor's question 21?")
        path = self.write_fixture(new_question_records(position=21))
        before = database_rows()
        out, err = seed(str(FIXTURE), str(path))
        self.assertEqual(changed_tables(before, database_rows()), [])
        self.assertIn(f"Skipped {path}: record 1 (faq.question “{GUIDE}/a-new-question”)", err)
        self.assertIn(
            f"“{editors}” (id {editors.pk}, made by an editor) already has that guide and number",
            err,
        )
        self.assertIn("Skipped 1 new record that clashes with the database's content", out)
        self.assertIn("Left out 2 new records", out)
        self.assertIn(
            f"its question “{GUIDE}/a-new-question” was skipped (its guide and number are taken)",
            out,
        )

    def test_strict_turns_a_clash_into_a_failure_that_changes_nothing(self):
        make_question(Guide.objects.get(), 21, text="An editor's question 21?")
        path = self.write_fixture(
            [*new_question_records(slug="other", position=22), *new_question_records(position=21)]
        )
        before = database_rows()
        with self.assertRaises(CommandError) as caught:
            seed("--strict", str(FIXTURE), str(path))
        self.assertEqual(caught.exception.returncode, 1)
        message = str(caught.exception)
        self.assertIn(f"{path}: record 4 (faq.question “{GUIDE}/a-new-question”): the ", message)
        # Nothing was skipped: the whole run failed.
        self.assertNotIn("Skipped", message)
        self.assertIn("--strict: 1 new record clashes with the database's content", message)
        self.assertTrue(message.endswith("Nothing was changed."))
        self.assertEqual(changed_tables(before, database_rows()), [])

    def test_a_topic_taking_a_seeded_topics_new_name_clashes(self):
        Topic.objects.filter(name="Data security").update(name="Privacy")
        topic = {"model": "faq.topic", "fields": {"name": "Privacy", "slug": "privacy"}}
        _, err = seed(str(FIXTURE), str(self.write_fixture([topic])))
        self.assertIn('seeded as faq.topic ["Data security"]) already has that name', err)

    def test_dry_run_lists_what_would_be_created_first_and_changes_nothing(self):
        path = self.write_fixture(new_question_records())
        before = database_rows()
        out, _ = seed("--dry-run", str(FIXTURE), str(path))
        self.assertEqual(changed_tables(before, database_rows()), [])
        lines = out.splitlines()
        self.assertEqual(lines[0], "Would create 3 records:")
        self.assertEqual(lines[1], f"  {path}: record 1 (faq.question “{GUIDE}/a-new-question”)")
        # Its summary says what a real run would do, not that it did it.
        self.assertIn("Would create 3 records and leave 94 records in the database as they", out)
        self.assertNotIn("Created", out)
        self.assertEqual(lines[-1], "Dry run: nothing was changed.")

    def test_a_dry_run_with_nothing_new_says_so(self):
        out, _ = seed("--dry-run", str(FIXTURE))
        self.assertEqual(out.splitlines()[0], "Would create no records.")
        self.assertIn(f"{FIXTURE}: 94 records read.", out)

    def test_a_second_fixture_may_repeat_a_shared_record(self):
        """Another guide's fixture (the Spanish one) can carry the same category record."""
        category = json.loads(FIXTURE.read_text(encoding="utf-8"))[0]
        guide = {
            "model": "faq.guide",
            "fields": {
                "title": "Otra guía",
                "slug": "otra-guia",
                "category": ["federal-government"],
            },
        }
        path = self.write_fixture(
            [category, guide, *new_question_records(guide="otra-guia", position=1)], "es.json"
        )
        out, err = seed(str(FIXTURE), str(path))
        self.assertEqual(err, "")
        self.assertIn("Created 4 records", out)
        self.assertEqual(Guide.objects.get(slug="otra-guia").category.slug, "federal-government")
        self.assert_restart_changes_nothing()

    def test_every_key_is_the_natural_key_the_fixture_uses(self):
        """The identity rule (faq/fixture_records.py IDENTITY) must agree with each
        model's natural_key(), which is how fixtures refer to records."""
        for row in SeedRecord.objects.all():
            label, identity = row.key.split(" ", 1)
            model = apps.get_model(label)
            with self.subTest(key=row.key):
                self.assertEqual(
                    list(model.objects.get(pk=row.object_id).natural_key()), json.loads(identity)
                )
        self.assertEqual(SeedRecord.objects.count(), 94)


class DatabasesSeededBeforeTests(ExtraFixtureMixin, TestCase):
    """A database seeded by the old seed_content has no SeedRecord rows."""

    @classmethod
    def setUpTestData(cls):
        call_command("seed_content", str(FIXTURE), verbosity=0)
        SeedRecord.objects.all().delete()

    def test_its_seed_records_are_recognised_once_without_duplicating_anything(self):
        before = database_rows()
        out, err = seed()
        self.assertEqual(changed_tables(before, database_rows()), ["faq_seedrecord"])
        self.assertEqual(SeedRecord.objects.count(), 94)
        self.assertIn("Recognised 94 records", out)
        self.assertEqual(err, "")
        # From now on, editors' changes are safe.
        Guide.objects.update(slug="dmv-ice-illinois")
        Question.objects.filter(position=3).delete()
        seed()
        self.assertEqual((Guide.objects.count(), Question.objects.count()), (1, 19))

    def test_a_dry_run_says_they_would_be_recorded_and_records_nothing(self):
        out, _ = seed("--dry-run", str(FIXTURE))
        self.assertIn("Recognised 94 records seeded before", out)
        self.assertIn("they would be put on that list.", out)
        self.assertEqual(SeedRecord.objects.count(), 0)

    def test_a_topic_renamed_before_the_upgrade_is_a_clash_not_a_failure(self):
        Topic.objects.filter(name="Data security").update(name="Data security and privacy")
        out, err = seed()
        self.assertIn("faq.topic “Data security”", err)
        self.assertEqual(Topic.objects.count(), 12)
        self.assertEqual(Question.objects.count(), 20)
        self.assertIn("Left out", out)


class AdminEditsThenRestartTests(TestCase):
    """Issue 16's "Done when", as editors make the four changes: through the admin
    (a publisher), then restarts that seed
    every fixture file as `make run` does."""

    @classmethod
    def setUpTestData(cls):
        call_command("seed_content", verbosity=0)
        cls.publisher = make_staff("pat", "Editors", "Publishers")

    def save(self, url, **changes):
        page = self.client.get(url)
        parser = FormFields(f"{page.context['opts'].model_name}_form")
        parser.feed(page.content.decode())
        response = self.client.post(url, {**parser.data, **changes, "_save": "Save"})
        self.assertEqual(response.status_code, 302, url)

    def test_the_four_changes_survive_restarts_and_the_site_shows_them(self):
        self.client.force_login(self.publisher)
        topic = Topic.objects.get(name="Data security")
        self.save(reverse("admin:faq_topic_change", args=[topic.pk]), name="Data privacy")
        first = Question.objects.get(guide__slug=GUIDE, position=1)
        self.save(reverse("admin:faq_question_change", args=[first.pk]), slug="current-policy")
        guide = Guide.objects.get(slug=GUIDE)
        self.save(reverse("admin:faq_guide_change", args=[guide.pk]), slug="dmv-ice-illinois")
        seventh, eighth = (Question.objects.get(guide=guide, position=n) for n in (7, 8))
        self.client.post(
            reverse("admin:faq_question_changelist"),
            {"action": "unpublish_questions", "_selected_action": [eighth.pk], "index": 0},
        )
        deleted = self.client.post(
            reverse("admin:faq_question_delete", args=[seventh.pk]), {"post": "yes"}
        )
        self.assertEqual(deleted.status_code, 302)
        self.assertFalse(Question.objects.filter(pk=seventh.pk).exists())
        self.client.logout()
        before = database_rows()
        for _ in range(2):
            out, err = StringIO(), StringIO()
            call_command("seed_content", stdout=out, stderr=err)
            self.assertEqual((changed_tables(before, database_rows()), err.getvalue()), ([], ""))
        self.assertIn("Created 0 records", out.getvalue())
        self.assertIn("Left out 5 records deleted since they were seeded", out.getvalue())
        self.assertEqual(Guide.objects.filter(language="en").count(), 1)
        self.assertContains(self.client.get("/topics/data-security/"), "Data privacy")
        self.assertEqual(self.client.get("/dmv-ice-illinois/current-policy/").status_code, 200)
        for gone in (seventh, eighth):
            url = f"/dmv-ice-illinois/{gone.slug}/"
            self.assertEqual(self.client.get(url).status_code, 404, url)
        self.assertEqual(Question.objects.get(pk=eighth.pk).status, Question.Status.DRAFT)
