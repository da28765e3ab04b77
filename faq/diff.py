"""Word-level differences between two texts, marked up for people.

Used by the admin's compare, revert and conflict pages, and meant for the
public change log too. Deletions are wrapped in <del> and insertions in <ins>:
the elements carry the meaning for screen readers and for print, so colour
in the stylesheet is only a help, never the only signal.
"""

import difflib
import re

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

# A word is a run of non-space characters; the whitespace after it stays
# attached, so line breaks and paragraphs survive in the marked-up output.
TOKEN = re.compile(r"\S+\s*|\s+")
LINE = re.compile(r"[^\n]*\n|[^\n]+")


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text or "")


def word_diff(old: str, new: str) -> SafeString:
    """`new` as HTML, with words removed since `old` in <del> and added ones in <ins>.

    Comparison ignores differences in the whitespace between words, so a
    re-wrapped paragraph is not reported as rewritten. Lines are matched first
    and words only inside changed stretches, which keeps a long answer with a
    few edits fast.
    """
    old_lines, new_lines = LINE.findall(old or ""), LINE.findall(new or "")
    parts = []
    for operation, old_from, old_to, new_from, new_to in opcodes(old_lines, new_lines):
        if operation == "equal":
            parts.append(escape("".join(new_lines[new_from:new_to])))
        else:
            old_block = "".join(old_lines[old_from:old_to])
            new_block = "".join(new_lines[new_from:new_to])
            parts.append(diff_words(tokens(old_block), tokens(new_block)))
    return mark_safe("".join(parts))  # noqa: S308 -- every piece is escaped


def diff_words(old_tokens, new_tokens):
    parts = []
    for operation, old_from, old_to, new_from, new_to in opcodes(old_tokens, new_tokens):
        removed = "".join(old_tokens[old_from:old_to])
        added = "".join(new_tokens[new_from:new_to])
        if operation == "equal":
            parts.append(escape(added))
            continue
        if removed:
            parts.append(f"<del>{escape(removed)}</del>")
        if added:
            parts.append(f"<ins>{escape(added)}</ins>")
    return "".join(parts)


def opcodes(old_items, new_items):
    """difflib's opcodes on whitespace-trimmed items. Past a size where an exact
    match gets slow, difflib's "autojunk" heuristic keeps it quick."""
    exact = len(old_items) * len(new_items) <= 4_000_000
    matcher = difflib.SequenceMatcher(
        None, [i.strip() for i in old_items], [i.strip() for i in new_items], autojunk=not exact
    )
    return matcher.get_opcodes()


def list_diff(old: list[str], new: list[str]) -> SafeString:
    """Two lists (topics, sources) as one: kept items, then <del>removed</del>, <ins>added</ins>."""
    old_set, new_set = set(old), set(new)
    items = [("", item) for item in new if item in old_set]
    items += [("del", item) for item in old if item not in new_set]
    items += [("ins", item) for item in new if item not in old_set]
    if not items:
        return mark_safe("")
    return format_html_join(
        ", ",
        "{}",
        ((format_html("<{}>{}</{}>", tag, item, tag) if tag else item,) for tag, item in items),
    )


def has_changes(old: str, new: str) -> bool:
    return [t.strip() for t in tokens(old)] != [t.strip() for t in tokens(new)]
