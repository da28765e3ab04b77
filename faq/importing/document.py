"""What every import format parses to, and the limits every file is held to."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug

from faq.languages import LANGUAGE_CHOICES
from faq.models import MAX_ANSWER_LENGTH
from faq.models.guides import validate_guide_slug

MAX_FILE_BYTES = 1_000_000  # the seed article is 40 KB
MAX_QUESTIONS = 300
MAX_QUESTION_LENGTH = 300  # Question.text


class ImportFormatError(Exception):
    """A file that cannot be imported: the line where reading stopped, and what was expected."""

    def __init__(self, line, problem):
        super().__init__(f"line {line}: {problem}" if line else problem)
        self.line, self.problem = line, problem


@dataclass
class QuestionEntry:
    number: int
    text: str
    answer: str  # Markdown
    line: int  # where the question starts in the file
    slug: str = ""
    # None: the file does not say (plain text), so an import leaves them as they are.
    topics: list | None = None
    sources: list | None = None  # [{"title": …, "url": …}]
    id: str = ""  # the stable id written by export_guide: "<guide slug>/<question slug>"


@dataclass
class GuideDocument:
    title: str
    category: str
    questions: list
    slug: str = ""
    summary: str = ""
    language: str = ""


def check_limits(document):
    """The limits that do not depend on the format."""
    if len(document.questions) > MAX_QUESTIONS:
        raise ImportFormatError(
            document.questions[MAX_QUESTIONS].line,
            f"more than {MAX_QUESTIONS} questions; split the guide into several files.",
        )
    for entry in document.questions:
        if len(entry.text) > MAX_QUESTION_LENGTH:
            raise ImportFormatError(
                entry.line,
                f"question {entry.number} is {len(entry.text)} characters long; "
                f"the limit is {MAX_QUESTION_LENGTH}.",
            )
        if len(entry.answer) > MAX_ANSWER_LENGTH:
            raise ImportFormatError(
                entry.line,
                f"the answer to question {entry.number} is {len(entry.answer):,} characters "
                f"long; the limit is {MAX_ANSWER_LENGTH:,}.",
            )


def check_slug(slug, line, what="the guide's web address", guide=True):
    """A web address as the site's are: letters, digits, hyphens and
    underscores, at most 100 characters, and for a guide not one the site uses."""
    try:
        validate_slug(slug)
        if guide:
            validate_guide_slug(slug)
    except ValidationError as error:
        raise ImportFormatError(line, f"{what} “{slug[:100]}”: {error.messages[0]}") from None
    if len(slug) > 100:
        raise ImportFormatError(line, f"{what} is {len(slug)} characters long; the limit is 100.")


def check_language(language, line):
    codes = [code for code, _name in LANGUAGE_CHOICES]
    if language not in codes:
        raise ImportFormatError(
            line, f"“language” must be one of {', '.join(codes)}, not “{language[:20]}”."
        )


def decode(data):
    """The text of an uploaded or read file, refusing what is not a text file."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportFormatError(
            None, f"the file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,} bytes."
        )
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ImportFormatError(line, "this is a binary file, not text.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFormatError(
            line, f"not UTF-8 text (byte {error.start + 1} cannot be read); save it as UTF-8."
        ) from None
    if not text.strip():
        raise ImportFormatError(None, "the file is empty.")
    return text.replace("\r\n", "\n").replace("\r", "\n")
