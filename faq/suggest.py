"""Spelling suggestions from the words of the published content.

The vocabulary (SpellingWord rows: language, word, in how many answers) is
rebuilt from the search index's rows of *published* questions only, by the
periodic job "refresh the spelling vocabulary" (faq/periodic.py, every minute
under `make run`), by `rebuild_search_index` and by `seed_content`. A word in a
draft therefore never enters it; a word that stops being public leaves it at the
next rebuild, and in between a suggestion is only offered when the corrected
query finds published answers (faq/reader_search.py), so the words it shows are
always in published text.

Words are kept and compared without their accents, so "informacion" is a
known word and "imigracion" is corrected to "inmigración": each row holds the
word without accents and its most common spelling in the text, which is what
readers are offered. English and Spanish each have their own vocabulary.

Candidates for a word the vocabulary does not know come from trigram
similarity: on PostgreSQL pg_trgm with a GIN index, on SQLite an FTS5 table with
the trigram tokenizer over the vocabulary. The best candidate is the closest by
edit distance (a swap of two letters counts as one), then the most common.
"""

import re
from collections import Counter

from django.db import connection, transaction

from .search import is_postgresql, without_accents
from .search_matches import matches_class
from .search_models import DEFAULT_LANGUAGE, SpellingWord

TRIGRAM_TABLE = "faq_spelling_trigram"
# Created by migration 0006 for the database in use.
CREATE = {
    "sqlite": [
        f"CREATE VIRTUAL TABLE {TRIGRAM_TABLE} USING fts5(word, "
        "content='faq_spellingword', content_rowid='id', tokenize='trigram')"
    ],
    "postgresql": [
        # A trusted extension (PostgreSQL 13+): a database owner may create it.
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE INDEX faq_spellingword_trigram ON faq_spellingword USING gin (word gin_trgm_ops)",
    ],
}
DROP = {
    "sqlite": [f"DROP TABLE IF EXISTS {TRIGRAM_TABLE}"],
    "postgresql": ["DROP INDEX IF EXISTS faq_spellingword_trigram"],
}

VOCABULARY_WORD = re.compile(r"[^\W\d_]{2,40}")
# Shorter words are too easily "corrected" into another real word.
MIN_CORRECTED_LENGTH = 4
CANDIDATES_PER_WORD = 40
# A known word this rare may still be a misspelling of a much commoner one.
RARE_DOCUMENTS = 1
COMMONER_BY = 3
REBUILD_LOCK = 724_114  # pg_advisory_xact_lock key: one rebuild at a time


def published_words(language=DEFAULT_LANGUAGE):
    """{word without accents: (published answers containing it, its commonest
    spelling)} for one language."""
    from .models import Question

    published = Question.objects.published().filter(language=language).order_by().values("pk")
    documents, spellings = Counter(), {}
    if published.query.is_empty():
        return {}
    sql, params = published.query.sql_with_params()
    index = matches_class(language)
    # The question's wording from its own table: the Spanish SQLite index holds it stemmed.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT q.text, i.{index.plain_body_column()} FROM faq_question q "
            f"JOIN {index.table} i ON i.{index.id_column()} = q.id WHERE q.id IN ({sql})",
            params,
        )
        for question, body in cursor.fetchall():
            written = set(VOCABULARY_WORD.findall(f"{question} {body}".lower()))
            for spelling in written:
                spellings.setdefault(without_accents(spelling), Counter())[spelling] += 1
            documents.update({without_accents(spelling) for spelling in written})
    return {
        word: (count, max(spellings[word].items(), key=lambda item: (item[1], item[0]))[0])
        for word, count in documents.items()
    }


def rebuild_vocabulary(language=DEFAULT_LANGUAGE):
    """Make the vocabulary the words of the published content; True if it changed.

    Safe to run often and from several machines at once: it changes nothing
    when the words are the same, and rebuilds are serialised (an advisory
    lock on PostgreSQL, SQLite's write lock).
    """
    from .cache import bump_stamp

    words = published_words(language)
    with transaction.atomic():
        with connection.cursor() as cursor:
            if is_postgresql():
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REBUILD_LOCK])
        saved = SpellingWord.objects.filter(language=language)
        rows = saved.values_list("word", "documents", "spelling")
        if {word: (documents, spelling) for word, documents, spelling in rows} == words:
            return False
        saved.delete()
        SpellingWord.objects.bulk_create(
            [
                SpellingWord(language=language, word=word, documents=count, spelling=spelling)
                for word, (count, spelling) in words.items()
            ],
            batch_size=1000,
        )
        if not is_postgresql():
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {TRIGRAM_TABLE}({TRIGRAM_TABLE}) VALUES ('rebuild')")
    # Cached search pages were made with the old suggestions.
    bump_stamp()
    return True


