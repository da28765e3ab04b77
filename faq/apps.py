from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class FaqConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "faq"
    verbose_name = _("FAQ content")

    def ready(self):
        from .roles import create_groups_after_migrate

        # Runs after auth has created this app's permissions (its handler was
        # connected first); see faq/roles.py for why this is not a migration.
        post_migrate.connect(create_groups_after_migrate, sender=self)

        from .search import remove_missing_questions

        post_migrate.connect(remove_missing_questions, sender=self)

        from .cache import connect_signals

        connect_signals()

        from django.db.backends.signals import connection_created

        from . import cache_checks, search_public  # noqa: F401  (they register themselves)
        from .faults import short_lived_when_read_only, use_rollback_journal

        connection_created.connect(use_rollback_journal, dispatch_uid="faq-rollback-journal")
        connection_created.connect(short_lived_when_read_only, dispatch_uid="faq-read-only")

        from .search_stats import connect

        # Search counts are written after responses, and when a process stops.
        connect()

        from .notifications import connect as connect_notifications

        # Emails the people a workflow step concerns, once the step has committed.
        connect_notifications()
