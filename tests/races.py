"""Two publishers pressing Save on the same answer at the same instant.

Shared by the SQLite race test (run in a fresh interpreter on a file
database, tests/test_database.py) and the PostgreSQL one
(tests/test_postgresql.py), so both databases face the very same race.
"""

import threading

from django.db import connection
from django.test import Client
from django.urls import reverse

from faq.models import Answer

from .factories import (
    answer_form_data,
    make_guide,
    make_question,
    make_staff,
    verify_second_factor,
)


def at_once(*functions):
    """Run each function in a thread of its own, all released at the same
    instant; each thread closes its database connection when done."""
    barrier = threading.Barrier(len(functions))

    def run(function):
        barrier.wait()
        try:
            function()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(function,)) for function in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


def two_publishers_save_at_once():
    """Both post the form they opened on the same version; returns
    (sorted status codes, whether the saved draft is the winner's, history rows)."""
    answer = make_question(make_guide(), 1).answer
    opened = answer_form_data(answer, change_note="Mine", _draft=1)
    url = reverse("admin:faq_answer_change", args=[answer.pk])
    users = [make_staff(name, "Publishers") for name in ("alice", "bob")]
    statuses = {}

    def logged_in(user):
        client = Client()
        client.force_login(user)
        verify_second_factor(client, user)  # outside pytest, force_login gives only the password
        return client

    def saver(user, client):
        def save():
            statuses[user.username] = client.post(
                url, {**opened, "body": f"By {user}."}
            ).status_code

        return save

    at_once(*(saver(user, logged_in(user)) for user in users))
    winners = [name for name, status in statuses.items() if status == 302]
    body_is_winners = bool(winners) and (
        Answer.objects.get(pk=answer.pk).draft_body == f"By {winners[0]}."
    )
    return sorted(statuses.values()), body_is_winners, Answer.history.filter(id=answer.pk).count()
