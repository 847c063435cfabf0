"""``probe``: real HTTP on loopback, judged by the judge; what a layer in front changed.

The servers are the raw scripted server of the browser tests (exact bytes out) and sockets
that misbehave on purpose (silent, not HTTP, not TLS).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Optional

import pytest
from flask import Flask

from flask_crossorigin import CORS
from flask_crossorigin.judge import CORSRequest, Failure
from flask_crossorigin.probe import Finding, ProbeError, http_sender, probe

from .browser.scripted import Answer, Script, ScriptedServer

A = "http://a.test"
B = "http://b.test"


@pytest.fixture
def server() -> Iterator[tuple[Script, str]]:
    script = Script()
    running = ScriptedServer(script)
    try:
        yield script, f"http://127.0.0.1:{running.port}"
    finally:
        running.stop()


class Raw:
    """A loopback socket that answers every connection with fixed bytes (or nothing)."""

    def __init__(self, reply: Optional[bytes]) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port: int = self.sock.getsockname()[1]
        self.reply = reply
        if reply is not None:
            threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                assert self.reply is not None
                conn.sendall(self.reply)

    def close(self) -> None:
        self.sock.close()


def cli(*args: str) -> tuple[int, str, str]:
    app = Flask("probe_cli")
    CORS(app)
    try:  # Click before 8.2 mixes stderr into stdout unless told not to
        runner = app.test_cli_runner(mix_stderr=False)
    except TypeError:  # Click 8.2 and later keep them apart, always
        runner = app.test_cli_runner()
    result = runner.invoke(args=["cors", "probe", *args])
    return result.exit_code, result.stdout, result.stderr


def test_probe_allowed(server: tuple[Script, str]) -> None:
    """SPEC 6: a public answer (``*``), asked by two origins: allowed, no problem."""
    script, base = server
    script.routes["/ok"] = (None, Answer(200, (("Access-Control-Allow-Origin", "*"),)))
    found = probe(f"{base}/ok", CORSRequest(A), other_origin=B)
    assert found.allowed
    assert found.problems == ()
    assert [e.sent.headers[-1] for e in found.other] == [("Origin", B)]
    code, out, _ = cli(f"{base}/ok", "--origin", A, "--other-origin", B)
    assert code == 0, out
    assert "ALLOWED: the browser lets the page read the response (200 OK).\nThen as" in out
    assert "Problem" not in out


def test_probe_names_a_duplicated_header(server: tuple[Script, str]) -> None:
    """SPEC 6: two Access-Control-Allow-Origin (app and proxy): blocked, and named."""
    script, base = server
    script.routes["/dup"] = (
        None,
        Answer(
            200,
            (
                ("Server", "nginx"),
                ("Access-Control-Allow-Origin", A),
                ("Vary", "Origin"),
                ("Access-Control-Allow-Origin", "*"),
            ),
        ),
    )
    found = probe(f"{base}/dup", CORSRequest(A), other_origin=None)
    assert found.outcome.verdict.failure is Failure.ALLOW_ORIGIN_MULTIPLE
    assert [p.finding for p in found.problems] == [Finding.DUPLICATE_HEADER]
    assert found.problems[0].text.startswith(
        "Access-Control-Allow-Origin is sent 2 times ('http://a.test', '*') (Server: nginx): "
    )
    code, out, _ = cli(f"{base}/dup", "--origin", A)
    assert code == 1
    assert "FAILS (allow-origin-multiple)" in out
    assert "Problem (duplicate-header): Access-Control-Allow-Origin is sent 2 times" in out


def test_probe_names_a_missing_vary(server: tuple[Script, str]) -> None:
    """SPEC 4, 6: an answer naming the origin without Vary: Origin is allowed, but a problem."""
    script, base = server
    script.routes["/novary"] = (None, Answer(200, (("Access-Control-Allow-Origin", A),)))
    found = probe(f"{base}/novary", CORSRequest(A), other_origin=None)
    assert found.allowed
    assert [p.finding for p in found.problems] == [Finding.VARY_ORIGIN_MISSING]
    code, out, _ = cli(f"{base}/novary", "--origin", A, "--other-origin", "")
    assert code == 1
    assert "ALLOWED" in out
    assert "Problem (vary-origin-missing): the request answer grants http://a.test by name" in out


def test_probe_names_an_answer_cached_for_another_origin(server: tuple[Script, str]) -> None:
    """SPEC 6: the second origin is served the first origin's grant: named as a cache's."""
    script, base = server
    headers = (("Access-Control-Allow-Origin", A), ("Vary", "Origin"), ("Age", "3"))
    script.routes["/cached"] = (None, Answer(200, headers))
    found = probe(f"{base}/cached", CORSRequest(A), other_origin=B)
    assert [p.finding for p in found.problems] == [Finding.CACHED_FOR_OTHER_ORIGIN]
    assert found.problems[0].text == (
        "the answer to http://b.test's request carries Access-Control-Allow-Origin: "
        "http://a.test (Age: 3): a cache served another origin's answer; make it key on "
        "Origin (honour Vary: Origin)"
    )
    # Asked first by b.test, the same cached answer is a mismatch, named as the cache's.
    found = probe(f"{base}/cached", CORSRequest(B), other_origin=None)
    assert found.outcome.verdict.failure is Failure.ALLOW_ORIGIN_MISMATCH
    assert [p.finding for p in found.problems] == [Finding.CACHED_FOR_OTHER_ORIGIN]


def test_probe_preflight_then_second_origin_preflight_only(server: tuple[Script, str]) -> None:
    """SPEC 6: a PUT is not repeated for the second origin: only its preflight is."""
    script, base = server
    granted = (("Access-Control-Allow-Origin", A), ("Vary", "Origin"))
    script.routes["/put"] = (
        Answer(204, (*granted, ("Access-Control-Allow-Methods", "PUT"))),
        Answer(200, granted),
    )
    found = probe(f"{base}/put", CORSRequest(A, "PUT"), other_origin=B)
    assert found.allowed
    assert [e.sent.kind for e in found.outcome.exchanges] == ["preflight", "request"]
    assert [e.sent.method for e in found.other] == ["OPTIONS"]
    assert [p.finding for p in found.problems] == [Finding.CACHED_FOR_OTHER_ORIGIN]
    assert found.problems[0].text.endswith("or a layer writes a fixed origin")
    assert script.requests("judge", "/put") == [
        ("OPTIONS", "/put"),
        ("PUT", "/put"),
        ("OPTIONS", "/put"),
    ]


def test_probe_redirect_on_a_preflight(server: tuple[Script, str]) -> None:
    """SPEC 6: a gateway that redirects the preflight: blocked, the target named."""
    script, base = server
    script.routes["/moved"] = (
        Answer(301, (("Location", "/moved/"), ("Access-Control-Allow-Origin", A)), "Moved"),
        Answer(200, (("Access-Control-Allow-Origin", A),)),
    )
    code, out, _ = cli(f"{base}/moved", "--origin", A, "--method", "DELETE")
    assert code == 1
    assert "  answered 301 Moved" in out
    assert (
        "FAILS (preflight-redirected): the preflight was answered with a redirect (to /moved/)"
        in (out)
    )


@pytest.mark.parametrize(
    ("reply", "scheme", "message"),
    [
        (None, "http", "Error: timed out after 0.3 s waiting for 127.0.0.1:{port}\n"),
        (b"HTTP/1.1 200 OK\r\n\r\n", "https", "Error: TLS error with 127.0.0.1:{port}: "),
        (b"garbage\r\n\r\n", "http", "Error: bad HTTP answer from 127.0.0.1:{port}: BadStatusLine"),
    ],
)
def test_network_errors_are_one_line(reply: Optional[bytes], scheme: str, message: str) -> None:
    """SPEC 6: a silent server, a non-TLS answer to https, a non-HTTP answer: one line, exit 2."""
    raw = Raw(reply)
    try:
        url = f"{scheme}://127.0.0.1:{raw.port}/x"
        code, out, err = cli(url, "--origin", A, "--timeout", "0.3")
    finally:
        raw.close()
    assert code == 2
    assert err.startswith(message.format(port=raw.port))
    assert err.count("\n") == 1
    assert "Traceback" not in out + err


def test_refused_connection_from_python_m() -> None:
    """SPEC 6: ``python -m flask_crossorigin probe`` with no app; refused: one line, exit 2."""
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "flask_crossorigin",
            "probe",
            f"http://127.0.0.1:{port}/",
            "--origin",
            A,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert run.stderr == f"Error: connection refused by 127.0.0.1:{port} (is the server running?)\n"


def test_python_m_probe_judges(server: tuple[Script, str]) -> None:
    """SPEC 6: the module entry point prints the same report as ``flask cors probe``."""
    script, base = server
    script.routes["/star"] = (None, Answer(200, (("Access-Control-Allow-Origin", "*"),)))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "flask_crossorigin",
            "probe",
            f"{base}/star",
            "--origin",
            A,
            "--credentials",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    assert "FAILS (allow-origin-wildcard-with-credentials)" in run.stdout
    assert run.stderr == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ftp://x/", "--origin", A], "URL must be an http or https URL"),
        (["http://x/", "--origin", "x"], "is not an origin"),
        (
            ["http://x/", "--origin", A, "--other-origin", "b"],
            "--other-origin 'b' is not an origin",
        ),
        (["http://x/", "--origin", A, "--timeout", "0"], "--timeout must be a positive number"),
    ],
)
def test_probe_usage_errors(args: list[str], message: str) -> None:
    """SPEC 6: usage errors exit 2 before any request."""
    code, _, err = cli(*args)
    assert code == 2
    assert message in err


def test_sender_refuses_other_schemes() -> None:
    """SPEC 6: the sender only speaks http and https."""
    from flask_crossorigin.judge import Sent

    with pytest.raises(ProbeError, match="not an http or https URL"):
        http_sender()(Sent("request", "GET", "file:///etc/hosts", ()))


def test_bad_port_is_one_line() -> None:
    """SPEC 6: a URL whose port is out of range: one line, exit 2."""
    code, _, err = cli("http://127.0.0.1:99999/", "--origin", A)
    assert code == 2
    assert err == "Error: bad port in URL: http://127.0.0.1:99999/\n"
