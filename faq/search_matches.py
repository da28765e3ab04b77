"""Which published questions match a query, ranked best first, in either language.

One class for both languages and both databases: a language differs only in
its index table, its PostgreSQL text search configuration and, on SQLite, in
how a query word becomes an index word (Spanish words are stemmed in Python,
faq/search_languages.py) and how snippets are cut. So synonyms, spelling help
and the ranking tiers work the same in English and in Spanish.
"""

from django.db import connection

from .search import MARK_END, MARK_START, SNIPPET_WORDS, TABLE, is_postgresql
from .search_models import DEFAULT_LANGUAGE
from .search_partial import PartialMatching

# Rows past the end of a page whose relevance may tie with the page's last.
TIE_MARGIN = 50
# Relevance (bm25, ts_rank_cd) is what costs in a search, so it is computed for
# at most this many questions of each tier, the newest; the rest of a larger
# tier follows them, newest first. Below it, every match is ranked: a search
# where thousands of answers share one common word costs what one with a few
# hundred does (issue 15: search within 50 ms at 100,000 questions).
RESCORE_WINDOW = 300
# Two of the reader's words count as near in a question with at most this
# many words between them ("can … ICE" in "data that can be shared with ICE").
NEAR_WORDS = 3

# PostgreSQL's configurations drop common words, so the near-words tier reads
# a column of its own: the question's words stemmed as usual but all kept.
# Created by migration 0013 (SQLite's FTS5 indexes keep every word already).
CREATE_ALL_WORDS = {
    "sqlite": [],
    "postgresql": [
        "CREATE TEXT SEARCH DICTIONARY faq_english_stem_all "
        "(TEMPLATE = snowball, Language = english)",
        "CREATE TEXT SEARCH CONFIGURATION faq_english_all (COPY = pg_catalog.english)",
        "ALTER TEXT SEARCH CONFIGURATION faq_english_all ALTER MAPPING FOR "
        "asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH faq_english_stem_all",
        "CREATE TEXT SEARCH DICTIONARY faq_spanish_stem_all "
        "(TEMPLATE = snowball, Language = spanish)",
        "CREATE TEXT SEARCH CONFIGURATION faq_spanish_all (COPY = faq_spanish)",
        "ALTER TEXT SEARCH CONFIGURATION faq_spanish_all ALTER MAPPING FOR "
        "asciiword, asciihword, hword_asciipart, word, hword, hword_part "
        "WITH unaccent, faq_spanish_stem_all",
        "ALTER TABLE faq_search_index ADD COLUMN question_words tsvector NOT NULL DEFAULT ''",
        "UPDATE faq_search_index SET question_words = to_tsvector('faq_english_all', question)",
        "ALTER TABLE faq_search_index_es ADD COLUMN question_words tsvector NOT NULL DEFAULT ''",
        "UPDATE faq_search_index_es SET question_words = to_tsvector('faq_spanish_all', question)",
    ],
}
DROP_ALL_WORDS = {
    "sqlite": [],
    "postgresql": [
        "ALTER TABLE faq_search_index DROP COLUMN IF EXISTS question_words",
        "ALTER TABLE faq_search_index_es DROP COLUMN IF EXISTS question_words",
        "DROP TEXT SEARCH CONFIGURATION IF EXISTS faq_english_all",
        "DROP TEXT SEARCH DICTIONARY IF EXISTS faq_english_stem_all",
        "DROP TEXT SEARCH CONFIGURATION IF EXISTS faq_spanish_all",
        "DROP TEXT SEARCH DICTIONARY IF EXISTS faq_spanish_stem_all",
    ],
}


def visible_sql(id_column):
    """A condition that the question `id_column` names is not hidden in the
    search's language (faq/search_public.py): the few drafts and questions of
    unpublished guides are read once, where a look-up per public question cost
    more than the search itself at 10,000 matches on both databases. On SQLite
    the unary plus keeps the list from FTS5, which would take it as rowid
    constraints and re-run the MATCH once per id."""
    return f"{'' if is_postgresql() else '+'}{id_column} NOT IN ({hidden_ids_sql()})"


