"""`make bench`: the production server under wrk, compared with a static file.

Starts gunicorn (dmvpolicy/gunicorn.conf.py, DJANGO_DEBUG=false) on
127.0.0.1 in a temporary directory with its own SQLite database, seeds it and
drives it with wrk (16 connections, BENCH_SECONDS per URL, default 6). Each
page's rate is divided by the rate of a static file of the same size served by
whitenoise from the same server (the page's own bytes, with its own brotli
and gzip bodies beside it), measured in alternating 2-second slices, as sent
plain and as sent to a browser (Accept-Encoding: br, gzip). On the seed data
it also measures public throughput while an editor saves once a second, and
the README's nginx configuration (bench/nginx.py). It runs again after
`generate_demo_data` added BENCH_QUESTIONS questions (default 100,000, in
one guide per 100), then prints the issue's target table (#15) with MET or
MISSED, search p95 latency and each worker's peak resident memory (VmHWM).

Requests carry X-Forwarded-Proto: https, as from the TLS proxy, so the
production settings (HTTPS redirect, HSTS) stay on.
"""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import nginx  # bench/nginx.py, beside this file
from report_tables import print_table, print_targets, verdict  # beside this script

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
SECONDS = int(os.environ.get("BENCH_SECONDS", "6"))
ROUND_SECONDS = 2  # page and static file alternate in slices of this length
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
PORT = int(os.environ.get("BENCH_PORT", "8631"))
QUESTIONS = int(os.environ.get("BENCH_QUESTIONS", "100000"))
BASE = f"http://127.0.0.1:{PORT}"
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
BROWSER = {"Accept-Encoding": "br, gzip"}  # what every current browser sends

GUIDE = "/dmv-data-sharing-with-ice-illinois/"
QUESTION = GUIDE + "what-is-the-current-policy-in-illinois-regarding-the-sharing/"
SPANISH_GUIDE = "/es/intercambio-de-datos-del-dmv-con-ice-en-illinois/"
SPANISH_QUESTION = SPANISH_GUIDE + "cual-es-la-politica-actual-de-illinois-con-respecto/"
# The pages measured, one line each (name, path): add a page type here.
PAGES = [
    ("home", "/"),
    ("guide", GUIDE),
    ("question", QUESTION),
    ("topic", "/topics/illinois-law/"),
    ("search", "/search/?q=license"),
    ("es-question", SPANISH_QUESTION),
    ("es-search", "/es/buscar/?q=licencia"),
]
# Any query parameter the page cache does not know bypasses it (faq/middleware.py).
UNCACHED_QUESTION = QUESTION + "?nocache=1"
UNCACHED_SEARCH = "/search/?q=license&nocache=1"
# The answer an editor saves once a second during the editing run.
EDITED = ("dmv-data-sharing-with-ice-illinois", QUESTION.rstrip("/").rsplit("/", 1)[1])


