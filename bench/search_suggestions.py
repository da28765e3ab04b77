"""`make bench`, search with spelling help: p95 of uncached searches, one
reader at a time, in English and in Spanish, on the seed data and at 10,000
questions in each language (issue 14, with issue 10).

A separate script beside run.py (it reuses run.py's server and wrk helpers):
the vocabularies are built by the periodic jobs, as `make run` does, and each
search carries a parameter the page cache does not know, so every request
runs the view: synonyms, the spelling check, the search and its snippets.

On SQLite by default; BENCH_DATABASE_URL=postgres://… runs it on a fresh
`<name>_bench` database beside that one (created, then dropped; the role needs
CREATEDB), as `make stress` does.
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from run import PORT, Server, bench_env, check_machine, fetch, log, manage, set_up_site, wrk  # noqa: E402
from stress import drop_postgres_database, recreate_postgres_database  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
QUESTIONS = 10_000  # per language
TARGET_MS = 50
# One line per kind of search: (English, Spanish).
SEARCHES = {
    "correct words": ("/search/?q=license+data", "/es/buscar/?q=licencia+datos"),
    "one typo, results shown for the correction": (
        "/search/?q=imigration",
        "/es/buscar/?q=imigracion",
    ),
    "two typos": ("/search/?q=imigrant+licence", "/es/buscar/?q=imigrantes+licensia"),
    "few results, did you mean": (
        "/search/?q=can+ice+see+my+adress",
        "/es/buscar/?q=puede+ice+ver+mi+domicilo",
    ),
    "nothing like it": ("/search/?q=xylophone", "/es/buscar/?q=xilofono"),
}


def uncached(path):
    return path + "&nocache=1"


def measure(env, workdir):
    """{(search, language index): p95 ms}."""
    with Server(env, workdir):
        # Every worker renders each search a few times first (templates, compiled SQL).
        for paths in SEARCHES.values():
            for path in paths:
                for _ in range(10):
                    fetch(uncached(path))
        return {
            (name, index): wrk(uncached(path), seconds=SECONDS, connections=1)["p95"]
            for name, paths in SEARCHES.items()
            for index, path in enumerate(paths)
        }


def main():
    check_machine(PORT)
    workdir = Path(tempfile.mkdtemp(prefix="dmvpolicy-bench-search-"))
    env = bench_env(
        workdir, PAGE_CACHE_STAMP_FILE=str(workdir / "page-cache-stamp"), GUNICORN_ACCESS_LOG=""
    )
    postgres = os.environ.get("BENCH_DATABASE_URL", "")
    if postgres:
        env["DATABASE_URL"] = recreate_postgres_database(postgres, suffix="_bench")
    try:
        log(f"Working in {workdir}")
        set_up_site(env)
        manage(env, "run_periodic_jobs")
        seed = measure(env, workdir)
        for language in ("en", "es"):
            manage(
                env,
                "generate_demo_data",
                "--guides",
                "50",
                "--questions",
                str(QUESTIONS),
                "--language",
                language,
                "--force",
            )
        manage(env, "run_periodic_jobs")
        large = measure(env, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if postgres:
            drop_postgres_database(env, postgres)
    database = "PostgreSQL" if postgres else "SQLite"
    print("\nsearch p95 with synonyms and spelling help, uncached, one reader at a time")
    print(f"  (ms, {database})")
    print(f"  {'':<44} {'seed (20 questions)':>21} {f'{QUESTIONS:,} per language':>24}")
    print(f"  {'search':<44} {'English':>10} {'Spanish':>10} {'English':>12} {'Spanish':>11}")
    for name in SEARCHES:
        slowest = max(large[name, 0], large[name, 1])
        verdict = "ok" if slowest <= TARGET_MS else "MISSED"
        print(
            f"  {name:<44} {seed[name, 0]:10.1f} {seed[name, 1]:10.1f} "
            f"{large[name, 0]:12.1f} {large[name, 1]:11.1f}  {verdict}"
        )
    print(f"  target: <= {TARGET_MS} ms in both languages at {QUESTIONS:,} questions each")


if __name__ == "__main__":
    main()
