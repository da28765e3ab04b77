from django.apps import AppConfig


class FaqConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "faq"
    verbose_name = "FAQ content"

    def ready(self):
        from .cache import connect_signals

        connect_signals()
