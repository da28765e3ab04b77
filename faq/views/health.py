"""robots.txt, the load balancers' health check, and the monitors' check of
scheduled publishing."""

import contextlib
import logging

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..cache import stamp_store_ok
from ..dashboard import schedule_problems
from ..faults import close_connections

# The name the module had before faq/views/ was split by page.
logger = logging.getLogger("faq.views")


@require_GET
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


HEALTH_CHECK_TIMEOUT_MS = 2000


def set_sqlite_busy_timeout(milliseconds):
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")


@never_cache
def healthz(request):
    """For load balancers: 200 when every store a save needs can be written
    (the database, read and written, and the page-cache stamp), else 503.

    The check runs on a fresh connection, so it sees the database as a new
    request would (a connection opened before a fault may still write, one
    opened during it stays read-only), and it is closed again after a failure.
    The write changes nothing and is rolled back. A short lock timeout makes a
    locked database fail in two seconds rather than after the 20-second busy
    timeout editors' saves wait for. The body names each store.
    """
    if not connection.in_atomic_block:  # (a test's transaction)
        connection.close()
    database = database_writable()
    stamp = stamp_store_ok()
    healthy = database and stamp
    lines = [
        "ok" if healthy else "unavailable",
        f"database: {'ok' if database else 'unavailable'}",
        f"page-cache stamp: {'ok' if stamp else 'unavailable'}",
        # Said, but not counted in the status: a stuck schedule is no reason
        # for a load balancer to take every app server out (/healthz/schedules is).
        f"schedules: {schedules_report() if database else 'unknown'}",
    ]
    return HttpResponse(
        "\n".join(lines) + "\n",
        status=200 if healthy else 503,
        content_type="text/plain; charset=utf-8",
    )


def database_writable():
    try:
        set_sqlite_busy_timeout(HEALTH_CHECK_TIMEOUT_MS)
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"SET LOCAL lock_timeout = {HEALTH_CHECK_TIMEOUT_MS}")
                cursor.execute(f"SET LOCAL statement_timeout = {HEALTH_CHECK_TIMEOUT_MS}")
            cursor.execute("SELECT MIN(id) FROM django_migrations")
            (first_id,) = cursor.fetchone()
            cursor.execute(
                "UPDATE django_migrations SET applied = applied WHERE id = %s", [first_id]
            )
            transaction.set_rollback(True)
    except DatabaseError as error:
        logger.error("Health check failed: %s", error)
        close_connections()
        return False
    finally:
        # The connection outlives this request: give editors' saves their full wait back.
        with contextlib.suppress(DatabaseError):
            set_sqlite_busy_timeout(settings.SQLITE_BUSY_TIMEOUT * 1000)
    return True


def schedules_report():
    """ "ok", or how many scheduled changes failed or missed their time."""
    try:
        problems = schedule_problems()
    except DatabaseError as error:
        logger.error("Health check could not read the schedules: %s", error)
        return "unknown"
    if not (problems.failed or problems.overdue):
        return "ok"
    return (
        f"{problems.failed} failed, {problems.overdue} overdue "
        '(see the admin\'s dashboard; README "Periodic jobs")'
    )


@never_cache
def healthz_schedules(request):
    """For monitoring systems: 200 when every scheduled change whose time has
    come was published, 503 when one failed or is overdue (the periodic jobs
    are not running). Separate from /healthz, whose status load balancers act on."""
    report = schedules_report()
    return HttpResponse(
        f"schedules: {report}\n",
        status=200 if report == "ok" else 503,
        content_type="text/plain; charset=utf-8",
    )
