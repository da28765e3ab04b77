"""Faults do not lose work: an unwritable database or stamp store, PostgreSQL
down, and the SIGBUS a memory-mapped SQLite file gave (faq/faults.py)."""

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from unittest import mock

from django.conf import settings
from django.db import OperationalError, close_old_connections, connection, connections
from django.db.backends.signals import connection_created
from django.test import Client, TransactionTestCase, override_settings
from django.urls import reverse

from faq.models import Answer, Question

from .factories import answer_form_data, make_guide, make_question, make_staff, question_form_data


def make_read_only(sender=None, connection=None, **kwargs):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("SET SESSION default_transaction_read_only = on")


@contextlib.contextmanager
def read_only_database():
    """The database refuses writes: this connection and every one opened meanwhile
    (as a read-only SQLite file or PostgreSQL in read-only mode behaves)."""
    make_read_only(connection=connection)
    connection_created.connect(make_read_only)
    try:
        yield
    finally:
        connection_created.disconnect(make_read_only)
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA query_only = OFF")
            else:
                cursor.execute("SET SESSION default_transaction_read_only = off")


@contextlib.contextmanager
def database_down():
    """No connection can be opened (PostgreSQL stopped; SQLite's file unreadable)."""
    if connection.vendor == "postgresql":
        port = connection.settings_dict["PORT"]
        connection.close()
        connection.settings_dict["PORT"] = "1"  # nothing listens there
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict["PORT"] = port
    else:  # the test database lives in memory: refuse at the cursor instead
        refused = OperationalError("unable to open database file")
        with mock.patch.object(type(connections["default"]), "cursor", side_effect=refused):
            yield


def is_read_only_now():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA query_only")
            return bool(cursor.fetchone()[0])
        cursor.execute("SHOW default_transaction_read_only")
        return cursor.fetchone()[0] == "on"


class SaveFaultTests(TransactionTestCase):
    """Each save screen, with the database refusing writes: the form comes back
    with the editor's text and "Not saved"; once writes work, the same post saves."""

    def setUp(self):
        from faq.roles import create_groups_after_migrate

        create_groups_after_migrate(sender=None)
        self.guide = make_guide()
        self.question = make_question(self.guide, 1, status=Question.Status.DRAFT)
        self.answer = self.question.answer
        self.client.force_login(make_staff("pat", "Publishers"))

    def assert_not_saved_with_text(self, response, text):
        self.assertEqual(response.status_code, 503)
        self.assertContains(response, "Not saved", status_code=503)
        self.assertContains(response, text, status_code=503)

    def test_answer_edit_screen_keeps_the_text(self):
        url = reverse("admin:faq_answer_change", args=[self.answer.pk])
        data = answer_form_data(self.answer, body="Hours of careful work.", _continue="1")
        history = Answer.history.count()
        with read_only_database():
            response = self.client.post(url, data)
        self.assert_not_saved_with_text(response, "Hours of careful work.")
        # The whole admin form, inlines included, ready to save again.
        self.assertContains(response, 'name="sources-TOTAL_FORMS"', status_code=503)
        self.assertEqual(Answer.objects.get(pk=self.answer.pk).body, "Answer number 1.")
        self.assertEqual(Answer.history.count(), history)
        # The fault is over: the same post saves, on a fresh connection.
        self.assertFalse(is_read_only_now())
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.assertEqual(Answer.objects.get(pk=self.answer.pk).body, "Hours of careful work.")
        self.assertEqual(Answer.history.count(), history + 1)

    def test_the_first_save_after_a_fault_saves(self):
        """A connection opened during a read-only spell stays read-only after it;
        the save is retried once on a fresh connection instead of refused."""
        if connection.vendor != "postgresql":
            self.skipTest("SQLite's in-memory test database keeps its one connection")
        make_read_only(connection=connection)  # the fault is over; this session lags
        url = reverse("admin:faq_answer_change", args=[self.answer.pk])
        data = answer_form_data(self.answer, body="Saved at once.", _continue="1")
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.assertEqual(Answer.objects.get(pk=self.answer.pk).body, "Saved at once.")

    def test_question_screen_keeps_the_entries(self):
        url = reverse("admin:faq_question_change", args=[self.question.pk])
        data = question_form_data(self.question, slug="a-new-address")
        with read_only_database():
            response = self.client.post(url, data)
        self.assert_not_saved_with_text(response, "a-new-address")
        self.assertEqual(Question.objects.get(pk=self.question.pk).slug, self.question.slug)
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.assertEqual(Question.objects.get(pk=self.question.pk).slug, "a-new-address")

    def test_adding_a_question_keeps_the_question_and_its_answer(self):
        data = {
            "guide": self.guide.pk,
            "position": 2,
            "text": "Can the DMV share my photo?",
            "slug": "",
            "tags": "Privacy",
            "answer-TOTAL_FORMS": 1,
            "answer-INITIAL_FORMS": 0,
            "answer-MIN_NUM_FORMS": 1,
            "answer-MAX_NUM_FORMS": 1,
            "answer-0-body": "Only under a court order.",
            "answer-0-change_note": "",
            "answer-0-review_interval_days": 180,
        }
        with read_only_database():
            response = self.client.post(reverse("admin:faq_question_add"), data)
        self.assert_not_saved_with_text(response, "Can the DMV share my photo?")
        self.assertContains(response, "Only under a court order.", status_code=503)
        self.assertEqual(Question.objects.count(), 1)
        self.assertEqual(self.client.post(reverse("admin:faq_question_add"), data).status_code, 302)
        self.assertEqual(Question.objects.count(), 2)

    def test_an_unwritable_stamp_file_is_a_fault_too(self):
        url = reverse("admin:faq_answer_change", args=[self.answer.pk])
        data = answer_form_data(self.answer, body="Kept despite the stamp.", _continue="1")
        with tempfile.TemporaryDirectory() as folder:
            # A file where the stamp's folder should be: not writable, even as root.
            blocker = os.path.join(folder, "not-a-folder")
            open(blocker, "w").close()
            missing = os.path.join(blocker, "stamp")
            with override_settings(
                PAGE_CACHE_STAMP_FILE=missing,
                CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
            ):
                response = self.client.post(url, data)
                health = Client().get(reverse("faq:healthz"))
        self.assert_not_saved_with_text(response, "Kept despite the stamp.")
        self.assertEqual(Answer.objects.get(pk=self.answer.pk).body, "Answer number 1.")
        self.assertEqual(health.status_code, 503)
        self.assertIn(b"page-cache stamp: unavailable", health.content)

    def test_with_the_database_down_the_post_comes_back_as_a_form(self):
        """Not even the editor's session can be read: the fallback page holds
        every field they sent, in a form that sends it again."""
        url = reverse("admin:faq_answer_change", args=[self.answer.pk])
        data = answer_form_data(self.answer, body="Typed while the server was down.")
        with database_down():
            response = self.client.post(url, data)
        self.assert_not_saved_with_text(response, "Typed while the server was down.")
        self.assertContains(response, f'action="{url}"', status_code=503)
        self.assertContains(response, 'name="base_version"', status_code=503)
        self.assertEqual(response["Retry-After"], "5")
        self.assertEqual(self.client.post(url, {**data, "_continue": "1"}).status_code, 302)

    def test_a_login_with_the_database_down_never_echoes_the_password(self):
        with database_down():
            response = Client().post(
                reverse("admin:login"), {"username": "pat", "password": "hunter2-secret"}
            )
        self.assertEqual(response.status_code, 503)
        self.assertContains(response, "pat", status_code=503)
        self.assertNotContains(response, "hunter2-secret", status_code=503)

    def test_a_public_page_with_the_database_down_is_a_503_not_a_500(self):
        client = Client(raise_request_exception=False)
        with database_down():
            response = client.get(self.guide.get_absolute_url() + "?nocache=1")
        self.assertEqual(response.status_code, 503)


