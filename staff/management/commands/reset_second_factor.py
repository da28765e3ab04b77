"""Remove a user's second factor (authenticator app and recovery codes).

    manage.py reset_second_factor alice
    manage.py reset_second_factor alice --dry-run

For an editor who lost their phone and their recovery codes. Their open
sessions end too. A publisher or superuser is then asked to set up a new app
at their next login (with their password); an editor logs in with their
password alone until they set one up again.
"""

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff import second_factor


class Command(BaseCommand):
    help = "Remove a user's authenticator app and recovery codes, and end their sessions."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would go; change nothing."
        )

    def handle(self, *args, username, dry_run, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user “{username}”.")
        apps = TOTPDevice.objects.filter(user=user).count()
        code_sets = StaticDevice.objects.filter(user=user).count()
        if dry_run:
            self.stdout.write(
                f"Would remove {apps} authenticator app(s) and {code_sets} set(s) of recovery "
                f"codes of “{username}”, and end their sessions."
            )
            return
        with transaction.atomic():
            second_factor.remove_all(user)
            ended = end_sessions(user)
        next_login = (
            "They set up a new app at their next login."
            if second_factor.requires_second_factor(user)
            else "They log in with their password until they set up a new app."
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Removed {apps} authenticator app(s) and {code_sets} set(s) of recovery codes "
                f"of “{username}”; ended {ended} session(s). {next_login}"
            )
        )


def end_sessions(user):
    """Delete the database sessions logged in as `user` (the default session store)."""
    ended = 0
    for session in Session.objects.iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended
