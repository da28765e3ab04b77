"""`make bench`, search with spelling help: p95 of uncached searches, one
reader at a time, on the seed data and at 10,000 questions (issue 14).

A separate script beside run.py (it reuses run.py's server and wrk helpers):
the vocabulary is built by the periodic jobs, as `make run` does, and each
search carries a parameter the page cache does not know, so every request
runs the view: synonyms, the spelling check, the search and its snippets.
"""

import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import Server, fetch, log, manage, wrk  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
SEARCHES = {
    "correct words": "/search/?q=license+data&nocache=1",
    "one typo, results shown for the correction": "/search/?q=imigration&nocache=1",
    "two typos": "/search/?q=imigrant+licence&nocache=1",
    "few results, did you mean": "/search/?q=can+ice+see+my+adress&nocache=1",
    "nothing like it": "/search/?q=xylophone&nocache=1",
}


def measure(env, workdir):
    with Server(env, workdir):
        # Every worker renders each search a few times first (templates, compiled SQL).
        for path in SEARCHES.values():
            for _ in range(10):
                fetch(path)
        return {
            name: wrk(path, seconds=SECONDS, connections=1)["p95"]
            for name, path in SEARCHES.items()
        }


def main():
    workdir = Path(tempfile.mkdtemp(prefix="dmvpolicy-bench-search-"))
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
        GUNICORN_ACCESS_LOG="",
    )
    try:
        log(f"Working in {workdir}")
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        manage(env, "seed_content", "-v0")
        manage(env, "run_periodic_jobs")
        seed = measure(env, workdir)
        manage(env, "generate_demo_data", "--guides", "50", "--questions", "10000", "--force")
        manage(env, "run_periodic_jobs")
        large = measure(env, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("\nsearch p95 with synonyms and spelling help, uncached, one reader at a time (ms)")
    print(f"  {'search':<44} {'seed':>6} {'10,000':>7}")
    for name in SEARCHES:
        verdict = "ok" if large[name] <= 50 else "MISSED"
        print(f"  {name:<44} {seed[name]:6.1f} {large[name]:7.1f}  {verdict}")


if __name__ == "__main__":
    main()
