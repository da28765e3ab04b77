"""Create an editor login (or update an existing one) in the Editors group.

    manage.py createeditor alice              # asks for a password
    manage.py createeditor rita --reviewer    # may also approve or send back others' changes
    manage.py createeditor bob --publisher    # may also review, publish and schedule
    manage.py createeditor carol --password '…' --email carol@example.org

The user is staff (may log in to /admin/) but not a superuser, so they can
edit FAQ content and nothing else. Running it again for an existing user
updates the groups (and the password, if one is given): without --reviewer or
--publisher the user is left an editor only.
"""

import getpass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from faq.roles import ensure_groups


class Command(BaseCommand):
    help = (
        "Create an editor login in the Editors group (add --reviewer to allow reviewing, "
        "--publisher to allow reviewing and publishing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--publisher", action="store_true", help="Also put the user in the Publishers group."
        )
        parser.add_argument(
            "--reviewer",
            action="store_true",
            help="Also put the user in the Reviewers group (approve or send back others' changes).",
        )
        parser.add_argument("--password", help="Set this password instead of asking for one.")
        parser.add_argument("--email", default="", help="The editor's email address.")
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Never prompt; without --password an existing password is kept "
            "and a new user gets none (they cannot log in until one is set).",
        )

    def handle(self, *args, username, publisher, reviewer, password, email, interactive, **options):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is not None and user.is_superuser:
            raise CommandError(f"{username} is a superuser; change superusers in the admin.")
        if password is None and interactive and user is None:
            password = self.ask_password()
        candidate = user or User(username=username, email=email)
        if password is not None:
            try:
                validate_password(password, candidate)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error

        with transaction.atomic():
            editors, reviewers, publishers = ensure_groups()
            created = user is None
            user = candidate
            user.is_staff = True
            if email:
                user.email = email
            if password is not None:
                user.set_password(password)
            elif created:
                user.set_unusable_password()
            user.full_clean(exclude=["password"])
            user.save()
            user.groups.add(editors)
            for group, wanted in ((reviewers, reviewer), (publishers, publisher)):
                if wanted:
                    user.groups.add(group)
                else:
                    user.groups.remove(group)

        role = "publisher" if publisher else "reviewer" if reviewer else "editor"
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} {role} “{username}”."))
        if publisher and created:
            self.stdout.write(
                "At their first login at /admin/ they set up their second factor "
                "(an authenticator app) before the admin opens."
            )

    def ask_password(self):
        for _attempt in range(3):
            first = getpass.getpass("Password: ")
            if first and first == getpass.getpass("Password (again): "):
                return first
            self.stderr.write("The passwords were empty or did not match. Try again.")
        raise CommandError("No password set.")
