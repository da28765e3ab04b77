"""Full-text search over questions and answers, one interface for two databases.

SQLite (the embedded default) uses an FTS5 table with the porter stemmer;
PostgreSQL uses a stored tsvector with a GIN index and the 'english'
configuration. Both tables are created by migration 0003 for their vendor
only and hold one row per question: the question text and the answer as plain
text. `index_question()` is called from Question.save() and Answer.save(), so
every edit, revert, publish and seeding keeps the index in step; what is
public is decided at query time by `Question.objects.published()`.

User text never reaches MATCH or to_tsquery as syntax: the query is rebuilt
from its word tokens, which are quoted (FTS5) or joined with spaces
(websearch_to_tsquery), so any input gives an ordinary result.
"""

import re
from dataclasses import dataclass
from html import unescape

from django.db import connection
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

TABLE = "faq_search_index"
MAX_TERMS = 12
MAX_TERM_LENGTH = 40
# Private-use characters mark highlight boundaries inside snippets; they are
# removed from indexed text, so they can only come from the database itself.
MARK_START, MARK_END = "\ue000", "\ue001"
SNIPPET_WORDS = 30
WORD = re.compile(r"\w+")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")


def terms(query):
    """The word tokens of a query, at most MAX_TERMS, each at most MAX_TERM_LENGTH long."""
    words = WORD.findall(CONTROL.sub(" ", str(query or "")))
    # "_" is a word character for Python's \w but a separator for both databases.
    tokens = [part for word in words for part in word.split("_") if part]
    unique = list(dict.fromkeys(token.lower()[:MAX_TERM_LENGTH] for token in tokens))
    return unique[:MAX_TERMS]


def plain_text(html):
    """Answer HTML as the text a reader sees, for indexing and snippets."""
    return CONTROL.sub(" ", unescape(strip_tags(html or ""))).strip()


def highlight(snippet):
    """Escape a snippet from the database, then turn its markers into <mark>."""
    html = escape(snippet or "")
    html = html.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(html)


def is_postgresql():
    return connection.vendor == "postgresql"


def index_question(question, answer=None):
    """Write one question's row in the search index (insert or replace)."""
    if question.pk is None:
        return
    if answer is None:
        answer = getattr(question, "answer", None) if _has_answer(question) else None
    text = CONTROL.sub(" ", question.text)
    body = plain_text(answer.body_html) if answer is not None else ""
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute(
                f"""
                INSERT INTO {TABLE} (question_id, question, body, document)
                VALUES (%s, %s, %s,
                        setweight(to_tsvector('english', %s), 'A')
                        || setweight(to_tsvector('english', %s), 'B'))
                ON CONFLICT (question_id) DO UPDATE SET
                    question = EXCLUDED.question, body = EXCLUDED.body,
                    document = EXCLUDED.document
                """,
                [question.pk, text, body, text, body],
            )
        else:
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid = %s", [question.pk])
            cursor.execute(
                f"INSERT INTO {TABLE} (rowid, question, body) VALUES (%s, %s, %s)",
                [question.pk, text, body],
            )


def _has_answer(question):
    from django.core.exceptions import ObjectDoesNotExist

    try:
        question.answer  # noqa: B018 (loads the related answer or raises)
    except ObjectDoesNotExist:
        return False
    return True


def remove_question(question_id):
    with connection.cursor() as cursor:
        column = "question_id" if is_postgresql() else "rowid"
        cursor.execute(f"DELETE FROM {TABLE} WHERE {column} = %s", [question_id])


def rebuild_index():
    """Index every question again; for bulk imports that bypass save()."""
    from .models import Question

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
    questions = Question.objects.select_related("answer")
    for question in questions.iterator(chunk_size=500):
        index_question(question)
    return questions.count()


@dataclass
class Hit:
    question: object
    snippet: str


class SearchResults:
    """A lazily counted, sliceable list of hits, so Django's Paginator can page it."""

    def __init__(self, query, match_all=True):
        from .models import Question

        self.terms = terms(query)
        self.match_all = match_all
        published = Question.objects.published().order_by().values("pk")
        self.published_sql, self.published_params = published.query.sql_with_params()
        self._count = None

    def _ts_or_match(self):
        if is_postgresql():
            joiner = " " if self.match_all else " or "
            return joiner.join(self.terms)
        joiner = " AND " if self.match_all else " OR "
        return joiner.join(f'"{term}"' for term in self.terms)

    def _where(self):
        if is_postgresql():
            condition = "document @@ websearch_to_tsquery('english', %s)"
            column = "question_id"
        else:
            condition = f"{TABLE} MATCH %s"
            # The unary plus keeps SQLite from handing the IN list to FTS5 as
            # a rowid constraint, which re-runs the MATCH once per published
            # question (seconds at 10,000 questions instead of milliseconds).
            column = "+rowid"
        sql = f"{condition} AND {column} IN ({self.published_sql})"
        return sql, [self._ts_or_match(), *self.published_params]

    def count(self):
        if self._count is None:
            if not self.terms:
                self._count = 0
            else:
                where, params = self._where()
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT COUNT(*) FROM {TABLE} WHERE {where}", params)
                    self._count = cursor.fetchone()[0]
        return self._count

    def __len__(self):
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice):
            raise TypeError("Search results can only be sliced.")
        start = key.start or 0
        stop = key.stop if key.stop is not None else start + 20
        if not self.terms or stop <= start:
            return []
        rows = self._page_rows(start, stop - start)
        return self._hits(rows)

    def _page_rows(self, offset, limit):
        where, params = self._where()
        if is_postgresql():
            # Rank and choose the page first, then headline only those rows.
            sql = f"""
                WITH q AS (SELECT websearch_to_tsquery('english', %s) AS query),
                page AS (
                    SELECT question_id, question, body, document
                    FROM {TABLE} WHERE {where}
                    ORDER BY ts_rank_cd(document, (SELECT query FROM q)) DESC, question_id
                    LIMIT %s OFFSET %s
                )
                SELECT question_id,
                       ts_headline('english', body, (SELECT query FROM q), %s)
                FROM page
                ORDER BY ts_rank_cd(document, (SELECT query FROM q)) DESC, question_id
            """
            options = (
                f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, "
                'MinWords=15, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "'
            )
            params = [self._ts_or_match(), *params, limit, offset, options]
        else:
            sql = f"""
                SELECT rowid,
                       snippet({TABLE}, 1, %s, %s, '…', {SNIPPET_WORDS})
                FROM {TABLE} WHERE {where}
                ORDER BY bm25({TABLE}, 5.0, 1.0), rowid
                LIMIT %s OFFSET %s
            """
            params = [MARK_START, MARK_END, *params, limit, offset]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _hits(self, rows):
        from .views import published_questions

        questions = published_questions().in_bulk([pk for pk, _ in rows])
        return [
            Hit(question=questions[pk], snippet=highlight(snippet))
            for pk, snippet in rows
            if pk in questions
        ]


def search(query):
    """Hits for every word of the query; if none, hits for any of its words.

    Returns (results, matched_all). Readers with limited English often type a
    whole sentence, and one unusual word should not empty the page.
    """
    results = SearchResults(query, match_all=True)
    if results.count() or len(results.terms) < 2:
        return results, True
    return SearchResults(query, match_all=False), False
