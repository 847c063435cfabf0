"""The browser assertions (flask_crossorigin.testing) and the ``cors_browser`` fixture.

Tested both ways on three kinds of app (this extension, flask-cors 6.0.5, hand-written
``after_request`` hooks): a request a browser allows passes ``assert_browser_allows`` and fails
``assert_browser_blocks`` with the exchanges in the message, and the other way round. The
verdicts are the judge's (SPEC section 6), so on every row of the judge-versus-Chromium table
they reach the row's verdict, which the browser test checks against real Chromium.
"""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Callable

import pytest
from flask import Flask, Response, request

from flask_crossorigin import CORS
from flask_crossorigin.judge import Failure
from flask_crossorigin.testing import (
    CORSBrowser,
    assert_browser_allows,
    assert_browser_blocks,
    browser_fetch,
    exposed,
)

from .browser.judge_rows import ROWS, Row
from .browser.scripted import Answer

ALLOWED = "https://app.example.com"
STRANGER = "https://evil.example.net"


def _routes(app: Flask) -> Flask:
    @app.route("/api/items", methods=["GET", "POST", "PUT", "DELETE"])
    def items() -> Response:
        response = Response("[]", content_type="application/json")
        response.headers["X-Total"] = "0"
        return response

    @app.route("/old")
    def old() -> Response:
        return Response(status=307, headers={"Location": "/api/items"})

    return app


def ours() -> Flask:
    app = _routes(Flask("ours"))
    CORS(
        app,
        resources={r"/*": {}},
        origins=[ALLOWED],
        methods=["GET", "POST", "PUT"],
        allow_headers=["Content-Type"],
        expose_headers=["X-Total"],
        supports_credentials=True,
    )
    return app


def flask_cors() -> Flask:
    from flask_cors import CORS as FlaskCORS

    app = _routes(Flask("flask_cors_app"))
    FlaskCORS(
        app,
        origins=[ALLOWED],
        methods=["GET", "POST", "PUT"],
        allow_headers=["Content-Type"],
        expose_headers=["X-Total"],
        supports_credentials=True,
    )
    return app


def by_hand() -> Flask:
    app = _routes(Flask("by_hand"))

    @app.after_request
    def cors(response: Response) -> Response:
        origin = request.headers.get("Origin")
        if origin != ALLOWED:
            return response
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Access-Control-Expose-Headers"] = "X-Total"
        response.headers["Vary"] = "Origin"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        return response

    return app


APPS: list[Callable[[], Flask]] = [ours, flask_cors, by_hand]
JSON = {"Content-Type": "application/json"}


@pytest.fixture(params=APPS, ids=lambda f: f.__name__)
def app(request: Any) -> Flask:
    made: Flask = request.param()
    return made


# Requests every app allows, and requests every app refuses with the failure named.
ALLOWS: list[dict[str, Any]] = [
    {"origin": ALLOWED},
    {"origin": ALLOWED, "method": "PUT", "headers": JSON},
    {"origin": ALLOWED, "method": "POST", "headers": ["Content-Type"], "credentials": True},
    {"origin": ALLOWED, "read_headers": ["X-Total", "Content-Type"]},
    {"origin": ALLOWED, "path": "/old"},
]
# A refused method or header: this extension and flask-cors send no grant at all (so the
# browser names the missing Access-Control-Allow-Origin); the hand-written hook grants the
# origin and lists its methods and headers (so the browser names the method or header).
MISSING = Failure.ALLOW_ORIGIN_MISSING
BLOCKS: list[tuple[dict[str, Any], tuple[Failure, ...], str]] = [
    ({"origin": STRANGER}, (MISSING,), "Request: GET /api/items"),
    ({"origin": STRANGER, "method": "PUT"}, (MISSING,), "Preflight: OPTIONS"),
    (
        {"origin": ALLOWED, "method": "DELETE"},
        (MISSING, Failure.METHOD_NOT_ALLOWED),
        "Preflight: OPTIONS",
    ),
    (
        {"origin": ALLOWED, "headers": {"X-Token": "t"}},
        (MISSING, Failure.HEADER_NOT_ALLOWED),
        "Access-Control-Request-Headers: x-token",
    ),
]


