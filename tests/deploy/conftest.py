"""Real servers on loopback: gunicorn (from PyPI) and Debian's nginx, from temporary prefixes.

Every server is started by a fixture and stopped in its teardown; every wait is bounded.
"""

from __future__ import annotations

import functools
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
from typing import IO, Optional

import pytest

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
ROOT = Path(__file__).parents[2]
#: The unprivileged account nginx runs as when the tests run as root.
NOBODY = (65534, 65534)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_http(port: int, path: str, timeout: float = 20.0) -> None:
    """Wait until ``GET path`` on the port gets any HTTP answer."""
    deadline = time.monotonic() + timeout
    last: Optional[BaseException] = None
    while time.monotonic() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except (OSError, http.client.HTTPException) as error:
            last = error
            time.sleep(0.05)
        finally:
            conn.close()
    raise TimeoutError(f"no HTTP answer on 127.0.0.1:{port} after {timeout} s: {last!r}")


@functools.cache
def gunicorn_options() -> tuple[str, ...]:
    """``--no-control-socket`` where the installed gunicorn has a control socket to turn off."""
    help_text = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    return ("--no-control-socket",) if "--no-control-socket" in help_text else ()


class Gunicorn:
    """gunicorn serving tests/deploy/wsgi_app.py (or ``target``) on a loopback port."""

    def __init__(
        self,
        library: str,
        workers: int = 1,
        threads: int = 1,
        target: str = "tests.deploy.wsgi_app:app",
    ) -> None:
        self.port = free_port()
        self.log: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop)
        env = {**os.environ, "CORS_LIBRARY": library, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *gunicorn_options(),
             "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
             "--worker-class", "gthread", "--threads", str(threads),
             "--graceful-timeout", "5", "--log-level", "warning",
             target],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
        )  # fmt: skip
        try:
            wait_for_http(self.port, "/ready")
        except TimeoutError as error:
            self.stop()
            raise RuntimeError(f"gunicorn did not start: {self.output()}") from error

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()


TEMP_KINDS = ("client", "proxy", "fastcgi", "uwsgi", "scgi")
NGINX_CONF = """
daemon off;
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
    """Skip, loudly, when nginx is not installed; under CI=true that is a failure."""
    if os.access(NGINX, os.X_OK):
        return
    message = (
        f"nginx not found at {NGINX}: the shared-cache tests need Debian's nginx-light "
        "(apt-get install nginx-light; .ci/run installs it)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


class Nginx:
    """nginx with proxy_cache in front of an upstream, run in the foreground from a temporary
    prefix as an unprivileged user (``nobody`` when the tests run as root)."""

    #: The configuration template (``prefix``, ``port`` and ``upstream`` are filled in).
    CONF = NGINX_CONF

    def __init__(self, prefix: Path, upstream: int) -> None:
        self.prefix = prefix
        self.port = free_port()
        for name in ("cache", *(f"{kind}_temp" for kind in TEMP_KINDS)):
            (prefix / name).mkdir()
        conf = self.CONF.format(prefix=prefix, port=self.port, upstream=upstream)
        (prefix / "nginx.conf").write_text(conf)
        self.user: Optional[tuple[int, int]] = None
        if os.geteuid() == 0:
            self.user = NOBODY
            for path in (prefix, *prefix.iterdir()):
                os.chown(path, *NOBODY)
        self.process = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            **self.run_as(),
        )
        try:
            wait_for_http(self.port, "/ready")
        except TimeoutError as error:
            self.stop()
            raise RuntimeError(f"nginx did not start: {self.error_log()}") from error

    def command(self, *extra: str) -> list[str]:
        return [NGINX, "-p", str(self.prefix), "-c", "nginx.conf", "-e", "error.log", *extra]

    def run_as(self) -> dict[str, object]:
        if self.user is None:
            return {}
        uid, gid = self.user
        return {"user": uid, "group": gid, "extra_groups": []}

    def error_log(self) -> str:
        log = self.prefix / "error.log"
        return log.read_text(errors="replace")[-3000:] if log.exists() else "(no error.log)"

    def stop(self) -> None:
        if self.process.poll() is None:
            subprocess.run(
                self.command("-s", "quit"), capture_output=True, timeout=20, **self.run_as()
            )
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


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
    """nginx's proxy_cache in front of gunicorn serving the app wired with each library."""
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


# --- probe behind nginx: a proxy that adds a second Access-Control-Allow-Origin, and a cache
# --- that does not key on Origin (proxy_ignore_headers Vary) ----------------------------------

PROBE_NGINX_CONF = """
daemon off;
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
    proxy_cache_path {prefix}/cache keys_zone=shared:1m;
    server {{
        listen 127.0.0.1:{port};
        # The app answers CORS, and the proxy adds its own grant on top.
        location /doubled/ {{
            proxy_pass http://127.0.0.1:{upstream}/single/;
            add_header Access-Control-Allow-Origin * always;
        }}
        # A shared cache that ignores Vary: one origin's answer is served to the next.
        location /cached/ {{
            proxy_pass http://127.0.0.1:{upstream}/single/;
            proxy_cache shared;
            proxy_cache_valid 200 1m;
            proxy_ignore_headers Vary;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
        }}
    }}
}}
"""


class ProbeNginx(Nginx):
    """nginx with :data:`PROBE_NGINX_CONF`: the same foreground, unprivileged run."""

    CONF = PROBE_NGINX_CONF


@pytest.fixture(scope="module")
def probed_proxy() -> Iterator[tuple[int, int]]:
    """(nginx port, gunicorn port): gunicorn serving the app with flask-crossorigin, behind
    :class:`ProbeNginx`."""
    require_nginx()
    upstream = Gunicorn("flask-crossorigin")
    prefix = Path(tempfile.mkdtemp(prefix="nginx-probe-"))
    try:
        proxy = ProbeNginx(prefix, upstream.port)
        try:
            yield proxy.port, upstream.port
        finally:
            proxy.stop()
    finally:
        upstream.stop()
        shutil.rmtree(prefix, ignore_errors=True)
