"""``flask cors routes``, ``check`` and ``config`` through Flask's CliRunner."""

from __future__ import annotations

import json
import shlex
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Blueprint, Flask, Response, redirect
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from flask_crossorigin import CORS, cross_origin, simulate

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


def check(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["cors", "check", *args])


def test_check_refused_custom_header(app: Flask) -> None:
    """SPEC 6: a refused preflight names the policy's reason and the fix, value and source."""
    result = check(app, "/api/todos/1", "--origin", LOCAL, "--method", "PUT", "--header", "X-Token")
    assert result.exit_code == 1
    assert "Preflight: OPTIONS /api/todos/1" in result.output
    assert "    Access-Control-Request-Headers: x-token" in result.output
    assert "  answered 200 OK" in result.output
    assert "    (no Access-Control-* headers)" in result.output
    assert "BLOCKED" in result.output
    assert "Browser: the response has no Access-Control-Allow-Origin header" in result.output
    assert "Reason: the request header x-token is not in the allowed headers" in result.output
    assert (
        "Fix: add the header to 'allow_headers' (CORS_ALLOW_HEADERS); it is now "
        "['content-type'], set by CORS_ALLOW_HEADERS"
    ) in result.output


def test_check_refused_credentials(app: Flask) -> None:
    """SPEC 6: a credentialed request to a policy without credentials: ACAC is missing."""
    result = check(app, "/public", "--origin", LOCAL, "--credentials")
    assert result.exit_code == 1
    assert "FAILS (allow-credentials-not-true)" in result.output
    assert "Reason: the request sends credentials (cookies)" in result.output
    assert "it is now False, set by default" in result.output


def test_check_refused_origin_names_the_config_key(app: Flask) -> None:
    """SPEC 6: localhost and 127.0.0.1 are different origins; the fix names CORS_ORIGINS."""
    result = check(app, "/api/todos/", "--origin", "http://127.0.0.1:5001")
    assert result.exit_code == 1
    assert "the origin http://127.0.0.1:5001 is not in the allowed origins" in result.output
    assert "it is now ['http://localhost:5001'], set by CORS_ORIGINS" in result.output


def test_check_allowed_prints_each_exchange(app: Flask) -> None:
    """SPEC 6: the preflight and the request both run; each answer's CORS headers shown."""
    result = check(
        app, "/api/todos/1", "--origin", LOCAL, "--method", "delete", "--header",
        "Content-Type", "--credentials",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "DELETE /api/todos/1 from http://localhost:5001 with credentials\n"
        "Preflight: OPTIONS /api/todos/1\n"
        "    Origin: http://localhost:5001\n"
        "    Access-Control-Request-Method: DELETE\n"
        "    Access-Control-Request-Headers: content-type\n"
        "  answered 200 OK\n"
    )
    assert "    Access-Control-Allow-Credentials: true" in result.output
    assert "    Access-Control-Max-Age: 600" in result.output
    assert "Request: DELETE /api/todos/1\n    Content-Type: application/json\n" in result.output
    assert result.output.endswith(
        "ALLOWED: the browser lets the page read the response (200 OK).\n"
    )


def test_check_private_network(app: Flask) -> None:
    """SPEC 6: private network access asked and not allowed."""
    result = check(app, "/api/todos/", "--origin", LOCAL, "--private-network")
    assert result.exit_code == 1
    assert "Access-Control-Request-Private-Network: true" in result.output
    assert "private-network-not-allowed" in result.output
    assert "allow_private_network" in result.output


