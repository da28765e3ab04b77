"""Word-level differences between two versions of an answer, as safe HTML.

Insertions and deletions are marked with <ins> and <del>, and each starts
with visually hidden text ("added:", "removed:") because screen readers do
not announce the elements themselves, and colour alone is not enough
(WCAG 1.4.1).
"""

import re
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

TOKENS = re.compile(r"\s+|[^\s]+")


def _tokens(text):
    return TOKENS.findall(text or "")


def _marked(tag, label, tokens):
    text = escape("".join(tokens))
    return f'<{tag}><span class="visually-hidden">{label}: </span>{text}</{tag}>'


def _unchanged(tokens, context, first, last):
    """Unchanged text, shortened to `context` words beside each change when given."""
    words = sum(1 for token in tokens if not token.isspace())
    if context is None or words <= 2 * context + 10:
        return escape("".join(tokens))
    keep = 2 * context  # tokens alternate word, space
    head = [] if first else tokens[:keep]
    tail = [] if last else tokens[-keep:]
    gap = '<span class="diff-gap">[… unchanged text …]</span>'
    return f"{escape(''.join(head))}{gap}{escape(''.join(tail))}"


def word_diff(old, new, context=None) -> SafeString:
    """HTML showing how `old` became `new`, word by word; every piece is escaped.

    With `context`, unchanged stretches keep only that many words on each
    side of a change, so a one-word fix in a long answer stays short.
    """
    before, after = _tokens(old), _tokens(new)
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    opcodes = matcher.get_opcodes()
    parts = []
    for index, (operation, i1, i2, j1, j2) in enumerate(opcodes):
        if operation == "equal":
            first, last = index == 0, index == len(opcodes) - 1
            parts.append(_unchanged(before[i1:i2], context, first, last))
            continue
        if operation in ("delete", "replace"):
            parts.append(_marked("del", "removed", before[i1:i2]))
        if operation in ("insert", "replace"):
            parts.append(_marked("ins", "added", after[j1:j2]))
    return mark_safe("".join(parts))
