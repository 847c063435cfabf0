"""SPEC 6: ``flask --app APP cors probe URL`` compares the live deployment with the app.

The live side is a real HTTP server on loopback (Werkzeug's, in a thread) serving the same
app, or the app behind a layer that changed something: a copy of the policy that drifted, a
proxy that adds the CORS header a second time, a cache that ignores ``Origin``, a proxy
that drops ``Vary``. Every difference is named with its layer; the same app passes.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
from flask import Flask
from flask.cli import ScriptInfo
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from flask_crossorigin import CORS
from flask_crossorigin.compare import compare, origins_to_ask, plan
from flask_crossorigin.probe import http_sender

PAGE = "https://app.example.com"
WSGI = Callable[[dict[str, Any], Callable[..., Any]], Any]


def make_app(origins: Optional[list[str]] = None) -> Flask:
    app = Flask("probe_app")
    CORS(
        app,
        resources={r"/api/*": {}},
        origins=origins or [PAGE],
        supports_credentials=True,
        methods=["GET", "PUT", "DELETE"],
    )

    @app.route("/api/items", methods=["GET", "PUT"])
    def items() -> str:
        return "items"

    @app.route("/api/items/<int:item>", methods=["GET", "DELETE"])
    def item(item: int) -> str:
        return f"item {item}"

    @app.route("/health")
    def health() -> str:
        return "ok"

    return app


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class Live:
    """A WSGI app served on a loopback port, in a thread, until ``stop()``."""

    def __init__(self, app: WSGI) -> None:
        self.server: BaseWSGIServer = make_server(
            "127.0.0.1", 0, app, threaded=True, request_handler=_Quiet
        )
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.requests: list[tuple[str, str]] = []
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def live() -> Iterator[Callable[[WSGI], Live]]:
    servers: list[Live] = []

    def start(app: WSGI) -> Live:
        server = Live(app)
        servers.append(server)
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.stop()


def counting(app: WSGI, seen: list[tuple[str, str]]) -> WSGI:
    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        seen.append((environ["REQUEST_METHOD"], environ["PATH_INFO"]))
        return app(environ, start_response)

    return wrapped


def rewriting(app: WSGI, change: Callable[[list[tuple[str, str]]], list[tuple[str, str]]]) -> WSGI:
    """A layer in front of the app that rewrites the response headers."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def start(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            return start_response(status, change(list(headers)), *rest)

        return app(environ, start)

    return wrapped


def caching(app: WSGI) -> WSGI:
    """A cache that keys on the path alone (no Vary), and says it served from cache."""
    cache: dict[tuple[str, str], tuple[str, list[tuple[str, str]], bytes]] = {}
    lock = threading.Lock()

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        key = (environ["REQUEST_METHOD"], environ["PATH_INFO"])
        with lock:
            hit = cache.get(key)
        if hit is not None:
            status, headers, body = hit
            start_response(status, [*headers, ("X-Cache", "HIT")])
            return [body]
        captured: dict[str, Any] = {}

        def start(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, *rest)

        body = b"".join(app(environ, start))
        with lock:
            cache[key] = (captured["status"], captured["headers"], body)
        return [body]

    return wrapped


def run(app: Flask, url: str, *args: str) -> tuple[int, str, str]:
    """``flask --app ... cors probe URL`` on ``app``, as the flask command loads it."""
    try:  # Click before 8.2 mixes stderr into stdout unless told not to
        runner = app.test_cli_runner(mix_stderr=False)
    except TypeError:
        runner = app.test_cli_runner()
    info = ScriptInfo(app_import_path="probe_app", create_app=lambda: app)
    result = runner.invoke(args=["cors", "probe", url, *args], obj=info)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_origins_to_ask_are_the_app_s_and_look_alikes() -> None:
    """Issue item: the app's origins, then strangers: look-alikes, null, scheme, port."""
    app = make_app(["https://example.com", "https://*.example.org"])
    policy = next(r for r in plan(app)[0] if r.allowed_origin)
    assert policy.route == "/api/items"
    from flask_crossorigin.introspect import routes

    covered = next(r for r in routes(app) if r.rule == "/api/items")
    assert covered.coverage is not None
    allowed, strangers = origins_to_ask(covered.coverage.policy.settings["origins"])
    assert allowed == ["https://example.com", "https://probe.example.org"]
    for stranger in [
        "https://example.com.evil.net",
        "https://evilexample.com",
        "null",
        "http://example.com",
        "https://example.com:8443",
        "https://probe.invalid",
    ]:
        assert stranger in strangers


def test_same_app_live_no_difference(live: Callable[[WSGI], Live]) -> None:
    """The live server serves the same app: every request agrees, exit 0; only safe
    requests (OPTIONS, GET) reach the live server, bounded in number."""
    app = make_app()
    seen: list[tuple[str, str]] = []
    server = live(counting(make_app().wsgi_app, seen))
    code, out, err = run(app, server.url, "--timeout", "20")
    assert code == 0, out + err
    assert " 0 differ" in out
    assert "1 route not covered" in out  # /health
    assert seen and {m for m, _ in seen} <= {"GET", "OPTIONS"}
    assert {p for _, p in seen} == {"/api/items", "/api/items/1"}
    assert len(seen) <= 200


