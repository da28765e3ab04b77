"""The seed fixture carries the seed guide verbatim, and loading is safe."""

import json
import re
import tempfile
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from faq.models import Answer, Category, Guide, Question, TaggedQuestion, Topic

SEED_FILE = Path(settings.BASE_DIR).parent / "shared" / "seed" / "000_307d2ada83049313.txt"
FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "dmv_ice_illinois.json"


def parse_seed(text):
    """Split the seed article into (category, title, [(number, question, answer)])."""
    header, title, body = text.split("\n\n", 2)
    # A question is a numbered line ending in "?" whose number is the next one
    # due; numbered lines inside answers restart at 1 and do not end in "?".
    pattern = re.compile(r"^(\d+)\. (.+\?)$", re.MULTILINE)
    entries, expected, starts = [], 1, []
    for match in pattern.finditer(body):
        if int(match.group(1)) == expected:
            starts.append(match)
            expected += 1
    for match, following in zip(starts, [*starts[1:], None], strict=True):
        end = following.start() if following else len(body)
        answer = body[match.end() : end].strip("\n")
        entries.append((int(match.group(1)), match.group(2), answer))
    return header.removeprefix("Categories "), title, entries


def seed_text():
    if SEED_FILE.exists():
        return SEED_FILE.read_text(encoding="utf-8")
    raise AssertionError(f"The seed file is missing: {SEED_FILE}")


class SeedFixtureTests(TestCase):
    def test_fixture_loads_with_loaddata_on_a_fresh_database(self):
        call_command("loaddata", "dmv_ice_illinois", verbosity=0)
        self.assertEqual(Question.objects.published().count(), 20)
        self.assertTrue(all(a.body_html.startswith("<") for a in Answer.objects.all()))

    def test_seeding_yields_the_seed_files_words_in_order(self):
        call_command("seed_content", str(FIXTURE), stdout=StringIO())
        category, title, entries = parse_seed(seed_text())
        self.assertEqual(len(entries), 20)
        guide = Guide.objects.get()
        self.assertEqual((guide.category.name, guide.title), (category, title))
        loaded = [
            (q.position, q.text, q.answer.body)
            for q in Question.objects.published().select_related("answer").order_by("position")
        ]
        self.assertEqual(loaded, entries)

    def test_topics_are_chosen_like_an_editor_would(self):
        call_command("seed_content", str(FIXTURE), stdout=StringIO())
        self.assertTrue(8 <= Topic.objects.count() <= 12)
        for question in Question.objects.prefetch_related("tags"):
            with self.subTest(question=question.position):
                self.assertTrue(1 <= len(question.tags.all()) <= 4)

    def test_seeding_records_one_history_row_per_question_and_answer(self):
        call_command("seed_content", str(FIXTURE), stdout=StringIO())
        self.assertEqual(Question.history.filter(history_type="+").count(), 20)
        self.assertEqual(Answer.history.filter(history_type="+").count(), 20)
        self.assertEqual(Answer.history.count(), 20)

    def test_a_second_run_changes_nothing_and_keeps_an_editors_change(self):
        call_command("seed_content", str(FIXTURE), stdout=StringIO())
        answer = Answer.objects.get(question__position=5)
        answer.body = "An editor rewrote this answer."
        answer.save()
        history_rows = Answer.history.count()
        output = StringIO()
        call_command("seed_content", str(FIXTURE), stdout=output)
        answer.refresh_from_db()
        self.assertEqual(answer.body, "An editor rewrote this answer.")
        self.assertEqual(Answer.history.count(), history_rows)
        self.assertEqual(Question.objects.count(), 20)
        self.assertIn("Created 0 record(s)", output.getvalue())
        self.assertIn("Kept the database's version", output.getvalue())
        self.assertIn("differs from dmv_ice_illinois.json in body", output.getvalue())

    def test_dry_run_changes_nothing(self):
        output = StringIO()
        call_command("seed_content", "--dry-run", stdout=output)
        self.assertEqual(Question.objects.count(), 0)
        self.assertIn("Dry run", output.getvalue())


class MalformedFixtureTests(TestCase):
    """A bad fixture is refused with the file and record named, and nothing changes."""

    def write_fixture(self, records, raw=None):
        path = Path(self.enterContext(tempfile.TemporaryDirectory())) / "bad.json"
        path.write_text(raw if raw is not None else json.dumps(records), encoding="utf-8")
        return path

    def good_records(self):
        return json.loads(FIXTURE.read_text(encoding="utf-8"))

    def assert_refused(self, path, *expected_fragments):
        counts_before = [
            m.objects.count() for m in (Category, Guide, Question, Answer, TaggedQuestion)
        ]
        with self.assertRaises(CommandError) as caught:
            call_command("seed_content", str(FIXTURE), str(path), stdout=StringIO())
        message = str(caught.exception)
        for fragment in (str(path), "Nothing was changed", *expected_fragments):
            self.assertIn(fragment, message)
        counts_after = [
            m.objects.count() for m in (Category, Guide, Question, Answer, TaggedQuestion)
        ]
        self.assertEqual(counts_before, counts_after)
        self.assertEqual(Answer.history.count(), 0)

    def test_broken_json(self):
        self.assert_refused(
            self.write_fixture(None, raw='[{"model": "faq.category",'), "not valid JSON"
        )

    def test_missing_field(self):
        records = self.good_records()
        question = next(r for r in records if r["model"] == "faq.question")
        question["fields"]["slug"] = "brand-new-question"
        question["fields"]["position"] = 99
        del question["fields"]["text"]
        self.assert_refused(
            self.write_fixture([question]), "record 1 (faq.question", "cannot be blank"
        )

    def test_question_pointing_at_an_unknown_guide(self):
        question = next(r for r in self.good_records() if r["model"] == "faq.question")
        question["fields"]["guide"] = ["no-such-guide"]
        self.assert_refused(self.write_fixture([question]), "record 1 (faq.question")

    def test_answer_over_a_sane_length(self):
        records = self.good_records()[:2]
        records[1]["fields"]["slug"] = "another-guide"
        question = {
            "model": "faq.question",
            "fields": {
                "guide": ["another-guide"],
                "position": 1,
                "text": "Long?",
                "slug": "long",
                "status": "draft",
            },
        }
        answer = {
            "model": "faq.answer",
            "fields": {"question": ["another-guide", "long"], "body": "x" * 20_001},
        }
        self.assert_refused(
            self.write_fixture([*records, question, answer]),
            "record 4 (faq.answer",
            "at most 20000",
        )

    def test_a_record_without_a_model(self):
        self.assert_refused(self.write_fixture([{"fields": {}}]), "record 1", "needs “model”")
