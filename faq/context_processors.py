from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .models import SiteNotice


def site(request):
    """The site's name and its notice; the notice is looked up once, and only if shown."""
    return {
        "site_name": settings.SITE_NAME,
        "site_notice": SimpleLazyObject(lambda: SiteNotice.objects.filter(is_active=True).first()),
    }
