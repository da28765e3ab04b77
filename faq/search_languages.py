"""Search in Spanish: Spanish stemming and accent-insensitive matching.

English search (faq/search.py) is unchanged. Spanish questions are indexed
in a table of their own, `faq_search_index_es`, created by migration 0006:

- PostgreSQL: a `faq_spanish` text search configuration, a copy of the
  built-in `spanish` one whose words go through `unaccent` before the Spanish
  Snowball stemmer, so "informacion" and "información" are one word and
  ts_headline() still highlights the words as written.
- SQLite: FTS5 has no Spanish stemmer, so the text is stemmed here before it
  is indexed, with the Snowball Spanish stemmer (snowballstemmer) on words
  whose accents are removed first; the query's words are stemmed the same
  way. The plain text is kept in an unindexed column for snippets, which are
  made here from the words whose stem matched.

"licencia" finds "licencias" and "informacion" finds "información" on both.
"""

import functools
import re
import unicodedata

import snowballstemmer
from django.db import connection

from .languages import SPANISH
from .search import (
    CONTROL,
    MARK_END,
    MARK_START,
    SNIPPET_WORDS,
    is_postgresql,
    ranked_page,
    terms,
)

TABLE = "faq_search_index_es"
CONFIGURATION = "faq_spanish"
WORD = re.compile(r"[^\W_]+")

CREATE = {
    "sqlite": [
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
        "question, body, plain UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')"
    ],
    "postgresql": [
        # Trusted since PostgreSQL 13: a database owner may create it.
        "CREATE EXTENSION IF NOT EXISTS unaccent",
        f"CREATE TEXT SEARCH CONFIGURATION {CONFIGURATION} (COPY = pg_catalog.spanish)",
        f"ALTER TEXT SEARCH CONFIGURATION {CONFIGURATION} "
        "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem",
        f"CREATE TABLE {TABLE} (question_id bigint PRIMARY KEY, "
        "question text NOT NULL, body text NOT NULL, document tsvector NOT NULL)",
        f"CREATE INDEX {TABLE}_document ON {TABLE} USING GIN (document)",
    ],
}
DROP = {
    "sqlite": [f"DROP TABLE IF EXISTS {TABLE}"],
    "postgresql": [
        f"DROP TABLE IF EXISTS {TABLE}",
        f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIGURATION}",
    ],
}

_stemmer = snowballstemmer.stemmer("spanish")


def without_accents(word):
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@functools.lru_cache(maxsize=50_000)
def stem(word):
    """A word's search form: lower case, accents removed, then Snowball-stemmed."""
    return _stemmer.stemWord(without_accents(word.lower()))


def stemmed(text):
    return " ".join(stem(word) for word in WORD.findall(text))


def index_question(question_id, text, body):
    """Write one Spanish question's row (insert or replace); text and body are plain."""
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute(
                f"""
                INSERT INTO {TABLE} (question_id, question, body, document)
                VALUES (%s, %s, %s,
                        setweight(to_tsvector('{CONFIGURATION}', %s), 'A')
                        || setweight(to_tsvector('{CONFIGURATION}', %s), 'B'))
                ON CONFLICT (question_id) DO UPDATE SET
                    question = EXCLUDED.question, body = EXCLUDED.body,
                    document = EXCLUDED.document
                """,
                [question_id, text, body, text, body],
            )
        else:
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid = %s", [question_id])
            cursor.execute(
                f"INSERT INTO {TABLE} (rowid, question, body, plain) VALUES (%s, %s, %s, %s)",
                [question_id, stemmed(text), stemmed(body), body],
            )


def remove_question(question_id):
    with connection.cursor() as cursor:
        column = "question_id" if is_postgresql() else "rowid"
        cursor.execute(f"DELETE FROM {TABLE} WHERE {column} = %s", [question_id])


def clear():
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")


