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
  save whole drafts of three published answers, editors save two draft
  questions, two
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

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

# Beside this script: its folder is on sys.path when it runs as `python tools/stress.py`.
from stress_editors import (
    EDITORS,
    HOST,
    ORIGIN,
    PASSWORD,
    PORT,
    NoResponse,
    Tally,
    editor_session,
    log,
    log_in,
    request,
)
from stress_report import CONNECTIONS, RECOVERY_LIMIT, SECONDS, WORKERS, print_report

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
GUIDE = "/dmv-data-sharing-with-ice-illinois/"
PUBLIC_PATHS = [
    "/",
    GUIDE,
    GUIDE + "what-is-the-current-policy-in-illinois-regarding-the-sharing/",
    "/topics/",
    "/topics/illinois-law/",
    "/search/?q=license",
]


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


def recreate_postgres_database(url, suffix="_stress"):
    """A fresh `<name><suffix>` database beside `url`'s; its URL."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/") + suffix
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def drop_postgres_database(env, url=None):
    """Drop the database env's DATABASE_URL names, connected through `url`'s."""
    import psycopg

    name = urllib.parse.urlsplit(env["DATABASE_URL"]).path.lstrip("/")
    with psycopg.connect(url or os.environ["DATABASE_URL"], autocommit=True) as connection:
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
# A save of a published answer is a draft: its text is in draft_body.
texts = list(rows.values_list("body", "draft_body"))
print(json.dumps({
    "history_rows": len(texts),
    "rows_per_token": {t: sum(t in b or t in d for b, d in texts) for t in tokens["tokens"]},
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


if __name__ == "__main__":
    sys.exit(main())
