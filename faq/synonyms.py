"""Synonym groups editors manage in the admin, applied to readers' queries.

A query is a list of word tokens (faq.search.terms). Each run of tokens that
spells a term of a group ("driver s license", "ice") becomes a *slot* holding
every term of that group, and a document matches the slot when it contains any
of them, each as a phrase. Tokens in no group are slots of one term. The groups
are read on every search (one small query), so an edit in the admin applies to
the next search, on every app server, with no reindexing.
"""

from .search import terms as query_terms
from .search import without_accents
from .search_models import DEFAULT_LANGUAGE, SynonymGroup


def groups(language=DEFAULT_LANGUAGE):
    """The language's groups, each a list of terms, each term a tuple of tokens."""
    rows = SynonymGroup.objects.filter(language=language).order_by().values_list("terms", flat=True)
    result = []
    for text in rows:
        group = [tuple(query_terms(term)) for term in text.split(",")]
        group = list(dict.fromkeys(term for term in group if term))
        if len(group) > 1:
            result.append(group)
    return result


def expand(tokens, synonym_groups=()):
    """The query's slots: [[("ice",), ("immigration", "enforcement")], [("see",)], …].

    The longest term found at each position wins, so "driver's license" is read
    as one term, not as "license" after "driver s". Terms are found whatever
    their accents ("direccion" is "dirección"): readers on phones often leave them out.
    """
    index = {}
    for group in synonym_groups:
        for term in group:
            index.setdefault(_folded(term), group)
    longest = max((len(term) for term in index), default=0)
    slots, position = [], 0
    while position < len(tokens):
        for size in range(min(longest, len(tokens) - position), 0, -1):
            term = _folded(tokens[position : position + size])
            if term in index:
                slots.append(list(index[term]))
                position += size
                break
        else:
            slots.append([(tokens[position],)])
            position += 1
    return slots


def _folded(tokens):
    return tuple(without_accents(token) for token in tokens)


def known_terms(synonym_groups):
    """Every single-word term of the groups, without accents: spelling
    suggestions leave them alone."""
    return {_folded(term)[0] for group in synonym_groups for term in group if len(term) == 1}
