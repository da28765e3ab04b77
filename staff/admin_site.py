"""The admin site, asking for a second factor of whoever must give one.

Everyone who may publish (and any editor who set up an app) must have given a
code this session (django-otp's `is_verified()`) before any admin page opens.
A publisher without a device yet, logged in with their password, is sent to
set one up: the only admin page that password alone opens.
"""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import path, reverse

from faq.bad_input import refuse_malformed_ids

from . import second_factor, views
from .forms import StaffLoginForm


class StaffAdminSite(admin.AdminSite):
    login_form = StaffLoginForm
    login_template = "admin/staff/login.html"

    def has_permission(self, request):
        user = request.user
        if not super().has_permission(request):
            return False
        return user.is_verified() or not second_factor.must_verify(user)

    def login(self, request, extra_context=None):
        user = request.user
        if request.method == "GET" and self.password_only_publisher(request):
            return HttpResponseRedirect(reverse("admin:second_factor"))
        if request.method == "GET" and user.is_authenticated and not user.is_verified():
            # Logged in with a password, but this session owes a code: ask again.
            extra_context = {**(extra_context or {}), "code_needed": True}
        return super().login(request, extra_context)

    @staticmethod
    def password_only_publisher(request):
        user = request.user
        return (
            user.is_authenticated
            and user.is_active
            and user.is_staff
            and second_factor.needs_setup(user)
        )

    def admin_view(self, view, cacheable=False):
        # Every model admin's views, this app's or not: an id that is not a
        # number is a 404 or a 400, not a 500 (faq/bad_input.py).
        return super().admin_view(refuse_malformed_ids(view), cacheable)

    def get_urls(self):
        return [
            path(
                "second-factor/",
                views.staff_only(views.second_factor_view),
                name="second_factor",
            ),
            *super().get_urls(),
        ]