def test_check_unknown_path_on_the_example_app() -> None:
    """SPEC 6: the default resource covers every path, but the preflight gets a 404: BLOCKED,
    with the 404 named (the policy alone would say allowed)."""
    from example_app import create_app

    app = create_app({"DATABASE": ":memory:"})
    result = check(
        app, "/api/todoz/1", "--origin", LOCAL, "--method", "PUT", "--header", "Content-Type",
        "--credentials",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "  answered 404 NOT FOUND: no route matches /api/todoz/1\n" in result.output
    assert "FAILS (preflight-status-not-ok)" in result.output
    assert "BLOCKED" in result.output
    assert "Reason: no route matches /api/todoz/1: the app answers 404." in result.output
    assert simulate(app, "/api/todoz/1", LOCAL, "PUT", ["Content-Type"], True).allowed


def test_check_get_on_an_unknown_path_reads_the_404() -> None:
    """SPEC 6: a GET needs no preflight, and a 404 with CORS headers is readable: ALLOWED,
    and the 404 is named."""
    app = Flask("unknown")
    CORS(app)
    result = check(app, "/nowhere", "--origin", LOCAL)
    assert result.exit_code == 0
    assert "  answered 404 NOT FOUND: no route matches /nowhere" in result.output
    assert "ALLOWED: the browser lets the page read the response (404 NOT FOUND)." in (
        result.output
    )


def mounted_app() -> Flask:
    app = Flask("mounted")

    @app.route("/api/items/<int:item_id>", methods=["GET", "PUT"])
    def item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    CORS(app, resources={r"/svc/api/*": {"origins": [LOCAL]}})
    return app


def test_check_through_dispatcher_middleware() -> None:
    """SPEC 5, 6: mounted under /svc, the app matches resources against the path it sees
    (/api/...): check says so, and BLOCKED, where the policy on /svc/... would say allowed."""
    app = mounted_app()
    app.wsgi_app = DispatcherMiddleware(Flask("front"), {"/svc": app.wsgi_app})  # type: ignore[method-assign]
    result = check(app, "/svc/api/items/1", "--origin", LOCAL)
    assert result.exit_code == 1, result.output
    assert "  answered 200 OK: the app saw /api/items/1 (mounted under /svc)" in result.output
    assert "Reason: no CORS policy covers this path (not-covered)" in result.output
    assert "Note: the app is mounted under /svc and matches 'resources' against /api/items/1" in (
        result.output
    )
    assert "Fix: add the path to 'resources'" in result.output


def test_check_mount_prefix_on_the_bare_app() -> None:
    """SPEC 6: the path with the mount prefix, on the app alone: a 404, and the route it has."""
    result = check(mounted_app(), "/svc/api/items/1", "--origin", LOCAL, "--method", "PUT")
    assert result.exit_code == 1
    assert (
        "no route matches /svc/api/items/1; the app has a route for /api/items/1 "
        "(mounted under a prefix?)"
    ) in result.output
    assert "Fix: the app has /api/items/1. Mounted under a prefix" in result.output


def test_check_hook_that_drops_the_header() -> None:
    """SPEC 6: an after_request hook registered before CORS(app) runs after the extension's
    and removes the grant: BLOCKED, and the fix points at such hooks."""
    app = Flask("hooked")

    @app.after_request
    def strip(response: Response) -> Response:
        response.headers.pop("Access-Control-Allow-Origin", None)
        return response

    @app.route("/data")
    def data() -> str:
        return "x"

    CORS(app, origins=[LOCAL])
    result = check(app, "/data", "--origin", LOCAL)
    assert result.exit_code == 1
    assert "FAILS (allow-origin-missing)" in result.output
    assert "Reason: the policy (covered by resources['/*']) grants this request, but the " in (
        result.output
    )
    assert "after_request hook registered before CORS(app)" in result.output


def test_check_strict_slash_redirect_on_a_preflight() -> None:
    """SPEC 6: without automatic_options the app redirects the preflight (strict slashes):
    a browser never follows that, so BLOCKED, with the redirect and its target named."""
    app = Flask("slashes")

    @app.route("/api/todos/", methods=["GET", "PUT"])
    def todos() -> dict[str, str]:
        return {}

    CORS(app, origins=[LOCAL], automatic_options=False)
    result = check(app, "/api/todos", "--origin", LOCAL, "--method", "PUT")
    assert result.exit_code == 1
    assert (
        "  answered 308 PERMANENT REDIRECT: strict slashes: the URL rule is /api/todos/; "
        "redirects to /api/todos/\n"
    ) in result.output
    assert "FAILS (preflight-redirected)" in result.output
    assert "Reason: the app redirects OPTIONS /api/todos to /api/todos/." in result.output
    assert "Fix: make the page fetch /api/todos/" in result.output


def test_check_strict_slash_redirect_answered_by_the_target_policy(app: Flask) -> None:
    """SPEC 4, 6: the extension answers the preflight under the target's policy; the PUT is
    redirected (308 keeps the method), and the browser preflights the target: ALLOWED."""
    result = check(
        app, "/api/todos", "--origin", LOCAL, "--method", "POST", "--header", "Content-Type"
    )
    assert result.exit_code == 0, result.output
    hops = [line for line in result.output.splitlines() if line.startswith(("Pre", "Req"))]
    assert hops == [
        "Preflight: OPTIONS /api/todos",
        "Request: POST /api/todos",
        "Preflight: OPTIONS /api/todos/",
        "Request: POST /api/todos/",
    ]
    assert "strict slashes: the URL rule is /api/todos/; redirects to /api/todos/" in (
        result.output
    )


def test_check_strict_slash_redirect_on_a_simple_request(app: Flask) -> None:
    """SPEC 4, 6: a GET follows the redirect; both hops carry the grant: ALLOWED."""
    result = check(app, "/api/todos", "--origin", LOCAL)
    assert result.exit_code == 0, result.output
    assert "Request: GET /api/todos\n" in result.output
    assert "strict slashes: the URL rule is /api/todos/" in result.output
    assert "Request: GET /api/todos/\n" in result.output
    assert "ALLOWED: the browser lets the page read the response (200 OK)." in result.output


def test_check_405_is_named(app: Flask) -> None:
    """SPEC 6: a method the route does not have: the 405 is named with the methods it has."""
    result = check(app, "/public", "--origin", "http://x.test", "--method", "POST")
    assert (
        "  answered 405 METHOD NOT ALLOWED: the route does not accept POST; it accepts GET, "
        "HEAD, OPTIONS"
    ) in result.output
    assert result.exit_code == 0  # the 405 carries the grant: the page reads it


def test_check_view_that_raises() -> None:
    """SPEC 6: an exception the app lets through is a 500 without CORS headers."""
    app = Flask("raising")
    app.config["PROPAGATE_EXCEPTIONS"] = True

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    CORS(app)
    result = check(app, "/boom", "--origin", LOCAL)
    assert result.exit_code == 1
    assert "  answered 500 INTERNAL SERVER ERROR: the app raised RuntimeError: boom" in (
        result.output
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["api", "--origin", LOCAL], "PATH must start with '/'"),
        (["/public", "--origin", "localhost:5001"], "is not an origin"),
        (["/public", "--origin", "nul"], "is not an origin"),
        (["/public", "--origin", LOCAL, "--method", "BAD METHOD"], "is not an HTTP method"),
        (["/public", "--origin", LOCAL, "--header", "a b"], "is not a header name"),
        (["/public", "--origin", LOCAL, "--header", "X-Token:"], "is not a header name"),
        (["/public"], "Missing option '--origin'"),
    ],
)
def test_check_usage_errors_exit_2(app: Flask, args: list[str], message: str) -> None:
    """SPEC 6: usage errors exit 2 and say what is wrong."""
    result = check(app, *args)
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

    # Without the extension a decorated view's policy is compiled when a command asks for it;
    # a problem only app.config reveals is printed the same way.
    from flask_crossorigin.cli import cors_cli as group

    app = Flask("late")
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True
    app.cli.add_command(group)

    @app.route("/late")
    @cross_origin()
    def late() -> str:
        return "x"

    result = app.test_cli_runner().invoke(args=["cors", "routes"])
    assert result.exit_code == 2, result.output
    assert "allows every origin, and supports_credentials is on" in result.output
    assert "Traceback" not in result.output


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


