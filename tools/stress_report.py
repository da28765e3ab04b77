"""The figures tools/stress.py prints after a run, and its verdict.

Also the shape of the run (STRESS_SECONDS, STRESS_WORKERS, STRESS_CONNECTIONS),
which the report names; tools/stress.py imports it from here.
"""

import os

from stress_editors import EDITORS

SECONDS = int(os.environ.get("STRESS_SECONDS", "30"))
WORKERS = int(os.environ.get("STRESS_WORKERS", "3"))
CONNECTIONS = int(os.environ.get("STRESS_CONNECTIONS", "4"))
RECOVERY_LIMIT = 5.0


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
