from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class StaffConfig(AppConfig):
    """Editor logins: lockout, second factor, session lifetimes (README
    "Editor logins and security")."""

    default = True
    name = "staff"
    verbose_name = "Editor logins and security"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import remember_login_time

        user_logged_in.connect(remember_login_time, dispatch_uid="staff-login-time")


class StaffAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with `admin.site` being the site that asks for a
    second factor, so every `@admin.register` lands on it."""

    default = False  # named in INSTALLED_APPS in place of django.contrib.admin
    default_site = "staff.admin_site.StaffAdminSite"
