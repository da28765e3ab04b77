"""The second factor: required of whoever may publish, offered to editors,
with recovery codes and an operator's reset. Codes are computed here from the
device's key, as an authenticator app computes them."""

import re
import time
from base64 import b32decode
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase, override_settings
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from faq.models import Topic

from .factories import add_authenticator, current_code, make_staff

LOGIN = "/admin/login/"
PASSWORD = "pw-for-tests"
SETUP = "/admin/second-factor/"


def code_for_key(hex_key):
    """What an app shows for the secret it was given (a fresh device: no drift)."""
    device = TOTPDevice(key=hex_key)
    return f"{TOTP(device.bin_key).token():06d}"


class SecondFactorTestCase(TestCase):
    def setUp(self):
        # Users made here, not in setUpTestData: passwords use the tests' fast hasher.
        self.publisher = make_staff("pat", "Editors", "Publishers")
        self.editor = make_staff("eddie", "Editors")
        self.index = reverse("admin:index")

    def log_in(self, username, code=None, **extra):
        data = {"username": username, "password": PASSWORD, "next": self.index, **extra}
        if code is not None:
            data["code"] = code
        return self.client.post(LOGIN, data)

    def assertLoggedInVerified(self, response, user):
        self.assertRedirects(response, self.index)
        self.assertEqual(self.client.session[SESSION_KEY], str(user.pk))
        self.assertIn(DEVICE_ID_SESSION_KEY, self.client.session)

    def assertRefused(self, response, message):
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, message)
        self.assertNotIn(SESSION_KEY, self.client.session)


class LoginWithCodeTests(SecondFactorTestCase):
    def setUp(self):
        super().setUp()
        self.device = add_authenticator(self.publisher)

    def test_a_publisher_without_the_code_is_refused(self):
        self.assertRefused(self.log_in("pat"), "Enter the code from your authenticator app")

    def test_a_wrong_code_is_refused(self):
        wrong = f"{(int(current_code(self.device)) + 1) % 1_000_000:06d}"
        self.assertRefused(self.log_in("pat", wrong), "That code is not right")

    def test_the_apps_current_code_logs_in_and_opens_the_admin(self):
        self.assertLoggedInVerified(self.log_in("pat", current_code(self.device)), self.publisher)
        self.assertEqual(self.client.get(reverse("admin:faq_topic_changelist")).status_code, 200)

    def test_a_code_works_once(self):
        code = current_code(self.device)
        self.assertLoggedInVerified(self.log_in("pat", code), self.publisher)
        self.client.logout()
        self.device.refresh_from_db()
        # The same code again, within its 30 seconds: refused (replayed).
        self.assertRefused(self.log_in("pat", code), "That code is not right")

    def test_wrong_codes_are_throttled(self):
        for _ in range(3):
            self.log_in("pat", "000000")
        # Even the right code waits after several wrong ones.
        self.assertRefused(self.log_in("pat", current_code(self.device)), "Too many wrong codes")

    def test_a_recovery_code_logs_in_once(self):
        device = StaticDevice.objects.create(user=self.publisher, name="Recovery", confirmed=True)
        device.token_set.create(token="abcd2345")
        self.assertLoggedInVerified(self.log_in("pat", "ABCD 2345"), self.publisher)
        self.client.logout()
        self.assertRefused(self.log_in("pat", "abcd2345"), "That code is not right")

    def test_a_session_with_the_password_only_cannot_open_the_admin(self):
        self.client.force_login_password_only(self.publisher)
        response = self.client.get(self.index)
        self.assertRedirects(response, f"{LOGIN}?next={self.index}", fetch_redirect_response=False)
        login_page = self.client.get(response["Location"])
        self.assertContains(login_page, "with your password only")
        topic = Topic.objects.create(name="Privacy", slug="privacy")
        url = reverse("admin:faq_topic_change", args=[topic.pk])
        self.client.post(url, {"name": "Renamed", "slug": "renamed"})
        self.assertEqual(Topic.objects.get().name, "Privacy")
        # Nor may it replace the second factor.
        self.assertRedirects(
            self.client.get(SETUP), f"{LOGIN}?next={SETUP}", fetch_redirect_response=False
        )

    def test_the_login_form_asks_for_the_code(self):
        page = self.client.get(LOGIN)
        self.assertContains(page, 'name="code"')
        self.assertContains(page, 'autocomplete="one-time-code"')


