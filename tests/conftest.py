from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any, Callable

import pytest
from flask import Flask
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("quick", deadline=None, max_examples=30)
# CI: the same examples every run, so a red run is never a roll of the dice.
settings.register_profile(
    "ci",
    deadline=None,
    max_examples=150,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
_default_profile = "ci" if os.environ.get("CI") else "default"
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", _default_profile))

AppFactory = Callable[..., Flask]


def build_app(library: str = "ours", config: dict[str, Any] | None = None, **options: Any) -> Flask:
    """A small app with a few routes, wired with flask-crossorigin or flask-cors."""
    app = Flask("cors_test_app")
    app.config.update(config or {})

    @app.route("/api/items", methods=["GET", "POST", "PUT", "DELETE"])
    def items() -> dict[str, Any]:
        return {"items": []}

    @app.route("/api/items/<int:item_id>", methods=["GET", "PATCH"])
    def item(item_id: int) -> dict[str, Any]:
        return {"id": item_id}

    @app.route("/public/info")
    def info() -> str:
        return "info"

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    if library == "ours":
        from flask_crossorigin import CORS

        CORS(app, **options)
    else:
        from flask_cors import CORS as FlaskCORS

        FlaskCORS(app, **options)
    return app


@pytest.fixture
def make_app() -> Iterator[AppFactory]:
    yield build_app