def edit_distance(a, b, limit):
    """Optimal string alignment distance (a swap of neighbours is one edit),
    or limit + 1 once it is certainly larger than `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2, previous = None, list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = char_a != char_b
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def allowed_distance(word):
    return 1 if len(word) < 8 else 2


def trigrams(word):
    return list(dict.fromkeys(word[i : i + 3] for i in range(len(word) - 2)))


def _known(words, language):
    # Raw SQL: compiling the queryset would cost more than running it.
    marks = ", ".join(["%s"] * len(words))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, documents FROM faq_spellingword "
            f"WHERE language = %s AND word IN ({marks})",
            [language, *words],
        )
        return dict(cursor.fetchall())


def _candidates(words, language):
    """{word: [(candidate, documents, spelling), …]} for every word, in one query."""
    selects, params = [], []
    for word in words:
        if is_postgresql():
            selects.append(
                "(SELECT %s, word, documents, spelling FROM faq_spellingword "
                "WHERE language = %s AND word %% %s ORDER BY similarity(word, %s) DESC LIMIT %s)"
            )
            params += [word, language, word, word, CANDIDATES_PER_WORD]
        else:
            expression = " OR ".join(f'"{gram}"' for gram in trigrams(word))
            selects.append(
                "SELECT * FROM (SELECT %s, w.word, w.documents, w.spelling "
                f"FROM {TRIGRAM_TABLE} t JOIN faq_spellingword w ON w.id = t.rowid "
                f"WHERE {TRIGRAM_TABLE} MATCH %s AND w.language = %s ORDER BY t.rank LIMIT %s)"
            )
            params += [word, expression, language, CANDIDATES_PER_WORD]
    found = {word: [] for word in words}
    if not selects:
        return found
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        for word, candidate, documents, spelling in cursor.fetchall():
            found[word].append((candidate, documents, spelling))
    return found


def best(word, candidates, at_least=1):
    """The spelling of the closest, then commonest, candidate seen in at least
    `at_least` answers."""
    limit = allowed_distance(word)
    scored = []
    for candidate, documents, spelling in candidates:
        if candidate == word or documents < at_least:
            continue
        distance = edit_distance(word, candidate, limit)
        if distance <= limit:
            scored.append((distance, -documents, candidate, spelling))
    return min(scored)[3] if scored else None


def correct(tokens, language=DEFAULT_LANGUAGE, keep=frozenset()):
    """The query's tokens with likely misspellings replaced, or None if none is.

    A token is replaced when the published text does not contain it (or
    contains it in at most RARE_DOCUMENTS answers while a close word is
    COMMONER_BY times as common), accents aside. Tokens in `keep` (synonym
    terms, without accents) and short tokens stay as typed. At most two
    queries, whatever the content size.
    """
    from .stopwords import STOPWORDS

    keep = keep | {without_accents(word) for word in STOPWORDS.get(language, ())}
    folded = {token: without_accents(token) for token in tokens}
    checkable = {
        folded[t]
        for t in tokens
        if len(folded[t]) >= MIN_CORRECTED_LENGTH and folded[t] not in keep
    }
    if not checkable:
        return None
    known = _known(sorted(checkable), language)
    doubtful = sorted(word for word in checkable if known.get(word, 0) <= RARE_DOCUMENTS)
    candidates = _candidates(doubtful, language) if doubtful else {}
    corrected, changed = [], False
    for token in tokens:
        word, replacement = folded[token], None
        if word in candidates:
            at_least = known[word] * COMMONER_BY if word in known else 1
            replacement = best(word, candidates[word], at_least)
        corrected.append(replacement or token)
        changed = changed or replacement is not None
    return corrected if changed else None