class FirstLoginTests(SecondFactorTestCase):
    """A new publisher, made by `createeditor --publisher`, sets up their app
    at their first login, as the README says."""

    def test_a_new_publisher_is_walked_through_setup(self):
        response = self.log_in("pat")  # no code: they have no app yet
        self.assertRedirects(response, self.index, fetch_redirect_response=False)
        # The admin does not open; the login sends them to set up their app.
        index = self.client.get(self.index)
        self.assertRedirects(index, f"{LOGIN}?next={self.index}", fetch_redirect_response=False)
        self.assertRedirects(self.client.get(index["Location"]), SETUP)

        page = self.client.get(SETUP)
        self.assertContains(page, "You may publish, so your login needs a second factor")
        device = TOTPDevice.objects.get(user=self.publisher, confirmed=False)
        uri = re.search(r'<code id="otpauth-uri">([^<]+)</code>', page.content.decode())[1]
        self.assertTrue(uri.startswith("otpauth://totp/"))
        secret = re.search(r"secret=([A-Z2-7]+)", uri)[1]
        self.assertIn(secret[:4] + " " + secret[4:8], page.content.decode())
        self.assertContains(page, "<svg")  # the QR code, drawn inline
        self.assertNotContains(page, "data:")  # the CSP has no data: images
        # Reloading keeps the same secret, so a scanned code stays valid.
        self.assertContains(self.client.get(SETUP), secret[:8][:4])
        self.assertEqual(TOTPDevice.objects.filter(user=self.publisher).count(), 1)

        wrong = self.client.post(SETUP, {"action": "confirm", "code": "12345"})
        self.assertContains(wrong, "That code is not right")
        self.assertFalse(TOTPDevice.objects.get(pk=device.pk).confirmed)
        self.assertEqual(self.client.get(self.index).status_code, 302)

        # After a wrong code the app waits a second (django-otp's throttling).
        self.enterContext(time_machine.travel(time.time() + 5))
        done = self.client.post(SETUP, {"action": "confirm", "code": code_for_key(device.key)})
        self.assertContains(done, "shown only now")
        codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", done.content.decode())
        self.assertEqual(len(codes), 10)
        self.assertEqual(len(set(codes)), 10)
        self.assertTrue(TOTPDevice.objects.get(pk=device.pk).confirmed)
        # This session gave a code: the admin opens.
        self.assertEqual(self.client.get(self.index).status_code, 200)
        # Shown once: the status page counts them, never shows them.
        status = self.client.get(SETUP)
        self.assertContains(status, "You have 10 unused recovery codes")
        self.assertNotContains(status, codes[0])

        # From now on, the login asks for a code; a recovery code is one.
        self.client.logout()
        self.assertRefused(self.log_in("pat"), "Enter the code")
        self.assertLoggedInVerified(self.log_in("pat", codes[3]), self.publisher)
        self.assertEqual(StaticToken.objects.filter(device__user=self.publisher).count(), 9)

    def test_superusers_need_it_too(self):
        get_user_model().objects.create_superuser("root", password=PASSWORD)
        self.log_in("root")
        self.assertRedirects(self.client.get(LOGIN), SETUP)
        self.assertEqual(self.client.get(reverse("admin:auth_user_changelist")).status_code, 302)

    @override_settings(OTP_REQUIRED=False)
    def test_a_development_machine_may_switch_the_requirement_off(self):
        self.log_in("pat")
        self.assertEqual(self.client.get(self.index).status_code, 200)


