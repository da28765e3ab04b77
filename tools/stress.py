"""`make stress`: the production server under load while editors save, with a
worker killed and the master reloaded, on SQLite or PostgreSQL (DATABASE_URL).

In a temporary directory (SQLite) or a temporary PostgreSQL database named
after DATABASE_URL's with `_stress` appended, it migrates, seeds, adds two
draft questions and editor logins, and starts gunicorn with
dmvpolicy/gunicorn.conf.py and DJANGO_DEBUG=false on 127.0.0.1:STRESS_PORT
(default 8540). For STRESS_SECONDS (default 30):

- wrk drives the public pages (home, guide, questions, topics, search) with
  STRESS_CONNECTIONS (default 4) connections;
- editor sessions log in through the admin login form (real HTTP, CSRF) and
  save through the answer edit form with its version field: publishers
  publish changes to three published answers, editors save two drafts, two
  or three sessions per answer, so some saves conflict and must be refused;
- a third of the way in, one worker is killed with SIGKILL; two thirds of the
  way in, the master is reloaded with SIGHUP. After each, the time until the
  full set of workers answers /healthz again is measured.

Then it reads the history from the database and prints requests served,
non-2xx, connections closed without a response, saves attempted, saved,
refused as conflicts, history rows added, lost updates and time to healthy.
It exits non-zero on any 5xx, any lost update, any save without exactly one
history row, or a recovery over 5 seconds. Traffic goes to 127.0.0.1 only.
"""

import http.client
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
PORT = int(os.environ.get("STRESS_PORT", "8540"))
SECONDS = int(os.environ.get("STRESS_SECONDS", "30"))
WORKERS = int(os.environ.get("STRESS_WORKERS", "3"))
CONNECTIONS = int(os.environ.get("STRESS_CONNECTIONS", "4"))
HOST = "127.0.0.1"
ORIGIN = f"https://{HOST}:{PORT}"
RECOVERY_LIMIT = 5.0
GUIDE = "/dmv-data-sharing-with-ice-illinois/"
PUBLIC_PATHS = [
    "/",
    GUIDE,
    GUIDE + "what-is-the-current-policy-in-illinois-regarding-the-sharing/",
    "/topics/",
    "/topics/illinois-law/",
    "/search/?q=license",
]
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


# --- the temporary site ---------------------------------------------------------


def make_environment(workdir):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS=HOST,
        CSRF_TRUSTED_ORIGINS=ORIGIN,
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        PAGE_CACHE_STAMP_FILE=str(workdir / "stamp"),
        DJANGO_LOG_LEVEL="WARNING",
        GUNICORN_BIND=f"{HOST}:{PORT}",
        GUNICORN_WORKERS=str(WORKERS),
        GUNICORN_ACCESS_LOG="",
        GUNICORN_CONTROL_SOCKET=str(workdir / "gunicorn.ctl"),
    )
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        env["DATABASE_URL"] = recreate_postgres_database(url)
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'db.sqlite3'}"
    return env


def recreate_postgres_database(url):
    """A fresh `<name>_stress` database beside DATABASE_URL's; its URL."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/") + "_stress"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def drop_postgres_database(env):
    import psycopg

    name = urllib.parse.urlsplit(env["DATABASE_URL"]).path.lstrip("/")
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env, *args, stdin=None):
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


# Run inside the temporary site: two draft questions for the editors, and the
# answers each group edits. Editor logins are made with createeditor below.
SETUP_SCRIPT = """
import json
from faq.models import Answer, Guide, Question
guide = Guide.objects.get(slug="dmv-data-sharing-with-ice-illinois")
drafts = []
for position in (101, 102):
    question = Question.objects.create(
        guide=guide, position=position, text=f"Stress draft question {position}?",
        status=Question.Status.DRAFT)
    drafts.append(Answer.objects.create(question=question, body="A draft.").pk)
published = list(Answer.objects.filter(question__status="published")
                 .order_by("question__position").values_list("pk", flat=True)[:3])
print(json.dumps({"published": published, "draft": drafts}))
"""

# A second factor, if the site requires one (django-otp): a TOTP device per
# editor, made here; the script computes each code with django_otp.oath.totp.
TOTP_SCRIPT = """
import json
from django.conf import settings
keys = {}
if "django_otp.plugins.otp_totp" in settings.INSTALLED_APPS:
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice
    for name in NAMES:
        user = get_user_model().objects.get(username=name)
        device = TOTPDevice.objects.create(user=user, name="stress", confirmed=True)
        keys[name] = device.key
