"""Settings refuse an unsafe production configuration.

Each case imports the settings module in a fresh interpreter, because
settings are read once at import time.
"""

import os
import subprocess
import sys

from django.conf import settings
from django.test import SimpleTestCase

GOOD_KEY = "k" * 20 + "-production-secret-with-enough-entropy-123456789"


def load_settings(expression="s.DEBUG, s.ALLOWED_HOSTS", **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "EMAIL_", "SITE_URL", "DEFAULT_FROM_EMAIL"))
    }
    return subprocess.run(
        [sys.executable, "-c", f"import dmvpolicy.settings as s; print({expression})"],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


class ProductionSettingsTests(SimpleTestCase):
    def test_development_works_with_no_environment(self):
        result = load_settings()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("True", result.stdout)

    def test_debug_off_without_a_secret_key_is_refused(self):
        result = load_settings(DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="faq.example.org")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("DJANGO_SECRET_KEY must be set", result.stderr)

    def test_debug_off_with_the_development_key_is_refused(self):
        result = load_settings(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY="django-insecure-" + "x" * 60,
            DJANGO_ALLOWED_HOSTS="faq.example.org",
        )
        self.assertIn("DJANGO_SECRET_KEY must be set", result.stderr)

    def test_debug_off_without_allowed_hosts_is_refused(self):
        for hosts in ("", "*"):
            with self.subTest(hosts=hosts):
                result = load_settings(
                    DJANGO_DEBUG="false", DJANGO_SECRET_KEY=GOOD_KEY, DJANGO_ALLOWED_HOSTS=hosts
                )
                self.assertIn("DJANGO_ALLOWED_HOSTS must list", result.stderr)

    def test_a_safe_production_configuration_starts(self):
        result = load_settings(
            DJANGO_DEBUG="false", DJANGO_SECRET_KEY=GOOD_KEY, DJANGO_ALLOWED_HOSTS="faq.example.org"
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("False ['faq.example.org']", result.stdout)

    def test_a_typo_in_debug_is_an_error_not_a_guess(self):
        result = load_settings(DJANGO_DEBUG="flase")
        self.assertIn("DJANGO_DEBUG must be true or false", result.stderr)


class DatabaseSettingsTests(SimpleTestCase):
    def test_default_sqlite_waits_for_locks_instead_of_failing(self):
        result = load_settings("s.DATABASES['default']['OPTIONS']")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("'transaction_mode': 'IMMEDIATE'", result.stdout)
        self.assertNotIn("journal_mode=WAL", result.stdout)  # see faq/faults.py
        self.assertIn("'timeout': 20", result.stdout)

    def test_database_url_selects_postgresql(self):
        result = load_settings(
            "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME']",
            DATABASE_URL="postgres://faq:secret@db.internal:5432/faq",
        )
        self.assertIn("django.db.backends.postgresql faq", result.stdout)


EMAIL_SETTINGS = (
    "s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, "
    "s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL, s.SITE_URL"
)


class EmailSettingsTests(SimpleTestCase):
    """Workflow emails: the console in development, SMTP from the environment in production."""

    def test_development_prints_emails_to_the_console(self):
        result = load_settings(EMAIL_SETTINGS)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("django.core.mail.backends.console.EmailBackend", result.stdout)
        self.assertIn("http://127.0.0.1:8000", result.stdout)

    def test_production_sends_through_the_smtp_server_in_the_environment(self):
        result = load_settings(
            EMAIL_SETTINGS,
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY=GOOD_KEY,
            DJANGO_ALLOWED_HOSTS="faq.example.org,www.faq.example.org",
            EMAIL_HOST="smtp.example.org",
            EMAIL_PORT="2525",
            EMAIL_HOST_USER="faq",
            EMAIL_HOST_PASSWORD="mail-secret",
            EMAIL_USE_TLS="false",
            DEFAULT_FROM_EMAIL="FAQ <faq@example.org>",
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(
            result.stdout.strip(),
            "django.core.mail.backends.smtp.EmailBackend smtp.example.org 2525 faq mail-secret "
            "False FAQ <faq@example.org> https://faq.example.org",
        )

    def test_links_in_emails_use_site_url_when_given(self):
        result = load_settings("s.SITE_URL", SITE_URL="https://policy.example.org/")
        self.assertEqual(result.stdout.strip(), "https://policy.example.org")


class GunicornSettingsTests(SimpleTestCase):
    def load(self, **env):
        import runpy
        from unittest import mock

        path = os.path.join(settings.BASE_DIR, "dmvpolicy", "gunicorn.conf.py")
        clean = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
        with mock.patch.dict(os.environ, {**clean, **env}, clear=True):
            return runpy.run_path(path)

    def test_each_instance_gets_its_own_control_socket(self):
        """gunicorn's default, one socket per user, let two instances fight over it."""
        first = self.load(GUNICORN_BIND="127.0.0.1:8000")["control_socket"]
        second = self.load(GUNICORN_BIND="127.0.0.1:8001")["control_socket"]
        self.assertNotEqual(first, second)
        self.assertFalse(first.endswith("/gunicorn.ctl"))

    def test_the_control_socket_can_be_named_or_switched_off(self):
        named = self.load(GUNICORN_CONTROL_SOCKET="/run/faq/one.ctl")
        self.assertEqual(named["control_socket"], "/run/faq/one.ctl")
        off = self.load(GUNICORN_CONTROL_SOCKET="off")
        self.assertTrue(off["control_socket_disable"])
        self.assertNotIn("control_socket", off)
