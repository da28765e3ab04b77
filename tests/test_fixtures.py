"""The seed fixture carries the seed guide verbatim, and loading is safe."""

import json
import os
import re
import tempfile
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from faq.models import Answer, Category, Guide, Question, TaggedQuestion, Topic

from .snapshots import changed_tables, database_rows

# The seed article sits beside the project; SEED_TEXT_FILE points elsewhere
# (a git worktree one level deeper, for instance).
SEED_FILE = Path(
    os.environ.get("SEED_TEXT_FILE")
    or Path(settings.BASE_DIR).parent / "shared" / "seed" / "000_307d2ada83049313.txt"
)
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
        call_command("seed_content", str(FIXTURE), stdout=output, verbosity=2)
        answer.refresh_from_db()
        self.assertEqual(answer.body, "An editor rewrote this answer.")
        self.assertEqual(Answer.history.count(), history_rows)
        self.assertEqual(Question.objects.count(), 20)
        self.assertIn("Created 0 records", output.getvalue())
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


def record(model, **fields):
    return {"model": model, "fields": fields}


def question(slug="new", guide="dmv-data-sharing-with-ice-illinois", position=99, **fields):
    values = {"guide": [guide], "position": position, "text": "New?", "slug": slug}
    return record("faq.question", **{**values, **fields})


GUIDE = "dmv-data-sharing-with-ice-illinois"
Q1 = f"{GUIDE}/what-is-the-current-policy-in-illinois-regarding-the-sharing"
ANSWER = record("faq.answer", question=[GUIDE, "new"], body="An answer.")
SOURCE = {"pk": 900, "model": "faq.source", "fields": {"answer": [GUIDE, "new"], "title": "A law"}}