print(json.dumps(keys))
"""

VERIFY_SCRIPT = """
import json, sys
from faq.models import Answer
tokens = json.loads(sys.stdin.read())
rows = Answer.history.filter(id__in=tokens["answers"])
bodies = list(rows.values_list("body", flat=True))
print(json.dumps({
    "history_rows": len(bodies),
    "rows_per_token": {t: sum(t in b for b in bodies) for t in tokens["tokens"]},
}))
"""


def prepare_site(env):
    log("Setting up: migrate, collectstatic, seed_content, editors")
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "seed_content", "-v", "0")
    answers = json.loads(manage(env, "shell", "-c", SETUP_SCRIPT).strip().splitlines()[-1])
    for name, publisher, _pool in EDITORS:
        flags = ["--publisher"] if publisher else []
        manage(env, "createeditor", name, f"--password={PASSWORD}", "--no-input", *flags)
    names = json.dumps([name for name, *_ in EDITORS])
    keys = manage(env, "shell", "-c", TOTP_SCRIPT.replace("NAMES", names))
    return answers, json.loads(keys.strip().splitlines()[-1])


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
    if "otp_token" in fields and name in totp_keys:  # django-otp's login form
        fields["otp_token"] = totp(totp_keys[name])
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
        fields["_publish" if publisher else "_continue"] = "1"
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


class Server:
    def __init__(self, env, workdir):
        self.env, self.workdir = env, workdir

    def start(self):
        self.log = open(self.workdir / "gunicorn.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [GUNICORN, "-c", "dmvpolicy/gunicorn.conf.py", "dmvpolicy.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        if self.wait_healthy(set(), limit=60) is None:
            self.stop()
            raise SystemExit(f"gunicorn did not start; see {self.workdir / 'gunicorn.log'}")

    def workers(self):
        pid = self.process.pid
        try:
            return set(Path(f"/proc/{pid}/task/{pid}/children").read_text().split())
        except FileNotFoundError:
            return set()

    def wait_healthy(self, replaced, limit=RECOVERY_LIMIT * 4):
        """Seconds until WORKERS workers not in `replaced` run (old ones may still
        finish their last request, as a graceful reload lets them) and /healthz
        answers 200; None if not within `limit`."""
        started = time.monotonic()
        workers_up = None
        while time.monotonic() - started < limit:
            if len(self.workers() - replaced) >= WORKERS:
                workers_up = workers_up or time.monotonic() - started
                probe = time.monotonic()
                try:
                    status = request("GET", "/healthz", timeout=RECOVERY_LIMIT)[0]
                except NoResponse as error:
                    status = f"no response ({error})"
                if status == 200:
                    log(f"    new workers up after {workers_up:.2f} s")
                    return time.monotonic() - started
                log(f"    /healthz: {status} after {time.monotonic() - probe:.2f} s")
            time.sleep(0.05)
        return None

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def faults(server, started, recoveries):
    """SIGKILL one worker a third of the way in, SIGHUP the master at two thirds."""
    time.sleep(max(0, started + SECONDS / 3 - time.monotonic()))
    victim = sorted(server.workers())[0]
    log(f"  SIGKILL worker {victim}")
    os.kill(int(victim), signal.SIGKILL)
    recoveries.append(("worker killed (SIGKILL)", server.wait_healthy({victim})))
    time.sleep(max(0, started + 2 * SECONDS / 3 - time.monotonic()))
    old = server.workers()
    log(f"  SIGHUP master {server.process.pid}")
    server.process.send_signal(signal.SIGHUP)
    recoveries.append(("master reloaded (SIGHUP)", server.wait_healthy(old)))


def run_wrk():
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "10s"]
    command += ["-H", "X-Forwarded-Proto: https", "-s", str(ROOT / "tools" / "stress.lua")]
    command += [f"http://{HOST}:{PORT}", "--", *PUBLIC_PATHS]
    output = subprocess.run(command, capture_output=True, text=True, check=True)
    log(f"  wrk: {output.stdout.strip().splitlines()[-1]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def main():
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (make stress does this).")
    workdir = Path(tempfile.mkdtemp(prefix="dmvpolicy-stress-"))
    env = make_environment(workdir)
    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    try:
        answers, totp_keys = prepare_site(env)
        log(f"Serving on {HOST}:{PORT} ({database}, {WORKERS} workers) for {SECONDS} s")
        rows_before = history(env, answers)["history_rows"]
        server = Server(env, workdir)
        server.start()
        try:
            report = stress(server, answers, totp_keys)
        finally:
            server.stop()
        report["history"] = history(env, answers, [s["token"] for s in report["tally"].saves])
        report["history_before"] = rows_before
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if database == "PostgreSQL":
            drop_postgres_database(env)
    return print_report(database, report)


def stress(server, answers, totp_keys):
    tally, recoveries, wrk_result = Tally(), [], {}
    # Logged in before the clock starts: each login hashes a password for
    # about a second of CPU, which would otherwise hold the workers.
    log(f"Logging in {len(EDITORS)} editors through the admin login form")
    sessions = [log_in(name, totp_keys) for name, *_ in EDITORS]
    started = time.monotonic()
    deadline = started + SECONDS
    load = threading.Thread(target=lambda: wrk_result.update(run_wrk()))
    load.start()
    editors = [
        threading.Thread(
            target=editor_session,
            args=(publisher, cookies, answers[pool], deadline, tally, index),
        )
        for index, ((_name, publisher, pool), cookies) in enumerate(
            zip(EDITORS, sessions, strict=True)
        )
    ]
    for thread in editors:
        thread.start()
    faults(server, started, recoveries)
    for thread in [*editors, load]:
        thread.join()
    return {"tally": tally, "recoveries": recoveries, "wrk": wrk_result}


def history(env, answers, tokens=()):
    """History rows of the edited answers, and how many hold each save's token."""
    payload = json.dumps({"answers": answers["published"] + answers["draft"], "tokens": tokens})
    return json.loads(manage(env, "shell", "-c", VERIFY_SCRIPT, stdin=payload).splitlines()[-1])


