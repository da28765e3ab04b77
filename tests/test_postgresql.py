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
