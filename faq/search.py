"""Full-text search over questions and answers, one interface for two databases.

SQLite (the embedded default) uses an FTS5 table with the porter stemmer;
PostgreSQL uses a stored tsvector with a GIN index and the 'english'
configuration. Both tables are created by migration 0003 for their vendor
only and hold one row per question: the question text and the answer as plain
text. `index_question()` is called from Question.save() and Answer.save(), so
every edit, revert, publish and seeding keeps the index in step; what is
public is decided at query time by `Question.objects.published()`.

User text never reaches MATCH or to_tsquery as syntax: the query is rebuilt
from its word tokens, which are quoted as FTS5 phrases or passed as parameters
to phraseto_tsquery() and combined with && and ||, so any input gives an
ordinary result. Synonyms (faq/synonyms.py) widen a token to alternatives;
spelling help (faq/reader_search.py, faq/suggest.py) sits on top of search().
"""

import functools
import re
from dataclasses import dataclass
from html import unescape
from math import ceil

from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Page, Paginator
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
# Rows past the end of a page whose relevance may tie with the page's last.
TIE_MARGIN = 50
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
        answer = _answer_of(question)
    text = CONTROL.sub(" ", question.text)
    body = plain_text(answer.body_html) if answer is not None else ""
    if getattr(question, "language", "en") != "en":  # Spanish: faq/search_languages.py
        from . import search_languages

        return search_languages.index_question(question.pk, text, body)
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


def _answer_of(question):
    try:
        return question.answer
    except ObjectDoesNotExist:
        return None


def remove_question(question_id):
    from . import search_languages

    with connection.cursor() as cursor:
        column = "question_id" if is_postgresql() else "rowid"
        cursor.execute(f"DELETE FROM {TABLE} WHERE {column} = %s", [question_id])
    search_languages.remove_question(question_id)


def rebuild_index():
    """Index every question again; for bulk imports that bypass save()."""
    from . import search_languages
    from .models import Question

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
    search_languages.clear()
    questions = Question.objects.select_related("answer")
    for question in questions.iterator(chunk_size=500):
        index_question(question)
    if is_postgresql():
        # Fresh statistics, or the planner guesses a handful of rows and
        # picks nested loops that are 10x slower on a large index.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}")
    return questions.count()


@dataclass
class Hit:
    question: object
    snippet: str


@dataclass
class SearchResult:
    """One page of hits, a Django Page for the template, and whether every word matched."""

    hits: list
    page: Page
    matched_all: bool = True


@functools.cache
def published_ids_sql():
    """The SQL of the published questions' ids, compiled once per process:
    compiling a queryset costs more than running this search on SQLite."""
    from .models import Question

    # English only: Spanish questions have their own index (search_languages.py).
    published = Question.objects.published().filter(language="en").order_by().values("pk")
    sql, params = published.query.sql_with_params()
    return sql, tuple(params)


