"""SPEC 6: ``check`` and ``probe`` tell the truth and cannot be turned against the user.

Forbidden methods and request-headers are judged as a browser does; interim ``1xx`` answers
are skipped; what a server sends is escaped before it reaches the terminal; ``probe`` has one
deadline in all; a bad command-line value is a usage error (exit 2), never a traceback. The
hostile servers are loopback sockets in a thread, each bounded in bytes and time.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Optional

import pytest
from flask import Flask

from flask_crossorigin import CORS
from flask_crossorigin.cli import cors_cli, printable
from flask_crossorigin.judge import CORSRequest, Failure, Sent, fetch
from flask_crossorigin.probe import ProbeError, http_sender

A = "http://a.test"


class Hostile:
    """A loopback server that reads a request, then writes ``reply`` in ``step``-byte pieces
    with ``pause`` seconds between them, for at most ``limit`` seconds per connection."""

    def __init__(self, reply: bytes, step: int = 0, pause: float = 0.0, limit: float = 20.0):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port: int = self.sock.getsockname()[1]
        self.reply, self.step, self.pause, self.limit = reply, step, pause, limit
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(self.limit)
            try:
                data = b""
                while b"\r\n\r\n" not in data and len(data) < 65536:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    data += chunk
                if not self.step:
                    conn.sendall(self.reply)
                    return
                ends = time.monotonic() + self.limit
                for start in range(0, len(self.reply), self.step):
                    if time.monotonic() > ends:
                        return
                    conn.sendall(self.reply[start : start + self.step])
                    time.sleep(self.pause)
            except OSError:
                return

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def hostile() -> Iterator[list[Hostile]]:
    servers: list[Hostile] = []
    try:
        yield servers
    finally:
        for server in servers:
            server.close()


def _runner(app: Flask) -> object:
    try:  # Click before 8.2 mixes stderr into stdout unless told not to
        return app.test_cli_runner(mix_stderr=False)
    except TypeError:  # Click 8.2 and later keep them apart, always
        return app.test_cli_runner()


def cli(*args: str, app: Optional[Flask] = None) -> tuple[int, str, str]:
    if app is None:
        app = Flask("truth_cli")
        CORS(app)
    result = _runner(app).invoke(args=["cors", *args])  # type: ignore[attr-defined]
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def _counting_app() -> tuple[Flask, list[str]]:
    app = Flask("truth_check")
    CORS(app, methods=["GET", "PUT"])
    seen: list[str] = []

    @app.before_request
    def count() -> None:
        from flask import request

        seen.append(request.method)

    @app.route("/x", methods=["GET", "PUT", "POST"])
    def x() -> str:
        return "x"

    return app, seen


# --- forbidden methods and headers: as Chromium (tests/browser/judge_rows.py pins them) ------


@pytest.mark.parametrize("method", ["CONNECT", "TRACE", "TRACK", "track"])
def test_check_forbidden_method_is_blocked_and_not_sent(method: str) -> None:
    """SPEC 6: fetch() throws for a forbidden method and sends nothing; ``check`` says so,
    exit 1, and never tells the user to add the method to ``methods``."""
    app, seen = _counting_app()
    code, out, err = cli("check", "/x", "--origin", A, "--method", method, app=app)
    assert code == 1, out + err
    assert "BLOCKED" in out
    assert "forbidden method" in out
    assert f"browsers never send {method}" in out
    assert "methods" not in out.split("BLOCKED", 1)[1].replace("forbidden method", "")
    assert seen == []


def test_judge_forbidden_method_sends_nothing() -> None:
    """Fetch "forbidden method": no exchange, a failure of its own."""
    sent: list[Sent] = []

    def send(s: Sent) -> object:
        sent.append(s)
        raise AssertionError("nothing may be sent")

    outcome = fetch(CORSRequest(A, "trace"), "http://b.test/", send)  # type: ignore[arg-type]
    assert sent == []
    assert not outcome.allowed
    assert outcome.verdict.failure is Failure.FORBIDDEN_METHOD


def test_check_forbidden_header_is_dropped_and_the_rest_sent() -> None:
    """SPEC 6: a browser drops ``Cookie`` silently: a GET with it needs no preflight and is
    allowed; ``check`` notes the drop instead of calling the request blocked."""
    app, seen = _counting_app()
    code, out, _ = cli("check", "/x", "--origin", A, "--header", "Cookie: a=1", app=app)
    assert code == 0, out
    assert "ALLOWED" in out
    assert "drops the header Cookie silently" in out
    assert seen == ["GET"]


def test_forbidden_headers_are_dropped_from_the_request() -> None:
    """Fetch "forbidden request-header": listed names, Proxy-/Sec- prefixes, and a method
    override naming a forbidden method; other headers are kept as written."""
    request = CORSRequest(
        A,
        "GET",
        (
            ("Cookie", "a=1"),
            ("sec-ch-thing", "1"),
            ("Proxy-Authorization", "x"),
            ("X-HTTP-Method-Override", "PUT, trace"),
            ("X-HTTP-Method", "PUT"),
            ("X-Token", "t"),
        ),
    )
    assert request.headers == (("X-HTTP-Method", "PUT"), ("X-Token", "t"))
    assert request.dropped == (
        "Cookie",
        "sec-ch-thing",
        "Proxy-Authorization",
        "X-HTTP-Method-Override",
    )


# --- interim answers ---------------------------------------------------------------------

EARLY_HINTS = (
    b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n"
    b"Access-Control-Allow-Origin: *\r\n\r\n"
)


def test_probe_skips_103_early_hints(hostile: list[Hostile]) -> None:
    """SPEC 6: the interim 103 carries a grant, the final answer none: blocked, exit 1."""
    server = Hostile(
        b"HTTP/1.1 100 Continue\r\n\r\n"
        + EARLY_HINTS
        + b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
    )
    hostile.append(server)
    url = f"http://127.0.0.1:{server.port}/x"
    received = http_sender(timeout=5)(Sent("request", "GET", url, (("Origin", A),)))
    assert received.status == 200
    assert received.headers == (("Content-Length", "2"), ("Connection", "close"))
    code, out, _ = cli("probe", url, "--origin", A, "--other-origin", "", "--timeout", "5")
    assert code == 1
    assert "answered 200 OK" in out
    assert "BLOCKED" in out and "ALLOWED" not in out


def test_probe_judges_the_final_answer_after_103(hostile: list[Hostile]) -> None:
    """SPEC 6: a 103 without a grant, then a granted 200: allowed."""
    server = Hostile(
        b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 0\r\n"
        b"Connection: close\r\n\r\n"
    )
    hostile.append(server)
    url = f"http://127.0.0.1:{server.port}/x"
    code, out, _ = cli("probe", url, "--origin", A, "--other-origin", "", "--timeout", "5")
    assert code == 0, out
    assert "ALLOWED" in out


# --- escapes -----------------------------------------------------------------------------


def test_probe_escapes_what_the_server_sends(hostile: list[Hostile]) -> None:
    """SPEC 6: escape sequences in a reason phrase and headers are printed escaped: a hostile
    server cannot erase the verdict line and write another."""
    repaint = "\x1b[1A\x1b[2K\rALLOWED: the browser lets the page read the response.\x9b2J"
    reply = (
        f"HTTP/1.1 200 OK{repaint}\r\nX-Cache: {repaint}\r\nVary: {repaint}\r\n"
        f"Access-Control-Allow-Origin: http://b.test{repaint}\r\n"
        "Content-Length: 0\r\nConnection: close\r\n\r\n"
    ).encode("latin-1")
    server = Hostile(reply)
    hostile.append(server)
    url = f"http://127.0.0.1:{server.port}/x"
    code, out, err = cli("probe", url, "--origin", A, "--timeout", "5")
    assert code == 1
    assert not any(c in out + err for c in "\x1b\x9b\r")
    assert "\\x1b[1A" in out and "\\x9b2J" in out
    assert out.count("\nBLOCKED") == 1
    assert not any(line.startswith("ALLOWED") for line in out.splitlines())


def test_printable_escapes_control_and_format_characters() -> None:
    """Every C0, C1, DEL, bidi override and line separator is escaped; text is kept."""
    assert printable("ok é ✓") == "ok é ✓"
    for char in ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9b", "\u202e", "\u2028", "\r", "\n"]:
        out = printable(f"a{char}b")
        assert char not in out and out.startswith("a\\") and out.endswith("b")


# --- one deadline ------------------------------------------------------------------------


def test_probe_deadline_against_a_slow_drip(hostile: list[Hostile]) -> None:
    """SPEC 6: a server that sends a byte every 0.2 s (never a read timeout) cannot keep
    ``probe`` past ``--timeout``: it gives up, one line, exit 2."""
    reply = b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 400 + b"\r\n\r\n"
    server = Hostile(reply, step=1, pause=0.2, limit=20)
    hostile.append(server)
    url = f"http://127.0.0.1:{server.port}/x"
    started = time.monotonic()
    code, _, err = cli("probe", url, "--origin", A, "--timeout", "1.5")
    elapsed = time.monotonic() - started
    assert code == 2
    assert err == f"Error: timed out after 1.5 s waiting for 127.0.0.1:{server.port}\n"
    assert elapsed < 10  # the drip alone would take 80 s


def test_sender_deadline_covers_every_exchange(hostile: list[Hostile]) -> None:
    """The deadline counts from the first exchange: a later one past it is refused unsent."""
    server = Hostile(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    hostile.append(server)
    send = http_sender(timeout=5, deadline=0.5)
    url = f"http://127.0.0.1:{server.port}/x"
    assert send(Sent("request", "GET", url, ())).status == 200
    time.sleep(0.6)
    with pytest.raises(ProbeError, match=r"timed out after 0\.5 s"):
        send(Sent("request", "GET", url, ()))
    assert server.connections == 1


# --- usage errors ------------------------------------------------------------------------

BAD_HEADERS = ["X-A: a\r\nX-B: b", "X-A: a\nb", "X-A: a\rb", "X-A: a\x00b", "X A", ": v"]


@pytest.mark.parametrize("header", BAD_HEADERS)
@pytest.mark.parametrize("command", ["check", "probe"])
def test_bad_header_is_a_usage_error(command: str, header: str) -> None:
    """SPEC 6: CR, LF or NUL in a ``--header`` value (or a bad name): exit 2, no traceback."""
    target = "/x" if command == "check" else "http://127.0.0.1:9/x"
    app, seen = _counting_app()
    code, out, err = cli(command, target, "--origin", A, "--header", header, app=app)
    assert code == 2
    assert "is not a header name" in err
    assert "Traceback" not in out + err
    assert seen == []


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "-1", "0", "1e9", "x"])
def test_bad_timeout_is_a_usage_error(value: str) -> None:
    """SPEC 6: ``--timeout`` infinite, not a number, negative, zero or huge: exit 2."""
    code, out, err = cli("probe", "http://127.0.0.1:9/x", "--origin", A, "--timeout", value)
    assert code == 2
    assert "--timeout" in err
    assert "Traceback" not in out + err


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9/a b", "http://127.0.0.1:9/a\x7f", "http://h/\n"]
)
def test_bad_url_is_a_usage_error(url: str) -> None:
    """SPEC 6: a URL an HTTP client cannot send as written: exit 2, nothing sent."""
    code, out, err = cli("probe", url, "--origin", A)
    assert code == 2
    assert "URL must" in err
    assert "Traceback" not in out + err


@pytest.mark.parametrize("path", ["/a b", "/x\r\nX-Injected: 1", "/\x00", "/\x1b[2J", "/\x7f"])
def test_bad_check_path_is_a_usage_error(path: str) -> None:
    """A PATH a browser would never send as written: exit 2, nothing sent to the app."""
    app, seen = _counting_app()
    code, out, err = cli("check", path, "--origin", A, app=app)
    assert code == 2
    assert "PATH must not contain spaces or control characters" in err
    assert "Traceback" not in out + err
    assert seen == []


def test_blocked_probe_gives_its_reason_and_points_to_check(hostile: list[Hostile]) -> None:
    """A blocked ``probe`` says why in one line and points to ``flask cors check``."""
    server = Hostile(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    hostile.append(server)
    url = f"http://127.0.0.1:{server.port}/x"
    code, out, _ = cli("probe", url, "--origin", A, "--other-origin", "", "--timeout", "5")
    assert code == 1
    assert (
        "Reason: the request's answer (200) fails the CORS check (allow-origin-missing): the "
        f"server does not grant {A}:"
    ) in out
    assert (
        f"Next: ask the app itself, where its code is: flask --app APP cors check /x --origin {A} "
        in out
    )


# --- what the fixes and warnings say ----------------------------------------------------

UNKNOWN_KEY_APP = """
from flask import Flask
from flask_crossorigin import CORS

