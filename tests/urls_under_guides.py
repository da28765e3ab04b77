"""A URLconf serving the public site under /guides/, for LinkTests."""

from django.urls import include, path

urlpatterns = [path("guides/", include("faq.urls"))]