class Matches:
    """The published questions matching every (or any) slot of a query, ranked best first.

    A slot is a list of alternative terms, each a tuple of tokens matched as a
    phrase (faq/synonyms.py); a query without synonyms has one term per slot.
    Ranking, best first: the whole query as a phrase in the question, every
    slot in the question, the whole phrase in the answer, then the rest; inside
    each tier by bm25 (SQLite) or ts_rank_cd (PostgreSQL), with the question's
    wording weighted above the answer; then the answer whose last notable change
    is most recent.
    """

    def __init__(self, slots, match_all, phrase=()):

        self.slots = slots
        self.match_all = match_all
        # A phrase of one word says no more than "every slot in the question".
        self.phrase = tuple(phrase) if len(phrase) > 1 else ()
        self.published_sql, self.published_params = published_ids_sql()

    # SQLite: an FTS5 MATCH expression of quoted phrases.
    def fts5_expression(self, match_all=None):
        match_all = self.match_all if match_all is None else match_all
        parts = []
        for slot in self.slots:
            phrases = [f'"{" ".join(term)}"' for term in slot]
            parts.append(phrases[0] if len(phrases) == 1 else f"({' OR '.join(phrases)})")
        return (" AND " if match_all else " OR ").join(parts)

    # PostgreSQL: a tsquery built with && and || from phraseto_tsquery() pieces,
    # so user text is only ever a parameter.
    def tsquery(self, match_all=None):
        match_all = self.match_all if match_all is None else match_all
        sql, params = [], []
        for slot in self.slots:
            pieces = ["phraseto_tsquery('english', %s)"] * len(slot)
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
        sql = f"{TABLE} MATCH %s AND +rowid IN ({self.published_sql})"
        return sql, [self.query_text(), *self.published_params]

    def count(self):
        where, params = self.where()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {TABLE} WHERE {where}", params)
            return cursor.fetchone()[0]

    def page(self, offset, limit):
        """(total, [(question_id, snippet), ...]) in one pass over the matches.

        The total comes from a window count over the same scan that ranks, so
        a page costs one scan, not a count and then a ranking. It is 0 when
        the offset is past the end.
        """
        if is_postgresql():
            return self._page_postgresql(offset, limit)
        return self._page_sqlite(offset, limit)

    def _tiers_postgresql(self):
        """CASE … END ranking the tiers, and its parameters."""
        if not self.match_all:
            return "0", []  # no answer has every word, so none has them in one place
        in_question = "ts_filter(document, '{a}')"
        every_slot, params = self.tsquery(match_all=True)
        tests, tier_params = [], []
        phrase = "phraseto_tsquery('english', %s)"
        if self.phrase:
            tests.append(f"{in_question} @@ {phrase}")
            tier_params.append(" ".join(self.phrase))
        tests.append(f"{in_question} @@ {every_slot}")
        tier_params.extend(params)
        if self.phrase:
            tests.append(f"document @@ {phrase}")
            tier_params.append(" ".join(self.phrase))
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
                FROM {TABLE} WHERE {where}
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
            SELECT question_id, total, ts_headline('english', body, (SELECT query FROM q), %s)
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
        if not self.match_all:
            return "0", []  # no answer has every word, so none has them in one place
        tests = []
        if self.phrase:
            tests.append(f'question : "{" ".join(self.phrase)}"')
        tests.append(f"question : ({self.fts5_expression(match_all=True)})")
        if self.phrase:
            tests.append(f'"{" ".join(self.phrase)}"')
        whens = " ".join(
            f"WHEN rowid IN (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s) THEN {tier}"
            for tier in range(len(tests))
        )
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
                    SELECT rowid, bm25({TABLE}, 5.0, 1.0) AS score, {tiers} AS tier
                    FROM {TABLE} WHERE {where}
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
            cursor.execute(
                f"SELECT rowid, snippet({TABLE}, 1, %s, %s, '…', {SNIPPET_WORDS}) FROM {TABLE} "
                f"WHERE {TABLE} MATCH %s AND rowid IN ({', '.join(['%s'] * len(ids))})",
                [MARK_START, MARK_END, self.query_text(), *ids],
            )
            snippets = dict(cursor.fetchall())
        return rows[0][1], [(pk, snippets.get(pk, "")) for pk in ids]


def search(query, page_number=1, per_page=10, synonym_groups=()):
    """A page of hits for every word of the query; if none, for any of its words.

    Readers with limited English often type a whole sentence, and one unusual
    word should not empty the page. A page number past the end shows the
    last page, as Django's Paginator.get_page() does. `synonym_groups`
    (faq.synonyms.groups()) widens each word or phrase to its synonyms.
    """
    from .stopwords import content_words
    from .synonyms import expand

    tokens = terms(query)
    slots = expand(content_words(tokens), synonym_groups)
    return ranked_page(
        lambda match_all: Matches(slots, match_all, phrase=tokens), slots, page_number, per_page
    )


def ranked_page(matches_for, parts, page_number, per_page):
    """A page of hits matching every part of a query, else any part (with more
    than one); a page past the end shows the last page. `matches_for(match_all)`
    gives the language's Matches."""
    total, rows, matched_all = 0, [], True
    attempts = [True, False] if len(parts) > 1 else [True] if parts else []
    for match_all in attempts:
        matches = matches_for(match_all)
        total, rows = matches.page((page_number - 1) * per_page, per_page)
        if not rows and page_number > 1:
            total = matches.count()
            if total:
                page_number = ceil(total / per_page)
                total, rows = matches.page((page_number - 1) * per_page, per_page)
        matched_all = match_all
        if total:
            break
    paginator = Paginator(range(total), per_page)
    number = min(page_number, paginator.num_pages)
    hits = _hits(rows)
    return SearchResult(hits, Page(hits, number, paginator), matched_all or not total)


def _hits(rows):
    from .models import Question

    questions = Question.objects.published().select_related("guide").in_bulk([pk for pk, _ in rows])
    return [
        Hit(question=questions[pk], snippet=highlight(snippet))
        for pk, snippet in rows
        if pk in questions
    ]
