"""``flask cors routes``, ``check`` and ``config`` through Flask's CliRunner."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
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
    """SPEC 6: each policy the app uses, each value with the source that set it."""
    result = app.test_cli_runner().invoke(args=["cors", "config"])
    assert result.exit_code == 0
    assert "resources  '/api/*'  [CORS(...)]" in result.output
    resource = result.output.split("Resource '/api/*' (paths it matches):\n")[1]
    assert "    origins                http://localhost:5001  [CORS_ORIGINS]" in resource
    assert "    max_age                600  [resources['/api/*']]" in resource
    assert "    supports_credentials   True  [resources['/api/*']]" in resource
    partner = result.output.split("Blueprint 'partner' (all its routes):\n")[1]
    assert "    origins                https://partner.example  [CORS(blueprint 'partner')]" in (
        partner
    )


def test_config_never_shows_a_value_the_app_does_not_use() -> None:
    """SPEC 6: with credentials on and origins per resource, no 'origins * [default]' line
    beside 'supports_credentials True': the resource's own origins are what the app uses."""
    app = Flask("cred")
    CORS(app, supports_credentials=True, resources={r"/api/*": {"origins": [LOCAL]}})
    result = app.test_cli_runner().invoke(args=["cors", "config"])
    assert result.exit_code == 0, result.output
    assert "[default]" in result.output  # other options still show their source
    assert "origins                *" not in result.output
    assert f"    origins                {LOCAL}  [resources['/api/*']]" in result.output
    assert "    supports_credentials   True  [CORS(...)]" in result.output


def test_config_and_routes_name_blueprint_resources() -> None:
    """SPEC 5 and 6: a blueprint's resources and keywords are labelled as the blueprint's."""
    bp = Blueprint("api", __name__)
    bp.add_url_rule("/api/v1/ping", "ping", lambda: "pong")
    bp.add_url_rule("/other", "other", lambda: "other")
    CORS(bp, resources={r"/api/*": {"origins": [LOCAL]}}, max_age=60)
    app = Flask("bp_resources")
    app.register_blueprint(bp)
    config = app.test_cli_runner().invoke(args=["cors", "config"])
    assert config.exit_code == 0, config.output
    assert "No CORS(app) on this app" not in config.output
    section = config.output.split(
        "Blueprint 'api' resource '/api/*' (its routes whose path matches):\n"
    )[1]
    assert f"    origins                {LOCAL}  [blueprint 'api' resources['/api/*']]" in section
    assert "    max_age                60  [CORS(blueprint 'api')]" in section
    routes = app.test_cli_runner().invoke(args=["cors", "routes"])
    assert "/api/v1/ping  [GET]  covered by blueprint 'api' resources['/api/*']" in routes.output
    assert "/other  [GET]  not covered" in routes.output


def test_config_without_the_extension_shows_the_decorators_base() -> None:
    """SPEC 1 and 6: without CORS(app), the values @cross_origin views start from."""
    from flask_crossorigin.cli import cors_cli

    app = Flask("bare")
    app.config["CORS_MAX_AGE"] = 30
    app.cli.add_command(cors_cli)
    result = app.test_cli_runner().invoke(args=["cors", "config"])
    assert result.exit_code == 0, result.output
    assert "No CORS(app) on this app" in result.output
    assert "    max_age                30  [CORS_MAX_AGE]" in result.output
    assert "    origins                *  [default]" in result.output


def test_a_configuration_error_is_printed_with_its_fix_and_exits_2() -> None:
    """SPEC 2 and 6: an app that fails to load with a CORSConfigError, or a view whose
    policy fails when a command compiles it: the message and fix, exit 2, no traceback."""
    from flask.cli import ScriptInfo

    from flask_crossorigin.cli import cors_cli

    def bad_app() -> Flask:
        app = Flask("bad")
        CORS(app, supports_credentials=True)
        return app

    runner = CliRunner()
    result = runner.invoke(cors_cli, ["config"], obj=ScriptInfo(create_app=bad_app))
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Error: flask-crossorigin configuration has 1 problem:" in result.output
    assert "set supports_credentials=False where the data is public" in result.output
    assert "Traceback" not in result.output

    app = Flask("late")
    CORS(app)
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True  # only a view registered later reads it

    @app.route("/late")
    @cross_origin()
    def late() -> str:
        return "x"

    result = app.test_cli_runner().invoke(args=["cors", "routes"])
    assert result.exit_code == 2
    assert "allows every origin, and supports_credentials is on" in result.output


def test_the_cors_group_is_a_flask_command_plugin() -> None:
    """SPEC 6: `flask cors` exists before the app loads (so load errors reach the group)."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        installed = distribution("flask-crossorigin")
    except PackageNotFoundError:
        pytest.skip("flask-crossorigin is not installed (tests run from the source tree)")
    found = [
        ep.value
        for ep in installed.entry_points
        if ep.group == "flask.commands" and ep.name == "cors"
    ]
    assert found == ["flask_crossorigin.cli:cors_cli"]
