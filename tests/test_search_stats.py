"""What readers searched for: stored as counts of normalised queries per day and
nothing else, cached pages counted too, old days deleted by the periodic jobs,
and the editors' Searches report."""

import datetime
from io import StringIO

from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from faq import search_stats
from faq.models import SearchCount

from .factories import get_counting_queries, make_guide, make_question, make_staff


class NormaliseTests(SimpleTestCase):
    def test_lowercase_folded_without_digits_or_email_addresses(self):
        cases = {
            "  Can ICE   see my\tADDRESS? ": "can ice see my address",
            "case A123-456-789 status": "case status",
            "write to juan@example.org now": "write to now",
            "call 312 555 0100": "call",
            "Driver’s license": "driver's license",
            "12345 @@@": "",
            "": "",
        }
        for query, stored in cases.items():
            with self.subTest(query=query):
                self.assertEqual(search_stats.normalise(query), stored)

    def test_length_is_capped_at_a_word(self):
        stored = search_stats.normalise("immigration " * 40)
        self.assertLessEqual(len(stored), search_stats.MAX_STORED_LENGTH)
        self.assertTrue(stored.endswith("immigration"))


class RecordingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_question(make_guide("dmv"), 1, body="Renewing a license.")

    def search(self, query, **params):
        return self.client.get(reverse("faq:search"), {"q": query, **params})

    def rows(self):
        return list(SearchCount.objects.values_list("day", "language", "query", "found", "count"))

    def test_rows_hold_the_day_the_normalised_query_and_a_count(self):
        self.search("License  renewal 2024")
        self.search("license renewal")
        self.search("zebra@example.org zebras")
        search_stats.flush()
        today = timezone.localdate()
        self.assertEqual(
            sorted(self.rows()),
            [(today, "en", "license renewal", True, 2), (today, "en", "zebras", False, 1)],
        )
        self.assertEqual(
            {field.name for field in SearchCount._meta.fields},
            {"id", "day", "language", "query", "found", "count"},
        )

    def test_a_cached_search_page_is_still_counted(self):
        self.search("license")  # rendered and stored in the page cache
        response, queries = get_counting_queries(self.client, reverse("faq:search") + "?q=license")
        self.assertEqual(queries, 0)  # answered by the page cache, no view ran
        search_stats.flush()
        self.assertEqual(self.rows(), [(timezone.localdate(), "en", "license", True, 2)])

    def test_a_cached_page_that_found_nothing_is_counted_as_such(self):
        self.search("zebra")
        self.search("zebra")
        search_stats.flush()
        self.assertEqual(self.rows(), [(timezone.localdate(), "en", "zebra", False, 2)])

    def test_only_the_first_page_of_a_search_counts(self):
        self.search("license", page=2)
        self.search("license", page=1)
        search_stats.flush()
        self.assertEqual(SearchCount.objects.get().count, 1)

    def test_counts_from_several_processes_add_up(self):
        """Each flush adds to the day's row, as another app server's would."""
        for _ in range(2):
            search_stats.record("license", found=True)
            search_stats.record("license", found=True)
            search_stats.flush()
        self.assertEqual(SearchCount.objects.get().count, 4)

    @override_settings(SEARCH_STATS_FLUSH_SECONDS=0)
    def test_counts_are_written_after_the_response(self):
        self.search("license")
        self.assertEqual(search_stats.pending(), {})
        self.assertEqual(SearchCount.objects.get().count, 1)

    def test_counts_wait_in_memory_until_the_interval_has_passed(self):
        with override_settings(SEARCH_STATS_FLUSH_SECONDS=3600):
            self.search("license")
        self.assertEqual(SearchCount.objects.count(), 0)
        self.assertEqual(len(search_stats.pending()), 1)

    def test_searching_sets_no_cookie(self):
        for query in ["license", "zebra", "imigration", ""]:
            with self.subTest(query=query):
                response = self.search(query)
                self.assertEqual(response.cookies, {})
                self.assertNotIn("Set-Cookie", response.headers)
        self.assertEqual(self.client.cookies, {})


