"""Editor sessions for tools/stress.py: HTTP to the server under test, the
admin login (with a TOTP step if asked for) and saves through the answer form.

Imported by tools/stress.py, whose folder is on sys.path when it runs as a script.
"""

import http.client
import os
import random
import secrets
import sys
import threading
import time
import urllib.parse
from html.parser import HTMLParser
from http.cookies import SimpleCookie

PORT = int(os.environ.get("STRESS_PORT", "8540"))
HOST = "127.0.0.1"
ORIGIN = f"https://{HOST}:{PORT}"
PASSWORD = "stress-" + secrets.token_urlsafe(16)
# (username, publisher?, which answers it edits): several sessions per answer.
EDITORS = [
    ("stress-pub-1", True, "published"),
    ("stress-pub-2", True, "published"),
    ("stress-pub-3", True, "published"),
    ("stress-ed-1", False, "draft"),
    ("stress-ed-2", False, "draft"),
]


def log(message):
    print(message, file=sys.stderr, flush=True)


# --- HTTP ---------------------------------------------------------------------------


class NoResponse(Exception):
    """The connection closed without a response (a killed worker)."""


def request(method, path, cookies=None, body=None, timeout=30):
    headers = {"Host": f"{HOST}:{PORT}", "X-Forwarded-Proto": "https"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body is not None:
        body = urllib.parse.urlencode(body, doseq=True)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Origin"] = ORIGIN
        headers["Referer"] = ORIGIN + path
    connection = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read().decode("utf-8", "replace")
    except (ConnectionError, http.client.HTTPException, TimeoutError, OSError) as error:
        raise NoResponse(str(error)) from error
    finally:
        connection.close()
    if cookies is not None:
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                cookies[name] = morsel.value
    return response.status, response.headers, content


class FormParser(HTMLParser):
    """The fields a browser would post from the page's main form."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields, self.textarea, self.select = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        kind = attrs.get("type", "text")
        if "disabled" in attrs or (tag != "option" and not name):
            return
        if tag == "input" and kind not in ("submit", "button", "file", "image"):
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append([name, attrs.get("value", "on" if kind == "checkbox" else "")])
        elif tag == "textarea":
            self.textarea = [name, ""]
            self.fields.append(self.textarea)
        elif tag == "select":
            self.select = [name, None]
        elif (
            tag == "option"
            and self.select is not None
            and ("selected" in attrs or self.select[1] is None)
        ):
            # The selected option, or else the first, as a browser sends.
            self.select[1] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select" and self.select is not None:
            self.fields.append(self.select[:2])
            self.select = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data


def form_fields(html):
    parser = FormParser()
    parser.feed(html)
    return dict((name, value) for name, value in parser.fields if value is not None)


def totp(key_hex):
    from django_otp.oath import totp as oath_totp

    return f"{oath_totp(bytes.fromhex(key_hex)):06d}"


def log_in(name, totp_keys):
    """The admin login form, as a browser fills it; a TOTP step if one is asked for."""
    cookies = {}
    status, _headers, page = request("GET", "/admin/login/?next=/admin/", cookies)
    fields = form_fields(page)
    fields.update(username=name, password=PASSWORD, next="/admin/")
    for field in ("code", "otp_token"):  # the admin's login form (staff/forms.py), django-otp's
        if field in fields and name in totp_keys:
            fields[field] = totp(totp_keys[name])
    status, headers, page = request("POST", "/admin/login/?next=/admin/", cookies, fields)
    location = headers.get("Location", "")
    # A second step on its own page (for example /admin/verify/): fill its code.
    if status == 302 and name in totp_keys and "login" not in location and location != "/admin/":
        path = urllib.parse.urlsplit(location).path
        _status, _headers, page = request("GET", path, cookies)
        step = form_fields(page)
        for field in ("otp_token", "token", "code"):
            if field in step:
                step[field] = totp(totp_keys[name])
        status, headers, page = request("POST", path, cookies, step)
    if status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"{name} could not log in: {status} {page[:500]}")
    return cookies


# --- the run ---------------------------------------------------------------------


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.saves = []  # dicts: answer, base_version, token, outcome
        self.server_errors = []
        self.non_2xx = 0
        self.closed = 0
        self.requests = 0

    def add(self, **save):
        with self.lock:
            self.saves.append(save)


def editor_session(publisher, cookies, answer_ids, deadline, tally, seed):
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        time.sleep(rng.uniform(0.2, 0.8))  # reading, typing
        answer = rng.choice(answer_ids)
        path = f"/admin/faq/answer/{answer}/change/"
        try:
            status, _h, page = request("GET", path, cookies)
        except NoResponse:
            with tally.lock:
                tally.closed += 1
            continue
        with tally.lock:
            tally.requests += 1
        if status != 200:
            record_status(tally, "GET", path, status)
            continue
        fields = form_fields(page)
        token = f"stress-{secrets.token_hex(6)}"
        fields["body"] = f"Answer saved under load ({token})."
        fields["change_note"] = f"Stress save {token}"
        fields.pop("_continue", None)
        # A published answer's save is a whole draft (faq/workflow.py); publishing
        # is a workflow step of its own, not part of the edit form.
        fields["_continue"] = "1"
        time.sleep(rng.uniform(0, 1.0))  # a colleague may save meanwhile: a conflict
        save = {"answer": answer, "base": fields.get("base_version"), "token": token}
        try:
            status, _h, page = request("POST", path, cookies, fields)
        except NoResponse:
            tally.add(**save, outcome="no response")
            with tally.lock:
                tally.closed += 1
            continue
        with tally.lock:
            tally.requests += 1
        if status == 302:
            tally.add(**save, outcome="saved")
        elif status == 200 and "saved this answer after you opened it" in page:
            tally.add(**save, outcome="conflict")
        else:
            tally.add(**save, outcome=f"status {status}")
            record_status(tally, "POST", path, status, page)


def record_status(tally, method, path, status, page=""):
    with tally.lock:
        if status >= 300:
            tally.non_2xx += 1
        if status >= 500:
            tally.server_errors.append(f"{method} {path} {status} {page[:200]!r}")
