"""A page of ranked matches on PostgreSQL, for search_matches.Matches.page().

Every match gets its tier from cheap tests, and only the newest RESCORE_WINDOW
questions of each tier the page reaches are ranked by ts_rank_cd, the costly
part; the rest of a larger tier follows them, newest first.
"""

from django.db import connection

from .search import MARK_END, MARK_START, SNIPPET_WORDS
from .search_matches import RESCORE_WINDOW, TIE_MARGIN


def _tiers(matches):
    """An SQL expression ranking the tiers (lowest first), over the
    tsqueries it lists as postgresql_with() takes them."""
    tsqueries = []

    def built(sql, params):
        tsqueries.append((sql, params))
        return f"(SELECT t{len(tsqueries) - 1} FROM q)"

    near = None
    if near_text := matches.near_tsquery_text():
        near_query = built(f"to_tsquery('{matches.all_words_configuration}', %s)", [near_text])
        # Tested on each match's own row: through the GIN index on
        # question_words, pairs of common words ("can", "my") read every
        # question holding them (17 ms at 10,000 questions), where a match's
        # question is a few words.
        near = f"question_words @@ {near_query}"
    if not matches.match_all:
        missing = " + ".join(
            f"CASE WHEN document @@ {built(*matches.slot_tsquery(slot))} THEN 0 ELSE 1 END"
            for slot in matches.slots
        )
        if not near:
            return f"({missing})", tsqueries
        return f"({missing}) * 2 + CASE WHEN {near} THEN 0 ELSE 1 END", tsqueries
    in_question = "ts_filter(document, '{a}')"
    tests = []
    if matches.phrase:
        phrase = built(matches.phrase_tsquery(), [" ".join(matches.phrase)])
        tests.append(f"{in_question} @@ {phrase}")
    tests.append(f"{in_question} @@ {built(*matches.tsquery(match_all=True))}")
    if matches.phrase:
        tests.append(f"document @@ {phrase}")
    if near:
        tests.append(near)
    whens = " ".join(f"WHEN {test} THEN {tier}" for tier, test in enumerate(tests))
    return f"CASE {whens} ELSE {len(tests)} END", tsqueries


def page(matches, offset, limit):
    """(total, [(question_id, snippet), ...]) for matches.page()."""
    table, configuration = matches.table, matches.configuration
    where, params = matches.where()
    tiers, tsqueries = _tiers(matches)
    with_sql, with_params = matches.postgresql_with(tsqueries)
    options = (
        f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, "
        'MinWords=15, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "'
    )
    window = offset + limit + TIE_MARGIN
    # Every match gets its tier (cheap tests) and its number in its tier; only
    # tiers the window reaches are ranked, and in each only the newest
    # RESCORE_WINDOW questions by ts_rank_cd, the costly part (see RESCORE_WINDOW).
    # Ids and ranks alone go through the sorts: the answer text is read for
    # the page's rows only (carrying it made PostgreSQL sort on disk).
    sql = f"""
        {with_sql},
        matches AS (
            SELECT question_id, {tiers} AS tier FROM {table} WHERE {where}
        ),
        numbered AS (
            SELECT question_id, tier, COUNT(*) OVER () AS total,
                   ROW_NUMBER() OVER (PARTITION BY tier ORDER BY question_id DESC) AS n
            FROM matches
        ),
        reached AS (
            SELECT question_id, tier, total, n FROM numbered
            WHERE tier <= COALESCE(
                (SELECT tier FROM numbered ORDER BY tier LIMIT 1 OFFSET %s), tier)
        ),
        best AS (
            SELECT question_id, tier, total,
                   CASE WHEN n <= {RESCORE_WINDOW} THEN (
                       SELECT ts_rank_cd(i.document, (SELECT query FROM q))
                       FROM {table} i WHERE i.question_id = reached.question_id
                   ) END AS rank
            FROM reached
            ORDER BY tier, rank DESC NULLS LAST, question_id DESC LIMIT %s
        ),
        page AS (
            SELECT b.question_id, b.rank, b.tier, b.total, a.notable_change_at
            FROM best b LEFT JOIN faq_answer a ON a.question_id = b.question_id
            ORDER BY b.tier, b.rank DESC NULLS LAST, a.notable_change_at DESC NULLS LAST,
                     b.question_id DESC
            LIMIT %s OFFSET %s
        )
        SELECT page.question_id, page.total,
               ts_headline('{configuration}', i.body, (SELECT query FROM q), %s)
        FROM page JOIN {table} i ON i.question_id = page.question_id
        ORDER BY page.tier, page.rank DESC NULLS LAST,
                 page.notable_change_at DESC NULLS LAST, page.question_id DESC
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [*with_params, *params, window - 1, window, limit, offset, options],
        )
        rows = cursor.fetchall()
    total = rows[0][1] if rows else 0
    return total, [(pk, snippet) for pk, _, snippet in rows]
