"""Word-level differences between two texts, marked up for people.

Used by the admin's compare, revert and conflict pages and by the public
change log. Deletions are wrapped in <del> and insertions in <ins>, and each
starts with visually hidden text ("removed:", "added:") because screen
readers do not announce the elements themselves and colour alone is not
enough (WCAG 1.4.1). With `marks=PLAIN` the same differences are plain text
for a terminal (import_guide --dry-run): [-removed-] {+added+}.
"""

import difflib
import re

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

# A word is a run of non-space characters; the whitespace after it stays
# attached, so line breaks and paragraphs survive in the marked-up output.
TOKEN = re.compile(r"\S+\s*|\s+")
LINE = re.compile(r"[^\n]*\n|[^\n]+")


def gap():
    """What stands for unchanged text left out, in the reader's language."""
    return format_html('<span class="diff-gap">{}</span>', gettext("[… unchanged text …]"))


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text or "")


def marked(tag, text):
    """`text` escaped inside <del> or <ins>, with words a screen reader announces."""
    # Translators: read out by screen readers before removed and added words.
    label = gettext("removed:") if tag == "del" else gettext("added:")
    return format_html('<{}><span class="visually-hidden">{} </span>{}</{}>', tag, label, text, tag)


class HTML:
    """Differences for a page: escaped, <del>/<ins>, a marked gap."""

    text = staticmethod(escape)
    mark = staticmethod(marked)
    gap = staticmethod(gap)

    @staticmethod
    def join(parts, separator=""):
        return mark_safe(separator.join(parts))  # noqa: S308 -- every piece is escaped


class PLAIN:
    """Differences for a terminal: [-removed-] {+added+}, … for a gap."""

    text = staticmethod(str)
    gap = staticmethod(lambda: "… ")

    @staticmethod
    def mark(tag, text):
        return f"[-{text}-]" if tag == "del" else f"{{+{text}+}}"

    @staticmethod
    def join(parts, separator=""):
        return separator.join(parts)


def word_diff(old: str, new: str, context: int | None = None, marks=HTML) -> SafeString:
    """`new` as HTML, with words removed since `old` in <del> and added ones in <ins>.

    Comparison ignores differences in the whitespace between words, so a
    re-wrapped paragraph is not reported as rewritten. Lines are matched first
    and words only inside changed stretches, which keeps a long answer with a
    few edits fast. With `context`, unchanged stretches keep only that many
    words on each side of a change, so a one-word fix in a long answer stays
    short.
    """
    segments = merged(changed_segments(old, new))
    parts = []
    for index, (operation, text_tokens) in enumerate(segments):
        if operation == "equal":
            first, last = index == 0, index == len(segments) - 1
            parts.append(unchanged(text_tokens, context, first, last, marks))
        else:
            following = segments[index + 1][0] if index + 1 < len(segments) else None
            parts.append(changed(operation, "".join(text_tokens), following, marks))
    return marks.join(parts)


def changed(operation, text, following, marks=HTML):
    """A removed or added stretch, marked without its trailing whitespace.

    A removal and the addition that replaces it are parted by one space, so
    "four eight" never runs together as "foureight".
    """
    words = text.rstrip()
    trailing = text[len(words) :]
    if not words:
        return marks.text(text) if operation == "insert" else ""
    if operation == "delete" and following == "insert":
        trailing = " "
    return marks.mark("del" if operation == "delete" else "ins", words) + marks.text(trailing)


def changed_segments(old, new):
    """(operation, tokens) pairs: "equal", "delete" or "insert", in reading order."""
    old_lines, new_lines = LINE.findall(old or ""), LINE.findall(new or "")
    for operation, old_from, old_to, new_from, new_to in opcodes(old_lines, new_lines):
        if operation == "equal":
            yield "equal", tokens("".join(new_lines[new_from:new_to]))
            continue
        old_tokens = tokens("".join(old_lines[old_from:old_to]))
        new_tokens = tokens("".join(new_lines[new_from:new_to]))
        for word_op, o_from, o_to, n_from, n_to in opcodes(old_tokens, new_tokens):
            if word_op == "equal":
                yield "equal", new_tokens[n_from:n_to]
                continue
            if o_to > o_from:
                yield "delete", old_tokens[o_from:o_to]
            if n_to > n_from:
                yield "insert", new_tokens[n_from:n_to]


def merged(segments):
    """Join neighbouring segments of the same kind, so context is counted once."""
    result = []
    for operation, text_tokens in segments:
        if result and result[-1][0] == operation:
            result[-1][1].extend(text_tokens)
        else:
            result.append((operation, list(text_tokens)))
    return result


def unchanged(text_tokens, context, first, last, marks=HTML):
    """Unchanged text, shortened to `context` words beside each change when asked."""
    if context is None or len(text_tokens) <= 2 * context + 10:
        return marks.text("".join(text_tokens))
    head = [] if first else text_tokens[:context]
    tail = [] if last else text_tokens[-context:]
    return f"{marks.text(''.join(head))}{marks.gap()}{marks.text(''.join(tail))}"


def opcodes(old_items, new_items):
    """difflib's opcodes on whitespace-trimmed items. Past a size where an exact
    match gets slow, difflib's "autojunk" heuristic keeps it quick."""
    exact = len(old_items) * len(new_items) <= 4_000_000
    matcher = difflib.SequenceMatcher(
        None, [i.strip() for i in old_items], [i.strip() for i in new_items], autojunk=not exact
    )
    return matcher.get_opcodes()


def list_diff(old: list[str], new: list[str], marks=HTML) -> SafeString:
    """Two lists (topics, sources) as one: kept items, then <del>removed</del>, <ins>added</ins>."""
    old_set, new_set = set(old), set(new)
    items = [("", item) for item in new if item in old_set]
    items += [("del", item) for item in old if item not in new_set]
    items += [("ins", item) for item in new if item not in old_set]
    return marks.join(
        (marks.mark(tag, item) if tag else marks.text(item) for tag, item in items), ", "
    )


def has_changes(old: str, new: str) -> bool:
    return [t.strip() for t in tokens(old)] != [t.strip() for t in tokens(new)]