def test_routes_without_the_extension() -> None:
    """SPEC 1 and 6: a decorated view is listed with its policy without CORS(app)."""
    from flask_crossorigin.cli import cors_cli

    app = Flask("decorator_only")

    @app.route("/d")
    @cross_origin(origins=[LOCAL])
    def view() -> str:
        return "x"

    app.cli.add_command(cors_cli)
    result = app.test_cli_runner().invoke(args=["cors", "routes"])
    assert "/d  [GET]  covered by @cross_origin on" in result.output


DOCS = Path(__file__).parents[1] / "docs" / "cli.rst"


def documented_checks() -> list[tuple[list[str], list[str]]]:
    """Each ``$ .venv/bin/flask --app example_app cors check`` block of docs/cli.rst: (args,
    output)."""
    blocks = []
    lines = DOCS.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if not line.startswith("   $ .venv/bin/flask --app example_app cors check "):
            continue
        command = line[len("   $ .venv/bin/flask --app example_app cors ") :]
        rest = iter(lines[number + 1 :])
        while command.endswith("\\"):
            command = command[:-1] + next(rest).strip()
        output = []
        for text in rest:
            if not text.startswith("   "):
                break
            output.append(text[3:])
        blocks.append((shlex.split(command), output))
    return blocks


@pytest.mark.skipif(
    tuple(int(part) for part in metadata.version("flask").split(".")[:2]) < (3, 1),
    reason="the docs show Flask 3.1's output (Flask 2.3 and 3.0 do not add 'Vary: Cookie' "
    "where the example app reads its session)",
)
def test_docs_show_the_real_output_of_check(tmp_path: Path) -> None:
    """SPEC 6: the check examples of docs/cli.rst are this command's output, line for line."""
    from example_app import create_app

    blocks = documented_checks()
    assert len(blocks) >= 4
    for args, output in blocks:
        app = create_app({"DATABASE": str(tmp_path / "todos.sqlite")})
        result = app.test_cli_runner().invoke(args=["cors", *args])
        assert result.output.splitlines() == output, args


