"""manage.py backup and restore: a round trip into an empty database keeps every
row exactly (content, topics, sources, users, groups, every history row)."""

import io
import tempfile
from pathlib import Path
from unittest import mock

from django.apps import apps
from django.core import serializers
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TransactionTestCase
from django.urls import reverse

from faq.cache import read_stamp
from faq.models import Answer, Source

from .factories import answer_form_data, make_guide, make_question, make_staff, publish_now


def snapshot():
    """Every row of every model, serialised in primary-key order, and the search index."""
    rows = {}
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            label = model._meta.label
            rows[label] = serializers.serialize("json", model._default_manager.order_by("pk"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM faq_search_index")
        rows["search index"] = cursor.fetchone()[0]
    return rows


# The tables FTS5 keeps for each full-text index (faq_search_index_data, …).
FTS5_SHADOW_SUFFIXES = ("_data", "_idx", "_content", "_docsize", "_config")


def drop_everything():
    """Leave an empty database: no table at all."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            names = connection.introspection.table_names(cursor)
            for name in names:
                if name.endswith(FTS5_SHADOW_SUFFIXES):
                    continue  # FTS5's own tables go with their index
                cursor.execute(f'DROP TABLE IF EXISTS "{name}"')
            cursor.execute("PRAGMA foreign_keys = ON")
    connection.close()


class BackupRestoreTests(TransactionTestCase):
    def setUp(self):
        from faq.roles import create_groups_after_migrate

        create_groups_after_migrate(sender=None)
        self.folder = Path(tempfile.mkdtemp())
        guide = make_guide()
        self.questions = [make_question(guide, n, topics=["Privacy", "REAL ID"]) for n in (1, 2)]
        answer = self.questions[0].answer
        Source.objects.create(answer=answer, title="The law", url="https://ilga.gov/", position=1)
        publisher = make_staff("pat", "Publishers")
        make_staff("eve", "Editors")
        self.client.force_login(publisher)
        url = reverse("admin:faq_answer_change", args=[answer.pk])
        answer = Answer.objects.get(pk=answer.pk)
        self.client.post(
            url, answer_form_data(answer, body="Edited.", change_note="Fixed", _draft="1")
        )
        publish_now(self.client, answer)
        self.client.logout()

    def backup(self):
        out = io.StringIO()
        call_command("backup", folder=str(self.folder), stdout=out)
        return Path(out.getvalue().strip().splitlines()[-1])

    def test_round_trip_into_an_empty_database_is_exact(self):
        before = snapshot()
        self.assertGreater(Answer.history.count(), 2)  # the edit left history with a user
        self.assertIn("pat", before["auth.User"])
        path = self.backup()
        self.assertTrue(path.is_file())
        self.assertEqual(path.stat().st_mode & 0o777, 0o600)  # password hashes inside
        drop_everything()
        self.assertEqual(connection.introspection.table_names(), [])
        stamp = read_stamp()
        call_command("restore", str(path), yes=True, stdout=io.StringIO())
        self.assertEqual(snapshot(), before)
        self.assertNotEqual(read_stamp(), stamp)  # the page cache is cleared
        page = self.client.get(self.questions[0].get_absolute_url())
        self.assertContains(page, "Edited.")

    def test_the_folder_is_created_and_names_are_timestamped(self):
        self.folder = self.folder / "new" / "backups"
        first, second = self.backup(), self.backup()
        self.assertNotEqual(first, second)
        self.assertTrue(first.name.startswith("db-20"))

    def test_restore_asks_first_and_no_changes_nothing(self):
        path = self.backup()
        Answer.objects.update(change_note="After the backup")
        with (
            mock.patch("sys.stdin.isatty", return_value=True),
            mock.patch("builtins.input", return_value="no"),
            self.assertRaisesMessage(CommandError, "nothing was changed"),
        ):
            call_command("restore", str(path))
        self.assertEqual(Answer.objects.filter(change_note="After the backup").count(), 2)
        with self.assertRaisesMessage(CommandError, "add --yes"):
            call_command("restore", str(path))  # no terminal to ask on

    def test_a_file_that_is_not_a_backup_of_this_kind_is_refused(self):
        wrong = self.folder / "notes.txt"
        wrong.write_text("not a database")
        with self.assertRaisesMessage(CommandError, "Not restored"):
            call_command("restore", str(wrong), yes=True)
        with self.assertRaisesMessage(CommandError, "No backup file"):
            call_command("restore", str(self.folder / "missing"), yes=True)
        self.assertEqual(Answer.objects.count(), 2)
