"""import_guide (issue 13): plain-text guides like the seed come in as drafts, with a
preview, and nothing an editor did or published is overwritten."""

import json
import tempfile
from io import StringIO
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import SimpleTestCase, TestCase
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.extra import django as hypothesis_django

from faq import revisions
from faq.importing import markdown_front_matter, plaintext
from faq.importing.document import (
    MAX_FILE_BYTES,
    MAX_QUESTIONS,
    GuideDocument,
    ImportFormatError,
    QuestionEntry,
)
from faq.importing.export import guide_document
from faq.models import Answer, Category, Guide, Question, SeedRecord, Source, Topic

from .factories import make_staff
from .snapshots import changed_tables, database_rows
from .test_fixtures import FIXTURE, SEED_FILE, seed_text

SPANISH_FIXTURE = FIXTURE.with_name("dmv_ice_illinois_es.json")


def run_import(*args):
    out = StringIO()
    call_command("import_guide", *args, stdout=out)
    return out.getvalue()


class FileMixin:
    def write(self, content, name="guide.txt"):
        path = Path(self.enterContext(tempfile.TemporaryDirectory())) / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        return path


def fixture_content():
    records = json.loads(FIXTURE.read_text(encoding="utf-8"))
    questions = {r["fields"]["slug"]: r["fields"] for r in records if r["model"] == "faq.question"}
    answers = {
        r["fields"]["question"][1]: r["fields"]["body"]
        for r in records
        if r["model"] == "faq.answer"
    }
    guide = next(r["fields"] for r in records if r["model"] == "faq.guide")
    category = next(r["fields"] for r in records if r["model"] == "faq.category")
    entries = sorted(
        (q["position"], q["text"], q["slug"], answers[slug]) for slug, q in questions.items()
    )
    return category["name"], guide["title"], entries


class SeedTextImportTests(FileMixin, TestCase):
    def test_the_seed_text_gives_exactly_the_fixtures_questions_and_answers(self):
        out = run_import(str(SEED_FILE))
        category, title, entries = fixture_content()
        guide = Guide.objects.get()
        self.assertEqual(
            (guide.category.name, guide.title, guide.is_published), (category, title, False)
        )
        imported = sorted(
            (q.position, q.text, q.slug, q.answer.body)
            for q in Question.objects.select_related("answer")
        )
        self.assertEqual(imported, entries)
        self.assertEqual(set(Question.objects.values_list("status", flat=True)), {"draft"})
        self.assertEqual(Answer.history.count(), 20)
        self.assertIn("20 new", out)

    def test_with_the_fixtures_address_make_runs_seeding_finds_the_imported_guide(self):
        """--slug gives the plain-text guide the fixture's address, so seed_content
        (which `make run` runs) recognises it instead of adding a second copy."""
        run_import("--slug", "dmv-data-sharing-with-ice-illinois", str(SEED_FILE))
        call_command("seed_content", str(FIXTURE), stdout=StringIO())
        guide = Guide.objects.get()
        self.assertEqual(guide.slug, "dmv-data-sharing-with-ice-illinois")
        self.assertEqual(guide.questions.count(), 20)
        self.assertEqual(set(Question.objects.values_list("status", flat=True)), {"draft"})
        self.assertTrue(guide.questions.get(position=1).tags.exists())  # the fixture's topics

    def test_a_bad_slug_and_a_slug_for_several_files_are_refused(self):
        before = database_rows()
        with self.assertRaisesMessage(CommandError, "the guide's web address “Not a slug”"):
            run_import("--slug", "Not a slug", str(SEED_FILE))
        with self.assertRaisesMessage(CommandError, "--slug names one guide's address"):
            run_import("--slug", "a-guide", str(SEED_FILE), str(SEED_FILE))
        self.assertEqual(changed_tables(before, database_rows()), [])

    def test_dry_run_previews_and_changes_nothing(self):
        before = database_rows()
        out = run_import("--dry-run", str(SEED_FILE))
        self.assertEqual(changed_tables(before, database_rows()), [])
        self.assertIn("  1. new: What is the current policy in Illinois", out)
        self.assertIn("Dry run: nothing was changed.", out)

    def test_importing_the_same_file_again_changes_nothing(self):
        run_import(str(SEED_FILE))
        before = database_rows()
        out = run_import(str(SEED_FILE))
        self.assertEqual(changed_tables(before, database_rows()), [])
        self.assertIn("20 unchanged", out)