def hidden_ids_sql():
    """The ids of a language's hidden questions, by the index on (language,
    public): SQLite reads `NOT public` through the language alone, all of its
    rows (10 ms a statement at 100,000 questions)."""
    from .search_models import SearchVisibility

    table = SearchVisibility._meta.db_table
    return f"SELECT question_id FROM {table} WHERE language = %s AND public = FALSE"


class Matches(PartialMatching):
    """The published questions matching every (or any) slot of a query, ranked best first.

    A slot is a list of alternative terms, each a tuple of tokens matched as a
    phrase (faq/synonyms.py); a query without synonyms has one term per slot.
    Ranking, best first, in tiers:

    - when every slot matched: the whole query as a phrase in the question,
      every slot in the question, the whole phrase in the answer, two of the
      reader's consecutive words near each other in the question, the rest;
    - when only some did: the answers with more of the slots first, and among
      as many, those with two of the reader's consecutive words near each
      other in the question.

    "The reader's words" include common ones: readers type questions, and
    "can ICE" asked is "… can be shared with ICE" written, while the common
    words are never required to match. Inside each tier by bm25 (SQLite) or
    ts_rank_cd (PostgreSQL), with the question's wording weighted above the
    answer; then the answer whose last notable change is most recent.
    """

    language = DEFAULT_LANGUAGE
    table = TABLE
    configuration = "english"  # PostgreSQL
    # PostgreSQL: the same stemming keeping common words, for the near-words
    # tier (the index's question_words column; migration 0013).
    all_words_configuration = "faq_english_all"
    bm25_weights = "5.0, 1.0"  # SQLite: question, answer

    def __init__(self, slots, match_all, phrase=()):
        self.slots = slots
        self.match_all = match_all
        # A phrase of one word says no more than "every slot in the question".
        self.phrase = tuple(phrase) if len(phrase) > 1 else ()

    @staticmethod
    def id_column():
        return "question_id" if is_postgresql() else "rowid"

    @staticmethod
    def plain_body_column():
        """The index column holding the answer as plain text."""
        return "body"

    def index_word(self, token):
        """A query token as the SQLite index holds it (FTS5 stems English itself)."""
        return token

    def fts5_phrase(self, tokens):
        return f'"{" ".join(self.index_word(token) for token in tokens)}"'

    def fts5_slot(self, slot):
        phrases = [self.fts5_phrase(term) for term in slot]
        return phrases[0] if len(phrases) == 1 else f"({' OR '.join(phrases)})"

    # SQLite: an FTS5 MATCH expression of quoted phrases.
    def fts5_expression(self, match_all=None, slots=None):
        match_all = self.match_all if match_all is None else match_all
        parts = [self.fts5_slot(slot) for slot in slots or self.slots]
        return (" AND " if match_all else " OR ").join(parts)

    def near_pairs(self):
        """The reader's consecutive words, two by two, unless both are common words."""
        from .stopwords import STOPWORDS

        common = STOPWORDS.get(self.language, frozenset())
        pairs = zip(self.phrase, self.phrase[1:], strict=False)
        return [(a, b) for a, b in pairs if not (a in common and b in common)]

    def fts5_near(self):
        """A MATCH of questions holding a near pair, or None."""
        groups = [
            f"NEAR({self.fts5_phrase((a,))} {self.fts5_phrase((b,))}, {NEAR_WORDS})"
            for a, b in self.near_pairs()
        ]
        return f"question : ({' OR '.join(groups)})" if groups else None

    def near_tsquery_text(self):
        """to_tsquery() text of a near pair, either way round, or None. The words
        are \\w+ tokens, quoted, so they cannot be tsquery syntax."""
        pieces = [
            f"'{first}' <{distance}> '{second}'"
            for a, b in self.near_pairs()
            for first, second in ((a, b), (b, a))
            for distance in range(1, NEAR_WORDS + 2)
        ]
        return " | ".join(pieces) or None

    def phrase_tsquery(self):
        return f"phraseto_tsquery('{self.configuration}', %s)"

    # PostgreSQL: a tsquery built with && and || from phraseto_tsquery() pieces,
    # so user text is only ever a parameter.
    def tsquery(self, match_all=None, slots=None):
        match_all = self.match_all if match_all is None else match_all
        sql, params = [], []
        for slot in slots or self.slots:
            pieces = [self.phrase_tsquery()] * len(slot)
            sql.append(f"({' || '.join(pieces)})")
            params.extend(" ".join(term) for term in slot)
        return f"({(' && ' if match_all else ' || ').join(sql)})", params

    def query_text(self):
        """The SQLite MATCH expression (the PostgreSQL query is tsquery())."""
        return self.fts5_expression()

    def where(self, slots=None):
        """The condition of a match over `slots` (default: member_slots()); on
        PostgreSQL, over those postgresql_with() was given."""
        if is_postgresql():
            # The query is built once, in the CTE q (postgresql_with()).
            visible = visible_sql(f"{self.table}.question_id")
            return f"document @@ (SELECT member FROM q) AND {visible}", [self.language]
        visible = visible_sql(f"{self.table}.rowid")
        member = self.fts5_expression(slots=slots or self.member_slots())
        return f"{self.table} MATCH %s AND {visible}", [member, self.language]

    def count(self):
        if together := self.common_together():
            if total := together.count():
                return total
            self.common_apart()
        return self._aggregate("COUNT(*)", "", self.member_slots())

    def exists(self):
        """Whether anything matches: the database stops at the first match. A
        match of any slot will do: a telling slot makes one whenever any does."""
        return bool(self._aggregate("1", "LIMIT 1", self.slots))

    def _aggregate(self, column, limit, slots):
        if not self.slots:
            return 0
        where, params = self.where(slots)
        with_sql, with_params = self.postgresql_with([], slots) if is_postgresql() else ("", [])
        with connection.cursor() as cursor:
            cursor.execute(
                f"{with_sql} SELECT {column} FROM {self.table} WHERE {where} {limit}",
                [*with_params, *params],
            )
            row = cursor.fetchone()
        return row[0] if row else 0

    def page(self, offset, limit):
        """(total, [(question_id, snippet), ...]) in one pass over the matches.

        The total comes from a window count over the same scan that ranks, so
        a page costs one scan, not a count and then a ranking. It is 0 when
        the offset is past the end.
        """
        if not self.slots:
            return 0, []
        if together := self.common_together():
            total, rows = together.page(offset, limit)
            if total:
                return total, rows
            self.common_apart()
        if is_postgresql():
            from . import search_postgresql

            return search_postgresql.page(self, offset, limit)
        from . import search_sqlite

        return search_sqlite.page(self, offset, limit)

    def postgresql_with(self, tsqueries, member_slots=None):
        """`WITH q AS (…)`: the query (for relevance), the match condition over
        `member_slots` (default: member_slots()) and each of `tsqueries` ((SQL,
        params) pairs, as columns t0, t1, …), built once per search. Written
        inside the per-match expressions, PostgreSQL built them again for
        every match (a tenth of a second at 10,000 matches)."""
        query_sql, params = self.tsquery()
        member_sql, member_params = self.tsquery(slots=member_slots or self.member_slots())
        columns = [f"{query_sql} AS query", f"{member_sql} AS member"]
        params = [*params, *member_params]
        for index, (sql, query_params) in enumerate(tsqueries):
            columns.append(f"{sql} AS t{index}")
            params = [*params, *query_params]
        return f"WITH q AS (SELECT {', '.join(columns)})", params

    def slot_tsquery(self, slot):
        return f"({' || '.join([self.phrase_tsquery()] * len(slot))})", [
            " ".join(term) for term in slot
        ]

    def sqlite_snippets(self, cursor, ids):
        """{question_id: snippet with highlight markers} for the page's rows."""
        cursor.execute(
            f"SELECT rowid, snippet({self.table}, 1, %s, %s, '…', {SNIPPET_WORDS}) "
            f"FROM {self.table} "
            f"WHERE {self.table} MATCH %s AND rowid IN ({', '.join(['%s'] * len(ids))})",
            [MARK_START, MARK_END, self.query_text(), *ids],
        )
        return dict(cursor.fetchall())


def matches_class(language=DEFAULT_LANGUAGE):
    """The Matches of a language's index."""
    from .languages import SPANISH

    if language == SPANISH:
        from .search_languages import SpanishMatches

        return SpanishMatches
    return Matches