# (name, the file's content as JSON records or raw bytes, what the message must say)
MALFORMED_FIXTURES = [
    ("broken JSON", b'[{"model": "faq.category",', ["line 1, column 27", "not valid JSON"]),
    ("empty file", b"", ["the file is empty"]),
    ("only white space", b"\n  \n", ["the file is empty"]),
    (
        "not UTF-8",
        b'[\n{"model": "faq.topic", "fields": {"name": "Caf\xe9", "slug": "cafe"}}]',
        ["line 2", "not UTF-8 text"],
    ),
    ("not a list", b'{"model": "faq.topic", "fields": {}}', ["must be a JSON list"]),
    ("a record that is not an object", [1], ["record 1", "a JSON object"]),
    ("a record without a model", [{"fields": {}}], ["record 1", "needs “model” and “fields”"]),
    ("fields not an object", [{"model": "faq.topic", "fields": []}], ["record 1", "needs “model”"]),
    ("an unknown record key", [{**record("faq.topic", name="A"), "pkk": 1}], ["unknown key “pkk”"]),
    (
        "unknown model",
        [record("faq.nothing", name="x")],
        ["record 1", "unknown model “faq.nothing”"],
    ),
    (
        "unknown field",
        [record("faq.topic", name="Courts", slug="courts", colour="red")],
        ["record 1 (faq.topic “Courts”)", "unknown field “colour”", "has name, slug, description"],
    ),
    (
        "a many-to-many field",
        [question(tags=["Privacy"])],
        [f"record 1 (faq.question “{GUIDE}/new”)", "field “tags” cannot be loaded here"],
    ),
    (
        "missing field",
        [{**question(), "fields": {k: v for k, v in question()["fields"].items() if k != "text"}}],
        [f"record 1 (faq.question “{GUIDE}/new”)", "missing field “text”", "cannot be blank"],
    ),
    (
        "missing identity field",
        [record("faq.topic", slug="courts")],
        ["record 1 (faq.topic “?”)", "missing field “name”, which names the record"],
    ),
    (
        "missing reference",
        [record("faq.question", position=1, text="New?", slug="new")],
        ["record 1 (faq.question “?/new”)", "missing field “guide”"],
    ),
    (
        "wrong type: number",
        [question(position="three")],
        ["field “position”", "must be an integer"],
    ),
    ("wrong type: text", [question(text=["New?"])], ["field “text” must be text, not a list"]),
    ("wrong type: null text", [question(status=None)], ["field “status” must be text, not null"]),
    (
        "wrong type: flag",
        [
            record(
                "faq.guide",
                title="A",
                slug="a",
                category=["federal-government"],
                is_published="maybe",
            )
        ],
        ["record 1 (faq.guide “a”)", "field “is_published”", "must be either True or False"],
    ),
    ("null for a number", [question(position=None)], ["field “position”", "cannot be null"]),
    (
        "negative number",
        [question(position=-1)],
        ["field “position”", "greater than or equal to 0"],
    ),
    ("unknown status", [question(status="archived")], ["field “status”", "not a valid choice"]),
    ("not a slug", [question(slug="not a slug")], ["field “slug”", "valid “slug”"]),
    (
        "reserved guide address",
        [record("faq.guide", title="A", slug="admin", category=["federal-government"])],
        ["record 1 (faq.guide “admin”)", "field “slug”", "used by another part of the site"],
    ),
    ("question too long", [question(text="Why" * 101 + "?")], ["at most 300 characters"]),
    (
        "bad date",
        [question(), {**ANSWER, "fields": {**ANSWER["fields"], "last_reviewed": "2026-13-45"}}],
        [f"record 2 (faq.answer “{GUIDE}/new”)", "field “last_reviewed”"],
    ),
    (
        "duplicate record",
        [
            record("faq.topic", name="Courts", slug="c"),
            record("faq.topic", name="Courts", slug="d"),
        ],
        ["record 2 (faq.topic “Courts”)", "a duplicate of record 1"],
    ),
    (
        "duplicate of a seeded record",
        [question(slug="what-is-the-current-policy-in-illinois-regarding-the-sharing")] * 2,
        [f"record 2 (faq.question “{Q1}”)", "a duplicate of record 1"],
    ),
    (
        "answer over the limit",
        [question(), {**ANSWER, "fields": {**ANSWER["fields"], "body": "x" * 20_001}}],
        [f"record 2 (faq.answer “{GUIDE}/new”)", "at most 20000 characters"],
    ),
    (
        "javascript: source URL",
        [
            question(),
            ANSWER,
            {**SOURCE, "fields": {**SOURCE["fields"], "url": "javascript:alert(1)"}},
        ],
        ["record 3 (faq.source “900”)", "field “url”: Enter a valid URL.\nNothing"],
    ),
    (
        "source without pk",
        [question(), ANSWER, {"model": "faq.source", "fields": SOURCE["fields"]}],
        ["record 3 (faq.source “?”)", "needs “pk”"],
    ),
    (
        "pk on a record with a natural key",
        [{**record("faq.topic", name="Courts", slug="courts"), "pk": 5}],
        ["record 1 (faq.topic “Courts”)", "“pk” is not used", "recognised by name"],
    ),
    (
        "unknown guide reference",
        [question(guide="no-such-guide")],
        ["record 1 (faq.question “no-such-guide/new”)", "refers to faq.guide “no-such-guide”"],
    ),
    (
        "reference of the wrong shape",
        [{**question(), "fields": {**question()["fields"], "guide": GUIDE}}],
        ["record 1 (faq.question", "must name a faq.guide record by its natural key", '["…"]'],
    ),
    (
        "reference before its record",
        [ANSWER, question()],
        [f"record 1 (faq.answer “{GUIDE}/new”)", "must come before the records that refer to it"],
    ),
    (
        "two new records that contradict each other",
        [question(slug="a", position=50), question(slug="b", position=50)],
        [f"record 2 (faq.question “{GUIDE}/b”)", "the same guide and number as record 1"],
    ),
]


class MalformedFixtureCorpusTests(TestCase):
    """Issue 12, item 4: every malformed fixture is refused with the file, the record and the
    problem named (exit status 1), and changes no row, on an empty or a seeded database."""

    def run_corpus(self, *fixtures_before):
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        for name, content, fragments in MALFORMED_FIXTURES:
            path = folder / f"{name.replace(' ', '-').replace(':', '')}.json"
            path.write_bytes(
                content if isinstance(content, bytes) else json.dumps(content).encode()
            )
            with self.subTest(name):
                before = database_rows()
                with self.assertRaises(CommandError) as caught:
                    call_command("seed_content", *fixtures_before, str(path), stdout=StringIO())
                self.assertEqual(caught.exception.returncode, 1)
                message = str(caught.exception)
                for fragment in (f"{path}: ", *fragments, "Nothing was changed."):
                    self.assertIn(fragment, message)
                self.assertNotIn("Traceback", message)
                self.assertEqual(changed_tables(before, database_rows()), [])

    def test_each_is_refused_whole_on_an_empty_database(self):
        self.run_corpus(str(FIXTURE))
        self.assertEqual(Question.objects.count(), 0)

    def test_each_is_refused_on_a_seeded_database(self):
        call_command("seed_content", verbosity=0)
        self.run_corpus()
