"""Search in Spanish: Spanish stemming and accent-insensitive matching.

Spanish questions are indexed in a table of their own, `faq_search_index_es`,
created by migration 0010; they are searched, ranked, widened by synonyms and
spell-checked by the same code as English ones (SpanishMatches below is
search_matches.Matches with this table and these words):

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

import snowballstemmer
from django.db import connection

from .languages import SPANISH
from .search import MARK_END, MARK_START, SNIPPET_WORDS, is_postgresql, without_accents
from .search_matches import Matches

TABLE = "faq_search_index_es"
CONFIGURATION = "faq_spanish"
ALL_WORDS_CONFIGURATION = "faq_spanish_all"  # keeps common words (search_matches)
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
                INSERT INTO {TABLE} (question_id, question, body, document, question_words)
                VALUES (%s, %s, %s,
                        setweight(to_tsvector('{CONFIGURATION}', %s), 'A')
                        || setweight(to_tsvector('{CONFIGURATION}', %s), 'B'),
                        to_tsvector('{ALL_WORDS_CONFIGURATION}', %s))
                ON CONFLICT (question_id) DO UPDATE SET
                    question = EXCLUDED.question, body = EXCLUDED.body,
                    document = EXCLUDED.document, question_words = EXCLUDED.question_words
                """,
                [question_id, text, body, text, body, text],
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


class SpanishMatches(Matches):
    """search_matches.Matches over the Spanish index: the same tiers, synonyms
    and spelling help; words stemmed here on SQLite, by faq_spanish on PostgreSQL."""

    language = SPANISH
    table = TABLE
    configuration = CONFIGURATION
    all_words_configuration = ALL_WORDS_CONFIGURATION

    bm25_weights = "5.0, 1.0, 0.0"  # question, answer, and the unindexed plain text

    @staticmethod
    def plain_body_column():
        return "body" if is_postgresql() else "plain"  # the SQLite body is stemmed

    def index_word(self, token):
        return stem(token)

    def sqlite_snippets(self, cursor, ids):
        # The indexed body is stemmed: cut snippets from the plain text instead.
        cursor.execute(
            f"SELECT rowid, plain FROM {TABLE} WHERE rowid IN ({', '.join(['%s'] * len(ids))})",
            ids,
        )
        stems = {stem(token) for slot in self.slots for term in slot for token in term}
        return {pk: snippet(plain, stems) for pk, plain in cursor.fetchall()}
