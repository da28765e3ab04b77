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

SCRIPT = textwrap.dedent(
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


class ConcurrentSaveTests(SimpleTestCase):
    def test_parallel_answer_saves_all_succeed_and_each_leaves_history(self):
        database = os.path.join(self.enterContext(tempfile.TemporaryDirectory()), "db.sqlite3")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
        env.update(
            DATABASE_URL=f"sqlite:///{database}", DJANGO_SETTINGS_MODULE="dmvpolicy.settings"
        )
        result = subprocess.run(
            [sys.executable, "-c", SCRIPT],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        self.assertEqual(result.returncode, 0, result.stderr[-2000:])
        self.assertIn("failures 0 []", result.stdout)
        self.assertIn("history rows 201", result.stdout)
