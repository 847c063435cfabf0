"""SPEC 8: the nginx export in front of gunicorn gives the browser the app's own verdicts.

For each policy of :mod:`tests.deploy.export_apps`, ``flask cors export nginx`` writes the
configuration (as a user runs it, in a subprocess); Debian's nginx serves it from a temporary
prefix in front of gunicorn serving the same app. Over 500 generated cross-origin fetches per
policy (allowed origins, strangers, look-alikes, malformed values, every method, request-header
lists, paths inside and outside the policy), the judge's verdict (:mod:`flask_crossorigin.judge`)
through nginx equals its verdict on the app alone (Flask's test client), no response through
nginx carries a CORS header twice, and no covered preflight reaches the app.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from flask_crossorigin.export.nginx import ODD_PATH
from flask_crossorigin.introspect import run_check
from flask_crossorigin.judge import CORSRequest, NotFollowed, Received, Sent
from flask_crossorigin.judge import fetch as judge_fetch

from .conftest import (
    NGINX,
    NOBODY,
    ROOT,
    TEMP_KINDS,
    Nginx,
    free_port,
    gunicorn_options,
    require_nginx,
    wait_for_http,
)
from .export_apps import ADMIN, BLOG, LISTED, POLICIES, create_app

pytestmark = pytest.mark.server

#: How many fetches each policy is judged on.
REQUESTS_PER_POLICY = 520

CORS_HEADER_NAMES = (
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-expose-headers",
    "access-control-max-age",
    "access-control-allow-private-network",
    "vary",
)

ORIGINS = (
    # allowed by one policy or another
    "https://app.example.com",
    "http://localhost:3000",
    "http://localhost:8080",
    "https://a.example.com",
    "https://deep.a.example.com",
    "https://x.example.org:8443",
    "http://127.0.0.1:5173",
    "https://admin.example.com",
    "https://pr-12.preview.example.net",
    "https://partner.example.com",
    "https://tool.example.com",
    "https://other.example.com",
    # strangers and look-alikes
    "https://evil.com",
    "https://app.example.com.evil.com",
    "https://evilexample.com",
    "https://example.com",
    "http://app.example.com",
    "https://app.example.co",
    "https://x.example.org",
    "https://x.example.org:8444",
    "http://localhost",
    "http://localhost:99",
    "http://127.0.0.2:80",
    "https://a.preview.example.net.evil.com",
    "https://.preview.example.net",
    "null",
    # case, malformed values
    "HTTPS://APP.EXAMPLE.COM",
    "https://App.Example.Com",
    "https://app.example.com/",
    "https://app.example.com:443",
    "https://app.example.com:99999",
    "https://app..example.com",
    "https://a.example.com.",
    "https://1.2.3.4",
    "https://256.1.1.1",
    "http://[::1]:3000",
    "https://app.example.com,https://evil.com",
    "*",
    "app.example.com",
    "https://ex\u00e4mple.com",
    "NULL",
)
PATHS = (
    "/api/items",
    "/api/items/7",
    "/api/items/404",
    "/api/items/x",
    "/api/folder/",
    "/api/folder",
    "/api//items",
    "/api/unknown",
    "/internal",
    "/nowhere",
    "/partners/orders",
    "/partners/orders/123e4567-e89b-12d3-a456-426614174000",
    "/decorated",
)
METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "put", "PROPFIND")
HEADER_SETS: tuple[tuple[tuple[str, str], ...], ...] = (
    (),
    (("Content-Type", "application/json"),),
    (("Content-Type", "text/plain"),),
    (("X-Token", "1"),),
    (("x-token", "1"), ("Content-Type", "application/json")),
    (("X-Other", "1"),),
    (("Authorization", "Bearer 1"),),
    (("X-Token", "1"), ("X-Requested-With", "fetch")),
)


def generated_requests(policy: str) -> list[tuple[str, CORSRequest]]:
    """Every path with every origin that some policy allows, then a seeded sample of the
    rest, weighted towards simple requests from listed origins so both verdicts are common."""
    rng = random.Random(f"export-nginx-{policy}")
    simple = ("GET", "GET", "POST", "HEAD")
    plain = ((), (), (("Content-Type", "text/plain"),))
    out: list[tuple[str, CORSRequest]] = []
    for path, origin in itertools.product(PATHS, ORIGINS[:12]):
        out.append((path, CORSRequest(origin, rng.choice(simple), rng.choice(plain))))
    while len(out) < REQUESTS_PER_POLICY:
        listed = rng.random() < 0.5
        out.append(
            (
                rng.choice(PATHS[:4] + PATHS if listed else PATHS),
                CORSRequest(
                    rng.choice(LISTED[policy] if listed else ORIGINS),
                    rng.choice(METHODS),
                    rng.choice(HEADER_SETS),
                    credentials=rng.random() < 0.4,
                    private_network=rng.random() < 0.2,
                ),
            )
        )
    return out


class Upstream:
    """gunicorn serving :mod:`tests.deploy.export_apps` with one policy."""

    def __init__(self, policy: str) -> None:
        self.port = free_port()
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop)
        env = {**os.environ, "EXPORT_POLICY": policy, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *gunicorn_options(),
             "--bind", f"127.0.0.1:{self.port}", "--workers", "1",
             "--worker-class", "gthread", "--threads", "4", "--access-logfile", "-",
             "--access-logformat", "%(m)s %(U)s acrm=%({access-control-request-method}i)s",
             "--graceful-timeout", "5",
             "tests.deploy.export_apps:app"],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
        )  # fmt: skip
        try:
            wait_for_http(self.port, "/ready")
        except TimeoutError as error:
            self.stop()
            raise RuntimeError(f"gunicorn did not start: {self.output()}") from error

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()


EXPORT_NGINX_CONF = """
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
    include {prefix}/cors.conf;
}}
"""


class ExportNginx(Nginx):
    """nginx whose http block is the exported file (``cors.conf`` in the prefix), listening
    where the export says: the same foreground, unprivileged run as :class:`Nginx`."""

    def __init__(self, prefix: Path, port: int) -> None:
        self.prefix = prefix
        self.port = port
        for kind in TEMP_KINDS:
            (prefix / f"{kind}_temp").mkdir()
        (prefix / "nginx.conf").write_text(EXPORT_NGINX_CONF.format(prefix=prefix))
        self.user = None
        if os.geteuid() == 0:
            self.user = NOBODY
            for path in (prefix, *prefix.iterdir()):
                os.chown(path, *NOBODY)
        self.process = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            **self.run_as(),  # type: ignore[call-overload]
        )
        try:
            wait_for_http(self.port, "/ready")
        except TimeoutError as error:
            self.stop()
            raise RuntimeError(f"nginx did not start: {self.error_log()}") from error


def export(policy: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``flask cors export nginx ARGS`` on the policy's app, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "tests.deploy.export_apps:app",
         "cors", "export", "nginx", *args],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
        env={**os.environ, "EXPORT_POLICY": policy, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip


@pytest.fixture(scope="module", params=POLICIES)
def deployed(request: pytest.FixtureRequest) -> Iterator[tuple[str, int, Upstream]]:
    """(policy, nginx port, gunicorn): the exported file served by nginx in front."""
    with deployment(request.param) as running:
        yield running


@contextlib.contextmanager
def deployment(policy: str) -> Iterator[tuple[str, int, Upstream]]:
    """gunicorn serving the policy's app, and nginx serving its export in front."""
    require_nginx()
    upstream = Upstream(policy)
    prefix = Path(tempfile.mkdtemp(prefix="nginx-export-"))
    try:
        port = free_port()
        run = export(
            policy,
            "--listen", f"127.0.0.1:{port}",
            "--upstream", f"http://127.0.0.1:{upstream.port}",
            "-o", str(prefix / "cors.conf"),
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        assert run.stderr == ""
        proxy = ExportNginx(prefix, port)
        try:
            yield policy, proxy.port, upstream
        finally:
            proxy.stop()
    finally:
        upstream.stop()
        shutil.rmtree(prefix, ignore_errors=True)


class Client:
    """One keep-alive connection to nginx; records every response's header lines."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.responses: list[tuple[Sent, tuple[tuple[str, str], ...]]] = []

    def send(self, sent: Sent) -> Received:
        parts = urlsplit(sent.url)
        if f"{parts.scheme}://{parts.netloc}" != self.base:
            raise NotFollowed(sent.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        for attempt in range(2):
            try:
                self.conn.request(sent.method, path, headers=dict(sent.headers))
                response = self.conn.getresponse()
                response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                if attempt:
                    raise
        headers = tuple(response.getheaders())
        self.responses.append((sent, headers))
        return Received(response.status, headers, response.reason)


def test_nginx_gives_the_apps_verdicts(deployed: tuple[str, int, Upstream]) -> None:
    """SPEC 8: through the exported nginx, every generated fetch gets the verdict the app
    alone gives; no CORS header (nor Vary) appears twice on any response."""
    policy, port, _ = deployed
    app = create_app(policy)
    client = Client(port)
    differences: list[str] = []
    allowed = 0
    for path, request in generated_requests(policy):
        alone = run_check(app, path, request).outcome
        through = judge_fetch(request, client.base + path, client.send)
        allowed += alone.allowed
        if (alone.allowed, alone.verdict.failure) != (through.allowed, through.verdict.failure):
            differences.append(
                f"{request.method} {path} from {request.origin!r} headers={request.headers} "
                f"credentials={request.credentials} pna={request.private_network}: app "
                f"{alone.verdict.explain()!r}, nginx {through.verdict.explain()!r}"
            )
    client.conn.close()
    doubled = [
        f"{sent.method} {sent.url} {dict(sent.headers)}: {name}"
        for sent, headers in client.responses
        for name, count in Counter(n.lower() for n, _ in headers).items()
        if count > 1 and name in CORS_HEADER_NAMES
    ]
    assert differences == [], "\n".join(differences[:20])
    assert doubled == [], "\n".join(doubled[:20])
    # The generator reaches both verdicts for every policy.
    assert 0 < allowed < REQUESTS_PER_POLICY
    print(f"{policy}: {REQUESTS_PER_POLICY} fetches, {len(client.responses)} responses, "
          f"{allowed} allowed, 0 differences")  # fmt: skip


def test_covered_preflights_never_reach_the_app(deployed: tuple[str, int, Upstream]) -> None:
    """SPEC 8: a covered preflight is answered by nginx; the app's access log shows none."""
    _, port, upstream = deployed
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(
            "OPTIONS",
            "/api/items",
            headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT"},
        )
        response = conn.getresponse()
        response.read()
        assert response.status == 200
    finally:
        conn.close()
    log = upstream.output()
    assert "OPTIONS /api/items acrm=PUT" not in log
    assert "GET /ready acrm=-" in log  # the access log is written


def test_nginx_is_installed_for_ci() -> None:
    """The deployment tests need Debian's nginx (.ci/run installs nginx-light)."""
    require_nginx()
    assert os.access(NGINX, os.X_OK)


# --- paths nginx and the app may route apart (SPEC 5) -----------------------------------------

#: Requests the app routes to ``/api/admin/<path:name>`` while nginx, which resolves ``..``
#: after decoding ``%2F`` and ``%2E``, picks the location of a BLOG route.
ATTACKS = (
    "/api/admin/x%2F..%2F..%2Fpublic",
    "/api/admin/x%2f..%2f..%2fposts%2f1",
    "/api/admin/%2e%2e/public",
    "/api/admin/x%2F%2E%2E%2F%2E%2E%2Fpublic",
    "/api/admin/.%2E/posts/7",
    "/api/admin/x/..%2F..%2Fpublic",
    "/api/admin/x/../../public",
)
#: Pieces of the generated hostile paths: separators and dots in every spelling, double
#: encodings, backslashes, and the names of the app's routes.
HEADS = ("/api/admin/x", "/api/admin/users", "/api/admin/", "/api/public", "/api/posts/1", "/api/")
PIECES = (
    "/", "%2F", "%2f", "..", ".", "%2E", "%2e", "%2E%2E", ".%2e", "//", "%25", "%252F", "%252e",
    "\\", "%5C", "%3F", "public", "posts", "1", "admin", "users", "x", "items", ";", "%20",
)  # fmt: skip
CLEAN_PIECES = tuple(p for p in PIECES if not re.search(r"[.\\]|%2[5ef]|%5c", p, re.I))
TAILS = ("", "", "/", "?", "?next=/../x", "#", "#/../../public", "/..", "/.")


def hostile_paths(count: int) -> list[str]:
    """The attacks, then ``count`` seeded paths built from :data:`PIECES`."""
    rng = random.Random("export-nginx-odd-paths")
    out = list(ATTACKS)
    while len(out) < len(ATTACKS) + count:
        # Half the paths only from pieces the export lets through, where verdicts must agree.
        kinds = PIECES if rng.random() < 0.5 else CLEAN_PIECES
        pieces = "".join(rng.choice(kinds) for _ in range(rng.randint(1, 6)))
        out.append(rng.choice(HEADS) + pieces + rng.choice(TAILS))
    return out


class RawClient(Client):
    """:class:`Client` that sends the path exactly as written (``#`` included), as a client
    other than a browser may."""

    def __init__(self, port: int) -> None:
        super().__init__(port)
        self.bodies: list[bytes] = []

    def send(self, sent: Sent) -> Received:
        if not sent.url.startswith(self.base + "/"):
            raise NotFollowed(sent.url)
        path = sent.url[len(self.base) :]
        for attempt in range(2):
            try:
                self.conn.request(sent.method, path, headers=dict(sent.headers))
                response = self.conn.getresponse()
                body = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                if attempt:
                    raise
        self.bodies.append(body)
        headers = tuple(response.getheaders())
        self.responses.append((sent, headers))
        return Received(response.status, headers, response.reason)


@pytest.fixture(scope="module")
def admin_blog() -> Iterator[tuple[str, int, Upstream]]:
    """The ``admin_blog`` app behind its export."""
    with deployment("admin_blog") as running:
        yield running


def blog_fetches(origin: str) -> tuple[CORSRequest, CORSRequest]:
    """A simple GET and a preflighted PUT, both with credentials."""
    return (
        CORSRequest(origin, "GET", (), credentials=True),
        CORSRequest(origin, "PUT", (("Content-Type", "application/json"),), credentials=True),
    )


def test_attack_paths_are_blocked_at_the_edge(admin_blog: tuple[str, int, Upstream]) -> None:
    """SPEC 5 and 8: a BLOG page fetching an admin view through a path nginx resolves to a
    BLOG route (``/api/admin/x%2F..%2F..%2Fpublic`` is ``location = /api/public`` to nginx,
    the admin view to the app) is blocked, preflight and actual request, with credentials."""
    _, port, upstream = admin_blog
    client = RawClient(port)
    # The premise: BLOG is granted on its own route, and the app serves the admin view.
    for request in blog_fetches(BLOG):
        assert judge_fetch(request, client.base + "/api/public", client.send).allowed
    premise = len(client.responses)  # a GET, a preflight and a PUT
    verdicts = []
    for path in ATTACKS:
        for request in blog_fetches(BLOG):
            outcome = judge_fetch(request, client.base + path, client.send)
            verdicts.append((path, request.method, outcome.allowed, outcome.verdict.explain()))
            if request.method == "PUT":  # refused at its preflight, by nginx
                assert [e.received.status for e in outcome.exchanges] == [403]
    client.conn.close()
    assert [v for v in verdicts if v[2]] == []
    exchanges = list(zip(client.responses, client.bodies))[premise:]
    # Every GET reached the admin view, and carried no CORS header.
    gets = [(h, body) for (sent, h), body in exchanges if sent.method == "GET"]
    assert len(gets) == len(ATTACKS)
    assert all(b'"secret"' in body for _, body in gets)
    for (_, headers), _ in exchanges:
        assert not [n for n, _ in headers if n.lower().startswith("access-control-")]
    # The preflights were refused by nginx (403) and never reached the app.
    preflights = [(sent, h) for (sent, h), _ in exchanges if sent.method == "OPTIONS"]
    assert len(preflights) == len(ATTACKS)
    assert "OPTIONS /api/admin/" not in upstream.output()


def odd(path: str) -> bool:
    """Whether the export's ``$cors_odd_path`` map flags the path (its PCRE read by ``re``)."""
    return re.search(ODD_PATH[2:], path, re.IGNORECASE) is not None


def test_nginx_never_grants_a_hostile_path_the_app_refuses(
    admin_blog: tuple[str, int, Upstream],
) -> None:
    """SPEC 5 and 8: over the attacks and 150 generated hostile paths (encoded ``/`` and
    ``.``, dot segments, ``//``, ``%25``, backslashes, ``?`` and ``#``), from ADMIN and BLOG,
    GET and preflighted PUT with credentials: nginx never grants what the app alone (Flask's
    test client, the same raw path) refuses, and on every path the export does not flag as
    odd its verdict is the app's."""
    _, port, _ = admin_blog
    app = create_app("admin_blog")
    client = RawClient(port)
    wider: list[str] = []
    differ: list[str] = []
    narrowed = flagged = 0
    for path in hostile_paths(150):
        flagged += odd(path)
        for request in (*blog_fetches(BLOG), *blog_fetches(ADMIN)):
            alone = run_check(app, path, request).outcome
            through = judge_fetch(request, client.base + path, client.send)
            line = (
                f"{request.method} {path!r} from {request.origin}: app "
                f"{alone.verdict.explain()!r}, nginx {through.verdict.explain()!r}"
            )
            if through.allowed and not alone.allowed:
                wider.append(line)
            if odd(path):
                narrowed += alone.allowed and not through.allowed
                assert not through.allowed, line
            elif (alone.allowed, alone.verdict.failure) != (
                through.allowed,
                through.verdict.failure,
            ):
                differ.append(line)
    client.conn.close()
    assert wider == [], "\n".join(wider[:20])
    assert differ == [], "\n".join(differ[:20])
    # The generator reaches both kinds of path.
    assert 0 < flagged < len(ATTACKS) + 150
    print(f"odd paths: {flagged} flagged, {narrowed} fetches the app grants refused at the edge")


def _cors_headers(port: int, method: str, path: str, headers: dict[str, str]) -> tuple[Any, ...]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, sorted(
            (n.lower(), v)
            for n, v in response.getheaders()
            if n.lower().startswith("access-control-")
        )
    finally:
        conn.close()


def test_views_sharing_paths_get_the_apps_headers() -> None:
    """SPEC 8 (edge item 1): through real nginx, a path two views share under different
    policies, one method each, and a method no view takes (the app's 405), carry exactly the
    CORS headers gunicorn alone sends: no grant of the other view's policy, none on a 405."""
    evil, good = {"Origin": "https://evil.example"}, {"Origin": "https://good.example"}
    cases = [
        ("POST", "/items/special", evil),
        ("GET", "/items/special", evil),
        ("POST", "/items/special", good),
        ("POST", "/items/abc", good),
        ("OPTIONS", "/items/special", {**evil, "Access-Control-Request-Method": "POST"}),
        ("OPTIONS", "/items/abc", {**good, "Access-Control-Request-Method": "POST"}),
        ("GET", "/x", good),
        ("POST", "/x", good),
        ("DELETE", "/one", good),
        ("PUT", "/one", good),
        ("GET", "/one", good),
    ]
    with deployment("split_methods") as (_, port, upstream):
        for method, path, headers in cases:
            through = _cors_headers(port, method, path, headers)
            alone = _cors_headers(upstream.port, method, path, headers)
            assert through == alone, (method, path, headers)
