"""The admin login under attack: lockouts (django-axes), the client address
behind a proxy, staff session lifetimes and where a login lands.

Time is moved with time-machine, never slept through.
"""

import datetime

import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import RequestFactory, SimpleTestCase, TestCase, override_settings
from django.urls import reverse

from staff.client_ip import client_ip

from .factories import make_staff
from .test_settings import GOOD_KEY, load_settings

LOGIN = "/admin/login/"
PASSWORD = "pw-for-tests"


def attempt(client, username, password, address="192.0.2.10", **headers):
    """One POST of the admin login form from `address`."""
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        headers=headers,
    )


class LockoutTests(TestCase):
    def setUp(self):
        # Not setUpTestData: the password is hashed with the tests' fast hasher.
        self.editor = make_staff("eddie", "Editors")

    def assertLockedOut(self, response):
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Too many failed logins", status_code=429)
        self.assertContains(response, f"after {settings.AXES_FAILURE_LIMIT} wrong", status_code=429)
        self.assertNotIn(SESSION_KEY, self.client.session)

    def assertLoggedIn(self, response):
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)
        self.assertEqual(self.client.session[SESSION_KEY], str(self.editor.pk))

    def test_thirty_wrong_passwords_then_the_right_one_is_refused(self):
        for number in range(30):
            response = attempt(self.client, "eddie", f"guess-{number}")
            self.assertIn(response.status_code, (200, 429))
        self.assertLockedOut(attempt(self.client, "eddie", PASSWORD))

    def test_the_limit_is_the_documented_number(self):
        """One failure short of the limit still lets the right password in."""
        for number in range(settings.AXES_FAILURE_LIMIT - 1):
            self.assertEqual(attempt(self.client, "eddie", f"guess-{number}").status_code, 200)
        self.assertLoggedIn(attempt(self.client, "eddie", PASSWORD))
        self.client.logout()
        for number in range(settings.AXES_FAILURE_LIMIT):
            attempt(self.client, "eddie", f"guess-{number}")
        self.assertLockedOut(attempt(self.client, "eddie", PASSWORD))

    def test_a_username_is_locked_whatever_address_the_guesses_come_from(self):
        for number in range(30):
            attempt(self.client, "eddie", f"guess-{number}", address=f"198.51.100.{number}")
        self.assertLockedOut(attempt(self.client, "eddie", PASSWORD, address="203.0.113.99"))

    def test_fifty_usernames_from_one_address_lock_that_address(self):
        for number in range(50):
            attempt(self.client, f"user{number}", "guess", address="198.51.100.7")
        # The real editor, never guessed at, is refused from that address...
        self.assertLockedOut(attempt(self.client, "eddie", PASSWORD, address="198.51.100.7"))
        # ...and logs in from their own.
        self.assertLoggedIn(attempt(self.client, "eddie", PASSWORD, address="203.0.113.8"))

    def test_the_cool_off_ends_the_lockout(self):
        with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)) as clock:
            for number in range(30):
                attempt(self.client, "eddie", f"guess-{number}")
            clock.shift(settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1))
            self.assertLockedOut(attempt(self.client, "eddie", PASSWORD))
            # A refused try during the lockout starts the cool-off again.
            clock.shift(settings.AXES_COOLOFF_TIME + datetime.timedelta(seconds=1))
            self.assertLoggedIn(attempt(self.client, "eddie", PASSWORD))

    def test_the_lockout_page_says_how_long_to_wait(self):
        for number in range(settings.AXES_FAILURE_LIMIT):
            attempt(self.client, "eddie", f"guess-{number}")
        response = attempt(self.client, "eddie", PASSWORD)
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        self.assertContains(response, f"Try again in {minutes} minutes", status_code=429)
        self.assertContains(response, 'href="/admin/login/"', status_code=429)

    def test_axes_reset_unlocks_at_once(self):
        for number in range(30):
            attempt(self.client, "eddie", f"guess-{number}")
        self.assertTrue(AccessAttempt.objects.exists())
        call_command("axes_reset", verbosity=0)
        self.assertLoggedIn(attempt(self.client, "eddie", PASSWORD))

    def test_forwarded_for_is_ignored_by_default(self):
        """A client rotating X-Forwarded-For is still one address."""
        for number in range(settings.AXES_FAILURE_LIMIT):
            forged = {"x-forwarded-for": f"203.0.113.{number}"}
            attempt(self.client, f"user{number}", "guess", address="198.51.100.7", **forged)
        forged = {"x-forwarded-for": "203.0.113.200"}
        response = attempt(self.client, "eddie", PASSWORD, address="198.51.100.7", **forged)
        self.assertLockedOut(response)
        self.assertEqual(
            set(AccessAttempt.objects.values_list("ip_address", flat=True)), {"198.51.100.7"}
        )

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_behind_one_trusted_proxy_the_client_is_the_address_it_saw(self):
        proxy = "10.0.0.2"
        for number in range(settings.AXES_FAILURE_LIMIT):
            # The attacker's own header value, then the address nginx appended.
            header = {"x-forwarded-for": f"192.0.2.{number}, 198.51.100.7"}
            attempt(self.client, f"user{number}", "guess", address=proxy, **header)
        attacker = {"x-forwarded-for": "192.0.2.250, 198.51.100.7"}
        self.assertLockedOut(attempt(self.client, "eddie", PASSWORD, address=proxy, **attacker))
        # Another reader behind the same proxy is not locked out.
        colleague = {"x-forwarded-for": "203.0.113.8"}
        self.assertLoggedIn(attempt(self.client, "eddie", PASSWORD, address=proxy, **colleague))


