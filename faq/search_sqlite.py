"""A page of ranked matches on SQLite, costing what the page needs, not what matched.

FTS5 computes bm25 for every row a query returns, so ranking every match made
a search of a common word cost in proportion to the site (100,000 questions:
"license" matched 30,000 answers and took 100 to 200 ms). Here bm25 is computed
for each tier's newest RESCORE_WINDOW questions only, as on PostgreSQL
(faq/search_matches.py), and the rest of a larger tier follows them, newest
first. Each page is cut from the same order, so pages never overlap.

Every-word searches: each tier is a MATCH expression of its own, the query AND
the tier's test NOT the earlier tiers' tests, so FTS5 hands over a tier's
newest questions by rowid alone and stops there, and tiers past the page are
not read. Any-word searches: a tier counts how many of the reader's words a
match has, which FTS5 cannot stop early on, so every match's tier is read
(without bm25, the costly part) and the tiers are cut here; a word common
enough to make this costly does not make a match on its own
(faq/search_partial.py, one statement first). Then one statement ranks what
the page needs from the tiers, and one makes its snippets: four statements,
whatever the site holds (more when only common words match: see there), and
two more for a page past a tier's RESCORE_WINDOW.
"""

from dataclasses import dataclass

from django.db import connection

from .search_matches import RESCORE_WINDOW, visible_sql


@dataclass
class Tier:
    """A tier's ids, newest first: all of them when `complete`, else the
    newest RESCORE_WINDOW + 1 of the rows `expression` matches."""

    ids: list
    complete: bool
    expression: str = ""


def page(matches, offset, limit):
    """(total, [(question_id, snippet), ...]) for matches.page()."""
    with connection.cursor() as cursor:
        if matches.match_all:
            total, found = _every_word_tiers(cursor, matches, offset + limit)
        else:
            total, found = _any_word_tiers(cursor, matches)
        ids = _window(cursor, matches, total, found, offset, offset + limit)
        if not ids:
            return total, []
        snippets = matches.sqlite_snippets(cursor, ids)
    return total, [(pk, snippets.get(pk, "")) for pk in ids]


def tier_expressions(matches):
    """[(include, exclude)]: FTS5 expressions whose rows, include NOT exclude,
    make each tier of an every-word search, best first; together they are
    every match, each in one tier."""
    main = matches.query_text()
    tests = []
    if matches.phrase:
        tests.append(f"question : {matches.fts5_phrase(matches.phrase)}")
    tests.append(f"question : ({matches.fts5_expression(match_all=True)})")
    if matches.phrase:
        tests.append(matches.fts5_phrase(matches.phrase))
    if near := matches.fts5_near():
        tests.append(near)
    found = [(f"({main}) AND ({test})", _any(tests[:index])) for index, test in enumerate(tests)]
    return [*found, (main, _any(tests))]


def _any(expressions):
    return " OR ".join(f"({expression})" for expression in expressions) or None


def _expression(include, exclude):
    return f"({include}) NOT ({exclude})" if exclude else include


def _visible(matches):
    """The rows search may show, and the parameter (faq/search_public.py)."""
    return visible_sql(f"{matches.table}.rowid"), matches.language


def _count(cursor, matches, expression):
    visible, language = _visible(matches)
    cursor.execute(
        f"SELECT COUNT(*) FROM {matches.table} WHERE {matches.table} MATCH %s AND {visible}",
        [expression, language],
    )
    return cursor.fetchone()[0]


def _every_word_tiers(cursor, matches, end):
    """(how many rows match, [Tier]): the count, then, when something matches,
    the tiers in one statement, each stopped by FTS5 at its limit, and the
    statement stopped once no tier after those read can reach position `end`."""
    total = _count(cursor, matches, matches.query_text())
    if not total:
        return 0, []
    expressions = [_expression(*pair) for pair in tier_expressions(matches)]
    visible, language = _visible(matches)
    table = matches.table
    # FTS5 reads a common word's whole list to go newest first, so when every
    # match is ranked anyway the tiers are read in its own order.
    newest_first = "ORDER BY rowid DESC" if total > RESCORE_WINDOW else ""
    newest = (
        f"SELECT rowid FROM {table} WHERE {table} MATCH %s AND {visible} {newest_first} LIMIT %s"
    )
    # SQLite reads the parts of a UNION ALL in order and stops at its LIMIT.
    # A tier is cut short only when more than `end` rows come before it, so
    # every tier the page reaches is read whole, and _window() stops before
    # a tier cut short: the later tiers, often the costliest to test (a test
    # that finds few rows reads every match), are not read at all.
    needed = end + RESCORE_WINDOW + 1
    cursor.execute(
        " UNION ALL ".join(
            f"SELECT {index}, rowid FROM ({newest})" for index in range(len(expressions))
        )
        + " LIMIT %s",
        [
            *(
                param
                for expression in expressions
                for param in (expression, language, RESCORE_WINDOW + 1)
            ),
            needed,
        ],
    )
    ids = [[] for _expression in expressions]
    for tier, pk in cursor.fetchall():
        ids[tier].append(pk)
    return total, [
        Tier(sorted(tier_ids, reverse=True), len(tier_ids) <= RESCORE_WINDOW, expression)
        for tier_ids, expression in zip(ids, expressions, strict=True)
    ]


