"""The seed article's plain-text format (../shared/seed/000_307d2ada83049313.txt):

    Categories Federal Government

    State DMV Data Sharing With ICE in Illinois

    1. What is the current policy …?

    1. Currently, in Illinois, …

    2. How does the process …?
    …

A question is a numbered line ending in "?" whose number is the next one due.
Answers hold their own numbered lists: they may start with "1." and run past
the next question's number, so a numbered line is a question only when it
ends in "?", carries the next question's number and follows a blank line.
"""

import re

from .document import GuideDocument, ImportFormatError, QuestionEntry, check_limits

CATEGORY = re.compile(r"^Categories (\S.*)$")
QUESTION = re.compile(r"^(\d+)\. (.+\?)$")
LIST_ITEM = re.compile(r"^(\d+)\. ")


def parse(text):
    lines = text.split("\n")
    match = CATEGORY.match(lines[0])
    if not match:
        raise ImportFormatError(1, "expected “Categories <category name>” as the first line.")
    category = match.group(1).strip()
    title_at = next((i for i in range(1, len(lines)) if lines[i].strip()), None)
    if title_at is None or QUESTION.match(lines[title_at]):
        raise ImportFormatError(
            (title_at or len(lines) - 1) + 1, "expected the guide's title after the category line."
        )
    questions, answer_lines, list_number = [], [], 0
    for index in range(title_at + 1, len(lines)):
        line, number = lines[index], index + 1
        question = QUESTION.match(line)
        after_blank = not lines[index - 1].strip()
        expected = len(questions) + 1
        if question and int(question.group(1)) == expected and after_blank:
            finish(questions, answer_lines)
            questions.append(QuestionEntry(expected, question.group(2), "", number))
            answer_lines, list_number = [], 0
            continue
        item = LIST_ITEM.match(line)
        if question and item and int(item.group(1)) not in (1, list_number + 1):
            raise ImportFormatError(
                number,
                f"“{line[:60]}” looks like question {question.group(1)}, "
                f"but question {expected} comes next.",
            )
        if not questions and line.strip():
            raise ImportFormatError(number, "expected question 1, a line such as “1. What …?”.")
        if item:
            list_number = int(item.group(1))
        answer_lines.append(line)
    if not questions:
        raise ImportFormatError(len(lines), "expected question 1, a line such as “1. What …?”.")
    finish(questions, answer_lines)
    document = GuideDocument(title=lines[title_at].strip(), category=category, questions=questions)
    check_limits(document)
    return document


def finish(questions, answer_lines):
    """Give the last question read its answer: the lines up to the next question."""
    if not questions:
        return
    entry = questions[-1]
    entry.answer = "\n".join(answer_lines).strip("\n")
    if not entry.answer.strip():
        raise ImportFormatError(
            entry.line, f"question {entry.number} has no answer (is the file cut short?)."
        )


def write(document):
    """The document in this format, as the seed article is written."""
    parts = [f"Categories {document.category}", document.title]
    for entry in document.questions:
        parts += [f"{entry.number}. {entry.text}", entry.answer]
    return "\n\n".join(parts) + "\n"