class ReimportTests(FileMixin, TestCase):
    """A changed copy of the seed, imported over the seeded (published) guide."""

    @classmethod
    def setUpTestData(cls):
        call_command("seed_content", str(FIXTURE), verbosity=0)

    def changed_copy(self):
        text = seed_text()
        text = text.replace("1. Currently, in Illinois,", "1. Today, in Illinois,", 1)
        text = text.replace("In conclusion,", "To sum up,", 1)
        return self.write(text, "changed.txt")

    def test_two_changed_answers_get_two_drafts_and_no_live_text_changes(self):
        live = dict(Answer.objects.values_list("pk", "body"))
        history = Answer.history.count()
        out = run_import(str(self.changed_copy()))
        self.assertEqual(dict(Answer.objects.values_list("pk", "body")), live)
        drafts = Answer.objects.with_draft()
        self.assertEqual(drafts.count(), 2)
        self.assertEqual({a.draft_change_note for a in drafts}, {"Imported from changed.txt"})
        self.assertTrue(all(a.draft_body != a.body for a in drafts))
        self.assertEqual({a.review_state for a in drafts}, {"draft"})
        self.assertEqual(Answer.history.count(), history + 2)
        self.assertEqual(Question.objects.published().count(), 20)
        self.assertIn("2 changed, 18 unchanged", out)

    def test_the_preview_shows_a_word_diff(self):
        out = run_import("--dry-run", str(self.changed_copy()))
        self.assertIn("[-Currently,-] {+Today,+} in Illinois", out)
        self.assertFalse(Answer.objects.with_draft().exists())

    def test_an_editors_waiting_draft_is_kept(self):
        answer = Answer.objects.get(question__position=1)
        answer.body = "An editor's own draft."
        revisions_live = {
            "body": Answer.objects.get(pk=answer.pk).body,
            "change_note": "",
            "is_minor": False,
        }

        revisions.save_draft(answer, None, revisions_live)
        out = run_import(str(self.changed_copy()))
        answer.refresh_from_db()
        self.assertEqual(answer.draft_body, "An editor's own draft.")
        self.assertIn("1. skipped", out)

    def test_a_reimport_finds_questions_an_editor_re_addressed(self):
        run_import(str(self.write(seed_text().replace("State DMV", "Another DMV", 1), "other.txt")))
        other = Guide.objects.get(title__startswith="Another")
        other.questions.filter(position=1).update(slug="short", position=40)
        before = Question.objects.count()
        run_import(str(self.write(seed_text().replace("State DMV", "Another DMV", 1), "other.txt")))
        self.assertEqual(Question.objects.count(), before)

    def test_a_question_deleted_since_it_was_imported_stays_deleted(self):
        path = self.write(seed_text().replace("State DMV", "Another DMV", 1), "other.txt")
        run_import(str(path))
        Guide.objects.get(title__startswith="Another").questions.get(position=3).delete()
        out = run_import(str(path))
        self.assertIn("3. deleted", out)
        self.assertEqual(Guide.objects.get(title__startswith="Another").questions.count(), 19)