class EditorSecondFactorTests(SecondFactorTestCase):
    def test_an_editor_logs_in_with_a_password_alone(self):
        self.assertRedirects(self.log_in("eddie"), self.index)
        self.assertEqual(self.client.get(self.index).status_code, 200)
        self.assertContains(self.client.get(self.index), f'href="{SETUP}"')

    def test_an_editor_may_set_up_an_app_and_is_then_asked_for_its_code(self):
        self.log_in("eddie")
        page = self.client.get(SETUP)
        self.assertContains(page, "protects your login even if someone learns your password")
        device = TOTPDevice.objects.get(user=self.editor)
        self.client.post(SETUP, {"action": "confirm", "code": code_for_key(device.key)})
        self.client.logout()
        self.assertRefused(self.log_in("eddie"), "Enter the code")
        self.assertLoggedInVerified(self.log_in("eddie", current_code(device)), self.editor)

    def test_new_recovery_codes_replace_the_old_ones(self):
        self.client.force_login(self.editor)
        first = self.client.post(SETUP, {"action": "recovery_codes"})
        second = self.client.post(SETUP, {"action": "recovery_codes"})
        old = re.findall(r"<li><code>([a-z2-7]+)</code></li>", first.content.decode())
        new = re.findall(r"<li><code>([a-z2-7]+)</code></li>", second.content.decode())
        self.assertEqual((len(old), len(new)), (10, 10))
        stored = set(StaticToken.objects.values_list("token", flat=True))
        self.assertEqual(stored, set(new))

    def test_moving_to_a_new_phone_replaces_the_app_once_confirmed(self):
        self.client.force_login(self.editor)
        old = TOTPDevice.objects.get(user=self.editor)
        page = self.client.get(SETUP + "?replace=1")
        self.assertContains(page, "otpauth://")
        new = TOTPDevice.objects.get(user=self.editor, confirmed=False)
        self.client.post(SETUP, {"action": "confirm", "code": code_for_key(new.key)})
        self.assertEqual(list(TOTPDevice.objects.filter(user=self.editor)), [new])
        self.assertFalse(TOTPDevice.objects.filter(pk=old.pk).exists())

    def test_the_setup_page_is_for_staff(self):
        self.assertRedirects(
            self.client.get(SETUP), f"{LOGIN}?next={SETUP}", fetch_redirect_response=False
        )


class ResetSecondFactorTests(SecondFactorTestCase):
    def test_the_operator_resets_a_lost_phone(self):
        device = add_authenticator(self.publisher)
        self.assertLoggedInVerified(self.log_in("pat", current_code(device)), self.publisher)
        out = StringIO()
        call_command("reset_second_factor", "pat", stdout=out)
        self.assertIn("Removed 1 authenticator app(s)", out.getvalue())
        self.assertIn("ended 1 session(s)", out.getvalue())
        self.assertFalse(TOTPDevice.objects.filter(user=self.publisher).exists())
        # Their session is over; the next login (password) leads to a new setup.
        self.assertEqual(self.client.get(self.index).status_code, 302)
        self.log_in("pat")
        self.assertRedirects(self.client.get(LOGIN), SETUP)

    def test_dry_run_changes_nothing(self):
        add_authenticator(self.publisher)
        out = StringIO()
        call_command("reset_second_factor", "pat", dry_run=True, stdout=out)
        self.assertIn("Would remove 1 authenticator app(s)", out.getvalue())
        self.assertTrue(TOTPDevice.objects.filter(user=self.publisher).exists())

    def test_an_unknown_user_is_an_error(self):
        with self.assertRaisesMessage(CommandError, "No user “nobody”"):
            call_command("reset_second_factor", "nobody")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_new_publisher_sets_up_the_app_in_a_browser(live_server, page):
    """The README's first login, in Chromium under the site's CSP: password, the
    setup page with its QR code, a code from the secret shown, recovery codes."""
    call_command("createeditor", "bob", "--publisher", password="a-long-pass-phrase-42")
    violations = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(live_server.url + LOGIN)
    page.fill("#id_username", "bob")
    page.fill("#id_password", "a-long-pass-phrase-42")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Set up your second factor")).to_be_visible()
    expect(page.locator("figure svg")).to_be_visible()
    secret = page.inner_text("#secret").replace(" ", "")
    page.fill("#id_code", f"{TOTP(b32decode(secret)).token():06d}")
    page.get_by_role("button", name="Confirm and turn on").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="Continue to the admin").click()
    expect(page.get_by_text("Welcome, bob", exact=False)).to_be_visible()
    assert violations == []