def test_check_private_network_allowed() -> None:
    """SPEC 4, 6: with allow_private_network the preflight carries ACAPN: allowed."""
    app = Flask("private")

    @app.route("/device")
    def device() -> str:
        return "x"

    CORS(app, origins=[LOCAL], allow_private_network=True)
    result = check(app, "/device", "--origin", LOCAL, "--private-network")
    assert result.exit_code == 0, result.output
    assert "    Access-Control-Allow-Private-Network: true" in result.output


def test_check_safelisted_header_value_needs_no_preflight(app: Flask) -> None:
    """SPEC 6: 'Content-Type: text/plain' is CORS-safelisted: no preflight is sent."""
    result = check(
        app, "/api/todos/", "--origin", LOCAL, "--method", "POST", "--header",
        "Content-Type: text/plain",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Preflight" not in result.output
    assert "    Content-Type: text/plain" in result.output


def test_check_redirect_to_another_origin_is_not_followed() -> None:
    """SPEC 6: the app cannot answer for another origin: the hop is named, exit 1."""
    app = Flask("away")

    @app.route("/away")
    def away() -> Response:
        return redirect("https://elsewhere.example/x")

    CORS(app)
    result = check(app, "/away", "--origin", LOCAL)
    assert result.exit_code == 1
    assert (
        "UNKNOWN: the app redirects to https://elsewhere.example/x, another origin; ask it "
        "with 'flask cors probe https://elsewhere.example/x'."
    ) in result.output


def test_check_the_null_origin() -> None:
    """SPEC 3, 6: a policy that lists 'null' can be checked from the null origin."""
    app = Flask("null_origin")

    @app.route("/x", methods=["GET", "PUT"])
    def x() -> str:
        return "x"

    CORS(app, origins=["null", "https://a.example"])
    result = check(app, "/x", "--origin", "null", "--method", "PUT")
    assert result.exit_code == 0, result.output
    assert "    Access-Control-Allow-Origin: null" in result.output
    refused = check(_null_refused(), "/x", "--origin", "null")
    assert refused.exit_code == 1, refused.output


def _null_refused() -> Flask:
    app = Flask("null_refused")
    app.add_url_rule("/x", "x", lambda: "x")
    CORS(app, origins=["https://a.example"])
    return app


def test_config_shows_the_public_suffix_list_version(app: Flask) -> None:
    """SPEC 3: the origin proof reads the Public Suffix List; 'flask cors config' says which."""
    import publicsuffixlist

    result = app.test_cli_runner().invoke(args=["cors", "config"])
    assert result.exit_code == 0
    assert f"Public Suffix List: publicsuffixlist {publicsuffixlist.__version__}" in result.output