SEED_HEAD = "Categories Federal Government\n\nA guide\n\n"
MALFORMED_FILES = [
    ("empty", b"", None, "the file is empty"),
    ("no category line", b"A guide\n\n1. Why?\n\nBecause.\n", 1, "expected “Categories"),
    (
        "no title",
        b"Categories Federal Government\n\n1. Why?\n\nBecause.\n",
        3,
        "expected the guide's title",
    ),
    ("no questions", SEED_HEAD.encode() + b"Some text.\n", 5, "expected question 1"),
    (
        "question out of sequence",
        SEED_HEAD.encode() + b"1. Why?\n\nBecause.\n\n3. When?\n\nNow.\n",
        9,
        "looks like question 3, but question 2 comes next",
    ),
    (
        "truncated",
        SEED_HEAD.encode() + b"1. Why?\n\nBecause.\n\n2. When?\n",
        9,
        "question 2 has no answer",
    ),
    ("invalid UTF-8", SEED_HEAD.encode() + b"1. Caf\xe9?\n\nYes.\n", 5, "not UTF-8 text"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00", 3, "binary file"),
    ("oversized", b"x" * (MAX_FILE_BYTES + 1), None, f"the limit is {MAX_FILE_BYTES:,} bytes"),
    (
        "answer over the limit",
        SEED_HEAD.encode() + b"1. Why?\n\n" + b"x" * 20_001 + b"\n",
        5,
        "the limit is 20,000",
    ),
    (
        "too many questions",
        SEED_HEAD.encode()
        + "".join(f"{n}. Q{n}?\n\nA.\n\n" for n in range(1, MAX_QUESTIONS + 2)).encode(),
        5 + 4 * MAX_QUESTIONS,
        f"more than {MAX_QUESTIONS} questions",
    ),
]


class MalformedImportTests(FileMixin, TestCase):
    """Each is refused with the file, its line and what was expected; no row changes."""

    def test_each_malformed_file_is_refused(self):
        call_command("seed_content", str(FIXTURE), verbosity=0)
        for name, content, line, problem in MALFORMED_FILES:
            with self.subTest(name):
                path = self.write(content)
                before = database_rows()
                with self.assertRaises(CommandError) as caught:
                    run_import(str(SEED_FILE), str(path))
                message = str(caught.exception)
                self.assertIn(f"{path}: {f'line {line}: ' if line else ''}", message)
                self.assertIn(problem, message)
                self.assertIn("Nothing was changed.", message)
                self.assertEqual(changed_tables(before, database_rows()), [])

    def test_an_unknown_format_is_refused(self):
        with self.assertRaisesMessage(CommandError, "unknown format “.docx”"):
            run_import(str(self.write(b"x", "guide.docx")))


# Answers built like the seed's: paragraphs and numbered lists (restarting at 1
# and running past the next question's number), never a line ending in "?".
words = (
    st.text(alphabet="abcdefghij ,.'", min_size=1, max_size=30)
    .map(str.strip)
    .filter(lambda s: s and not s.endswith("?"))
)
paragraph = words.map(lambda s: s[0].upper() + s[1:] if s[0].isalpha() else "Text " + s)
numbered_list = st.lists(paragraph, min_size=1, max_size=25).map(
    lambda items: "\n".join(f"{n}. {item}" for n, item in enumerate(items, start=1))
)
answer = st.lists(st.one_of(paragraph, numbered_list), min_size=1, max_size=4).map("\n\n".join)
question_text = words.map(lambda s: f"Why {s}?")


class PlainTextRoundTripTests(SimpleTestCase):
    @hypothesis_settings(max_examples=200, deadline=None)
    @given(st.lists(st.tuples(question_text, answer), min_size=1, max_size=12))
    def test_writing_then_parsing_gives_the_same_guide(self, entries):
        document = GuideDocument(
            title="A guide",
            category="Federal Government",
            questions=[
                QuestionEntry(number, text, body, 0)
                for number, (text, body) in enumerate(entries, start=1)
            ],
        )
        parsed = plaintext.parse(plaintext.write(document))
        self.assertEqual(
            [(q.number, q.text, q.answer) for q in parsed.questions],
            [(q.number, q.text, q.answer) for q in document.questions],
        )
        self.assertEqual((parsed.title, parsed.category), (document.title, document.category))

    def test_the_seed_parses_to_20_questions(self):
        document = plaintext.parse(seed_text())
        self.assertEqual([q.number for q in document.questions], list(range(1, 21)))
        self.assertTrue(document.questions[0].answer.startswith("1. Currently"))

    def test_a_line_error_is_a_format_error(self):
        with self.assertRaises(ImportFormatError) as caught:
            plaintext.parse("Nothing here")
        self.assertEqual(caught.exception.line, 1)


def guide_content():
    """Everything export_guide promises to carry, for every guide in the database."""
    return sorted(
        (
            guide.title,
            guide.slug,
            guide.summary,
            guide.category.name,
            guide.language,
            [
                (
                    q.position,
                    q.text,
                    q.slug,
                    q.answer.body,
                    sorted((t.name, t.language) for t in q.tags.all()),
                    [(s.title, s.url) for s in q.answer.sources.all()],
                )
                for q in guide.questions.order_by("position")
            ],
        )
        for guide in Guide.objects.all()
    )


def empty_the_content_tables():
    for model in (Source, Answer, Question, Topic, Guide, Category, SeedRecord):
        model.objects.all().delete()


class ExportImportTests(FileMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_content", str(FIXTURE), verbosity=0)
        first, fifth = (
            Answer.objects.get(question__position=1),
            Answer.objects.get(question__position=5),
        )
        Source.objects.create(
            answer=first, title="Illinois statute", url="https://ilga.gov/", position=1
        )
        Source.objects.create(
            answer=first, title="A court ruling --> here", url="https://example.org/r", position=2
        )
        Source.objects.create(
            answer=fifth, title="Secretary of State", url="https://www.ilsos.gov/", position=1
        )

    def export(self):
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        call_command("export_guide", "--all", "--output-dir", str(folder), stdout=StringIO())
        (path,) = folder.glob("*.md")
        return path

    def test_export_then_import_into_an_empty_database_round_trips_everything(self):
        expected = guide_content()
        path = self.export()
        empty_the_content_tables()
        run_import(str(path))
        self.assertEqual(guide_content(), expected)
        self.assertEqual(set(Question.objects.values_list("status", flat=True)), {"draft"})
        self.assertFalse(Guide.objects.get().is_published)
        history = Answer.history.get(question_id=Question.objects.get(position=1).pk)
        self.assertEqual(len(history.sources), 2)

    def test_seed_content_after_importing_the_exported_seed_guide_adds_nothing(self):
        """The import records its rows under seed_content's keys, so `make run` on that
        database neither duplicates the guide nor reports clashes."""
        path = self.export()
        empty_the_content_tables()
        run_import(str(path))
        before = database_rows()
        err = StringIO()
        call_command("seed_content", str(FIXTURE), stdout=StringIO(), stderr=err)
        self.assertEqual(err.getvalue(), "")
        self.assertEqual(changed_tables(before, database_rows()), [])

    def test_a_reimported_export_finds_questions_by_their_stable_id(self):
        path = self.export()
        Question.objects.filter(position=2).update(slug="shorter", position=44)
        before = database_rows()
        out = run_import(str(path))
        self.assertEqual(changed_tables(before, database_rows()), [])
        self.assertIn("20 unchanged", out)

    def test_a_spanish_guide_round_trips_with_its_language_and_spanish_topics(self):
        call_command("seed_content", str(SPANISH_FIXTURE), verbosity=0)
        expected = guide_content()
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        call_command("export_guide", "--all", "--output-dir", str(folder), stdout=StringIO())
        spanish = folder / "intercambio-de-datos-del-dmv-con-ice-en-illinois.es.md"
        self.assertIn("\nlanguage: es\n", spanish.read_text("utf-8"))
        empty_the_content_tables()
        out = run_import(*sorted(map(str, folder.glob("*.md"))))
        self.assertEqual(guide_content(), expected)
        self.assertIn("(/es/intercambio-de-datos-del-dmv-con-ice-en-illinois/)", out)

    def test_topics_of_the_other_language_are_refused_with_the_questions_line(self):
        path = self.export()
        text = path.read_text("utf-8").replace("\nlanguage: en\n", "\nlanguage: es\n", 1)
        text = text.replace("slug: dmv-data-sharing-with-ice-illinois", "slug: otra-guia", 1)
        text = text.replace("title: State DMV", "title: Otra guía", 1)
        before = database_rows()
        with self.assertRaises(CommandError) as caught:
            run_import(str(self.write(text, "otra.md")))
        self.assertIn("line 9: question 1's topics", str(caught.exception))
        self.assertIn("belong to questions in the other language", str(caught.exception))
        self.assertEqual(changed_tables(before, database_rows()), [])

    def test_a_topic_an_earlier_file_made_in_the_other_language_stops_the_later_file(self):
        spanish = FRONT.replace("---\n", "---\nlanguage: es\nslug: una-guia\n", 1)
        spanish = spanish.replace("title: A guide", "title: Una guía")
        block = '<!-- question\ntopics: ["ICE"]\n-->\n'
        first = self.write(spanish + md_question(1, block=block), "una.md")
        second = self.write(FRONT + md_question(1, block=block), "a.md")
        with self.assertRaises(CommandError) as caught:
            run_import(str(first), str(second))
        message = str(caught.exception)
        self.assertIn("a.md: line 6: question 1's topics ICE belong to questions", message)
        self.assertIn("imported before it: una.md.", message)
        self.assertEqual(Topic.objects.get(name="ICE").language, "es")
        self.assertFalse(Guide.objects.filter(title="A guide").exists())

    def test_a_file_in_another_language_than_its_guide_is_refused(self):
        text = self.export().read_text("utf-8").replace("\nlanguage: en\n", "\nlanguage: es\n")
        with self.assertRaisesMessage(CommandError, "a guide keeps its language"):
            run_import(str(self.write(text, "guide.md")))

    def test_export_names_what_it_cannot_find(self):
        with self.assertRaisesMessage(CommandError, "No guide has the address “nope”"):
            call_command("export_guide", "nope", stdout=StringIO())
        with self.assertRaisesMessage(CommandError, "or use --all"):
            call_command("export_guide", stdout=StringIO())


FRONT = "---\ntitle: A guide\ncategory: Federal Government\n---\n"
BLOCK = "<!-- question\ntopics: []\n-->\n"


def md_question(number, answer="An answer.", block=BLOCK):
    return f"\n## {number}. Why {number}?\n\n{block}\n{answer}\n"


MALFORMED_MARKDOWN = [
    ("no front matter", "# A guide\n", 1, "expected “---”, the start"),
    ("front matter not closed", "---\ntitle: A\n", 3, "expected “---”, the end"),
    (
        "no title",
        "---\ncategory: Federal Government\n---\n" + md_question(1),
        3,
        "needs “title: …”",
    ),
    (
        "unknown key",
        FRONT.replace("---\n", "---\ncolour: red\n", 1) + md_question(1),
        2,
        "expected one of",
    ),
    ("no questions", FRONT + "\nJust text.\n", 6, "expected question 1"),
    (
        "question out of sequence",
        FRONT + md_question(1) + md_question(3),
        14,
        "question 3 is out of sequence: question 2 comes next",
    ),
    (
        "truncated",
        FRONT + md_question(1) + md_question(2, answer=""),
        14,
        "question 2 has no answer",
    ),
    (
        "block not closed",
        FRONT + "\n## 1. Why?\n\n<!-- question\ntopics: []\n",
        8,
        "expected “-->”",
    ),
    (
        "bad topics",
        FRONT + md_question(1, block="<!-- question\ntopics: [oops\n-->\n"),
        8,
        "“topics” is not valid JSON",
    ),
    (
        "guide address with spaces",
        FRONT.replace("---\n", "---\nslug: Hello World\n", 1) + md_question(1),
        2,
        "the guide's web address “Hello World”: Enter a valid “slug”",
    ),
    (
        "guide address the site uses",
        FRONT.replace("---\n", "---\nslug: temas\n", 1) + md_question(1),
        2,
        "“temas” is used by another part of the site",
    ),
    (
        "unknown language",
        FRONT.replace("---\n", "---\nlanguage: fr\n", 1) + md_question(1),
        2,
        "“language” must be one of en, es, not “fr”",
    ),
    (
        "question address with spaces",
        FRONT + md_question(1, block="<!-- question\nslug: a b\n-->\n"),
        8,
        "question 1's web address “a b”",
    ),
    (
        "javascript: source",
        FRONT
        + md_question(
            1, block='<!-- question\nsource: {"title": "x", "url": "javascript:alert(1)"}\n-->\n'
        ),
        8,
        "must start with https:// or http://",
    ),
]


class MalformedMarkdownTests(FileMixin, TestCase):
    def test_each_malformed_file_is_refused_with_its_line(self):
        for name, content, line, problem in MALFORMED_MARKDOWN:
            with self.subTest(name):
                path = self.write(content, "guide.md")
                before = database_rows()
                with self.assertRaises(CommandError) as caught:
                    run_import(str(path))
                self.assertIn(f"{path}: line {line}: ", str(caught.exception))
                self.assertIn(problem, str(caught.exception))
                self.assertEqual(changed_tables(before, database_rows()), [])


names = st.text(alphabet="abcdefghij -'>", min_size=1, max_size=20).map(str.strip).filter(bool)
heading_or_paragraph = st.one_of(paragraph, paragraph.map(lambda s: f"## {s}"))
md_answer = st.lists(st.one_of(heading_or_paragraph, numbered_list), min_size=1, max_size=4).map(
    "\n\n".join
)
source = st.builds(
    lambda title, path: {"title": title, "url": f"https://example.org/{path}"},
    names,
    st.text(alphabet="abc123", max_size=8),
)


def entry_fields(document):
    return [
        (q.number, q.text, q.answer, q.slug, q.topics, q.sources, q.id) for q in document.questions
    ]


class MarkdownRoundTripTests(SimpleTestCase):
    @hypothesis_settings(max_examples=200, deadline=None)
    @given(
        st.lists(
            st.tuples(
                question_text, md_answer, st.lists(names, max_size=3), st.lists(source, max_size=3)
            ),
            min_size=1,
            max_size=10,
        ),
        names,
    )
    def test_writing_then_parsing_gives_the_same_guide(self, entries, summary):
        questions = []
        for number, (text, body, topics, sources) in enumerate(entries, start=1):
            entry = QuestionEntry(number, text, body, 0, slug=f"q-{number}")
            entry.topics, entry.sources, entry.id = topics, sources, f"g/q-{number}"
            questions.append(entry)
        document = GuideDocument(
            "A guide", "Federal Government", questions, "g", summary + "\nmore"
        )
        parsed = markdown_front_matter.parse(markdown_front_matter.write(document))
        self.assertEqual(entry_fields(parsed), entry_fields(document))
        self.assertEqual(
            (parsed.title, parsed.slug, parsed.summary), ("A guide", "g", summary + "\nmore")
        )


class ImportScreenTests(FileMixin, TestCase):
    """The admin's "Import a guide" screen: Publishers only, preview first, then confirm."""

    url = "/admin/faq/guide/import/"

    @classmethod
    def setUpTestData(cls):
        call_command("seed_content", str(FIXTURE), verbosity=0)
        cls.publisher = make_staff("pat", "Publishers")
        cls.editor = make_staff("eddie", "Editors")

    def changed_upload(self):
        text = seed_text().replace("1. Currently, in Illinois,", "1. Today, in Illinois,", 1)
        return SimpleUploadedFile("changed.txt", text.encode())

    def test_editors_cannot_import(self):
        self.client.force_login(self.editor)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        response = self.client.post(self.url, {"file": self.changed_upload()})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Answer.objects.with_draft().exists())

    def test_publishers_find_it_on_the_guides_list(self):
        self.client.force_login(self.publisher)
        self.assertContains(self.client.get("/admin/faq/guide/"), f'href="{self.url}"')
        self.client.force_login(self.editor)
        self.assertNotContains(self.client.get("/admin/faq/guide/"), f'href="{self.url}"')

    def test_upload_previews_without_changing_anything_then_confirm_imports(self):
        self.client.force_login(self.publisher)
        before = database_rows()
        response = self.client.post(self.url, {"file": self.changed_upload()})
        self.assertEqual(changed_tables(before, database_rows()), [])
        self.assertContains(response, "Changed: the file&#x27;s version becomes a draft")
        self.assertContains(response, '<p class="diff-label">Answer</p>', html=False)
        self.assertContains(response, "Today,")
        self.assertContains(response, "<ins>", html=False)
        confirm = {
            "confirm": "Import",
            "file_name": response.context["confirm"]["file_name"].value(),
            "content": response.context["confirm"]["content"].value(),
        }
        response = self.client.post(self.url, confirm)
        self.assertRedirects(response, "/admin/faq/guide/")
        draft = Answer.objects.with_draft().get()
        self.assertEqual(draft.draft_change_note, "Imported from changed.txt")
        self.assertEqual(draft.draft_saved_by, self.publisher)
        self.assertTrue(draft.body.startswith("1. Currently"))

    def test_the_preview_shows_a_changed_wording_and_topics(self):
        self.client.force_login(self.publisher)
        document = guide_document(Guide.objects.get())
        document.questions[1].text = "How exactly does the process work?"
        document.questions[1].topics = [*document.questions[1].topics, "Courts"]
        upload = SimpleUploadedFile("guide.md", markdown_front_matter.write(document).encode())
        response = self.client.post(self.url, {"file": upload})
        row = response.context["rows"][1]
        self.assertEqual([part.label for part in row["differences"]], ["Question", "Topics"])
        self.assertContains(response, '<p class="diff-label">Question</p>', html=False)
        self.assertContains(response, "added: </span>exactly")
        self.assertContains(response, "added: </span>Courts")
        self.assertFalse(Answer.objects.with_draft().exists())

    def test_a_spanish_guides_questions_and_differences_are_marked_spanish(self):
        """WCAG 3.1.2: a screen reader reads them with a Spanish voice on an English screen."""
        call_command("seed_content", str(SPANISH_FIXTURE), verbosity=0)
        self.client.force_login(self.publisher)
        document = guide_document(Guide.objects.get(language="es"))
        document.questions[0].answer = document.questions[0].answer.replace("Actualmente", "Hoy", 1)
        upload = SimpleUploadedFile("guia.md", markdown_front_matter.write(document).encode())
        response = self.client.post(self.url, {"file": upload})
        self.assertContains(response, '<div class="diff-text" lang="es">', count=1)
        self.assertContains(response, '<td lang="es">', count=20)
        self.assertContains(response, "added: </span>Hoy")

    def test_a_malformed_upload_is_refused_with_its_line(self):
        self.client.force_login(self.publisher)
        before = database_rows()
        bad = SimpleUploadedFile("bad.txt", b"Categories X\n\nA guide\n\n1. Why?\n")
        response = self.client.post(self.url, {"file": bad})
        self.assertContains(response, "bad.txt: line 5: question 1 has no answer")
        forged = {"confirm": "Import", "file_name": "bad.md", "content": "not a guide"}
        response = self.client.post(self.url, forged)
        self.assertContains(response, "bad.md: line 1: expected “---”")
        self.assertEqual(changed_tables(before, database_rows()), [])


class ExportImportPropertyTests(hypothesis_django.TestCase):
    """Generated guides (numbered lists and headings inside answers, topics, sources)
    imported from Markdown, then exported, come back as they went in."""

    @hypothesis_settings(max_examples=15, deadline=None)
    @given(
        st.lists(
            st.tuples(
                question_text,
                md_answer,
                st.lists(names, max_size=3, unique_by=str.casefold),
                st.lists(source, max_size=2),
            ),
            min_size=1,
            max_size=5,
        )
    )
    def test_import_then_export_round_trips(self, entries):
        questions = []
        for number, (text, body, topics, sources) in enumerate(entries, start=1):
            entry = QuestionEntry(number, text, body, 0, slug=f"q-{number}")
            entry.topics = sorted(topics, key=str.casefold)
            entry.sources, entry.id = sources, f"generated/q-{number}"
            questions.append(entry)
        document = GuideDocument("Generated", "Federal Government", questions, "generated", "A.")
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        (folder / "in.md").write_text(markdown_front_matter.write(document), encoding="utf-8")
        run_import(str(folder / "in.md"))
        call_command("export_guide", "generated", "--output-dir", str(folder), stdout=StringIO())
        exported = markdown_front_matter.parse((folder / "generated.en.md").read_text("utf-8"))
        self.assertEqual(entry_fields(exported), entry_fields(document))
