"""The README's nginx configuration, run for real in front of the benchmark's gunicorn.

The ```nginx block in README.md "Scaling out" is read as written and adapted
only where a benchmark must differ: no TLS (it listens on 127.0.0.1:PORT and
tells the app the request came over HTTPS, as the TLS proxy would), the one
gunicorn on 127.0.0.1 as its upstream, its cache, pid, logs and temporary
files in a temporary folder, and one extra location that serves the pages'
static twins, so pages through nginx's cache are compared with nginx serving a
static file of the same size. nginx is started and stopped by its process id.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PROXY_PORT", str(int(os.environ.get("BENCH_PORT", "8631")) + 1)))
BASE = f"http://127.0.0.1:{PORT}"
MEASURED = ("home", "guide", "question")  # pages measured through nginx


def readme_config():
    text = (ROOT / "README.md").read_text()
    match = re.search(r"```nginx\n(.*?)\n```", text, re.DOTALL)
    if not match:
        raise SystemExit("README.md has no ```nginx block to benchmark.")
    return match.group(1)


def adapt(config, folder, app):
    """The README's configuration for 127.0.0.1, without TLS, in `folder`."""
    config = re.sub(r"proxy_cache_path \S+", f"proxy_cache_path {folder}/cache", config)
    upstreams = re.findall(r"^\s*server \d+\.\d+\.\d+\.\d+:\d+;\n", config, re.MULTILINE)
    config = config.replace(upstreams[0], f"    server {app};\n", 1)
    for line in upstreams[1:]:
        config = config.replace(line, "", 1)
    # The plain-HTTP redirect server and the TLS lines have no place on 127.0.0.1.
    config = re.sub(r"server \{\s*listen 80;.*?\n\}\n", "", config, flags=re.DOTALL)
    config = re.sub(r"listen 443 ssl;", f"listen 127.0.0.1:{PORT};", config)
    config = re.sub(r"^\s*(http2 on|ssl_\w+ .*?);\n", "", config, flags=re.MULTILINE)
    config = config.replace("X-Forwarded-Proto $scheme", "X-Forwarded-Proto https")
    twins = f"\n    location /bench-static/ {{\n        alias {folder}/static/;\n    }}\n}}"
    return config[: config.rstrip().rfind("}")] + twins.lstrip("\n") + "\n"


def write_config(folder, app):
    for name in ("cache", "static", "temp"):
        (folder / name).mkdir()
    temp = folder / "temp"
    return f"""
worker_processes auto;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    keepalive_requests 1000000;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
{adapt(readme_config(), folder, app)}
}}
"""


class Nginx:
    def __init__(self, app):
        self.app = app

    def __enter__(self):
        if not shutil.which("nginx"):
            raise SystemExit("nginx is missing: apt-get install nginx")
        self.folder = Path(tempfile.mkdtemp(prefix="dmvpolicy-nginx-"))
        self.folder.chmod(0o755)  # nginx's workers may run as another user
        config = self.folder / "nginx.conf"
        config.write_text(write_config(self.folder, self.app))
        for path in self.folder.rglob("*"):
            path.chmod(0o777 if path.is_dir() else 0o644)
        command = ["nginx", "-p", str(self.folder), "-c", str(config), "-e", "stderr"]
        self.process = subprocess.Popen([*command, "-g", "daemon off;"], cwd=self.folder)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", PORT)) == 0:
                    return self
            if self.process.poll() is not None:
                raise SystemExit(f"nginx exited; configuration in {config}")
            time.sleep(0.1)
        self.__exit__()
        raise SystemExit("nginx did not start listening within 20 seconds")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGQUIT)  # graceful: finish, then exit
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def cache_status(path):
    request = urllib.request.Request(BASE + path)
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        return response.headers.get("X-Cache-Status")


def measure(pages, bodies, app_base, compare):
    """{page: (rate through nginx, rate of nginx's static twin)} for MEASURED."""
    results = {}
    with Nginx(app_base.removeprefix("http://")) as proxy:
        for name in MEASURED:
            (proxy.folder / "static" / f"{name}.html").write_bytes(bodies[name][""])
            (proxy.folder / "static" / f"{name}.html").chmod(0o644)
        for name, path in pages:
            if name not in MEASURED:
                continue
            cache_status(path)  # the first request fills nginx's cache
            status = cache_status(path)
            if status != "HIT":
                raise SystemExit(f"{path} through nginx: X-Cache-Status {status}, not HIT")
            page, static = compare(path, f"/bench-static/{name}.html", base=BASE)
            results[f"{name} (nginx cache HIT)"] = (page, static)
    return results
