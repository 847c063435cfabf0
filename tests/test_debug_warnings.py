"""With app.debug, each refusal logs one WARNING with the reason and the fix (SPEC 6)."""

from __future__ import annotations

import logging

import pytest

from flask_crossorigin import respond

from .conftest import build_app

A = "https://a.example"


@pytest.fixture(autouse=True)
def fresh_warnings() -> None:
    respond._warned.clear()


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_one_warning_per_origin_rule_and_reason(caplog: pytest.LogCaptureFixture) -> None:
    app = build_app(origins=[A], allow_headers=["Content-Type"])
    app.debug = True
    client = app.test_client()
    with caplog.at_level(logging.INFO, logger="flask_crossorigin"):
        for _ in range(5):
            client.get("/api/items", headers={"Origin": "https://b.example"})
        client.get("/api/items", headers={"Origin": "https://c.example"})
        for _ in range(3):
            client.options(
                "/api/items",
                headers={
                    "Origin": A,
                    "Access-Control-Request-Method": "PUT",
                    "Access-Control-Request-Headers": "x-token",
                },
            )
        client.get("/api/items", headers={"Origin": A})
    found = warnings(caplog)
    assert len(found) == 3
    assert found[0] == (
        'CORS refused GET "/api/items" from Origin "https://b.example" (origin-not-allowed, '
        "covered by resources['/*']): the origin \"https://b.example\" is not in the allowed "
        "origins. Fix: add the origin to 'origins'; it is now "
        "['https://a.example'], set by CORS(...), which overrides CORS_ORIGINS: change it there"
    )
    assert "header-not-allowed" in found[2] and '"x-token"' in found[2]
    assert "it is now ['content-type'], set by CORS(...)" in found[2]


def test_no_warnings_in_production(caplog: pytest.LogCaptureFixture) -> None:
    app = build_app(origins=[A])
    with caplog.at_level(logging.INFO, logger="flask_crossorigin"):
        app.test_client().get("/api/items", headers={"Origin": "https://b.example"})
    assert caplog.records == []


def test_debug_level_logs_every_decision(caplog: pytest.LogCaptureFixture) -> None:
    app = build_app(origins=[A])
    with caplog.at_level(logging.DEBUG, logger="flask_crossorigin"):
        client = app.test_client()
        for _ in range(2):
            client.get("/api/items", headers={"Origin": "https://b.example"})
        for _ in range(2):
            client.get("/api/items", headers={"Origin": A})
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    # The second request from an origin takes the short path; it logs the same line.
    refused = [m for m in messages if "origin-not-allowed" in m]
    allowed = [m for m in messages if "the origin is allowed" in m]
    assert len(refused) == 2 and refused[0] == refused[1]
    assert (
        allowed == ['GET "/api/items" from Origin "https://a.example": the origin is allowed'] * 2
    )
    assert not warnings(caplog)


def test_debug_switched_on_after_the_first_requests(caplog: pytest.LogCaptureFixture) -> None:
    """app.debug is read on every refusal, not when the policy's answer was first kept."""
    app = build_app(origins=[A])
    client = app.test_client()
    with caplog.at_level(logging.INFO, logger="flask_crossorigin"):
        client.get("/api/items", headers={"Origin": "https://b.example"})
        assert warnings(caplog) == []
        app.debug = True
        client.get("/api/items", headers={"Origin": "https://b.example"})
    assert len(warnings(caplog)) == 1
