from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "DMV Policy FAQ: editors"
admin.site.site_title = "DMV Policy FAQ admin"
admin.site.index_title = "Content"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("faq.urls")),
]
