"""Dynamic origins: callables in ``origins``, mixed with static entries."""

from __future__ import annotations

import logging

import pytest

from flask_crossorigin import coverage

from .conftest import build_app

STATIC = "https://static.example"


def test_static_first_then_callable_with_credentials() -> None:
    calls: list[str] = []

    def partners(origin: str) -> bool:
        calls.append(origin)
        return origin == "https://partner.example"

    app = build_app(origins=[STATIC, partners], supports_credentials=True)
    client = app.test_client()
    got = client.get("/api/items", headers={"Origin": "https://partner.example"})
    assert got.headers["Access-Control-Allow-Origin"] == "https://partner.example"
    assert got.headers["Access-Control-Allow-Credentials"] == "true"
    assert got.headers["Vary"] == "Origin"
    static = client.get("/api/items", headers={"Origin": STATIC})
    assert static.headers["Access-Control-Allow-Origin"] == STATIC
    refused = client.get("/api/items", headers={"Origin": "https://other.example"})
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert refused.headers["Vary"] == "Origin"
    malformed = client.get("/api/items", headers={"Origin": "https://x.example/path"})
    assert "Access-Control-Allow-Origin" not in malformed.headers
    assert calls == ["https://partner.example", "https://other.example"]


def test_callable_that_raises_refuses_and_logs_once(caplog: pytest.LogCaptureFixture) -> None:
    def broken(origin: str) -> bool:
        raise ConnectionError("allow-list database is down")

    app = build_app(origins=[broken])
    client = app.test_client()
    with caplog.at_level(logging.ERROR, logger="flask_crossorigin"):
        for _ in range(3):
            response = client.get("/api/items", headers={"Origin": "https://p.example"})
            assert response.status_code == 200
            assert "Access-Control-Allow-Origin" not in response.headers
            pre = client.options(
                "/api/items",
                headers={"Origin": "https://p.example", "Access-Control-Request-Method": "PUT"},
            )
            assert "Access-Control-Allow-Methods" not in pre.headers
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "allow-list database is down" in caplog.text


def test_callable_in_a_resource_and_in_introspection() -> None:
    app = build_app(resources={r"/api/.*": {"origins": lambda o: o.endswith(".ok.example")}})
    found = coverage(app, "/api/items")
    assert found is not None
    assert found.policy.origins.entries[0].text.startswith("<callable")
    got = app.test_client().get("/api/items", headers={"Origin": "https://a.ok.example"})
    assert got.headers["Access-Control-Allow-Origin"] == "https://a.ok.example"