def _any_word_tiers(cursor, matches):
    """(how many rows match, [Tier]): every match's tier, read without ranking."""
    where, params = matches.where()
    cases, case_params = _tier_cases(matches)
    cursor.execute(
        f"SELECT {cases}, rowid FROM {matches.table} WHERE {where} ORDER BY rowid DESC",
        [*case_params, *params],
    )
    rows = cursor.fetchall()
    tiers = {}
    for tier, pk in rows:
        tiers.setdefault(tier, []).append(pk)
    return len(rows), [Tier(tiers[tier], True) for tier in sorted(tiers)]


def _older(cursor, matches, expression, before, limit, offset):
    """Ids of rows matching that are older than `before`, newest first, unranked."""
    visible, language = _visible(matches)
    cursor.execute(
        f"SELECT rowid FROM {matches.table} WHERE {matches.table} MATCH %s AND {visible} "
        "AND rowid < %s ORDER BY rowid DESC LIMIT %s OFFSET %s",
        [expression, language, before, limit, offset],
    )
    return [row[0] for row in cursor.fetchall()]


def _ranked(cursor, matches, ids):
    """{id: its place} for `ids` best first: bm25 over the whole query, then
    the most recent notable change of the answer, then the question's id."""
    table = matches.table
    # The range goes to FTS5, which then reads only that part of each word's
    # list: a tier's newest questions sit together at its end.
    cursor.execute(
        f"SELECT {table}.rowid, bm25({table}, {matches.bm25_weights}), a.notable_change_at "
        f"FROM {table} LEFT JOIN faq_answer a ON a.question_id = {table}.rowid "
        f"WHERE {table} MATCH %s AND {table}.rowid BETWEEN %s AND %s "
        f"AND +{table}.rowid IN ({', '.join(['%s'] * len(ids))})",
        [matches.query_text(), min(ids), max(ids), *ids],
    )
    rows = sorted(cursor.fetchall(), key=lambda row: row[0])
    rows.sort(key=lambda row: str(row[2] or ""), reverse=True)
    rows.sort(key=lambda row: row[1])
    return {row[0]: place for place, row in enumerate(rows)}


def _window(cursor, matches, total, found, start, end):
    """The ids at positions [start, end) of the order: tier by tier, each
    tier's newest RESCORE_WINDOW ranked, then the rest of it newest first."""
    parts = []  # (ranked?, ids, first, last): ids[first:last] of each part, in order
    tier_start = 0
    for index, tier in enumerate(found):
        if tier_start >= min(end, total):
            break
        ranked, rest_start = tier.ids[:RESCORE_WINDOW], tier_start + RESCORE_WINDOW
        if start < tier_start + len(ranked):
            parts.append((True, ranked, max(0, start - tier_start), end - tier_start))
        if tier.complete:
            if end > rest_start:
                parts.append(
                    (False, tier.ids[RESCORE_WINDOW:], max(0, start - rest_start), end - rest_start)
                )
            tier_start += len(tier.ids)
            continue
        size = total - tier_start if index == len(found) - 1 else None
        if end > rest_start:
            skip = max(0, start - rest_start)
            rest = _older(
                cursor, matches, tier.expression, ranked[-1], end - rest_start - skip, skip
            )
            parts.append((False, rest, 0, len(rest)))
            if size is None:
                size = _count(cursor, matches, tier.expression)
        tier_start += size if size is not None else RESCORE_WINDOW + 1
    to_rank = [pk for is_ranked, ids, _, _ in parts if is_ranked for pk in ids]
    places = _ranked(cursor, matches, to_rank) if to_rank else {}
    window = []
    for is_ranked, ids, first, last in parts:
        in_order = sorted(ids, key=places.get) if is_ranked else ids
        window += in_order[first:last]
    return window


def _tier_cases(matches):
    """The any-word tiers as an SQL expression (lowest first): twice how many
    slots a match misses, plus one when its question has none of the reader's
    consecutive words near each other."""
    table = matches.table
    has = f"rowid IN (SELECT rowid FROM {table} WHERE {table} MATCH %s)"
    tests = [matches.fts5_slot(slot) for slot in matches.slots]
    missing = " + ".join(f"CASE WHEN {has} THEN 0 ELSE 1 END" for _test in tests)
    if near := matches.fts5_near():
        tests.append(near)
    if (member_slots := matches.member_slots()) is not matches.slots:
        # Each test's rows among the matches only: a common word's are many.
        member = matches.fts5_expression(slots=member_slots)
        tests = [f"({member}) AND ({test})" for test in tests]
    if not near:
        return f"({missing})", tests
    return f"({missing}) * 2 + CASE WHEN {has} THEN 0 ELSE 1 END", tests
