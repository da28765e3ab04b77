"""What every import format parses to, and the limits every file is held to."""

from dataclasses import dataclass, field

from faq.models import MAX_ANSWER_LENGTH

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
    topics: list = field(default_factory=list)
    sources: list = field(default_factory=list)  # [{"title": …, "url": …}]
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
