from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from faq.sitemaps import SITEMAPS
from faq.views import robots_txt

admin.site.site_header = _("DMV Policy FAQ: editors")
admin.site.site_title = _("DMV Policy FAQ admin")
admin.site.index_title = _("Content")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("", include("faq.urls")),
]