@pytest.mark.parametrize("request_", ALLOWS, ids=str)
def test_allowed_request_passes_and_blocks_fails(app: Flask, request_: dict[str, Any]) -> None:
    """Item 1: a request every app grants passes allows; blocks fails, showing the exchanges."""
    args = dict(request_)
    path = args.pop("path", "/api/items")
    result = assert_browser_allows(app.test_client(), path, **args)
    assert result.allowed
    with pytest.raises(AssertionError) as raised:
        assert_browser_blocks(app.test_client(), path, **args)
    message = str(raised.value)
    assert message.startswith("a browser allows this request\n")
    assert "ALLOWED: the browser lets the page read the response." in message
    assert f"Access-Control-Allow-Origin: {ALLOWED}" in message


@pytest.mark.parametrize(("request_", "failures", "shown"), BLOCKS, ids=str)
def test_refused_request_fails_allows_with_step_and_fix(
    app: Flask, request_: dict[str, Any], failures: tuple[Failure, ...], shown: str
) -> None:
    """Item 1: a refused request fails allows with the step, the headers seen and the fix."""
    client = app.test_client()
    failure = browser_fetch(client, "/api/items", **request_).failure
    assert failure in failures
    if app.name == "by_hand":
        assert failure is failures[-1]
    assert_browser_blocks(client, "/api/items", failure=failure, **request_)
    assert_browser_blocks(client, "/api/items", failure=failure.value, **request_)
    with pytest.raises(AssertionError) as raised:
        assert_browser_allows(client, "/api/items", **request_)
    message = str(raised.value)
    assert message.startswith("a browser blocks this request\n")
    assert shown in message
    assert f"FAILS ({failure.value})" in message
    assert "BLOCKED: the browser hides the response from the page." in message
    assert "\nFix: " in message


def test_wrong_failure_named_fails() -> None:
    """Item 1: blocks(failure=...) fails when the browser blocks for another reason."""
    with pytest.raises(AssertionError, match="for allow-origin-missing, not method-not-allowed"):
        assert_browser_blocks(
            ours().test_client(), "/api/items", origin=STRANGER, failure="method-not-allowed"
        )


def test_fix_names_the_option_its_value_and_source_on_this_extension() -> None:
    """Item 1: on this extension's app, the fix is check's: the option, its value, where set."""
    with pytest.raises(AssertionError) as raised:
        assert_browser_allows(ours().test_client(), "/api/items", origin=ALLOWED, method="DELETE")
    message = str(raised.value)
    assert (
        "Reason: the method DELETE is not in the allowed methods (method-not-allowed)\n"
        "Fix: add the method to 'methods'; it is now ['GET', 'POST', 'PUT'], set by CORS(...), "
        "which overrides CORS_METHODS: change it there"
    ) in message
    assert "Access-Control-Request-Method: DELETE" in message


def test_every_refusal_of_the_judge_has_a_fix() -> None:
    """Item 1: whatever step fails, the message ends with a fix (no refusal without one)."""
    from flask_crossorigin.judge import Failure
    from flask_crossorigin.testing import _FIXES

    assert set(_FIXES) == set(Failure)


def test_fix_on_another_library_names_the_header() -> None:
    """Item 1: on any other app, the fix says what the response must carry."""
    with pytest.raises(AssertionError) as raised:
        assert_browser_allows(by_hand().test_client(), "/api/items", origin=STRANGER)
    assert "Fix: allow the origin" in str(raised.value)
    assert "(no Access-Control-* headers)" in str(raised.value)


def test_unexposed_header_fails_allows() -> None:
    """Item 1: read_headers: a header the page cannot read fails allows, and blocks passes."""
    app = ours()
    with pytest.raises(AssertionError) as raised:
        assert_browser_allows(
            app.test_client(), "/api/items", origin=ALLOWED, read_headers=["X-Other"]
        )
    message = str(raised.value)
    assert "the page reads the response but not the header(s) X-Other" in message
    assert "Fix: add X-Other to 'expose_headers'" in message
    result = assert_browser_blocks(
        app.test_client(), "/api/items", origin=ALLOWED, read_headers=["X-Other"]
    )
    assert result.failure is None and result.unreadable == ("X-Other",)