class ClientAddressTests(SimpleTestCase):
    def request(self, forwarded=None):
        headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
        return RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", **headers)

    def test_no_proxy_configured_means_the_peer_address(self):
        self.assertEqual(client_ip(self.request("203.0.113.5")), "10.0.0.2")

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_one_proxy_takes_the_rightmost_forwarded_address(self):
        self.assertEqual(client_ip(self.request("1.1.1.1, 203.0.113.5")), "203.0.113.5")
        self.assertEqual(client_ip(self.request("203.0.113.5")), "203.0.113.5")
        # Not through the proxy at all: the peer itself.
        self.assertEqual(client_ip(self.request()), "10.0.0.2")

    @override_settings(TRUSTED_PROXY_COUNT=2)
    def test_two_proxies_skip_the_inner_ones_address(self):
        forwarded = "1.1.1.1, 203.0.113.5, 10.0.0.9"
        self.assertEqual(client_ip(self.request(forwarded)), "203.0.113.5")

    def test_the_proxy_count_comes_from_the_environment(self):
        result = load_settings("s.TRUSTED_PROXY_COUNT", TRUSTED_PROXY_COUNT="1")
        self.assertEqual(result.stdout.strip(), "1", result.stderr)
        result = load_settings("s.TRUSTED_PROXY_COUNT")
        self.assertEqual(result.stdout.strip(), "0", result.stderr)


class LoginLandingTests(TestCase):
    def setUp(self):
        # Not setUpTestData: the password is hashed with the tests' fast hasher.
        self.editor = make_staff("eddie", "Editors")

    def test_a_refused_next_lands_on_the_admin(self):
        for target in ("https://evil.example/", "//evil.example/admin/", ""):
            with self.subTest(target=target):
                self.client.logout()
                response = self.client.post(
                    LOGIN, {"username": "eddie", "password": PASSWORD, "next": target}
                )
                self.assertRedirects(response, reverse("admin:index"))

    def test_a_safe_next_is_followed(self):
        target = reverse("admin:faq_answer_changelist")
        response = self.client.post(
            LOGIN, {"username": "eddie", "password": PASSWORD, "next": target}
        )
        self.assertRedirects(response, target)


