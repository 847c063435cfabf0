"""``flask cors routes``, ``check`` and ``config`` through Flask's CliRunner."""

from __future__ import annotations

import json

import pytest
from flask import Blueprint, Flask

from flask_crossorigin import CORS, cross_origin

LOCAL = "http://localhost:5001"


@pytest.fixture
def app() -> Flask:
    app = Flask("cli_app")
    app.config["CORS_ORIGINS"] = [LOCAL]
    app.config["CORS_ALLOW_HEADERS"] = ["Content-Type"]

    @app.route("/api/todos/", methods=["GET", "POST"])
    def todos() -> dict[str, str]:
        return {}

    @app.route("/api/todos/<int:todo_id>", methods=["GET", "PUT", "DELETE"])
    def todo(todo_id: int) -> dict[str, str]:
        return {}

    @app.route("/public")
    @cross_origin(origins="*")
    def public() -> str:
        return "x"

    partner = Blueprint("partner", __name__)
    partner.add_url_rule("/feed", "feed", lambda: "feed")
    CORS(partner, origins=["https://partner.example"])
    app.register_blueprint(partner, url_prefix="/partner")
    CORS(app, resources={r"/api/*": {"max_age": 600, "supports_credentials": True}})
    return app


def test_cli_is_registered_once(app: Flask) -> None:
    CORS(app)
    assert "cors" in app.cli.commands


def test_routes_table(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["cors", "routes"])
    assert result.exit_code == 0, result.output
    assert "/api/todos/<int:todo_id>  [DELETE, GET, PUT]  covered by resources['/api/*']" in (
        result.output
    )
    assert "max_age                600  [resources['/api/*']]" in result.output
    assert "origins                http://localhost:5001  [CORS_ORIGINS]" in result.output
    assert "/public  [GET]  covered by @cross_origin on" in result.output
    assert "/partner/feed  [GET]  covered by blueprint 'partner'" in result.output
    assert "/static/<path:filename>  [GET]  not covered" in result.output


def test_routes_json(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["cors", "routes", "--json"])
    assert result.exit_code == 0
    data = {r["rule"]: r for r in json.loads(result.output)}
    todo = data["/api/todos/<int:todo_id>"]
    assert todo["covered_by"] == "resources['/api/*']"
    assert todo["options"]["supports_credentials"] == {
        "value": True,
        "source": "resources['/api/*']",
    }
    assert todo["options"]["origins"] == {"value": [LOCAL], "source": "CORS_ORIGINS"}
    assert data["/static/<path:filename>"]["covered_by"] is None
    assert "options" not in data["/static/<path:filename>"]


def test_check_refused_custom_header(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["cors", "check", "/api/todos/1", "--origin", LOCAL, "--method", "PUT",
              "--header", "X-Token"]
    )  # fmt: skip
    assert result.exit_code == 1
    assert "Preflight OPTIONS /api/todos/1: header-not-allowed" in result.output
    assert "BLOCKED" in result.output
    assert "Reason: the request header x-token is not in the allowed headers" in result.output
    assert (
        "Fix: add the header to 'allow_headers' (CORS_ALLOW_HEADERS); it is now "
        "['content-type'], set by CORS_ALLOW_HEADERS"
    ) in result.output


def test_check_refused_credentials(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["cors", "check", "/public", "--origin", LOCAL, "--credentials"]
    )
    assert result.exit_code == 1
    assert "credentials-not-allowed" in result.output
    assert "it is now False, set by default" in result.output


def test_check_refused_origin_names_the_config_key(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["cors", "check", "/api/todos/", "--origin", "http://127.0.0.1:5001"]
    )
    assert result.exit_code == 1
    assert "the origin http://127.0.0.1:5001 is not in the allowed origins" in result.output
    assert "it is now ['http://localhost:5001'], set by CORS_ORIGINS" in result.output


def test_check_allowed_prints_headers(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["cors", "check", "/api/todos/1", "--origin", LOCAL, "--method", "delete",
              "--header", "Content-Type", "--credentials"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "DELETE /api/todos/1 from http://localhost:5001 with credentials" in result.output
    assert "    Access-Control-Allow-Credentials: true" in result.output
    assert "    Access-Control-Max-Age: 600" in result.output
    assert "ALLOWED" in result.output


def test_check_private_network(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["cors", "check", "/api/todos/", "--origin", LOCAL, "--private-network"]
    )
    assert result.exit_code == 1
    assert "private-network-not-allowed" in result.output
    assert "allow_private_network" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/nowhere", "--origin", LOCAL], "no route matches '/nowhere'"),
        (["api", "--origin", LOCAL], "PATH must start with '/'"),
        (["/public", "--origin", "localhost:5001"], "is not an origin"),
        (["/public", "--origin", LOCAL, "--method", "BAD METHOD"], "is not an HTTP method"),
        (["/public", "--origin", LOCAL, "--header", "a:b"], "is not a header name"),
        (["/public"], "Missing option '--origin'"),
    ],
)
def test_check_usage_errors_exit_2(app: Flask, args: list[str], message: str) -> None:
    result = app.test_cli_runner().invoke(args=["cors", "check", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_config(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["cors", "config"])
    assert result.exit_code == 0
    assert "origins                http://localhost:5001  [CORS_ORIGINS]" in result.output
    assert "resources              /api/*  [CORS(...)]" in result.output
    assert "Resource '/api/*': max_age, supports_credentials" in result.output
    assert "Blueprint 'partner'" in result.output


def test_routes_without_the_extension() -> None:
    from flask_crossorigin.cli import cors_cli

    app = Flask("decorator_only")

    @app.route("/d")
    @cross_origin(origins=[LOCAL])
    def view() -> str:
        return "x"

    app.cli.add_command(cors_cli)
    result = app.test_cli_runner().invoke(args=["cors", "routes"])
    assert "/d  [GET]  covered by @cross_origin on" in result.output
