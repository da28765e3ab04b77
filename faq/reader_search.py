"""What the search page shows a reader: synonyms, then spelling help.

1. The query, widened by the language's synonym groups (faq/synonyms.py).
2. No answer has all its words, and a spelling correction has answers with
   all of its words (or the query found nothing at all and the correction
   finds something): the page shows the correction's results at once and says
   so ("Showing results for …"). A correction that only finds some of its
   words, for a query that also found some, is offered as in 3.
3. Fewer than FEW_RESULTS answers: a correction with more results is offered
   as a link ("Did you mean …?").

A correction is only used when its results are published answers, so a
suggested word is always one readers can already read. English and Spanish
take the same path, each with its own index, vocabulary and synonym groups.
"""

from dataclasses import dataclass

from .search import SearchResult, search, terms
from .search_matches import matches_class
from .search_models import DEFAULT_LANGUAGE
from .stopwords import content_words
from .suggest import correct
from .synonyms import expand, groups, known_terms

FEW_RESULTS = 3


@dataclass
class ReaderSearch:
    result: SearchResult
    # The query whose results are shown: the reader's, or its correction.
    shown_query: str
    # Set when the results are for a correction of this query.
    corrected_from: str = ""
    # A correction to offer as a link, when the reader's query found little.
    suggestion: str = ""

    @property
    def found(self):
        return bool(self.result.page.paginator.count)


def find(query, page_number=1, per_page=10, language=DEFAULT_LANGUAGE):
    synonym_groups = groups(language)
    # Checked before searching, whatever the results, so the page's query count
    # depends on the query's words, never on how much content there is.
    correction = correct(terms(query), language, keep=known_terms(synonym_groups))
    result = search(query, page_number, per_page, synonym_groups, language)
    count = result.page.paginator.count
    if not correction or (result.matched_all and count >= FEW_RESULTS):
        return ReaderSearch(result, query)
    corrected_query = " ".join(correction)
    slots = expand(content_words(correction, language), synonym_groups)
    matches = matches_class(language)
    if count and result.matched_all:
        if matches(slots, match_all=True).count() > count:
            return ReaderSearch(result, query, suggestion=corrected_query)
        return ReaderSearch(result, query)
    # Asking whether anything matches first: ranking (or even counting)
    # thousands of partial matches only to decide whether to offer a link
    # would double the cost of this page.
    if count and not matches(slots, match_all=True).exists():
        if matches(slots, match_all=False).exists():
            # Only some words match either way: the reader chooses.
            return ReaderSearch(result, query, suggestion=corrected_query)
        return ReaderSearch(result, query)
    corrected = search(corrected_query, page_number, per_page, synonym_groups, language)
    if corrected.page.paginator.count:
        return ReaderSearch(corrected, corrected_query, corrected_from=query)
    return ReaderSearch(result, query)