def print_report(database, report):
    tally, wrk, history = report["tally"], report["wrk"], report["history"]
    saves = tally.saves
    by_outcome = {}
    for save in saves:
        by_outcome[save["outcome"]] = by_outcome.get(save["outcome"], 0) + 1
    rows = history["rows_per_token"]
    saved = [s for s in saves if s["outcome"] == "saved"]
    # Exactly one history row per save reported as saved; none for a refused
    # one; at most one where the connection closed before the answer came.
    wrong_history = [
        s
        for s in saves
        if (s["outcome"] == "saved" and rows[s["token"]] != 1)
        or (s["outcome"] == "conflict" and rows[s["token"]] != 0)
        or (s["outcome"] == "no response" and rows[s["token"]] > 1)
    ]
    # A lost update: a save reported as saved that left no trace, or two saves
    # accepted from the same version of one answer (the second overwrote the
    # first without its editor seeing it).
    bases = [(s["answer"], s["base"]) for s in saved]
    lost = [s for s in saved if rows[s["token"]] == 0] + [None] * (len(bases) - len(set(bases)))
    added = history["history_rows"] - report["history_before"]
    committed_unknown = sum(rows[s["token"]] for s in saves if s["outcome"] == "no response")
    public_5xx = wrk.get("5xx", 0)
    closed = wrk.get("read_errors", 0) + wrk.get("connect_errors", 0) + wrk.get("write_errors", 0)
    lines = [
        f"make stress on {database}: {SECONDS} s, {WORKERS} workers, "
        f"{CONNECTIONS} wrk connections, {len(EDITORS)} editor sessions",
        f"  requests served:                  {wrk.get('requests', 0) + tally.requests}"
        f" ({wrk.get('requests', 0)} public, {tally.requests} admin)",
        f"  non-2xx responses:                {wrk.get('3xx', 0) + wrk.get('4xx', 0) + public_5xx}"
        f" public, {tally.non_2xx} admin (5xx: {public_5xx + len(tally.server_errors)})",
        f"  connections closed, no response:  {closed + tally.closed}"
        f" ({closed} public, {tally.closed} admin; timeouts {wrk.get('timeouts', 0)})",
        f"  saves attempted:                  {len(saves)}",
        f"  saved:                            {by_outcome.get('saved', 0)}",
        f"  refused as conflicts:             {by_outcome.get('conflict', 0)}",
        f"  no response (worker killed):      {by_outcome.get('no response', 0)}"
        f" ({committed_unknown} of them committed)",
        f"  history rows added:               {added}",
        f"  saves without exactly one row:    {len(wrong_history)}",
        f"  lost updates:                     {len(lost)}",
    ]
    for label, seconds in report["recoveries"]:
        shown = f"{seconds:.2f} s" if seconds is not None else "not within the limit"
        lines.append(f"  time to healthy, {label + ':':26s}{shown}")
    other = {k: v for k, v in by_outcome.items() if k not in ("saved", "conflict", "no response")}
    if other:
        lines.append(f"  other save outcomes:              {other}")
    print("\n".join(lines), flush=True)

    failures = []
    if public_5xx or tally.server_errors:
        failures.append(f"{public_5xx + len(tally.server_errors)} responses were 5xx")
        failures += tally.server_errors[:5]
    if lost:
        failures.append(f"{len(lost)} lost updates")
    if wrong_history:
        failures.append(f"{len(wrong_history)} saves without exactly one history row")
    if added != len(saved) + committed_unknown:
        failures.append(f"{added} history rows for {len(saved) + committed_unknown} saves")
    if not saved or not by_outcome.get("conflict"):
        failures.append("the run saved nothing or had no conflict: it proved nothing")
    for label, seconds in report["recoveries"]:
        if seconds is None or seconds > RECOVERY_LIMIT:
            failures.append(f"recovery after {label} took over {RECOVERY_LIMIT:.0f} s")
    for failure in failures:
        print(f"FAILED: {failure}", flush=True)
    if not failures:
        print("stress: passed", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
