"""The periodic jobs command, and how gunicorn runs it under `make run` and
logs requests without a reader's address."""

import runpy
from io import StringIO
from pathlib import Path
from unittest import mock

from django.core.management import call_command
from django.test import SimpleTestCase, TestCase

from faq import periodic
from faq.models import SpellingWord

from .factories import make_guide, make_question

GUNICORN_CONF = Path(__file__).resolve().parent.parent / "dmvpolicy" / "gunicorn.conf.py"


class PeriodicJobTests(TestCase):
    def test_every_job_runs_and_reports(self):
        make_question(make_guide("dmv"), 1, body="Renewing a license.")
        out = StringIO()
        call_command("run_periodic_jobs", stdout=out)
        self.assertIn("delete old search statistics: deleted 0", out.getvalue())
        self.assertIn("refresh the spelling vocabulary: rebuilt for en", out.getvalue())
        self.assertTrue(SpellingWord.objects.filter(word="license").exists())
        out = StringIO()
        call_command("run_periodic_jobs", stdout=out)  # safe to run again at once
        self.assertIn("refresh the spelling vocabulary: unchanged", out.getvalue())

    def test_dry_run_changes_nothing(self):
        make_question(make_guide("dmv"), 1, body="Renewing a license.")
        out = StringIO()
        call_command("run_periodic_jobs", "--dry-run", stdout=out)
        self.assertIn("would rebuild from", out.getvalue())
        self.assertFalse(SpellingWord.objects.exists())

    def test_a_failing_job_does_not_stop_the_others_and_fails_the_command(self):
        def broken(dry_run=False):
            raise RuntimeError("disk full")

        jobs = {"broken": periodic.Job("broken", broken), **periodic.JOBS}
        out, err = StringIO(), StringIO()
        with (
            mock.patch.dict(periodic.JOBS, jobs, clear=True),
            self.assertRaisesMessage(Exception, "1 job(s) failed."),
        ):
            call_command("run_periodic_jobs", stdout=out, stderr=err)
        self.assertIn("broken: failed: RuntimeError('disk full')", err.getvalue())
        self.assertIn("delete old search statistics: deleted", out.getvalue())


class GunicornConfigTests(SimpleTestCase):
    def load(self, **environ):
        with mock.patch.dict("os.environ", environ):
            return runpy.run_path(str(GUNICORN_CONF))

    def test_the_access_log_keeps_no_client_address(self):
        config = self.load()
        log_format = config["access_log_format"]
        # Address, forwarded address, user agent, referrer, user, request line
        # and query string (which carries the search).
        for field in [
            "%(h)s",
            "%({x-forwarded-for}i)s",
            "%(a)s",
            "%(f)s",
            "%(u)s",
            "%(r)s",
            "%(q)s",
        ]:
            self.assertNotIn(field, log_format)
        self.assertIn("%(U)s", log_format)

    def test_make_run_starts_the_periodic_jobs_and_stops_them_with_the_server(self):
        config = self.load()
        server = mock.Mock()
        with (
            mock.patch.dict("os.environ", {"PERIODIC_JOBS_EVERY": "60"}),
            mock.patch("subprocess.Popen") as popen,
        ):
            process = popen.return_value
            process.poll.return_value = None
            config["when_ready"](server)
            command = popen.call_args.args[0]
            self.assertEqual(command[-3:], ["run_periodic_jobs", "--every", "60"])
            config["on_exit"](server)
            process.terminate.assert_called_once_with()

    def test_without_the_variable_no_process_is_started(self):
        config = self.load()
        with (
            mock.patch.dict("os.environ", {"PERIODIC_JOBS_EVERY": ""}),
            mock.patch("subprocess.Popen") as popen,
        ):
            config["when_ready"](mock.Mock())
            config["on_exit"](mock.Mock())
        popen.assert_not_called()