class HealthFaultTests(TransactionTestCase):
    def get(self):
        return Client().get(reverse("faq:healthz"))

    def test_healthy_names_each_store(self):
        response = self.get()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.content, b"ok\ndatabase: ok\npage-cache stamp: ok\nschedules: ok\n"
        )

    def test_read_only_then_healthy_at_once_when_the_fault_ends(self):
        with read_only_database():
            during = self.get()
        after = self.get()
        self.assertEqual(during.status_code, 503)
        self.assertIn(b"database: unavailable", during.content)
        self.assertEqual(after.status_code, 200)

    def test_down_then_healthy_at_once(self):
        with database_down():
            during = self.get()
        self.assertEqual(during.status_code, 503)
        self.assertEqual(self.get().status_code, 200)


# Runs in a fresh interpreter on a SQLite file: a worker's long-lived
# connection, then the files made immutable under it (as `chattr +i` or a disk
# remounted read-only would), flushed to disk so the kernel write-protects the
# mapped pages. With WAL's memory-mapped -shm this died of SIGBUS (exit -7).
IMMUTABLE_FILE_SCRIPT = """
import os, subprocess, django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.test import Client
call_command("migrate", verbosity=0)
client = Client(HTTP_HOST="127.0.0.1")
print("before", client.get("/healthz").status_code, flush=True)
folder = os.path.dirname(connection.settings_dict["NAME"])
files = [os.path.join(folder, name) for name in os.listdir(folder)]
print("journal", connection.cursor().execute("PRAGMA journal_mode").fetchone()[0])
from faq.models import Category
for number in range(20):  # an editor's saves: the worker's connection writes
    Category.objects.create(name=f"Category {number}", slug=f"category-{number}")
subprocess.run(["chattr", "+i", *files], check=True)
try:
    os.sync()
    reader = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    for path in ("/", "/healthz", "/topics/"):
        print(path, reader.get(path).status_code, flush=True)
finally:
    subprocess.run(["chattr", "-i", *files], check=True)
print("after", Client(HTTP_HOST="127.0.0.1").get("/healthz").status_code, flush=True)
"""


