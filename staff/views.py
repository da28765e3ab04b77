"""Setting up a second factor: any staff user, from the admin's user menu.

The page shows a new secret (as text, as an otpauth:// link and as a QR code
drawn inline as SVG, which the CSP's img-src 'self' does not restrict), asks
for a code from the app before the app counts, then shows ten recovery codes
once. Until then the user's logins are as before.
"""

from base64 import b32encode
from functools import wraps

import segno
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.shortcuts import render as render_now
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_otp import login as otp_login
from django_otp import user_has_device

from . import second_factor
from .forms import ConfirmAppForm


def staff_only(view):
    """Logged-in staff, whether or not this session has given a code yet."""

    @wraps(view)
    @never_cache
    @csrf_protect
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        return view(request, *args, **kwargs)

    return wrapper


def second_factor_view(request):
    user = request.user
    if user_has_device(user) and not user.is_verified():
        # Only a session that gave a code may change the second factor.
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if request.method == "POST" and request.POST.get("action") == "recovery_codes":
        if not second_factor.has_app(user):
            return HttpResponseRedirect(request.path)
        return show_recovery_codes(request, second_factor.new_recovery_codes(user))
    replacing = "replace" in request.GET or request.POST.get("action") == "confirm"
    if second_factor.has_app(user) and not replacing:
        return render(
            request,
            "admin/staff/second_factor_status.html",
            title=_("Second factor"),
            codes_left=second_factor.recovery_codes_left(user),
        )
    device = second_factor.pending_app(user)
    form = ConfirmAppForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        if not device.verify_is_allowed()[0]:
            form.add_error("code", _("Too many wrong codes: wait a minute, then try again."))
        elif second_factor.confirm_app(device, form.cleaned_data["code"]):
            otp_login(request, device)
            return show_recovery_codes(request, second_factor.new_recovery_codes(user))
        else:
            form.add_error(
                "code",
                _("That code is not right or has expired. Enter the code your app shows now."),
            )
    uri = device.config_url
    return render(
        request,
        "admin/staff/second_factor_setup.html",
        title=_("Set up your second factor"),
        form=form,
        required=second_factor.requires_second_factor(user),
        secret=spaced(b32encode(device.bin_key).decode()),
        otpauth_uri=uri,
        qr_svg=qr_svg(uri),
    )


def show_recovery_codes(request, codes):
    return render(
        request, "admin/staff/recovery_codes.html", title=_("Your recovery codes"), codes=codes
    )


def render(request, template, **context):
    context = {
        **admin.site.each_context(request),
        "is_nav_sidebar_enabled": False,
        **context,
    }
    return TemplateResponse(request, template, context)


def spaced(secret):
    """The base32 secret in groups of four, as authenticator apps accept it typed."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(uri):
    # segno draws with attributes only (no style attribute), so the CSP allows it.
    code = segno.make(uri, error="m")
    return mark_safe(code.svg_inline(scale=4, dark="#000", light="#fff", title=_("QR code")))


def lockout_response(request, original_response=None, credentials=None):
    """What django-axes answers a locked-out login with (AXES_LOCKOUT_CALLABLE)."""
    context = {
        **admin.site.each_context(request),
        "title": _("Login locked"),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render_now(
        request,
        "admin/staff/lockout.html",
        context,
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
