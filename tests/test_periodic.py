"""The periodic jobs command (scheduled publishing among them, and
`publish_scheduled`), and how gunicorn runs it under `make run` and logs
requests without a reader's address."""

import re
import runpy
from io import StringIO
from pathlib import Path
from unittest import mock

from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TestCase, TransactionTestCase, skipUnlessDBFeature

from faq import periodic, workflow
from faq.models import Answer, SpellingWord
from faq.models.workflow import ReviewState

from . import workflow_states as states
from .factories import make_guide, make_question, make_staff
from .races import at_once

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


class ScheduledPublishingJobTests(TestCase):
    """`run_periodic_jobs` (every minute under `make run`) publishes due schedules."""

    def setUp(self):
        self.editor = make_staff("editor", "Editors")
        self.reviewer = make_staff("reviewer", "Reviewers")
        self.publisher = make_staff("publisher", "Publishers")
        self.answer = make_question(make_guide("dmv"), 1, body="Live text.").answer

    def schedule(self, **parts):
        return states.scheduled(self.answer, self.editor, self.reviewer, self.publisher, **parts)

    def run_job(self, *args):
        out, err = StringIO(), StringIO()
        call_command(
            "run_periodic_jobs", "--job", "publish scheduled changes", *args, stdout=out, stderr=err
        )
        return out.getvalue()

    def test_a_due_schedule_is_published_by_the_periodic_jobs(self):
        states.make_due(self.schedule(wording="Scheduled wording?"))
        self.assertIn("publish scheduled changes: published 1", self.run_job())
        answer = Answer.objects.select_related("question").get(pk=self.answer.pk)
        self.assertEqual((answer.body, answer.question.text), ("Draft text.", "Scheduled wording?"))
        self.assertIn("published 0", self.run_job())  # safe to run again at once
        rows = answer.history.filter(history_change_reason=workflow.PUBLISHED_ON_SCHEDULE)
        self.assertEqual([row.history_user for row in rows], [self.publisher])

    def test_a_schedule_in_the_future_waits(self):
        self.schedule()
        self.assertIn("published 0", self.run_job())
        self.assertEqual(Answer.objects.get(pk=self.answer.pk).body, "Live text.")

    def test_dry_run_says_what_is_due_and_publishes_nothing(self):
        states.make_due(self.schedule())
        self.assertIn("would publish 1 scheduled change(s)", self.run_job("--dry-run"))
        answer = Answer.objects.get(pk=self.answer.pk)
        self.assertEqual((answer.body, answer.review_state), ("Live text.", ReviewState.SCHEDULED))

    def test_a_failed_schedule_fails_the_command_and_the_other_jobs_still_run(self):
        states.make_due(self.schedule())
        states.break_approval(self.answer)
        out, err = StringIO(), StringIO()
        with (
            self.assertLogs("faq.workflow", "ERROR") as logs,
            self.assertRaisesMessage(Exception, "1 job(s) failed."),
        ):
            call_command("run_periodic_jobs", stdout=out, stderr=err)
        self.assertIn("scheduled changes: failed: ScheduledPublishingFailed", err.getvalue())
        self.assertIn(f"answer {self.answer.pk}: the change was edited", err.getvalue())
        self.assertIn(f"Scheduled publishing of answer {self.answer.pk} failed", logs.output[0])
        self.assertIn("refresh the spelling vocabulary:", out.getvalue())
        self.assertEqual(Answer.objects.get(pk=self.answer.pk).body, "Live text.")

    def test_the_period_under_make_run_is_well_inside_the_overdue_window(self):
        """A schedule published by `make run` is at most one period late; it is
        reported overdue only when runs were missed."""
        makefile = (GUNICORN_CONF.parent.parent / "Makefile").read_text()
        (every,) = re.findall(r"PERIODIC_JOBS_EVERY=(\d+) \$\(VENV\)/bin/gunicorn", makefile)
        self.assertLessEqual(int(every) * 2, workflow.OVERDUE_AFTER_SECONDS)


class PublishScheduledCommandTests(TestCase):
    """`manage.py publish_scheduled`: the operators' command, Wagtail's name."""

    def setUp(self):
        editor, reviewer = make_staff("editor", "Editors"), make_staff("reviewer", "Reviewers")
        self.publisher = make_staff("publisher", "Publishers")
        answer = make_question(make_guide("dmv"), 1, body="Live text.").answer
        self.answer = states.make_due(states.scheduled(answer, editor, reviewer, self.publisher))

    def test_dry_run_lists_what_is_due_in_the_sites_zone(self):
        out = StringIO()
        call_command("publish_scheduled", "--dry-run", stdout=out)
        self.assertIn(f"answer {self.answer.pk} 'Question number 1", out.getvalue())
        self.assertRegex(out.getvalue(), r"due \d{4}-\d\d-\d\d \d\d:\d\d C[SD]T")
        self.assertIn("would publish 1", out.getvalue())
        self.assertEqual(Answer.objects.get(pk=self.answer.pk).body, "Live text.")

    def test_it_publishes_what_is_due(self):
        out = StringIO()
        call_command("publish_scheduled", stdout=out)
        self.assertIn("published 1 scheduled change(s)", out.getvalue())
        self.assertEqual(Answer.objects.get(pk=self.answer.pk).body, "Draft text.")

    def test_a_failure_is_named_and_the_command_fails(self):
        states.break_approval(self.answer)
        err = StringIO()
        with self.assertLogs("faq.workflow", "ERROR"), self.assertRaises(CommandError):
            call_command("publish_scheduled", stdout=StringIO(), stderr=err)
        self.assertIn(f"answer {self.answer.pk} failed: the change was edited", err.getvalue())


@skipUnlessDBFeature("has_select_for_update")
class ConcurrentPeriodicJobsTests(TransactionTestCase):
    """Two machines running the periodic jobs at the same moment publish a schedule once."""

    def test_two_runs_at_once_publish_once(self):
        editor, reviewer = make_staff("editor", "Editors"), make_staff("reviewer", "Reviewers")
        publisher = make_staff("publisher", "Publishers")
        answer = make_question(make_guide("dmv"), 1, body="Live.").answer
        states.make_due(states.scheduled(answer, editor, reviewer, publisher))
        reports = []

        def run():
            reports.append(periodic.JOBS["publish scheduled changes"].run())

        at_once(run, run)
        self.assertEqual(
            sorted(reports), ["published 0 scheduled change(s)", "published 1 scheduled change(s)"]
        )
        rows = answer.history.filter(history_change_reason=workflow.PUBLISHED_ON_SCHEDULE)
        self.assertEqual(rows.count(), 1)