def log(message):
    print(message, file=sys.stderr, flush=True)


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def fetch(path, headers=None):
    request = urllib.request.Request(BASE + path, headers={**PROXY_HEADERS, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Server:
    def __init__(self, env, workdir):
        self.env, self.workdir = env, workdir

    def __enter__(self):
        self.log = open(self.workdir / "gunicorn.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [GUNICORN, "-c", "dmvpolicy/gunicorn.conf.py", "dmvpolicy.wsgi"],
            cwd=ROOT,
            env={**self.env, "GUNICORN_BIND": f"127.0.0.1:{PORT}"},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if fetch("/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None:
                self.__exit__()
                raise SystemExit(f"gunicorn exited; see {self.workdir / 'gunicorn.log'}")
            time.sleep(0.2)
        self.__exit__()  # a with block does not call it when __enter__ fails
        raise SystemExit("gunicorn did not answer /healthz within 60 seconds")

    def worker_peak_rss_mb(self):
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        peaks = []
        for child in children:
            status = Path(f"/proc/{child}/status").read_text()
            peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024)
        return peaks

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def wrk(path, headers=None, seconds=SECONDS, connections=CONNECTIONS, base=None, script=None):
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    command += ["-s", str(script or ROOT / "bench" / "report.lua")]
    for name, value in {**PROXY_HEADERS, **(headers or {})}.items():
        command += ["-H", f"{name}: {value}"]
    url = (base or BASE) + path
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True)
    result = json.loads(output.stdout.strip().splitlines()[-1])
    if result["errors"] or result["bad_status"]:
        log(f"  warning: {path}: {result['errors']} socket errors, {result['bad_status']} bad")
    return result


def compare(path, static_path, headers=None, static_headers=None, base=None):
    """The page and its static twin in alternating slices of the run, so a
    change in the machine's other load affects both alike. Rates are totals
    over the slices; latencies the median of the slices."""
    slices = max(1, SECONDS // ROUND_SECONDS)
    pages, statics = [], []
    for _ in range(slices):
        statics.append(wrk(static_path, static_headers, seconds=ROUND_SECONDS, base=base))
        pages.append(wrk(path, headers, seconds=ROUND_SECONDS, base=base))
    return combine(pages), combine(statics)


def combine(results):
    def median(key):
        return sorted(result[key] for result in results)[len(results) // 2]

    seconds = sum(result["requests"] / result["rps"] for result in results if result["rps"])
    return {
        "rps": sum(result["requests"] for result in results) / seconds if seconds else 0.0,
        "p50": median("p50"),
        "p95": median("p95"),
        "p99": median("p99"),
    }


def write_static_twins(static_root, bodies):
    """Each page's own bytes as a static file, with its brotli and gzip bodies
    beside it as whitenoise's collectstatic would write them: a static file of
    the same size, and of the same compressed size."""
    folder = static_root / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    for name, by_encoding in bodies.items():
        (folder / f"{name}.html").write_bytes(by_encoding[""])
        (folder / f"{name}.html.br").write_bytes(by_encoding["br"])
        (folder / f"{name}.html.gz").write_bytes(by_encoding["gzip"])


def page_bodies(path):
    """The page as sent plain, to a brotli browser and to a gzip-only one."""
    bodies = {}
    for encoding in ("", "br", "gzip"):
        status, headers, body = fetch(path, {"Accept-Encoding": encoding} if encoding else {})
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        if headers.get("Content-Encoding", "") != encoding:
            raise SystemExit(f"{path}: asked for {encoding!r}, got {headers}")
        bodies[encoding] = body
    return bodies


def run_dataset(label, env, workdir, extra=None):
    """Every page plain and compressed against its static twin, the 304 and
    uncached rows, search latency and worker memory; `extra(server, bodies)`
    runs more measurements while the server is up."""
    log(f"\n== {label}: measuring page sizes")
    with Server(env, workdir):
        bodies = {name: page_bodies(path) for name, path in PAGES}
    write_static_twins(Path(env["DJANGO_STATIC_ROOT"]), bodies)

    rows, more = [], {}
    with Server(env, workdir) as server:
        for name, path in PAGES:
            twin = f"/static/bench/{name}.html"
            log(f"  wrk {name} {path}")
            # Every worker has its own page cache, empty after a restart: fill it.
            wrk(path, seconds=1)
            wrk(path, BROWSER, seconds=1)
            page, static = compare(path, twin)
            rows.append((name, len(bodies[name][""]), page, static))
            page, static = compare(path, twin, BROWSER, BROWSER)
            rows.append((f"{name}, br", len(bodies[name]["br"]), page, static))
        etag = fetch(QUESTION)[1]["ETag"]
        twin = "/static/bench/question.html"
        log("  wrk 304 revalidation")
        page, static = compare(QUESTION, twin, {"If-None-Match": etag})
        rows.append(("304", 0, page, static))
        log("  wrk uncached question")
        page, static = compare(UNCACHED_QUESTION, twin)
        rows.append(("uncached question", len(bodies["question"][""]), page, static))
        # One reader at a time: how long a search takes, without the time spent
        # queueing behind other requests; then under the full load.
        log("  wrk uncached search, 1 connection and under load")
        search_p95 = (wrk(UNCACHED_SEARCH, connections=1)["p95"], wrk(UNCACHED_SEARCH)["p95"])
        if extra:
            more = extra(server, bodies)
        peaks = server.worker_peak_rss_mb()
    return {"rows": rows, "search": search_p95, "peaks": peaks, "bodies": bodies, **more}


MIX_SCRIPT = """
local paths = {%s}
local next_path = 0
request = function()
  next_path = next_path %% #paths + 1
  return wrk.format(nil, paths[next_path])
end
"""

EDITOR_SCRIPT = """
import sys, time, django
django.setup()
from faq.models import Answer
from faq.revisions import save_revision
answer = Answer.objects.get(question__guide__slug=sys.argv[1], question__slug=sys.argv[2])
original, saves = answer.body, 0
next_save = time.monotonic()
end = next_save + float(sys.argv[3])
while next_save < end:
    answer.body = original if saves % 2 else original + " (Edited.)"
    answer.change_note = f"Benchmark edit {saves}"
    save_revision(answer, None)
    saves += 1
    next_save += 1
    time.sleep(max(0, next_save - time.monotonic()))
print(saves)
"""


def editing_load(env, workdir):
    """Every page in PAGES in turn, compressed, with no edits, then while an
    editor saves the measured question's answer once a second (the worst case:
    its own guide's pages must be rendered again after each save), then with no
    edits again. Returns (rate without edits, rate with edits, saves made)."""
    paths = ", ".join(f'"{path}"' for _, path in PAGES)
    script = workdir / "mix.lua"
    report = (ROOT / "bench" / "report.lua").read_text()
    script.write_text(MIX_SCRIPT % paths + report)
    log("  wrk all pages, no edits / an editor saving once a second / no edits")
    before = wrk("/", BROWSER, script=script)
    editor = subprocess.Popen(
        [PYTHON, "-c", EDITOR_SCRIPT, *EDITED, str(SECONDS)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    during = wrk("/", BROWSER, script=script)
    saves = int(editor.communicate(timeout=60)[0].strip() or 0)
    after = wrk("/", BROWSER, script=script)
    return (before["rps"] + after["rps"]) / 2, during["rps"], saves


def check_machine(*ports):
    """wrk is installed and the benchmark's ports are free."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk (make bench does this)")
    for port in ports:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                raise SystemExit(f"Port {port} is busy; set BENCH_PORT to a free port.")


def bench_env(workdir, **settings):
    """The servers' environment: production settings, a database and static
    files of their own in `workdir`, nothing inherited that would change them."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CACHE_", "PAGE_CACHE_", "GUNICORN_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="dmvpolicy.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{workdir}/db.sqlite3",
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        DJANGO_LOG_LEVEL="WARNING",
        **settings,
    )
    return env


def set_up_site(env):
    """A fresh database with the seed content, and the static files."""
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "seed_content", "-v0")


def main():
    check_machine(PORT, nginx.PORT)
    workdir = Path(tempfile.mkdtemp(prefix="dmvpolicy-bench-"))
    env = bench_env(workdir)
    if os.environ.get("BENCH_WORKERS"):
        env["GUNICORN_WORKERS"] = os.environ["BENCH_WORKERS"]
    label = f"{QUESTIONS:,} questions"
    started = time.monotonic()

    def seed_extra(server, bodies):
        return {
            "editing": editing_load(env, workdir),
            "proxy": nginx.measure(PAGES, bodies, BASE, compare),
        }

    try:
        log(f"Working in {workdir}")
        set_up_site(env)
        seed = run_dataset("seed data", env, workdir, seed_extra)
        print_table("Seed data (20 questions)", seed["rows"])  # in case the rest fails
        sys.stdout.flush()
        log(f"\n== generating {label}")
        generating = time.monotonic()
        guides = max(1, QUESTIONS // 100)
        manage(
            env,
            "generate_demo_data",
            "--guides",
            str(guides),
            "--questions",
            str(QUESTIONS),
            "--force",
        )
        generated = time.monotonic() - generating
        big = run_dataset(label, env, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    workers = env.get("GUNICORN_WORKERS", "CPUs + 1")
    print(
        f"\nwrk: {CONNECTIONS} connections, {SECONDS} s per URL; "
        f"gunicorn with dmvpolicy/gunicorn.conf.py, workers: {workers}"
    )
    print_table("Seed data (20 questions)", seed["rows"])
    print_table(f"{label} ({max(1, QUESTIONS // 100)} demo guides + seed guide)", big["rows"])
    print_targets(seed, big, label)
    ok = big["search"][0] <= 50
    print(
        f"\nsearch p95, uncached, one reader at a time: seed {seed['search'][0]:.1f} ms; "
        f"{label} {big['search'][0]:.1f} ms (target <= 50) {verdict(ok)}"
        f"\n  under load ({CONNECTIONS} connections, includes queueing): "
        f"seed {seed['search'][1]:.1f} ms; {label} {big['search'][1]:.1f} ms"
    )
    print(f"\nPeak RSS per gunicorn worker (VmHWM, MB; target <= 150 at {label})")
    print(f"  seed data: {', '.join(f'{p:.0f}' for p in seed['peaks'])}")
    ok = max(big["peaks"]) <= 150
    print(f"  {label}: {', '.join(f'{p:.0f}' for p in big['peaks'])} {verdict(ok)}")
    print(f"\ngenerate_demo_data for {label}: {generated:.0f} s")
    print(f"Total time {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
