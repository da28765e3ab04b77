from django.utils.functional import SimpleLazyObject

from .models import SiteNotice
from .prepared import PreparedQuery

# Every public page asks for the notice; compiled once (faq/prepared.py).
active_notice = PreparedQuery(
    lambda: SiteNotice.objects.filter(is_active=True).values("text")[:1],
)


def first_active_notice():
    rows = active_notice()
    return rows[0] if rows else None


def site(request):
    """The site-wide notice, looked up once, and only if a page shows it."""
    return {"site_notice": SimpleLazyObject(first_active_notice)}
