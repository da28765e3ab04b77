"""When the database (or the page-cache stamp) cannot be written: no lost work,
no bare 500, no request without a response, and recovery as soon as it ends.

- `SavesSurviveFaults` (admin mixin): a save that fails on the database or the
  stamp shows the admin form again, bound to what the editor posted, with a
  "Not saved" error, instead of a 500 and a lost form.
- `DatabaseFaultMiddleware`: the fallback for anything else that fails on the
  database (PostgreSQL down: even the editor's session cannot be read). A POST
  gets a page holding every field the editor sent, ready to send again; any
  other request a plain 503. Either way the connection is closed.
- Closing the connection after every database error, and never keeping one
  opened during a fault (`short_lived_when_read_only`), is what makes recovery
  quick: a SQLite connection opened while the file was unwritable stays
  read-only for its whole life, and a PostgreSQL session opened during a
  read-only spell keeps that setting; Django would otherwise keep either for
  DATABASE_CONN_MAX_AGE seconds because `SELECT 1` still works on them, and
  the first write on each worker after the fault (a login, a workflow step)
  failed.
- `use_rollback_journal`: SQLite runs with a rollback journal, not WAL. In WAL
  mode every connection maps the `-shm` file into memory and writes to it even
  to read; when that file becomes unwritable under a running worker (`chattr
  +i`, a disk remounted read-only after an error) the kernel answers the next
  write to the mapping with SIGBUS and the worker dies mid-request with no
  response at all. A rollback journal uses only read() and write(), which fail
  with an error Django can report.
"""

import logging
import os
import time

from django import forms
from django.conf import settings
from django.db import DatabaseError, OperationalError, connections
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

NOT_SAVED = _(
    "Not saved: the site cannot store changes right now (%(reason)s). Your text is still "
    "in the form below and nothing was changed. Try saving again in a moment; if it keeps "
    "failing, copy your text somewhere safe and tell the site's operator."
)
# Raised by what a save needs: the database, or the page-cache stamp file.
SAVE_FAULTS = (DatabaseError, OSError)


def close_connections():
    """Drop every database connection, so the next request opens a fresh one."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except DatabaseError:
            # A broken connection may fail to close; forget it all the same.
            connection.connection = None


def describe(error):
    if isinstance(error, DatabaseError):
        return _("the database refused the change")
    return _("the page cache could not be updated")


class SavesSurviveFaults:
    """ModelAdmin mixin: a failed save shows the bound form with a "Not saved" error."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        reason = None
        for attempt in ("first", "again"):
            try:
                return super().changeform_view(request, object_id, form_url, extra_context)
            except SAVE_FAULTS as error:
                # The failed attempt was rolled back whole. Tried once more on a
                # fresh connection: one opened during a fault that has since
                # ended would otherwise refuse this first save after it.
                logger.error("Admin save failed (%s try): %r", attempt, error)
                close_connections()
                reason = describe(error)
        request.save_fault = reason
        try:
            # The same view once more, with a form that refuses to save: the admin
            # renders it bound to the POST, with every inline and the error.
            response = self._changeform_view(request, object_id, form_url, extra_context)
        except SAVE_FAULTS:
            close_connections()
            raise  # cannot even read: DatabaseFaultMiddleware keeps the text
        response.status_code = 503
        return response

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        reason = getattr(request, "save_fault", None)
        return refusing_form(form, reason) if reason else form


def refusing_form(form_class, reason):
    """`form_class`, always invalid with the "Not saved" error, so nothing is saved."""

    class NotSavedForm(form_class):
        def clean(self):
            cleaned = super().clean()
            self.add_error(
                None, forms.ValidationError(NOT_SAVED, code="not_saved", params={"reason": reason})
            )
            return cleaned

    NotSavedForm.__name__ = form_class.__name__
    return NotSavedForm


class DatabaseFaultMiddleware:
    """Last in MIDDLEWARE: turns a database error the views did not handle into a
    503 that keeps a POST's fields, and closes the connection."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError) or (
            isinstance(exception, SAVE_FAULTS) and request.method == "POST"
        ):
            logger.error("Request failed on a store it needs: %r", exception)
            close_connections()
            return fault_response(request, exception)
        if isinstance(exception, DatabaseError):
            close_connections()  # the 500 that follows is a bug, but recover anyway
        return None


def fault_response(request, error):
    """Rendered without the database: no context processors, no session, no user."""
    fields = []
    if request.method == "POST":
        for name, values in request.POST.lists():
            if is_secret(name):
                continue  # never echoed into a page
            for value in values:
                fields.append({"name": name, "value": value, "shown": is_text(name, value)})
    html = render_to_string(
        "admin/faq/not_saved.html",
        {"fields": fields, "action": request.get_full_path(), "reason": describe(error)},
        using="django",
    )
    response = HttpResponse(html, status=503)
    response["Retry-After"] = "5"
    response["Cache-Control"] = "no-store"
    return response


def is_secret(name):
    return any(word in name.lower() for word in ("password", "otp", "secret"))


def is_text(name, value):
    """Fields an editor typed, shown so they can copy them; the rest stay hidden."""
    hidden = name == "csrfmiddlewaretoken" or name.endswith(("-id", "_FORMS", "version"))
    return not hidden and len(value) > 0


def use_rollback_journal(sender, connection, **kwargs):
    """connection_created receiver: leave WAL for a rollback journal (see above).

    Leaving WAL needs every other connection closed; while old workers still
    hold the file, this connection stays in WAL and a later one switches.
    """
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return
    cursor = connection.connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout = 0")
        mode = cursor.execute("PRAGMA journal_mode = TRUNCATE").fetchone()
        if mode and mode[0] != "truncate":
            logger.warning("SQLite journal mode stays %s for now", mode[0])
    except Exception as error:  # noqa: BLE001 - sqlite3's own errors, not Django's
        logger.warning("SQLite journal mode unchanged for now: %s", error)
    finally:
        cursor.execute(f"PRAGMA busy_timeout = {int(settings.SQLITE_BUSY_TIMEOUT * 1000)}")
        cursor.close()


def short_lived_when_read_only(sender, connection, **kwargs):
    """connection_created receiver: a connection opened while the database refuses
    writes serves only the request that opened it (see above): Django closes a
    connection whose `close_at` has passed when the request ends."""
    try:
        read_only = opened_read_only(connection)
    except Exception as error:  # noqa: BLE001 - the driver's own errors; keep the connection
        logger.warning("Could not tell whether a new connection is read-only: %s", error)
        return
    if read_only:
        logger.warning("Database connection opened read-only: closed after this request")
        connection.close_at = time.monotonic()


def opened_read_only(connection):
    if connection.vendor == "sqlite":
        # SQLite opens a file it may not write (permissions, chattr +i, a
        # read-only mount) read-only instead, the very test access() makes.
        if connection.is_in_memory_db():
            return False
        return not os.access(connection.settings_dict["NAME"], os.W_OK)
    if connection.vendor == "postgresql":
        # Covers default_transaction_read_only and a server in recovery.
        with connection.connection.cursor() as cursor:
            cursor.execute("SHOW transaction_read_only")
            return cursor.fetchone()[0] == "on"
    return False