def can_make_immutable():
    if shutil.which("chattr") is None:
        return False
    with tempfile.NamedTemporaryFile() as probe:
        made = subprocess.run(["chattr", "+i", probe.name], capture_output=True).returncode == 0
        subprocess.run(["chattr", "-i", probe.name], capture_output=True)
    return made


class ImmutableFileTests(TransactionTestCase):
    def test_unwritable_sqlite_files_give_responses_not_sigbus(self):
        if connection.vendor != "sqlite" or not can_make_immutable():
            self.skipTest("needs SQLite, and chattr +i (root, a filesystem that has it)")
        with tempfile.TemporaryDirectory() as folder:
            env = {
                **os.environ,
                "DATABASE_URL": f"sqlite:///{folder}/db/db.sqlite3",
                "PAGE_CACHE_STAMP_FILE": f"{folder}/stamp",
            }
            os.mkdir(f"{folder}/db")
            try:
                result = subprocess.run(
                    [sys.executable, "-c", textwrap.dedent(IMMUTABLE_FILE_SCRIPT)],
                    cwd=settings.BASE_DIR,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=120,
                )
            finally:  # a process killed by SIGBUS leaves them immutable
                subprocess.run(["chattr", "-R", "-i", f"{folder}/db"], check=True)
        # -7 was SIGBUS: the worker died without a response.
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr[-2000:])
        self.assertIn("journal truncate", result.stdout)
        self.assertIn("/healthz 503", result.stdout)
        self.assertIn("/ 200", result.stdout)  # reading still works
        self.assertIn("after 200", result.stdout)


# A worker's connection opened while the SQLite file cannot be written (a
# reader's page during the fault), then a write that is not an answer's save
# (a login) once the fault is over. close_old_connections() is what the server
# runs after each response (the test client leaves it out).
STALE_CONNECTION_SCRIPT = """
import subprocess, django
django.setup()
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.test import Client
call_command("migrate", verbosity=0)
get_user_model().objects.create_user("eddie", password="pw-for-tests", is_staff=True)
connection.close()
path = connection.settings_dict["NAME"]
subprocess.run(["chattr", "+i", path], check=True)
try:
    print("during", Client(HTTP_HOST="127.0.0.1").get("/topics/").status_code, flush=True)
    close_old_connections()
finally:
    subprocess.run(["chattr", "-i", path], check=True)
client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
login = client.post("/admin/login/", {"username": "eddie", "password": "pw-for-tests"})
print("login after", login.status_code, flush=True)
"""


class StaleConnectionTests(TransactionTestCase):
    """A connection opened during a fault serves only its own request, so the
    first write on each worker after the fault ends is not refused (a login
    there was a 503 up to DATABASE_CONN_MAX_AGE after the fault, found by hand)."""

    def test_sqlite_connection_opened_on_an_unwritable_file(self):
        if connection.vendor != "sqlite" or not can_make_immutable():
            self.skipTest("needs SQLite, and chattr +i (root, a filesystem that has it)")
        with tempfile.TemporaryDirectory() as folder:
            env = {
                **os.environ,
                "DATABASE_URL": f"sqlite:///{folder}/db.sqlite3",
                "DATABASE_CONN_MAX_AGE": "60",
                "PAGE_CACHE_STAMP_FILE": f"{folder}/stamp",
            }
            try:
                result = subprocess.run(
                    [sys.executable, "-c", textwrap.dedent(STALE_CONNECTION_SCRIPT)],
                    cwd=settings.BASE_DIR,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=120,
                )
            finally:
                subprocess.run(["chattr", "-i", f"{folder}/db.sqlite3"], check=False)
        self.assertIn("during 200", result.stdout, result.stderr[-2000:])
        self.assertIn("login after 302", result.stdout, result.stderr[-2000:])

    def test_postgresql_session_opened_in_a_read_only_spell(self):
        if connection.vendor != "postgresql":
            self.skipTest("PostgreSQL's read-only mode")
        make_staff("eddie")
        name = connection.settings_dict["NAME"]
        # A session of its own, opened before the spell, ends it.
        operator = connections.create_connection("default")
        try:
            with operator.cursor() as cursor:
                cursor.execute(f"ALTER DATABASE {name} SET default_transaction_read_only = on")
            connection.close()
            try:
                during = self.client.get("/topics/?nocache=1")
            finally:
                with operator.cursor() as cursor:
                    cursor.execute(f"ALTER DATABASE {name} RESET default_transaction_read_only")
            self.assertTrue(is_read_only_now())  # opened during the spell
            close_old_connections()  # the end of that request, as the server runs it
            login = Client().post(
                reverse("admin:login"), {"username": "eddie", "password": "pw-for-tests"}
            )
        finally:
            operator.close()
        self.assertEqual(during.status_code, 200)
        self.assertEqual(login.status_code, 302)
