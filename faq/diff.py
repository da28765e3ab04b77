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


def word_diff(old, new) -> SafeString:
    """HTML showing how `old` became `new`, word by word; every piece is escaped."""
    before, after = _tokens(old), _tokens(new)
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    parts = []
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        if operation == "equal":
            parts.append(escape("".join(before[i1:i2])))
            continue
        if operation in ("delete", "replace"):
            parts.append(_marked("del", "removed", before[i1:i2]))
        if operation in ("insert", "replace"):
            parts.append(_marked("ins", "added", after[j1:j2]))
    return mark_safe("".join(parts))
