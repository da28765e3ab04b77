"""Malformed input is a 400 or a 404, never a 500.

- The admin and simple-history pass ids from the URL and the action checkboxes
  straight to the database, where "abc" or "1e3" raises ValueError (a 500):
  every model admin's views are checked by `refuse_malformed_ids`, which the
  admin site wraps around each of them (staff/admin_site.py), so screens of
  other apps (users, groups, django-axes, django-otp) are covered too.
- PostgreSQL refuses a NUL character in any string, so a NUL in a URL's path
  (a slug) or an admin query (?q=, filters) would reach it as an error (a
  500): refused up front.
"""

from functools import wraps

from django.contrib.admin import helpers
from django.db import models
from django.http import Http404, HttpResponseBadRequest
from django.utils.translation import gettext as _

BIGINT_DIGITS = 18  # every id up to 10**18 fits a 64-bit column


def is_id(value):
    value = str(value)
    return value.isascii() and value.isdigit() and len(value) <= BIGINT_DIGITS


def require_id(*values):
    if not all(is_id(value) for value in values):
        raise Http404(_("There is no such record."))


# simple-history's list and one revision: ids straight from the URL.
HISTORY_VIEWS = frozenset({"history_view", "history_form_view"})


def refuse_malformed_ids(view):
    """`view`, a model admin's, refusing ids that are not whole numbers: in a
    history page's URL (404) or in an action's selection (400)."""
    model_admin = getattr(view, "__self__", None)
    model = getattr(model_admin, "model", None)
    if model is None or not isinstance(model._meta.pk, models.IntegerField):
        return view
    name = getattr(view, "__name__", "")

    @wraps(view)
    def checked(request, *args, **kwargs):
        if name in HISTORY_VIEWS:
            require_id(*args, *kwargs.values())
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if request.method == "POST" and not all(is_id(value) for value in selected):
            return HttpResponseBadRequest(_("The selection names records that do not exist."))
        return view(request, *args, **kwargs)

    return checked


class RefuseNulBytesMiddleware:
    """Early in MIDDLEWARE: a NUL in the path, or in an admin query string, is a 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path, query = request.path_info, request.META.get("QUERY_STRING", "")
        # Public pages read only ?page= (a number) and ?q= (search drops
        # control characters itself); the admin passes query values to SQL.
        in_query = path.startswith("/admin/") and ("%00" in query or "\x00" in query)
        if "\x00" in path or in_query:
            return HttpResponseBadRequest(
                _("This address holds a character web addresses cannot hold."),
                content_type="text/plain; charset=utf-8",
            )
        # An admin form's values reach SQL too, before any form checks them
        # (django-axes looks the login's username up as it was posted).
        if path.startswith("/admin/") and request.method == "POST" and holds_nul(request.POST):
            return HttpResponseBadRequest(
                _("This form holds a character forms cannot hold (a NUL)."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def holds_nul(query_dict):
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in query_dict.lists()
    )