class SessionLifetimeTests(TestCase):
    def setUp(self):
        self.editor = make_staff("eddie", "Editors")
        self.clock = self.enterContext(
            time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC))
        )
        self.client.force_login(self.editor)
        self.index = reverse("admin:index")

    def minutes(self, count):
        self.clock.shift(datetime.timedelta(minutes=count))

    def assertLoggedOut(self, response, message):
        self.assertRedirects(response, f"{LOGIN}?next={self.index}", fetch_redirect_response=False)
        self.assertNotIn(SESSION_KEY, self.client.session)
        login_page = self.client.get(response["Location"])
        self.assertContains(login_page, message)

    def test_an_hour_without_a_request_logs_out(self):
        self.assertEqual(self.client.get(self.index).status_code, 200)
        self.minutes(settings.SESSION_IDLE_SECONDS // 60 + 1)
        self.assertLoggedOut(self.client.get(self.index), "without activity")

    @override_settings(SESSION_IDLE_SECONDS=60)
    def test_one_idle_minute_is_said_in_the_singular(self):
        """An operator may set one minute: "1 minutes" read as a mistake."""
        self.minutes(2)
        self.assertLoggedOut(self.client.get(self.index), "after 1 minute without activity.")

    @override_settings(SESSION_IDLE_SECONDS=7200, SESSION_MAX_AGE_SECONDS=3600)
    def test_a_one_hour_lifetime_is_said_in_the_singular(self):
        self.minutes(61)
        self.assertLoggedOut(self.client.get(self.index), "logged out 1 hour after logging in.")

    def test_activity_keeps_the_session(self):
        for _hour in range(3):
            self.minutes(50)
            self.assertEqual(self.client.get(self.index).status_code, 200)

    def test_twelve_hours_after_login_the_session_ends_whatever_happens(self):
        for _step in range(settings.SESSION_MAX_AGE_SECONDS // (50 * 60)):
            self.minutes(50)
            self.assertEqual(self.client.get(self.index).status_code, 200)
        self.minutes(50)
        self.assertLoggedOut(self.client.get(self.index), "hours after logging in")

    def test_the_cookie_expires_with_the_absolute_lifetime(self):
        make_staff("carol", "Editors")  # no second factor set up, unlike eddie in setUp
        response = self.client.post(
            LOGIN, {"username": "carol", "password": PASSWORD, "next": self.index}
        )
        self.assertEqual(
            response.cookies[settings.SESSION_COOKIE_NAME]["max-age"],
            settings.SESSION_MAX_AGE_SECONDS,
        )

    def test_the_lifetimes_come_from_the_environment(self):
        result = load_settings(
            "s.SESSION_IDLE_SECONDS, s.SESSION_MAX_AGE_SECONDS",
            SESSION_IDLE_MINUTES="30",
            SESSION_MAX_HOURS="8",
        )
        self.assertEqual(result.stdout.strip(), "1800 28800", result.stderr)
        result = load_settings("s.SESSION_IDLE_SECONDS, s.SESSION_MAX_AGE_SECONDS")
        self.assertEqual(result.stdout.strip(), "3600 43200", result.stderr)


class SecondFactorSettingTests(SimpleTestCase):
    def test_it_may_be_switched_off_only_with_debug_on(self):
        result = load_settings("s.OTP_REQUIRED", OTP_REQUIRED="false")
        self.assertEqual(result.stdout.strip(), "False", result.stderr)
        result = load_settings(
            "s.OTP_REQUIRED",
            OTP_REQUIRED="false",
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY=GOOD_KEY,
            DJANGO_ALLOWED_HOSTS="faq.example.org",
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("ImproperlyConfigured", result.stderr)
        self.assertIn("OTP_REQUIRED=false is for development machines only", result.stderr)

    def test_it_is_required_by_default(self):
        result = load_settings("s.OTP_REQUIRED", OTP_REQUIRED="")
        self.assertEqual(result.stdout.strip(), "True", result.stderr)
