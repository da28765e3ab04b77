"""`make bench`: the production server under wrk, compared with a static file.

Starts gunicorn (dmvpolicy/gunicorn.conf.py, DJANGO_DEBUG=false) on
127.0.0.1 in a temporary directory with its own SQLite database, seeds it and
drives it with wrk (16 connections, BENCH_SECONDS per URL, default 8). Each
page's rate is divided by the rate of a static file of the same size served by
whitenoise from the same server, measured in alternating 2-second slices. It
runs once on the seed data and once more after `generate_demo_data` added
10,000 questions, then prints search p95 latency and each worker's peak
resident memory (VmHWM).

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

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
ROUND_SECONDS = 2  # page and static file alternate in slices of this length
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
PORT = int(os.environ.get("BENCH_PORT", "8631"))
BASE = f"http://127.0.0.1:{PORT}"
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}

GUIDE = "/dmv-data-sharing-with-ice-illinois/"
PAGES = {
    "home": "/",
    "guide": GUIDE,
    "question": GUIDE + "what-is-the-current-policy-in-illinois-regarding-the-sharing/",
    "topic": "/topics/illinois-law/",
    "search": "/search/?q=license",
}
# Any query parameter the page cache does not know bypasses it (faq/middleware.py).
UNCACHED_QUESTION = PAGES["question"] + "?nocache=1"
UNCACHED_SEARCH = "/search/?q=license&nocache=1"

TARGETS = {"cached page": 0.9, "304": 1.0, "uncached question": 0.25}


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


def wrk(path, headers=None, seconds=SECONDS, connections=CONNECTIONS):
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    command += ["-s", str(ROOT / "bench" / "report.lua")]
    for name, value in {**PROXY_HEADERS, **(headers or {})}.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [BASE + path], capture_output=True, text=True, check=True)
    result = json.loads(output.stdout.strip().splitlines()[-1])
    if result["errors"] or result["bad_status"]:
        log(f"  warning: {path}: {result['errors']} socket errors, {result['bad_status']} bad")
    return result


def compare(path, static_path, headers=None):
    """The page and its static twin in alternating slices of the run, so a
    change in the machine's other load affects both alike. Rates are totals
    over the slices; latencies the median of the slices."""
    slices = max(1, SECONDS // ROUND_SECONDS)
    pages, statics = [], []
    for _ in range(slices):
        statics.append(wrk(static_path, seconds=ROUND_SECONDS))
        pages.append(wrk(path, headers, seconds=ROUND_SECONDS))
    return combine(pages), combine(statics)


def combine(results):
    def median(key):
        return sorted(result[key] for result in results)[len(results) // 2]

    seconds = sum(result["requests"] / result["rps"] for result in results)
    return {
        "rps": sum(result["requests"] for result in results) / seconds,
        "p50": median("p50"),
        "p95": median("p95"),
        "p99": median("p99"),
    }


def write_static_twins(static_root, sizes):
    """A static file of each page's size, for whitenoise to serve beside the pages."""
    folder = static_root / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    filler = ("<p>" + "Static text of the same size as the page. " * 20 + "</p>\n").encode()
    for name, size in sizes.items():
        content = (filler * (size // len(filler) + 1))[:size]
        (folder / f"{name}.html").write_bytes(content)


def run_dataset(label, env, workdir):
    log(f"\n== {label}: measuring page sizes")
    with Server(env, workdir):
        sizes = {}
        for name, path in PAGES.items():
            status, headers, body = fetch(path)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
            sizes[name] = len(body)
    write_static_twins(Path(env["DJANGO_STATIC_ROOT"]), sizes)

    rows = []
    with Server(env, workdir) as server:
        for name, path in PAGES.items():
            log(f"  wrk {name} {path}")
            fetch(path)  # fill the cache
            page, static = compare(path, f"/static/bench/{name}.html")
            rows.append((name, path, sizes[name], page, static))
        etag = fetch(PAGES["question"])[1]["ETag"]
        twin = "/static/bench/question.html"
        log("  wrk 304 revalidation")
        page, static = compare(PAGES["question"], twin, {"If-None-Match": etag})
        rows.append(("304", PAGES["question"], 0, page, static))
        log("  wrk uncached question")
        page, static = compare(UNCACHED_QUESTION, twin)
        rows.append(("uncached question", UNCACHED_QUESTION, sizes["question"], page, static))
        # One reader at a time: how long a search takes, without the time spent
        # queueing behind other requests; then under the full load.
        log("  wrk uncached search, 1 connection and under load")
        search_p95 = (wrk(UNCACHED_SEARCH, connections=1)["p95"], wrk(UNCACHED_SEARCH)["p95"])
        peaks = server.worker_peak_rss_mb()
    return rows, search_p95, peaks


def print_table(label, rows):
    print(f"\n{label}")
    print(
        f"{'page':<18} {'KB':>6} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'static/s':>9} {'ratio':>6}  target"
    )
    for name, _, size, page, static in rows:
        ratio = page["rps"] / static["rps"]
        target = TARGETS.get(name, TARGETS["cached page"])
        verdict = "ok" if ratio >= target else "MISSED"
        print(
            f"{name:<18} {size / 1024:6.1f} {page['rps']:8.0f} {page['p50']:7.2f} "
            f"{page['p99']:7.2f} {static['rps']:9.0f} {ratio:6.2f}  >= {target} {verdict}"
        )


def main():
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk (make bench does this)")
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            raise SystemExit(f"Port {PORT} is busy; set BENCH_PORT to a free port.")
    workdir = Path(tempfile.mkdtemp(prefix="dmvpolicy-bench-"))
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
        PAGE_CACHE_STAMP_FILE=str(workdir / "page-cache-stamp"),
        DJANGO_LOG_LEVEL="WARNING",
    )
    if os.environ.get("BENCH_WORKERS"):
        env["GUNICORN_WORKERS"] = os.environ["BENCH_WORKERS"]
    started = time.monotonic()
    try:
        log(f"Working in {workdir}")
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        manage(env, "seed_content", "-v0")
        seed_rows, seed_search, seed_peaks = run_dataset("seed data", env, workdir)
        log("\n== generating 10,000 questions")
        manage(env, "generate_demo_data", "--guides", "50", "--questions", "10000", "--force")
        big_rows, big_search, big_peaks = run_dataset("10,000 questions", env, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    workers = env.get("GUNICORN_WORKERS", "CPUs + 1")
    print(
        f"\nwrk: {CONNECTIONS} connections, {SECONDS} s per URL; "
        f"gunicorn with dmvpolicy/gunicorn.conf.py, workers: {workers}"
    )
    print_table("Seed data (20 questions)", seed_rows)
    print_table("10,000 questions (50 demo guides + seed guide)", big_rows)
    # Raw rates move with whatever else the machine runs between the two
    # datasets; each rate over its own static twin's rate at that moment does not.
    print("\n10,000 questions vs seed data (target >= 0.8)")
    print(f"  {'page':<18} {'raw':>5} {'vs static':>10}")
    pairs = zip(seed_rows, big_rows, strict=True)
    for (name, _, _, seed, seed_static), (_, _, _, big, big_static) in pairs:
        raw = big["rps"] / seed["rps"]
        normalised = (big["rps"] / big_static["rps"]) / (seed["rps"] / seed_static["rps"])
        verdict = "ok" if normalised >= 0.8 else "MISSED"
        print(f"  {name:<18} {raw:5.2f} {normalised:10.2f}  {verdict}")
    verdict = "ok" if big_search[0] <= 50 else "MISSED"
    print(
        f"\nsearch p95, uncached, one reader at a time: seed {seed_search[0]:.1f} ms; "
        f"10,000 questions {big_search[0]:.1f} ms (target <= 50) {verdict}"
        f"\n  under load ({CONNECTIONS} connections, includes queueing): "
        f"seed {seed_search[1]:.1f} ms; 10,000 questions {big_search[1]:.1f} ms"
    )
    print("\nPeak RSS per gunicorn worker (VmHWM, MB; target <= 150 at 10,000 questions)")
    print(f"  seed data:        {', '.join(f'{p:.0f}' for p in seed_peaks)}")
    verdict = "ok" if max(big_peaks) <= 150 else "MISSED"
    print(f"  10,000 questions: {', '.join(f'{p:.0f}' for p in big_peaks)} {verdict}")
    print(f"\nTotal time {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