class DeleteOldStatisticsTests(TestCase):
    def setUp(self):
        today = timezone.localdate()
        for age in [0, 89, 90, 91, 400]:
            SearchCount.objects.create(
                day=today - datetime.timedelta(days=age),
                language="en",
                query=f"age {age}",
                found=True,
                count=1,
            )

    def ages(self):
        return sorted(
            int(q.split()[1]) for q in SearchCount.objects.values_list("query", flat=True)
        )

    def test_the_periodic_jobs_delete_rows_older_than_the_setting(self):
        out = StringIO()
        call_command("run_periodic_jobs", "--dry-run", stdout=out)
        self.assertIn("would delete 2 search count row(s) older than 90 days", out.getvalue())
        self.assertEqual(self.ages(), [0, 89, 90, 91, 400])
        call_command("run_periodic_jobs", stdout=out)
        self.assertEqual(self.ages(), [0, 89, 90])
        call_command("run_periodic_jobs", stdout=StringIO())  # again: nothing more to do
        self.assertEqual(self.ages(), [0, 89, 90])

    @override_settings(SEARCH_STATS_DAYS=7)
    def test_the_number_of_days_is_a_setting(self):
        call_command(
            "run_periodic_jobs", "--job", "delete old search statistics", stdout=StringIO()
        )
        self.assertEqual(self.ages(), [0])

    def test_an_unknown_job_is_refused(self):
        with self.assertRaisesMessage(CommandError, "No such job: tidy"):
            call_command("run_periodic_jobs", "--job", "tidy")
        self.assertEqual(len(self.ages()), 5)


class SearchReportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        today = timezone.localdate()
        rows = [
            (1, "license", True, 10),
            (2, "imigrant licence", False, 4),
            (20, "license", True, 5),
            (20, "real id", False, 6),
            (1, "juan garcia", False, 2),  # fewer than 3: never listed
            (1, "licencia", True, 9),  # Spanish
        ]
        for age, query, found, count in rows:
            SearchCount.objects.create(
                day=today - datetime.timedelta(days=age),
                language="es" if query == "licencia" else "en",
                query=query,
                found=found,
                count=count,
            )
        cls.editor = make_staff("eddie", "Editors")

    def report(self, **params):
        self.client.force_login(self.editor)
        return self.client.get(reverse("admin:faq_searchcount_changelist"), params)

    def test_last_7_days_lists_searches_made_at_least_3_times(self):
        response = self.report()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["top"][0][:2], ("license", 10))
        self.assertEqual(
            response.context["not_found"],
            [("imigrant licence", 4, "/search/?q=imigrant+licence")],
        )
        self.assertContains(response, 'href="/search/?q=imigrant+licence"')
        self.assertNotContains(response, "juan")
        self.assertNotContains(response, "licencia")

    def test_last_30_days_and_another_language(self):
        response = self.report(days="30")
        self.assertEqual(response.context["top"][0][:2], ("license", 15))
        self.assertEqual(
            [row[0] for row in response.context["not_found"]], ["real id", "imigrant licence"]
        )
        spanish = self.report(language="es")
        self.assertEqual([row[:2] for row in spanish.context["top"]], [("licencia", 9)])

    def test_odd_parameters_show_the_default_report(self):
        response = self.report(days="9999", language="xx")
        self.assertEqual((response.context["days"], response.context["language"]), (7, "en"))

    def test_nobody_adds_or_changes_counts(self):
        self.client.force_login(self.editor)
        row = SearchCount.objects.first()
        self.assertEqual(self.client.get(reverse("admin:faq_searchcount_add")).status_code, 403)
        change = reverse("admin:faq_searchcount_change", args=[row.pk])
        self.assertIn(self.client.post(change, {"count": 1}).status_code, (302, 403))
        self.assertEqual(SearchCount.objects.get(pk=row.pk).count, row.count)

    def test_a_login_without_the_permission_gets_403(self):
        self.client.force_login(make_staff("nobody"))
        response = self.client.get(reverse("admin:faq_searchcount_changelist"))
        self.assertEqual(response.status_code, 403)
