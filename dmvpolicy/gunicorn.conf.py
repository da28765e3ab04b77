"""gunicorn settings: `gunicorn -c dmvpolicy/gunicorn.conf.py dmvpolicy.wsgi`.

Every value can be overridden from the environment (GUNICORN_*), so the same
file serves development (`make run`), production and the benchmark.
"""

import os
import re


def cpu_count():
    # The CPUs this process may use (a container's limit), not the host's.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers measured faster than threaded ones for every page on 2 cores
# (issue 6). Pages are mostly answered from the cache, so the work is CPU
# bound: one worker per CPU plus one to cover a worker waiting on the database.
workers = int(os.environ.get("GUNICORN_WORKERS", cpu_count() + 1))
worker_class = "sync"
# Longer than the SQLite busy timeout (20 s, settings.SQLITE_BUSY_TIMEOUT) so a
# lock wait ends with an error page rather than a killed worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Restart each worker after about 100,000 requests to bound slow memory
# growth; the jitter keeps the workers from all restarting (and emptying
# their local page caches) at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10
# Load Django once in the master, so a restarted worker serves at once.
preload_app = True
# Access and error logs to stdout/stderr, for the process manager to collect.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
# The TLS proxy's address, trusted for X-Forwarded-Proto and X-Forwarded-For.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# gunicorn 25+ opens a control socket (for gunicornc) at one path per user,
# ~/.gunicorn/gunicorn.ctl, so two instances on one machine fought over it.
# Each instance gets its own, named after its bind address;
# GUNICORN_CONTROL_SOCKET names another path, or "off" for none.
_control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
if _control_socket.lower() == "off":
    control_socket_disable = True
else:
    _runtime_dir = os.environ.get("XDG_RUNTIME_DIR")
    if not (_runtime_dir and os.path.isdir(_runtime_dir)):
        _runtime_dir = os.path.join(os.path.expanduser("~"), ".gunicorn")
    _instance = re.sub(r"[^A-Za-z0-9.]+", "-", bind).strip("-")
    control_socket = _control_socket or os.path.join(_runtime_dir, f"dmvpolicy-{_instance}.ctl")

# Readers leave no trace (issue 14): the access log keeps no client address,
# no query string (readers type names and case numbers into search), no
# referrer and no user agent: time, method, path, status, size and duration.
# (gunicorn's default format starts with %(h)s, the client's address.)
access_log_format = os.environ.get(
    "GUNICORN_ACCESS_LOG_FORMAT", '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
)


def worker_exit(server, worker):
    """Write the search counts this worker holds before it goes (faq/search_stats.py)."""
    try:
        from faq.search_stats import flush

        flush()
    except Exception as error:  # never keep a worker from stopping
        server.log.warning("Search counts not written at worker exit: %s", error)


# `make run` sets PERIODIC_JOBS_EVERY=60: the periodic jobs (faq/periodic.py)
# then run every minute in a process of their own, started when the server is
# ready and stopped with it. Production runs them from a timer instead (README).
_periodic = None


def when_ready(server):
    global _periodic
    every = os.environ.get("PERIODIC_JOBS_EVERY")
    if every:
        import subprocess
        import sys

        manage = os.path.join(
            os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "manage.py"
        )
        command = [sys.executable, manage, "run_periodic_jobs", "--every", every]
        _periodic = subprocess.Popen(command)
        server.log.info("Periodic jobs every %ss (pid %s)", every, _periodic.pid)


def on_exit(server):
    if _periodic is not None and _periodic.poll() is None:
        _periodic.terminate()
        _periodic.wait(timeout=10)