app = Flask(__name__)
app.config["CORS_HEADERS"] = "Content-Type"
app.config["CORS_ORIGINS"] = ["https://a.example"]
CORS(app, resources={r"/api/*": {"origins": ["https://b.example"]}})


@app.route("/api/x")
def x():
    return "x"
"""


@pytest.mark.parametrize(
    "args",
    [
        ["config"],
        ["routes"],
        ["check", "/api/x", "--origin", "https://c.example"],
    ],
)
def test_unknown_config_key_warned_once_per_command(tmp_path: Path, args: list[str]) -> None:
    """SPEC 1, 6: an unknown ``CORS_*`` key is one warning per command, however many times
    the configuration is read (each policy, each command), never between the output lines."""
    (tmp_path / "unknown_key_app.py").write_text(UNKNOWN_KEY_APP, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "unknown_key_app", "cors", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode in (0, 1), run.stderr
    both = run.stdout + run.stderr
    assert both.count("unknown config key CORS_HEADERS") == 1, both
    assert "unknown config key" not in run.stdout


def test_fix_names_the_resource_that_overrides_the_config_key(tmp_path: Path) -> None:
    """SPEC 6: ``origins`` set by a ``resources`` entry: the fix says to change it there, not
    to add the origin to ``CORS_ORIGINS`` (which that entry overrides)."""
    app = Flask("override")
    app.config["CORS_ORIGINS"] = ["https://a.example"]
    CORS(app, resources={r"/api/*": {"origins": ["https://b.example"]}})

    @app.route("/api/x")
    def x() -> str:
        return "x"

    code, out, _ = cli("check", "/api/x", "--origin", "https://c.example", app=app)
    assert code == 1
    fix = [line for line in out.splitlines() if line.startswith("Fix:")]
    assert fix == [
        "Fix: add the origin to 'origins'; it is now ['https://b.example'], set by "
        "resources['/api/*'], which overrides CORS_ORIGINS: change it there"
    ]


def test_fix_names_cors_app_when_the_app_has_no_extension() -> None:
    """SPEC 6: an app without ``CORS(app)``: the fix says to add it (or @cross_origin)."""
    app = Flask("bare")
    app.cli.add_command(cors_cli)  # as the 'flask.commands' entry point adds it

    @app.route("/api/x")
    def x() -> str:
        return "x"

    code, out, _ = cli("check", "/api/x", "--origin", "https://c.example", app=app)
    assert code == 1
    assert "Fix: this app has no CORS(app): add CORS(app)" in out
    assert "@cross_origin" in out
