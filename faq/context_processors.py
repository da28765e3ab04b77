from django.db.models import Case, IntegerField, Value, When
from django.utils.functional import SimpleLazyObject

from .languages import active_language
from .models import SiteNotice
from .prepared import PreparedQuery

# Every public page asks for the notice; compiled once (faq/prepared.py). The
# newest one in the page's language, else the newest in the other language
# (the page marks its lang): a notice written in one language still reaches everyone.
active_notice = PreparedQuery(
    lambda language: (
        SiteNotice.objects.filter(is_active=True)
        .annotate(
            other_language=Case(
                When(language=language, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("other_language", "-updated_at", "-pk")
        .values("text", "language")[:1]
    ),
    language=str,
)


def first_active_notice():
    rows = active_notice(language=active_language())
    return rows[0] if rows else None


def site(request):
    """The site-wide notice, looked up once, and only if a page shows it."""
    return {"site_notice": SimpleLazyObject(first_active_notice)}