@pytest.mark.parametrize(
    ("headers", "name", "credentials", "readable"),
    [
        ((("Content-Type", "a/b"),), "content-type", False, True),
        ((("X-A", "1"),), "X-A", False, False),
        ((("X-A", "1"), ("Access-Control-Expose-Headers", "x-a")), "X-A", False, True),
        ((("X-A", "1"), ("Access-Control-Expose-Headers", "*")), "X-A", False, True),
        ((("X-A", "1"), ("Access-Control-Expose-Headers", "*")), "X-A", True, False),
        (
            (("Set-Cookie", "a=1"), ("Access-Control-Expose-Headers", "Set-Cookie")),
            "Set-Cookie",
            False,
            False,
        ),
        ((("Access-Control-Expose-Headers", "X-A"),), "X-A", False, False),
    ],
)
def test_exposed_follows_fetch(
    headers: tuple[tuple[str, str], ...], name: str, credentials: bool, readable: bool
) -> None:
    """Item 1 (Fetch "CORS-filtered response"): which response headers a page reads."""
    assert exposed(headers, name, credentials) is readable


def _scripted_app() -> Flask:
    """Answers /rows/NAME (and /rows/NAME/next) with exactly the row's scripted answers."""
    app = Flask("scripted")
    origin = "http://localhost:5000"
    answers: dict[str, tuple[Any, Answer]] = {}
    for row in ROWS:
        path = f"/rows/{row.name}"
        host = "http://other.test" if row.cross_origin else ""
        target = f"{host}{path}/next"
        answers[path] = (row.preflight, row.actual)
        if row.target is not None:
            answers[f"{path}/next"] = (row.preflight, row.target)
        for key in (path, f"{path}/next"):
            if key in answers:
                pre, act = answers[key]
                answers[key] = (
                    _filled(pre, origin, target) if pre else None,
                    _filled(act, origin, target),
                )

    @app.route("/rows/<path:rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
    def scripted(rest: str) -> Response:
        preflight, actual = answers[f"/rows/{rest}"]
        answer = preflight if request.method == "OPTIONS" and preflight else actual
        response = Response(status=f"{answer.status} {answer.reason}")
        for name, value in answer.headers:
            response.headers.add(name, value)
        return response

    return app


def _filled(answer: Answer, origin: str, target: str) -> Answer:
    headers = tuple(
        (
            n,
            target
            if v == "{next}"
            else v.replace("{origin}", origin).replace("{ORIGIN}", origin.upper()),
        )
        for n, v in answer.headers
    )
    return Answer(answer.status, headers, answer.reason)


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_rows_of_the_chromium_table(row: Row) -> None:
    """Item 1, SPEC 6: on each row of the judge-versus-Chromium table, the assertions reach
    the row's verdict (Chromium's, but on the row where Chromium departs from the standard)."""
    browser = CORSBrowser(_scripted_app().test_client(), "http://127.0.0.1:5001")
    request_ = {
        "origin": "http://localhost:5000",
        "method": row.method,
        "headers": row.headers,
        "credentials": row.credentials,
        "other_hosts": ["http://other.test"],
    }
    if row.expected == "allowed":
        browser.allows(f"/rows/{row.name}", **request_)
        with pytest.raises(AssertionError):
            browser.blocks(f"/rows/{row.name}", **request_)
    else:
        browser.blocks(f"/rows/{row.name}", **request_)
        with pytest.raises(AssertionError):
            browser.allows(f"/rows/{row.name}", **request_)


def test_header_given_as_one_name_and_bad_path() -> None:
    """Item 1: a bare header name is one header; a path must start with '/'."""
    result = browser_fetch(ours().test_client(), "/api/items", origin=ALLOWED, headers="X-Token")
    assert result.outcome.exchanges[0].sent.headers[-1] == (
        "Access-Control-Request-Headers",
        "x-token",
    )
    with pytest.raises(ValueError, match="path must start with '/', got 'api/items'"):
        browser_fetch(ours().test_client(), "api/items", origin=ALLOWED)


def test_redirect_elsewhere_is_unknown() -> None:
    """Item 1: a redirect to an origin the client does not serve is neither allowed nor blocked."""
    app = Flask("away")

    @app.route("/go")
    def go() -> Response:
        return Response(
            status=302,
            headers={"Location": "https://elsewhere.test/x", "Access-Control-Allow-Origin": "*"},
        )

    result = browser_fetch(app.test_client(), "/go", origin=ALLOWED)
    assert result.outcome.not_followed == "https://elsewhere.test/x"
    for check in (assert_browser_allows, assert_browser_blocks):
        with pytest.raises(AssertionError, match="UNKNOWN: the app redirects to https://elsewhere"):
            check(app.test_client(), "/go", origin=ALLOWED)


PLUGIN_TEST = """
import pytest
from flask import Flask
{cors_import}


@pytest.fixture
def app():
    app = Flask("plugin_app")

    @app.route("/api/items", methods=["GET", "PUT"])
    def items():
        return "[]"

    CORS(app, origins=["https://app.example.com"], methods=["GET", "PUT"])
    return app


def test_allowed(cors_browser):
    cors_browser.allows("/api/items", origin="https://app.example.com", method="PUT")


def test_stranger(cors_browser):
    cors_browser.blocks("/api/items", origin="https://evil.example.net")


def test_fails(cors_browser):
    cors_browser.allows("/api/items", origin="https://app.example.com", method="DELETE")
"""


ROOT = Path(__file__).resolve().parent.parent


def _pytest(tmp_path: Path, name: str) -> subprocess.CompletedProcess[str]:
    """Run pytest on one file in ``tmp_path``, with the plugin as an installed package has
    it (its entry point), or named with ``-p`` where the package is not installed."""
    from importlib.metadata import entry_points

    found: Any = entry_points()
    # Python 3.9 gives a dict of groups; 3.10 and later a selectable collection.
    group = (
        found.select(group="pytest11") if hasattr(found, "select") else found.get("pytest11", ())
    )
    installed = any(e.value == "pytest_flask_crossorigin" for e in group)
    plugin = [] if installed else ["-p", "pytest_flask_crossorigin"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugin, name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_plugin_entry_point_is_declared() -> None:
    """Item 1: setup.cfg registers the plugin under pytest11."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    entry = config["options.entry_points"]["pytest11"]
    assert "flask_crossorigin = pytest_flask_crossorigin" in entry


@pytest.mark.parametrize(
    "cors_import", ["from flask_cors import CORS", "from flask_crossorigin import CORS"]
)
def test_plugin_fixture_and_migration(tmp_path: Path, cors_import: str) -> None:
    """Item 1: the pytest11 plugin's ``cors_browser`` fixture on the project's ``app``
    fixture; the same tests on flask-cors and, with the import changed, on this extension."""
    (tmp_path / "test_app.py").write_text(PLUGIN_TEST.format(cors_import=cors_import))
    run = _pytest(tmp_path, "test_app.py")
    out = run.stdout
    assert "2 passed, 1 failed" in out or "1 failed, 2 passed" in out, out
    assert "BLOCKED: the browser hides the response from the page." in out
    assert "Access-Control-Request-Method: DELETE" in out


def test_plugin_without_app_fixture_says_so(tmp_path: Path) -> None:
    """Item 1: without an app or client fixture, the fixture names what to define."""
    (tmp_path / "test_none.py").write_text(
        textwrap.dedent(
            """
            def test_it(cors_browser):
                pass
            """
        )
    )
    run = _pytest(tmp_path, "test_none.py")
    assert run.returncode != 0
    assert "cors_browser needs an 'app' fixture" in run.stdout + run.stderr