def snippet(text, stems, words=SNIPPET_WORDS):
    """About `words` words of `text` around the most matching words, each
    matching word between the highlight markers (search.highlight makes HTML)."""
    found = list(WORD.finditer(text))
    if not found:
        return ""
    matching = [stem(match.group()) in stems for match in found]
    best_start, best_count = 0, -1
    for start in range(max(1, len(found) - words + 1)):
        count = sum(matching[start : start + words])
        if count > best_count:
            best_start, best_count = start, count
    window = range(best_start, min(best_start + words, len(found)))
    parts, position = [], found[window[0]].start()
    for index in window:
        match = found[index]
        parts.append(text[position : match.start()])
        word = match.group()
        parts.append(f"{MARK_START}{word}{MARK_END}" if matching[index] else word)
        position = match.end()
    prefix = "…" if window[0] > 0 else ""
    suffix = "…" if window[-1] < len(found) - 1 else ""
    return prefix + " ".join("".join(parts).split()) + suffix


class SpanishMatches:
    """Published Spanish questions matching every (or any) query word, best first."""

    def __init__(self, tokens, match_all):
        from .models import Question

        self.tokens = tokens
        self.match_all = match_all
        published = Question.objects.published().filter(language=SPANISH).order_by().values("pk")
        self.published_sql, self.published_params = published.query.sql_with_params()

    def stems(self):
        return list(dict.fromkeys(stem(token) for token in self.tokens if stem(token)))

    def query_text(self):
        if is_postgresql():
            return (" " if self.match_all else " or ").join(self.tokens)
        joiner = " AND " if self.match_all else " OR "
        return joiner.join(f'"{token}"' for token in self.stems())

    def where(self):
        if is_postgresql():
            condition = f"document @@ websearch_to_tsquery('{CONFIGURATION}', %s)"
            column = "question_id"
        else:
            # "+rowid": see search.Matches.where().
            condition, column = f"{TABLE} MATCH %s", "+rowid"
        sql = f"{condition} AND {column} IN ({self.published_sql})"
        return sql, [self.query_text(), *self.published_params]

    def count(self):
        where, params = self.where()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {TABLE} WHERE {where}", params)
            return cursor.fetchone()[0]

    def page(self, offset, limit):
        if not self.stems():
            return 0, []
        if is_postgresql():
            return self._page_postgresql(offset, limit)
        return self._page_sqlite(offset, limit)

    def _page_postgresql(self, offset, limit):
        where, params = self.where()
        options = (
            f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, "
            'MinWords=15, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "'
        )
        sql = f"""
            WITH q AS (SELECT websearch_to_tsquery('{CONFIGURATION}', %s) AS query),
            matches AS (
                SELECT question_id, body, ts_rank_cd(document, (SELECT query FROM q)) AS rank
                FROM {TABLE} WHERE {where}
            ),
            page AS (
                SELECT question_id, body, rank, COUNT(*) OVER () AS total
                FROM matches ORDER BY rank DESC, question_id LIMIT %s OFFSET %s
            )
            SELECT question_id, total,
                   ts_headline('{CONFIGURATION}', body, (SELECT query FROM q), %s)
            FROM page ORDER BY rank DESC, question_id
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.query_text(), *params, limit, offset, options])
            rows = cursor.fetchall()
        total = rows[0][1] if rows else 0
        return total, [(pk, text) for pk, _, text in rows]

    def _page_sqlite(self, offset, limit):
        where, params = self.where()
        ranked = f"""
            SELECT rowid, plain, COUNT(*) OVER () FROM (
                SELECT rowid, plain, bm25({TABLE}, 5.0, 1.0, 0.0) AS score
                FROM {TABLE} WHERE {where}
            ) ORDER BY score, rowid LIMIT %s OFFSET %s
        """
        with connection.cursor() as cursor:
            cursor.execute(ranked, [*params, limit, offset])
            rows = cursor.fetchall()
        if not rows:
            return 0, []
        stems = set(self.stems())
        return rows[0][2], [(pk, snippet(plain, stems)) for pk, plain, _ in rows]


def search(query, page_number=1, per_page=10):
    """search.search() for Spanish content: every word, else any word; a page
    past the end shows the last page."""
    tokens = [token for token in terms(CONTROL.sub(" ", query or "")) if stem(token)]
    return ranked_page(
        lambda match_all: SpanishMatches(tokens, match_all), tokens, page_number, per_page
    )
