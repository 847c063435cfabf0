"""Real servers on loopback: gunicorn (from PyPI) and Debian's nginx, from temporary prefixes."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
ROOT = Path(__file__).parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


class Gunicorn:
    """gunicorn serving tests/deploy/wsgi_app.py on a loopback port."""

    def __init__(self, library: str, workers: int = 1, threads: int = 1) -> None:
        self.port = free_port()
        env = {**os.environ, "CORS_LIBRARY": library, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--no-control-socket",
             "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
             "--worker-class", "gthread", "--threads", str(threads),
             "--log-level", "warning", "tests.deploy.wsgi_app:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            wait_for_port(self.port)
        except TimeoutError:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.process.stderr is not None:
            self.process.stderr.close()


TEMP_KINDS = ("client", "proxy", "fastcgi", "uwsgi", "scgi")
NGINX_CONF = """
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/client_temp;
    proxy_temp_path {prefix}/proxy_temp;
    fastcgi_temp_path {prefix}/fastcgi_temp;
    uwsgi_temp_path {prefix}/uwsgi_temp;
    scgi_temp_path {prefix}/scgi_temp;
    proxy_cache_path {prefix}/cache keys_zone=api:1m;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_cache api;
            proxy_cache_valid 200 1m;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
}}
"""


def require_nginx() -> None:
    if os.path.exists(NGINX):
        return
    message = "the shared-cache test needs Debian's nginx-light: apt-get install nginx-light"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


class Nginx:
    """nginx with proxy_cache in front of an upstream, run from a temporary prefix."""

    def __init__(self, prefix: Path, upstream: int) -> None:
        self.prefix = prefix
        self.port = free_port()
        # Started as root, nginx's workers drop to an unprivileged user: they must be able to
        # reach the prefix and write the cache and temporary directories.
        prefix.chmod(0o755)
        for name in ("cache", *(f"{kind}_temp" for kind in TEMP_KINDS)):
            (prefix / name).mkdir()
            (prefix / name).chmod(0o777)
        conf = NGINX_CONF.format(prefix=prefix, port=self.port, upstream=upstream)
        (prefix / "nginx.conf").write_text(conf)
        subprocess.run(
            [NGINX, "-p", str(prefix), "-c", "nginx.conf", "-e", "error.log"],
            check=True,
            capture_output=True,
            timeout=20,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        subprocess.run(
            [NGINX, "-p", str(self.prefix), "-c", "nginx.conf", "-e", "error.log", "-s", "quit"],
            capture_output=True,
            timeout=20,
        )
        pid_file = self.prefix / "nginx.pid"
        deadline = time.monotonic() + 10
        while pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module", params=["flask-crossorigin", "flask-cors"])
def cached_app(request: pytest.FixtureRequest) -> Iterator[tuple[str, int]]:
    require_nginx()
    library: str = request.param
    upstream = Gunicorn(library)
    prefix = Path(tempfile.mkdtemp(prefix="nginx-"))
    try:
        proxy = Nginx(prefix, upstream.port)
        try:
            yield library, proxy.port
        finally:
            proxy.stop()
    finally:
        upstream.stop()
        shutil.rmtree(prefix, ignore_errors=True)
