"""Staff sessions end after an idle period and after an absolute lifetime.

SESSION_IDLE_SECONDS (default one hour) without a request, or
SESSION_MAX_AGE_SECONDS (default twelve hours) after logging in, the editor is
logged out and the admin asks for their password (and code) again. Readers
have no session, so this costs them nothing.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.db import DatabaseError
from django.utils.translation import ngettext

LOGIN_AT = "staff_login_at"
LAST_SEEN = "staff_last_seen"
# The last-seen time is rewritten at most this often, so a busy editor's
# session is not saved on every request.
LAST_SEEN_RESOLUTION = 60


def remember_login_time(sender, request, user, **kwargs):
    now = time.time()
    request.session[LOGIN_AT] = now
    request.session[LAST_SEEN] = now


class StaffSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        try:
            logged_in = SESSION_KEY in session
        except DatabaseError:
            # The session store is down: the view meets the same fault, and
            # faq.faults.DatabaseFaultMiddleware answers with the editor's text kept.
            logged_in = False
        if logged_in:
            self.check_lifetime(request, session)
        return self.get_response(request)

    def check_lifetime(self, request, session):
        now = time.time()
        login_at = session.setdefault(LOGIN_AT, now)
        last_seen = session.get(LAST_SEEN, now)
        if now - login_at > settings.SESSION_MAX_AGE_SECONDS:
            hours = settings.SESSION_MAX_AGE_SECONDS // 3600
            message = ngettext(
                "You were logged out %(hours)s hour after logging in. Log in again.",
                "You were logged out %(hours)s hours after logging in. Log in again.",
                hours,
            )
            self.log_out(request, message % {"hours": hours})
        elif now - last_seen > settings.SESSION_IDLE_SECONDS:
            minutes = settings.SESSION_IDLE_SECONDS // 60
            message = ngettext(
                "You were logged out after %(minutes)s minute without activity.",
                "You were logged out after %(minutes)s minutes without activity.",
                minutes,
            )
            self.log_out(request, message % {"minutes": minutes})
        elif now - last_seen >= LAST_SEEN_RESOLUTION or LAST_SEEN not in session:
            session[LAST_SEEN] = now

    def log_out(self, request, message):
        logout(request)
        messages.warning(request, message)
