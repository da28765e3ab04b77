"""Guides as Markdown with front matter: what export_guide writes, import_guide reads.

    ---
    title: State DMV Data Sharing With ICE in Illinois
    slug: dmv-data-sharing-with-ice-illinois
    category: Federal Government
    summary: Answers to common questions …
    ---

    ## 1. What is the current policy …?

    <!-- question
    id: dmv-data-sharing-with-ice-illinois/what-is-the-current-policy-in-illinois-regar…
    slug: what-is-the-current-policy-in-illinois-regarding-the-sharing
    topics: ["Illinois law", "Privacy protections"]
    source: {"title": "Illinois statute", "url": "https://ilga.gov/"}
    -->

    The answer, in Markdown, up to the next question.

A question starts at a heading "## <next number>. <question>" followed by the
question's comment block, so an answer may hold headings and numbered lists of
its own. Values that need it (lists, sources, text with line breaks) are JSON.
"""

import json
import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from .document import (
    GuideDocument,
    ImportFormatError,
    QuestionEntry,
    check_language,
    check_limits,
    check_slug,
)

GUIDE_KEYS = ("title", "slug", "category", "summary", "language")
QUESTION_KEYS = ("id", "slug", "topics", "source")
HEADING = re.compile(r"^## (\d+)\. (.+)$")
FIELD = re.compile(r"^([a-z]+): ?(.*)$")


def parse(text):
    lines = text.split("\n")
    if lines[0] != "---":
        raise ImportFormatError(1, "expected “---”, the start of the front matter.")
    try:
        end = lines.index("---", 1)
    except ValueError:
        raise ImportFormatError(
            len(lines), "expected “---”, the end of the front matter."
        ) from None
    meta = read_fields(lines, 1, end, GUIDE_KEYS)
    for required in ("title", "category"):
        if not meta.get(required):
            raise ImportFormatError(end + 1, f"the front matter needs “{required}: …”.")
    if meta.get("slug"):
        check_slug(meta["slug"], line_of(lines, end, "slug"))
    if "language" in meta:
        check_language(meta["language"], line_of(lines, end, "language"))
    questions, index = [], end + 1
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        if not questions:
            raise_unless_question(lines, index, 1)
        entry, index = read_question(lines, index, len(questions) + 1)
        questions.append(entry)
    if not questions:
        raise ImportFormatError(len(lines), "expected question 1, a heading “## 1. …”.")
    document = GuideDocument(
        title=meta["title"],
        category=meta["category"],
        questions=questions,
        slug=meta.get("slug", ""),
        summary=meta.get("summary", ""),
        language=meta.get("language", ""),
    )
    check_limits(document)
    return document


def line_of(lines, end, name):
    """The line number of front-matter field `name` (the front matter ends at `end`)."""
    return next(i + 1 for i in range(1, end) if lines[i].startswith(f"{name}:"))


def opens_question(lines, index):
    """Whether a "## N. …" heading at `index` is followed by its question block."""
    if not HEADING.match(lines[index]):
        return False
    following = next((line for line in lines[index + 1 :] if line.strip()), "")
    return following == "<!-- question"


def raise_unless_question(lines, index, number):
    heading = HEADING.match(lines[index])
    if not opens_question(lines, index) or int(heading.group(1)) != number:
        raise ImportFormatError(
            index + 1,
            f"expected question {number}: a heading “## {number}. …” and its "
            "“<!-- question” block.",
        )


def read_question(lines, index, number):
    """The question starting at `index`, and the index after its answer."""
    raise_unless_question(lines, index, number)
    text = HEADING.match(lines[index]).group(2).strip()
    start = next(i for i in range(index + 1, len(lines)) if lines[i].strip())
    try:
        close = lines.index("-->", start)
    except ValueError:
        raise ImportFormatError(start + 1, "expected “-->” to close the question block.") from None
    meta = read_fields(lines, start + 1, close, QUESTION_KEYS, repeated={"source"})
    end = close + 1
    while end < len(lines) and not opens_question(lines, end):
        end += 1
    if end < len(lines) and int(HEADING.match(lines[end]).group(1)) != number + 1:
        raise ImportFormatError(
            end + 1,
            f"question {HEADING.match(lines[end]).group(1)} is out of sequence: "
            f"question {number + 1} comes next.",
        )
    answer = "\n".join(lines[close + 1 : end]).strip("\n")
    if not answer.strip():
        raise ImportFormatError(
            index + 1, f"question {number} has no answer (is the file cut short?)."
        )
    topics = json_value(meta.get("topics", "[]"), start + 1, "topics", list)
    sources = [json_value(raw, start + 1, "source", dict) for raw in meta.get("source", [])]
    if not all(isinstance(topic, str) and topic.strip() for topic in topics):
        raise ImportFormatError(start + 1, "“topics” must be a list of topic names.")
    for source in sources:
        check_source(source, start + 1)
    if meta.get("slug"):
        check_slug(meta["slug"], start + 1, f"question {number}'s web address", guide=False)
    entry = QuestionEntry(number, text, answer, index + 1, slug=meta.get("slug", ""))
    entry.topics, entry.sources, entry.id = topics, sources, meta.get("id", "")
    return entry, end


def check_source(source, line):
    """The rules Source has, so a bad link is refused with its line, before any write."""
    if set(source) != {"title", "url"} or not all(isinstance(v, str) for v in source.values()):
        raise ImportFormatError(line, "each “source” needs exactly “title” and “url”, as text.")
    if not source["title"].strip() or len(source["title"]) > 300:
        raise ImportFormatError(line, "a source's title must be 1 to 300 characters.")
    try:
        URLValidator(schemes=["http", "https"])(source["url"])
    except ValidationError:
        raise ImportFormatError(
            line, f"the source URL “{source['url'][:80]}” must start with https:// or http://."
        ) from None


def read_fields(lines, start, end, allowed, repeated=()):
    values = {name: [] for name in repeated}
    for index in range(start, end):
        line = lines[index]
        if not line.strip():
            continue
        match = FIELD.match(line)
        if not match or match.group(1) not in allowed:
            raise ImportFormatError(
                index + 1, f"expected one of {', '.join(f'“{k}: …”' for k in allowed)}."
            )
        name, value = match.groups()
        if value.startswith('"'):
            value = json_value(value, index + 1, name, str)
        if name in repeated:
            values[name].append(value)
        else:
            values[name] = value
    return values


def json_value(raw, line, name, kind):
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ImportFormatError(line, f"“{name}” is not valid JSON ({error.msg}).") from None
    if not isinstance(value, kind):
        raise ImportFormatError(line, f"“{name}” must be a JSON {kind.__name__}.")
    return value


def encode(value):
    """A front-matter value: as it is when it reads back the same, JSON otherwise."""
    plain = isinstance(value, str) and "\n" not in value and value == value.strip()
    if plain and not value.startswith('"'):
        return value
    return json.dumps(value, ensure_ascii=False).replace("-->", "--\\u003e")


def write(document):
    lines = ["---"]
    for name in GUIDE_KEYS:
        if value := getattr(document, name):
            lines.append(f"{name}: {encode(value)}")
    lines.append("---")
    for entry in document.questions:
        lines += ["", f"## {entry.number}. {entry.text}", "", "<!-- question"]
        if entry.id:
            lines.append(f"id: {entry.id}")
        if entry.slug:
            lines.append(f"slug: {entry.slug}")
        lines.append(f"topics: {encode(list(entry.topics))}")
        for source in entry.sources:
            lines.append(f"source: {encode(source)}")
        lines += ["-->", "", entry.answer]
    return "\n".join(lines) + "\n"
