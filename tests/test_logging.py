"""SPEC 6: every request-derived value in a log line is escaped and bounded (CVE-2024-1681).

Hostile ``Origin`` values, paths, methods and preflight headers go through the app at DEBUG
level and with ``app.debug`` on (which logs a WARNING per refusal); the log is read back as a
handler formats it, so a forged line would show up as an extra line.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from flask import Flask

from flask_crossorigin import respond
from flask_crossorigin.logsafe import MAX_LOGGED, MAX_LOGGED_METHOD, loggable, loggable_method

from .conftest import build_app

HOSTILE_ORIGINS = [
    "https://a.example\r\nINFO forged entry",
    "https://a.example\nX: y",
    "https://a.example\rX: y",
    "https://a.example\x00nul",
    "https://a.example\u2028line-separator",
    "https://" + "a" * 50_000,
    "\x00" * 50_000,
    "https://b.example\x1b[31mred",
]
HOSTILE_PATHS = [
    "/api/items%0d%0aINFO%20forged",
    "/api/%0A%0Dfake",
    "/api/%00nul",
    "/api/%1b[2Jclear",
    "/api/" + "x" * 20_000,
    "/api/" + "%0a" * 5_000,
]
HOSTILE_PREFLIGHT = [
    {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT\r\nforged"},
    {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "P" * 20_000},
    {
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT",
        "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "x-a\r\nINFO forged",
    },
    {
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT",
        "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "y" * 3000,
    },
]
ALLOWED = "https://a.example"
FORBIDDEN = {"\r", "\n", "\x00", "\x1b", "\u2028", "\x85"}
#: At most three request-derived values in a line, each at most MAX_LOGGED characters before
#: escaping (an escape is at most 10 characters), plus the fixed text around them.
MAX_LINE = 3 * (10 * MAX_LOGGED + 40) + 600


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    """The flask_crossorigin log at DEBUG, formatted one record per line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("flask_crossorigin")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    respond._warned.clear()
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        respond._warned.clear()


def lines_of(stream: io.StringIO) -> list[str]:
    text = stream.getvalue()
    assert text.endswith("\n")
    # Split on "\n" only: str.splitlines() would also split on the separators under test.
    return text[:-1].split("\n")


def check_lines(lines: list[str]) -> None:
    for line in lines:
        assert line.split(" ", 1)[0] in ("DEBUG", "WARNING"), line[:300]
        assert not set(line) & FORBIDDEN, line[:300]
        assert len(line) <= MAX_LINE, len(line)


def forget(stream: io.StringIO) -> None:
    """Drop what configuration logged, keeping what requests log."""
    stream.seek(0)
    stream.truncate()


def send_hostile(app: Flask) -> int:
    """Send every hostile request; return how many requests were sent."""
    client = app.test_client()
    sent = 0
    for origin in HOSTILE_ORIGINS:
        client.get("/api/items", environ_overrides={"HTTP_ORIGIN": origin})
        client.options(
            "/api/items", environ_overrides={"HTTP_ORIGIN": origin, **HOSTILE_PREFLIGHT[0]}
        )
        sent += 2
    for path in HOSTILE_PATHS:
        client.get(path, headers={"Origin": "https://evil.example"})
        client.get(path, headers={"Origin": ALLOWED})
        sent += 2
    for environ in HOSTILE_PREFLIGHT:
        client.options("/api/items", environ_overrides={"HTTP_ORIGIN": ALLOWED, **environ})
        sent += 1
    return sent


@pytest.mark.parametrize("debug", [False, True], ids=["debug-level", "app.debug"])
def test_hostile_values_are_escaped_and_bounded(log: io.StringIO, debug: bool) -> None:
    app = build_app(origins=[ALLOWED], allow_headers=["X-A"])
    app.debug = debug
    forget(log)
    sent = send_hostile(app)
    lines = lines_of(log)
    # One line per request (a decision or a refusal), and no forged extra line.
    assert len(lines) == sent, "\n".join(line[:200] for line in lines)
    check_lines(lines)
    if debug:
        assert any(line.startswith("WARNING CORS refused") for line in lines)
    text = "\n".join(lines)
    # The values are there, escaped: a reader sees what was sent.
    assert r'"/api/items\r\nINFO forged"' in text
    assert r"https://a.example\r\nINFO forged entry" in text
    assert r"\x1b[2Jclear" in text
    assert f"...(+{20_000 + len('/api/') - MAX_LOGGED} chars)" in text


def test_app_debug_warnings_alone(log: io.StringIO) -> None:
    """With app.debug on and the logger left at WARNING, the refusal warnings are escaped too."""
    logging.getLogger("flask_crossorigin").setLevel(logging.WARNING)
    app = build_app(origins=[ALLOWED])
    app.debug = True
    send_hostile(app)
    lines = lines_of(log)
    assert lines and all(line.startswith("WARNING CORS refused") for line in lines)
    check_lines(lines)


def test_request_method_is_escaped_and_bounded(log: io.StringIO) -> None:
    """The method is request-derived too: a client may send any bytes but whitespace there
    (Werkzeug's development server splits the request line on whitespace only)."""
    app = build_app(origins=[ALLOWED])
    forget(log)
    client = app.test_client()
    client.open("/api/items", method="GET\x1b[2J\x00", headers={"Origin": "https://evil.example"})
    client.open("/api/items", method="M" * 20_000, headers={"Origin": ALLOWED})
    client.open("/api/items", method="GET\r\nINFO forged", headers={"Origin": ALLOWED})
    lines = lines_of(log)
    assert len(lines) == 3, lines
    check_lines(lines)


def test_loggable() -> None:
    assert loggable(None) == "(none)"
    assert loggable('a"b\r\n') == '"a\\"b\\r\\n"'
    assert loggable("\x00\x1b\u2028") == '"\\x00\\x1b\\u2028"'
    long = loggable("x" * 1000)
    assert long.endswith('...(+800 chars)"') and len(long) < 260
    assert len(loggable("\U0001f600" * 1000)) <= 10 * MAX_LOGGED + 40


def test_loggable_method() -> None:
    assert loggable_method("GET") == "GET"
    assert loggable_method("PROPFIND") == "PROPFIND"
    assert loggable_method("GET\r\nINFO forged") == '"GET\\r\\nINFO forged"'
    assert loggable_method('a"b') == '"a\\"b"'
    long = loggable_method("M" * 20_000)
    assert long.startswith('"' + "M" * MAX_LOGGED_METHOD) and long.endswith('chars)"')
