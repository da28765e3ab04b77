"""Full-text search over questions and answers, one interface for two databases.

SQLite (the embedded default) uses an FTS5 table with the porter stemmer;
PostgreSQL uses a stored tsvector with a GIN index and the 'english'
configuration. Both tables are created by migration 0003 for their vendor
only and hold one row per question: the question text and the answer as plain
text. `index_question()` is called from Question.save() and Answer.save(), so
every edit, revert, publish and seeding keeps the index in step; what is
public is the SearchVisibility table (faq/search_public.py), and the hits
shown are read through `Question.objects.published()`.

User text never reaches MATCH or to_tsquery as syntax: the query is rebuilt
from its word tokens, which are quoted as FTS5 phrases or passed as parameters
to phraseto_tsquery() and combined with && and ||, so any input gives an
ordinary result. Synonyms (faq/synonyms.py) widen a token to alternatives;
spelling help (faq/reader_search.py, faq/suggest.py) sits on top of search().
Matching and ranking, for English and Spanish alike: faq/search_matches.py.
"""

import re
import unicodedata
from dataclasses import dataclass
from html import unescape
from math import ceil

from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Page, Paginator
from django.db import connection
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

from .search_models import DEFAULT_LANGUAGE

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


def without_accents(word):
    """ "información" -> "informacion": how Spanish words are matched and spelt-checked."""
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


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
                INSERT INTO {TABLE} (question_id, question, body, document, question_words)
                VALUES (%s, %s, %s,
                        setweight(to_tsvector('english', %s), 'A')
                        || setweight(to_tsvector('english', %s), 'B'),
                        to_tsvector('faq_english_all', %s))
                ON CONFLICT (question_id) DO UPDATE SET
                    question = EXCLUDED.question, body = EXCLUDED.body,
                    document = EXCLUDED.document, question_words = EXCLUDED.question_words
                """,
                [question.pk, text, body, text, body, text],
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


def remove_missing_questions(using="default", **kwargs):
    """Index rows whose question no longer exists leave the index: `flush`
    (which sends post_migrate, and is how TransactionTestCase empties the
    database) and raw deletes leave them, and a search counts every indexed
    question that is not hidden (faq/search_matches.py visible_sql)."""
    from django.db import connections

    from . import search_languages

    database = connections[using]
    column = "question_id" if database.vendor == "postgresql" else "rowid"
    existing = set(database.introspection.table_names())
    with database.cursor() as cursor:
        for table in (TABLE, search_languages.TABLE):
            if table in existing:
                cursor.execute(
                    f"DELETE FROM {table} WHERE {column} NOT IN (SELECT id FROM faq_question)"
                )


def rebuild_index():
    """Index every question again; for bulk imports that bypass save()."""
    from . import search_languages, search_public
    from .models import Question

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
    search_languages.clear()
    search_public.rebuild()
    questions = Question.objects.select_related("answer")
    for question in questions.iterator(chunk_size=500):
        index_question(question)
    tidy_after_bulk_load()
    return questions.count()


def tidy_after_bulk_load():
    """PostgreSQL: fresh statistics for the search tables, or the planner
    guesses a handful of rows and picks nested loops that are 10x slower on
    a large index. Outside a transaction, VACUUM too: it merges the GIN
    indexes' pending lists, which every search reads whole until autovacuum
    gets there (at 10,000 new questions, a search twice as slow)."""
    from . import search_languages

    if not is_postgresql():
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in (TABLE, search_languages.TABLE, "faq_search_visibility"):
            cursor.execute(f"{command} {table}")


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


def search(query, page_number=1, per_page=10, synonym_groups=(), language=DEFAULT_LANGUAGE):
    """A page of hits for every word of the query; if none, for any of its words.

    Readers with limited English often type a whole sentence, and one unusual
    word should not empty the page. A page number past the end shows the
    last page, as Django's Paginator.get_page() does. `synonym_groups`
    (faq.synonyms.groups()) widens each word or phrase to its synonyms; each
    language searches its own index (faq/search_matches.py).
    """
    from .search_matches import matches_class
    from .stopwords import content_words
    from .synonyms import expand

    tokens = terms(query)
    slots = expand(content_words(tokens, language), synonym_groups)
    matches = matches_class(language)
    return ranked_page(
        lambda match_all: matches(slots, match_all, phrase=tokens), slots, page_number, per_page
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
