"""Which published questions match a query, ranked best first, in either language.

One class for both languages and both databases: a language differs only in
its index table, its PostgreSQL text search configuration and, on SQLite, in
how a query word becomes an index word (Spanish words are stemmed in Python,
faq/search_languages.py) and how snippets are cut. So synonyms, spelling help
and the ranking tiers work the same in English and in Spanish.
"""

import functools

from django.db import connection

from .search import MARK_END, MARK_START, SNIPPET_WORDS, TABLE, is_postgresql
from .search_models import DEFAULT_LANGUAGE

# Rows past the end of a page whose relevance may tie with the page's last.
TIE_MARGIN = 50
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


@functools.cache
def published_ids_sql(language):
    """The SQL of one language's published questions' ids, compiled once per
    process: compiling a queryset costs more than running a search on SQLite."""
    from .models import Question

    published = Question.objects.published().filter(language=language).order_by().values("pk")
    sql, params = published.query.sql_with_params()
    return sql, tuple(params)


class Matches:
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
        self.published_sql, self.published_params = published_ids_sql(self.language)

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
    def fts5_expression(self, match_all=None):
        match_all = self.match_all if match_all is None else match_all
        parts = [self.fts5_slot(slot) for slot in self.slots]
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
    def tsquery(self, match_all=None):
        match_all = self.match_all if match_all is None else match_all
        sql, params = [], []
        for slot in self.slots:
            pieces = [self.phrase_tsquery()] * len(slot)
            sql.append(f"({' || '.join(pieces)})")
            params.extend(" ".join(term) for term in slot)
        return f"({(' && ' if match_all else ' || ').join(sql)})", params

    def query_text(self):
        """The SQLite MATCH expression (the PostgreSQL query is tsquery())."""
        return self.fts5_expression()

    def where(self):
        if is_postgresql():
            query_sql, query_params = self.tsquery()
            sql = f"document @@ {query_sql} AND question_id IN ({self.published_sql})"
            return sql, [*query_params, *self.published_params]
        # The unary plus keeps SQLite from handing the IN list to FTS5 as
        # a rowid constraint, which re-runs the MATCH once per published
        # question (seconds at 10,000 questions instead of milliseconds).
        sql = f"{self.table} MATCH %s AND +rowid IN ({self.published_sql})"
        return sql, [self.query_text(), *self.published_params]

    def count(self):
        if not self.slots:
            return 0
        where, params = self.where()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {self.table} WHERE {where}", params)
            return cursor.fetchone()[0]

    def page(self, offset, limit):
        """(total, [(question_id, snippet), ...]) in one pass over the matches.

        The total comes from a window count over the same scan that ranks, so
        a page costs one scan, not a count and then a ranking. It is 0 when
        the offset is past the end.
        """
        if not self.slots:
            return 0, []
        if is_postgresql():
            return self._page_postgresql(offset, limit)
        return self._page_sqlite(offset, limit)

    def _tiers_postgresql(self):
        """An SQL expression ranking the tiers (lowest first), and its parameters."""
        near_text = self.near_tsquery_text()
        near = f"question_words @@ to_tsquery('{self.all_words_configuration}', %s)"
        if not self.match_all:
            missing = " + ".join(
                f"CASE WHEN document @@ ({' || '.join([self.phrase_tsquery()] * len(slot))}) "
                "THEN 0 ELSE 1 END"
                for slot in self.slots
            )
            params = [" ".join(term) for slot in self.slots for term in slot]
            if not near_text:
                return f"({missing})", params
            return f"({missing}) * 2 + CASE WHEN {near} THEN 0 ELSE 1 END", [*params, near_text]
        in_question = "ts_filter(document, '{a}')"
        every_slot, params = self.tsquery(match_all=True)
        tests, tier_params = [], []
        phrase = self.phrase_tsquery()
        if self.phrase:
            tests.append(f"{in_question} @@ {phrase}")
            tier_params.append(" ".join(self.phrase))
        tests.append(f"{in_question} @@ {every_slot}")
        tier_params.extend(params)
        if self.phrase:
            tests.append(f"document @@ {phrase}")
            tier_params.append(" ".join(self.phrase))
        if near_text:
            tests.append(near)
            tier_params.append(near_text)
        whens = " ".join(f"WHEN {test} THEN {tier}" for tier, test in enumerate(tests))
        return f"CASE {whens} ELSE {len(tests)} END", tier_params

    def _page_postgresql(self, offset, limit):
        where, params = self.where()
        query_sql, query_params = self.tsquery()
        tiers, tier_params = self._tiers_postgresql()
        options = (
            f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, "
            'MinWords=15, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "'
        )
        sql = f"""
            WITH q AS (SELECT {query_sql} AS query),
            matches AS (
                SELECT question_id, body, ts_rank_cd(document, (SELECT query FROM q)) AS rank,
                       {tiers} AS tier
                FROM {self.table} WHERE {where}
            ),
            best AS (
                SELECT question_id, body, rank, tier, COUNT(*) OVER () AS total
                FROM matches ORDER BY tier, rank DESC LIMIT %s
            ),
            page AS (
                SELECT b.question_id, b.body, b.rank, b.tier, b.total, a.notable_change_at
                FROM best b LEFT JOIN faq_answer a ON a.question_id = b.question_id
                ORDER BY b.tier, b.rank DESC, a.notable_change_at DESC NULLS LAST, b.question_id
                LIMIT %s OFFSET %s
            )
            SELECT question_id, total,
                   ts_headline('{self.configuration}', body, (SELECT query FROM q), %s)
            FROM page ORDER BY tier, rank DESC, notable_change_at DESC NULLS LAST, question_id
        """
        with connection.cursor() as cursor:
            window = offset + limit + TIE_MARGIN
            cursor.execute(
                sql, [*query_params, *tier_params, *params, window, limit, offset, options]
            )
            rows = cursor.fetchall()
        total = rows[0][1] if rows else 0
        return total, [(pk, snippet) for pk, _, snippet in rows]

    def _tiers_sqlite(self):
        """An SQL expression ranking the tiers (lowest first), and its parameters."""
        has = f"rowid IN (SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s)"
        near = self.fts5_near()
        if not self.match_all:
            slots = [self.fts5_slot(slot) for slot in self.slots]
            missing = " + ".join(f"CASE WHEN {has} THEN 0 ELSE 1 END" for _slot in slots)
            if not near:
                return f"({missing})", slots
            return f"({missing}) * 2 + CASE WHEN {has} THEN 0 ELSE 1 END", [*slots, near]
        tests = []
        if self.phrase:
            tests.append(f"question : {self.fts5_phrase(self.phrase)}")
        tests.append(f"question : ({self.fts5_expression(match_all=True)})")
        if self.phrase:
            tests.append(self.fts5_phrase(self.phrase))
        if near:
            tests.append(near)
        whens = " ".join(f"WHEN {has} THEN {tier}" for tier in range(len(tests)))
        return f"CASE {whens} ELSE {len(tests)} END", tests

    def _page_sqlite(self, offset, limit):
        where, params = self.where()
        tiers, tier_params = self._tiers_sqlite()
        # FTS5's bm25() and snippet() cannot sit beside a window function, so
        # rank in a subquery, then make snippets for the page's rows only.
        # The answers' dates break ties, so only the best rows (the page and
        # TIE_MARGIN more) are joined to them, not every match.
        ranked = f"""
            SELECT best.rowid, best.total FROM (
                SELECT rowid, score, tier, COUNT(*) OVER () AS total FROM (
                    SELECT rowid, bm25({self.table}, {self.bm25_weights}) AS score,
                           {tiers} AS tier
                    FROM {self.table} WHERE {where}
                ) ORDER BY tier, score LIMIT %s
            ) AS best LEFT JOIN faq_answer a ON a.question_id = best.rowid
            ORDER BY best.tier, best.score, a.notable_change_at DESC, best.rowid
            LIMIT %s OFFSET %s
        """
        with connection.cursor() as cursor:
            window = offset + limit + TIE_MARGIN
            cursor.execute(ranked, [*tier_params, *params, window, limit, offset])
            rows = cursor.fetchall()
            if not rows:
                return 0, []
            ids = [pk for pk, _ in rows]
            snippets = self.sqlite_snippets(cursor, ids)
        return rows[0][1], [(pk, snippets.get(pk, "")) for pk in ids]

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
