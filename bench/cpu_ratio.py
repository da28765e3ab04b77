"""The CPU cost of each page type against its static twin, in one process.

`make bench` measures requests/s through gunicorn and wrk, which is the real
figure but moves by 30% or more when other work shares the machine. This
script calls the production WSGI application directly (DJANGO_DEBUG=false,
the same middleware, whitenoise serving the static twin) and times each page
and its twin in alternating batches of CPU time (time.process_time), so
other processes' load changes both alike. The ratio it prints is the app's
own share of the bench ratio, without gunicorn's and wrk's per-request cost,
which both sides pay equally (so gunicorn's ratio is always nearer 1).

    .venv/bin/python bench/cpu_ratio.py            # every case
    CPU_CASES="question, br;uncached question" .venv/bin/python bench/cpu_ratio.py
"""

import gzip
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import brotli

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import bench_env  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
QUESTION = (
    "/dmv-data-sharing-with-ice-illinois/"
    "what-is-the-current-policy-in-illinois-regarding-the-sharing/"
)
SPANISH_QUESTION = (
    "/es/intercambio-de-datos-del-dmv-con-ice-en-illinois/"
    "cual-es-la-politica-actual-de-illinois-con-respecto/"
)
BROWSER = {"HTTP_ACCEPT_ENCODING": "br, gzip"}
# name: (path, query, headers); each is compared with the question page's static twin.
CASES = {
    "question": (QUESTION, "", {}),
    "question, br": (QUESTION, "", BROWSER),
    "es-question, br": (SPANISH_QUESTION, "", BROWSER),
    "304": (QUESTION, "", None),  # If-None-Match: the page's own ETag
    "uncached question": (QUESTION, "nocache=1", {}),
    "uncached es-question": (SPANISH_QUESTION, "nocache=1", {}),
}
ROUNDS = int(os.environ.get("CPU_ROUNDS", "7"))


def environ(path, query="", headers=None):
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "443",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_X_FORWARDED_PROTO": "https",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        **(headers or {}),
    }


def call(app, env):
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    result = app(env, start_response)
    body = b"".join(result)
    if hasattr(result, "close"):
        result.close()
    return answer["status"], answer["headers"], body


def cpu_per_request(app, make_environ, count):
    started = time.process_time()
    for _ in range(count):
        call(app, make_environ())
    return (time.process_time() - started) / count


def measure(app, path, query, headers):
    """(CPU s per page request, per twin request, median of the rounds' ratios)."""
    twin_headers = BROWSER if headers.get("HTTP_ACCEPT_ENCODING") else {}

    def page_environ():
        return environ(path, query, headers)

    def twin_environ():
        return environ("/static/bench/question.html", "", twin_headers)

    count = 200 if query else 2000
    cpu_per_request(app, page_environ, count // 10)  # warm: the first one fills the cache
    pages, statics = [], []
    for _ in range(ROUNDS):
        statics.append(cpu_per_request(app, twin_environ, 2000))
        pages.append(cpu_per_request(app, page_environ, count))
    ratios = [static / page for static, page in zip(statics, pages, strict=True)]
    return statistics.median(pages), statistics.median(statics), statistics.median(ratios)


def main():
    workdir = Path(tempfile.mkdtemp(prefix="dmvpolicy-cpu-"))
    # The servers' environment (bench/run.py), here for this process itself.
    os.environ.update(bench_env(workdir, PAGE_CACHE_STAMP_FILE=str(workdir / "stamp")))
    try:
        for command in (["migrate"], ["collectstatic", "--noinput"], ["seed_content"]):
            subprocess.run([sys.executable, "manage.py", *command, "-v0"], cwd=ROOT, check=True)
        sys.path.insert(0, str(ROOT))
        from django.core.wsgi import get_wsgi_application

        status, headers, page = call(get_wsgi_application(), environ(QUESTION))
        twins = Path(os.environ["DJANGO_STATIC_ROOT"]) / "bench"
        twins.mkdir(parents=True)
        (twins / "question.html").write_bytes(page)
        (twins / "question.html.br").write_bytes(brotli.compress(page, quality=5))
        (twins / "question.html.gz").write_bytes(gzip.compress(page, mtime=0))
        app = get_wsgi_application()  # whitenoise finds the twins at startup
        etag = {"HTTP_IF_NONE_MATCH": call(app, environ(QUESTION))[1]["ETag"]}
        print(f"{'case':<22} {'app µs':>8} {'static µs':>10} {'ratio':>6}  (CPU time, medians)")
        for name in os.environ.get("CPU_CASES", ";".join(CASES)).split(";"):
            path, query, headers = CASES[name]
            page, static, ratio = measure(app, path, query, etag if headers is None else headers)
            print(f"{name:<22} {page * 1e6:8.1f} {static * 1e6:10.1f} {ratio:6.3f}", flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
