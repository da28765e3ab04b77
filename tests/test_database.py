"""Concurrent editor saves on the default SQLite database wait instead of failing.

Runs in a fresh interpreter against a temporary SQLite file, because the test
database is in memory and a single connection cannot show lock contention.
"""

import os
import subprocess
import sys
import tempfile
import textwrap

from django.conf import settings
from django.test import SimpleTestCase

PARALLEL_SAVES_SCRIPT = textwrap.dedent(
    """
    import threading
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction, OperationalError
    from faq.models import Answer, Category, Guide, Question

    call_command("migrate", verbosity=0)
    category = Category.objects.create(name="C", slug="c")
    guide = Guide.objects.create(title="G", slug="g", category=category)
    question = Question.objects.create(guide=guide, position=1, text="Q?")
    Answer.objects.create(question=question, body="start")
    failures = []

    def editor(number):
        for attempt in range(25):
            try:
                with transaction.atomic():
                    answer = Answer.objects.get(question=question)
                    answer.body = f"editor {number} save {attempt}"
                    answer.save()
            except OperationalError as error:
                failures.append(str(error))
        connection.close()

    threads = [threading.Thread(target=editor, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("failures", len(failures), sorted(set(failures))[:3])
    print("history rows", Answer.history.count())
    """
)


TWO_EDITORS_SCRIPT = textwrap.dedent(
    """
    import django
    django.setup()
    from django.test.utils import setup_test_environment
    setup_test_environment()
    from django.core.management import call_command
    from tests.races import two_publishers_save_at_once

    call_command("migrate", verbosity=0)
    statuses, body_is_winners, history_rows = two_publishers_save_at_once()
    print("statuses", statuses)
    print("body is winner's", body_is_winners)
    print("history rows", history_rows)
    """
)


def run_on_sqlite_file(test, script):
    """Run `script` in a fresh interpreter on a new SQLite file; return its result."""
    folder = test.enterContext(tempfile.TemporaryDirectory())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{os.path.join(folder, 'db.sqlite3')}",
        PAGE_CACHE_STAMP_FILE=os.path.join(folder, "stamp"),
        DJANGO_SETTINGS_MODULE="dmvpolicy.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    test.assertEqual(result.returncode, 0, result.stderr[-2000:])
    return result


class ConcurrentSaveTests(SimpleTestCase):
    def test_parallel_answer_saves_all_succeed_and_each_leaves_history(self):
        result = run_on_sqlite_file(self, PARALLEL_SAVES_SCRIPT)
        self.assertIn("failures 0 []", result.stdout)
        self.assertIn("history rows 201", result.stdout)

    def test_two_simultaneous_admin_saves_cannot_both_pass(self):
        """Two editors press Save at once on the default SQLite file database:
        IMMEDIATE transactions order the saves and the second is refused."""
        result = run_on_sqlite_file(self, TWO_EDITORS_SCRIPT)
        self.assertIn("statuses [200, 302]", result.stdout)
        self.assertIn("body is winner's True", result.stdout)
        self.assertIn("history rows 2", result.stdout)
