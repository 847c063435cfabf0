"""Public introspection: the effective policy of a path and a simulated browser request."""

from __future__ import annotations

import pytest
from flask import Flask

from flask_crossorigin import Reason, UnknownPath, coverage, cross_origin, simulate

from .conftest import build_app

A = "https://a.example"


def test_coverage_names_its_source() -> None:
    app = build_app(resources={r"/api/.*": {"origins": [A]}})
    found = coverage(app, "/api/items")
    assert found is not None and found.source == "resources['/api/.*']"
    assert coverage(app, "/public/info") is None
    with pytest.raises(UnknownPath):
        coverage(app, "/nowhere")


def test_coverage_for_a_method_the_route_does_not_take() -> None:
    app = build_app(origins=[A])
    assert coverage(app, "/public/info", "DELETE") is not None


def test_simulate_allowed_and_refused() -> None:
    app = build_app(origins=[A], allow_headers=["Content-Type"], supports_credentials=True)
    ok = simulate(app, "/api/items", A, "PUT", ["Content-Type"], credentials=True)
    assert ok.allowed and ok.preflight is not None and ok.actual is not None
    refused = simulate(app, "/api/items", A, "PUT", ["X-Token"])
    assert not refused.allowed
    assert refused.reason is Reason.HEADER_NOT_ALLOWED and refused.detail == "x-token"
    other = simulate(app, "/api/items", "https://b.example")
    assert other.reason is Reason.ORIGIN_NOT_ALLOWED and other.preflight is None


def test_simulate_credentials_need_supports_credentials() -> None:
    app = build_app(origins=[A])
    result = simulate(app, "/api/items", A, credentials=True)
    assert not result.allowed and result.reason is Reason.CREDENTIALS_NOT_ALLOWED


def test_simulate_uncovered_path() -> None:
    app = build_app(resources={r"/api/.*": {}})
    result = simulate(app, "/public/info", A)
    assert not result.allowed and result.coverage is None
    assert result.reason is Reason.NOT_COVERED


def test_coverage_without_extension_uses_the_decorator() -> None:
    app = Flask(__name__)

    @app.route("/d")
    @cross_origin(origins=[A])
    def view() -> str:
        return "x"

    app.add_url_rule("/plain", "plain", lambda: "p")
    found = coverage(app, "/d")
    assert found is not None and found.source.startswith("@cross_origin on")
    assert coverage(app, "/plain") is None
    assert simulate(app, "/d", A).allowed