def test_drifted_edge_grants_a_stranger(live: Callable[[WSGI], Live]) -> None:
    """The deployed copy allows the other scheme and a look-alike the app refuses: each request
    named, layer edge-grants, exit 1."""
    app = make_app()
    drifted = make_app([PAGE, "http://app.example.com", "https://evilapp.example.com"])
    server = live(drifted.wsgi_app)
    code, out, _ = run(app, server.url, "--timeout", "20")
    assert code == 1
    lines = [line for line in out.splitlines() if line.startswith("DIFFERS")]
    assert (
        "DIFFERS (edge-grants): request GET /api/items from http://app.example.com: "
        "live ALLOWED, app BLOCKED"
    ) in lines
    assert (
        "DIFFERS (edge-grants): preflight PUT /api/items from https://evilapp.example.com: "
        "live ALLOWED, app BLOCKED"
    ) in lines
    assert all("edge-grants" in line for line in lines)
    assert len(lines) == 8  # 2 origins x 2 routes x (GET, preflight)


def test_duplicate_header_named(live: Callable[[WSGI], Live]) -> None:
    """A proxy adds Access-Control-Allow-Origin again: the app's origin is refused live."""

    def add(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [*headers, ("Access-Control-Allow-Origin", PAGE)]

    app = make_app()
    server = live(rewriting(make_app().wsgi_app, add))
    code, out, _ = run(app, server.url, "--timeout", "20")
    assert code == 1
    assert (
        "DIFFERS (duplicate-header): request GET /api/items from https://app.example.com: "
        "live BLOCKED, app ALLOWED"
    ) in out
    assert "Access-Control-Allow-Origin is sent 2 times" in out


def test_cache_that_ignores_origin_named(live: Callable[[WSGI], Live]) -> None:
    """A cache keyed on the path serves a stranger's answer to the app's origin."""
    app = make_app()
    server = live(caching(make_app().wsgi_app))
    code, out, _ = run(app, server.url, "--timeout", "20")
    assert code == 1
    assert (
        "DIFFERS (cache): request GET /api/items from https://app.example.com: "
        "live BLOCKED, app ALLOWED"
    ) in out
    assert "X-Cache: HIT" in out


def test_missing_vary_named(live: Callable[[WSGI], Live]) -> None:
    """A proxy drops Vary: verdicts agree, yet the answer is named (a cache may mix them)."""

    def drop(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(n, v) for n, v in headers if n.lower() != "vary"]

    app = make_app()
    server = live(rewriting(make_app().wsgi_app, drop))
    code, out, _ = run(app, server.url, "--timeout", "20")
    assert code == 1
    assert " 0 differ" in out
    assert "Problem (vary-missing): request GET /api/items from https://app.example.com" in out


def test_bounded_request_count(live: Callable[[WSGI], Live]) -> None:
    """``--max-requests`` bounds what the live server receives; the rest are counted."""
    app = make_app()
    seen: list[tuple[str, str]] = []
    server = live(counting(make_app().wsgi_app, seen))
    code, out, _ = run(app, server.url, "--timeout", "20", "--max-requests", "5")
    assert code == 0
    assert len(seen) <= 5 + 1  # a GET may follow a redirect; none here
    assert "5 requests compared" in out and "not sent (--max-requests 5)" in out


def test_compare_direct_deadline(live: Callable[[WSGI], Live]) -> None:
    """The comparison uses the sender it is given: the deadline ends it (ProbeError)."""
    from flask_crossorigin.probe import ProbeError

    app = make_app()
    server = live(make_app().wsgi_app)
    with pytest.raises(ProbeError, match="timed out"):
        compare(app, server.url, http_sender(5, deadline=1e-6))


def test_without_an_app_probe_stays_as_it_is(tmp_path: Path) -> None:
    """``python -m flask_crossorigin probe`` (no app): --origin is still required."""
    run_ = subprocess.run(
        [sys.executable, "-m", "flask_crossorigin", "probe", "http://127.0.0.1:9/"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run_.returncode == 2
    assert "Missing option '--origin'" in run_.stderr


def test_flask_app_command_line(tmp_path: Path, live: Callable[[WSGI], Live]) -> None:
    """The real ``flask --app`` command line compares; a drifted copy exits 1."""
    (tmp_path / "probe_target.py").write_text(
        textwrap.dedent(
            """
            from flask import Flask
            from flask_crossorigin import CORS

            app = Flask(__name__)
            CORS(app, resources={r"/api/*": {"origins": ["https://app.example.com"]}})


            @app.route("/api/x")
            def x():
                return "x"
            """
        ),
        encoding="utf-8",
    )
    drifted = Flask("drifted")
    CORS(drifted, origins="*")
    drifted.add_url_rule("/api/x", "x", lambda: "x")
    server = live(drifted.wsgi_app)
    run_ = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "probe_target", "cors", "probe", server.url],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run_.returncode == 1, run_.stdout + run_.stderr
    assert "DIFFERS (edge-grants): request GET /api/x from https://probe.invalid" in run_.stdout


def test_with_an_app_and_origin_probe_stays_as_it_is(live: Callable[[WSGI], Live]) -> None:
    """With ``--origin``, an app at hand changes nothing: the one-origin probe as before."""
    app = make_app()
    server = live(make_app().wsgi_app)
    code, out, _ = run(app, f"{server.url}/api/items", "--origin", PAGE, "--other-origin", "")
    assert code == 0, out
    assert out.startswith(f"GET {server.url}/api/items from {PAGE}\n")
    assert "ALLOWED: the browser lets the page read the response (200 OK)." in out
    assert "Comparing" not in out
