"""Tests that only mean something on PostgreSQL.

tests/conftest.py collects this file only when DATABASE_URL points at
PostgreSQL; CI runs the whole suite a second time that way (.ci/run).
"""

import pytest

from .races import two_publishers_save_at_once


# SQLite's in-memory test database uses shared-cache table locks that fail at
# once instead of waiting, so this race runs where row locks matter: PostgreSQL
# (DATABASE_URL=postgres://… make test). Without select_for_update it fails there.
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_of_one_answer_cannot_both_pass():
    """The row lock orders two simultaneous saves, so the second sees the first
    one's version and is refused."""
    statuses, body_is_winners, history_rows = two_publishers_save_at_once()
    assert statuses == [200, 302]
    assert body_is_winners
    assert history_rows == 2


def search_table_counts():
    """{table: (times vacuumed, times analyzed)} for the search tables."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else cached per transaction
        cursor.execute(
            "SELECT relname, vacuum_count, analyze_count FROM pg_stat_user_tables WHERE relname IN "
            "('faq_search_index', 'faq_search_index_es', 'faq_search_visibility')"
        )
        return {table: (vacuums, analyzes) for table, vacuums, analyzes in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_rebuilding_the_search_index_vacuums_and_analyzes_its_tables():
    """After a bulk load every search reads the GIN indexes' pending lists whole
    until they are merged, and the planner misjudges the tables until they are
    analyzed: rebuild_search_index and generate_demo_data do both at once."""
    from django.core.management import call_command

    before = search_table_counts()
    call_command("rebuild_search_index", verbosity=0)
    after = search_table_counts()
    assert len(after) == 3
    for table, (vacuums, analyzes) in after.items():
        assert vacuums == before[table][0] + 1, table
        assert analyzes > before[table][1], table


@pytest.mark.django_db
def test_inside_a_transaction_the_search_tables_are_only_analyzed():
    """VACUUM cannot run in a transaction (generate_demo_data's own, or a test's)."""
    from faq.search import tidy_after_bulk_load

    before = search_table_counts()
    tidy_after_bulk_load()
    after = search_table_counts()
    for table, (vacuums, analyzes) in after.items():
        assert (vacuums, analyzes) == (before[table][0], before[table][1] + 1), table
