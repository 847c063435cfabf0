"""SPEC 6: every request-derived value in a log line is escaped and bounded (CVE-2024-1681)."""

from __future__ import annotations

import logging

import pytest

from flask_crossorigin import respond
from flask_crossorigin.logsafe import MAX_LOGGED, loggable

from .conftest import build_app

HOSTILE_ORIGINS = [
    "https://a.example\r\nINFO forged entry",
    "https://a.example\nX: y",
    "https://a.example\x00nul",
    "https://" + "a" * 50_000,
    "https://b.example\x1b[31mred",
]
HOSTILE_PATHS = ["/api/items%0d%0aINFO%20forged", "/api/%0A%0Dfake", "/api/" + "x" * 20_000]


@pytest.mark.parametrize("debug", [False, True])
def test_hostile_values_are_escaped_and_bounded(
    caplog: pytest.LogCaptureFixture, debug: bool
) -> None:
    respond._warned.clear()
    app = build_app(origins=["https://a.example"])
    app.debug = debug
    client = app.test_client()
    with caplog.at_level(logging.DEBUG, logger="flask_crossorigin"):
        for origin in HOSTILE_ORIGINS:
            client.get("/api/items", environ_overrides={"HTTP_ORIGIN": origin})
            client.options(
                "/api/items",
                environ_overrides={
                    "HTTP_ORIGIN": origin,
                    "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT\r\nforged",
                },
            )
        for path in HOSTILE_PATHS:
            client.get(path, headers={"Origin": "https://evil.example"})
    records = [r for r in caplog.records if r.name == "flask_crossorigin"]
    assert len(records) >= len(HOSTILE_ORIGINS) + len(HOSTILE_PATHS)
    if debug:
        assert any(r.levelno == logging.WARNING for r in records)
    for record in records:
        line = record.getMessage()
        assert not set(line) & {"\r", "\n", "\x00", "\x1b"}, line
        assert len(line) < 6 * MAX_LOGGED + 600, len(line)


def test_loggable() -> None:
    assert loggable(None) == "(none)"
    assert loggable('a"b\r\n') == '"a\\"b\\r\\n"'
    long = loggable("x" * 1000)
    assert long.endswith('...(+800 chars)"') and len(long) < 260
