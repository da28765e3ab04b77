"""Tests that only mean something on PostgreSQL.

tests/conftest.py collects this file only when DATABASE_URL points at
PostgreSQL; CI runs the whole suite a second time that way (.ci/run).
"""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from faq.models import Answer

from .factories import answer_form_data, make_guide, make_question, make_staff


# SQLite's in-memory test database uses shared-cache table locks that fail at
# once instead of waiting, so this race runs where row locks matter: PostgreSQL
# (DATABASE_URL=postgres://… make test). Without select_for_update it fails there.
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_of_one_answer_cannot_both_pass():
    """The row lock orders two simultaneous saves, so the second sees the first
    one's version and is refused."""
    answer = make_question(make_guide(), 1).answer
    opened = answer_form_data(answer, change_note="Mine", _publish=1)
    url = reverse("admin:faq_answer_change", args=[answer.pk])
    users = [make_staff(name, "Publishers") for name in ("alice", "bob")]
    barrier = threading.Barrier(2)
    statuses = {}

    def save(user):
        client = Client()
        client.force_login(user)
        barrier.wait()
        statuses[user.username] = client.post(url, {**opened, "body": f"By {user}."}).status_code
        connection.close()

    threads = [threading.Thread(target=save, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses.values()) == [200, 302]
    winner = next(name for name, status in statuses.items() if status == 302)
    assert Answer.objects.get(pk=answer.pk).body == f"By {winner}."
    assert Answer.history.filter(id=answer.pk).count() == 2
