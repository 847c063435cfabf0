"""SPEC 1 (options, config keys, precedence) and SPEC 2 (validated once, errors name the fix)."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from flask_crossorigin import CORS, CORSConfigError, coverage, cross_origin
from flask_crossorigin.options import BY_NAME, OPTIONS, suggest

from .conftest import build_app

FLASK_CORS_KEYS = [
    "CORS_ORIGINS",
    "CORS_METHODS",
    "CORS_ALLOW_HEADERS",
    "CORS_EXPOSE_HEADERS",
    "CORS_SUPPORTS_CREDENTIALS",
    "CORS_MAX_AGE",
    "CORS_SEND_WILDCARD",
    "CORS_AUTOMATIC_OPTIONS",
    "CORS_VARY_HEADER",
    "CORS_RESOURCES",
    "CORS_INTERCEPT_EXCEPTIONS",
    "CORS_ALWAYS_SEND",
    "CORS_ALLOW_PRIVATE_NETWORK",
]


def test_option_table_matches_flask_cors() -> None:
    """SPEC 1: the same 13 options, config keys and defaults as flask-cors 6."""
    from flask_cors.core import CONFIG_OPTIONS, DEFAULT_OPTIONS

    assert [o.config_key for o in OPTIONS] == FLASK_CORS_KEYS == CONFIG_OPTIONS
    for option in OPTIONS:
        assert option.default == DEFAULT_OPTIONS[option.name], option.name


def settings_of(app: Flask, path: str = "/api/items") -> dict[str, Any]:
    found = coverage(app, path)
    assert found is not None
    return dict(found.policy.settings)


def sources_of(app: Flask, path: str = "/api/items") -> dict[str, str]:
    found = coverage(app, path)
    assert found is not None
    return dict(found.policy.sources)


def test_precedence_defaults_config_kwargs_init_app_resource() -> None:
    """SPEC 1: defaults < app.config < CORS(...) < init_app(...) < resource options."""
    app = build_app(config={"CORS_MAX_AGE": 1, "CORS_EXPOSE_HEADERS": "X-Config"})
    assert settings_of(app)["max_age"] == 1
    assert sources_of(app)["max_age"] == "CORS_MAX_AGE"
    assert sources_of(app)["methods"] == "default"

    app = Flask(__name__)
    app.config["CORS_MAX_AGE"] = 1
    app.config["CORS_SEND_WILDCARD"] = True
    app.add_url_rule("/api/items", "items", lambda: "x")
    cors = CORS(max_age=2, expose_headers="X-Kw")
    cors.init_app(app, max_age=3, resources={"/api/items": {"expose_headers": "X-Res"}})
    settings, sources = settings_of(app), sources_of(app)
    assert settings["max_age"] == 3 and sources["max_age"] == "init_app(...)"
    assert settings["expose_headers"] == ("X-Res",)
    assert sources["expose_headers"] == "resources['/api/items']"
    assert settings["send_wildcard"] is True and sources["send_wildcard"] == "CORS_SEND_WILDCARD"


def test_decorator_precedence_defaults_config_decorator() -> None:
    """SPEC 1: for the decorator, defaults < app.config < decorator kwargs."""
    app = Flask(__name__)
    app.config.update(CORS_MAX_AGE=5, CORS_EXPOSE_HEADERS=["X-Config"])

    @app.route("/d")
    @cross_origin(max_age=7)
    def view() -> str:
        return "x"

    settings, sources = settings_of(app, "/d"), sources_of(app, "/d")
    assert settings["max_age"] == 7 and sources["max_age"] == "@cross_origin(...)"
    assert settings["expose_headers"] == ("X-Config",)


def test_config_none_values_are_ignored() -> None:
    app = build_app(config={"CORS_ORIGINS": None})
    assert settings_of(app)["origins"][0].text == "*"


@pytest.mark.parametrize(
    ("keyword", "suggestion"),
    [
        ("origin", "origins"),
        ("allow_credentials", "supports_credentials"),
        ("allow_origins", "origins"),
        ("expose_header", "expose_headers"),
        ("max_ages", "max_age"),
        ("headers", "allow_headers"),
    ],
)
def test_unknown_keyword_is_an_error_with_a_suggestion(keyword: str, suggestion: str) -> None:
    """SPEC 1: an unknown keyword option suggests the closest known name."""
    with pytest.raises(CORSConfigError, match=f"did you mean '{suggestion}'"):
        CORS(**{keyword: True})
    with pytest.raises(CORSConfigError, match=f"did you mean '{suggestion}'"):
        cross_origin(**{keyword: True})
    with pytest.raises(CORSConfigError, match=f"did you mean '{suggestion}'"):
        CORS().init_app(Flask(__name__), **{keyword: True})


def test_unknown_keyword_without_close_name_lists_known_options() -> None:
    with pytest.raises(CORSConfigError, match="known options: origins, methods"):
        CORS(zzzzzz=1)


def test_unknown_config_key_is_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    """SPEC 1: an unknown CORS_* key (old docs taught CORS_HEADERS) is a logged warning."""
    app = Flask(__name__)
    app.config["CORS_HEADERS"] = "Content-Type"
    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"):
        CORS(app)
    assert "CORS_HEADERS" in caplog.text and "did you mean CORS_ALLOW_HEADERS?" in caplog.text


def test_suggest() -> None:
    assert suggest("CORS_ORIGIN") == "origins"
    assert suggest("nothing_like_it") is None
    assert set(BY_NAME) == {o.name for o in OPTIONS}


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"supports_credentials": True}, "allows every origin, and supports_credentials is on"),
        (
            {"supports_credentials": True, "origins": ".*"},
            "allows every origin, and supports_credentials is on",
        ),
        (
            {"supports_credentials": True, "origins": re.compile(r"https?://.*")},
            "allows every origin",
        ),
        ({"supports_credentials": True, "origins": ["https://a.com", "null"]}, "opaque origin"),
        ({"max_age": -1}, "max_age -1: is not a non-negative whole number of seconds"),
        ({"max_age": 1.5}, "max_age 1.5"),
        ({"max_age": "ten"}, "max_age 'ten'"),
        ({"max_age": timedelta(seconds=1.5)}, "max_age timedelta(seconds=1.5)"),
        ({"max_age": True}, "max_age True"),
        ({"methods": ["GET", "BAD METHOD"]}, "methods[1] 'BAD METHOD': is not an HTTP method"),
        ({"methods": 5}, "methods 5: has type int"),
        ({"allow_headers": ["X-Ok", "Bad Header"]}, "allow_headers[1] 'Bad Header'"),
        ({"allow_headers": "x-(unclosed"}, "is not a valid regular expression"),
        ({"expose_headers": ["X:Bad"]}, "expose_headers 'X:Bad': is not an HTTP header name"),
        ({"resources": 5}, "resources 5: has type int"),
        ({"resources": {"(bad": {}}}, "is not a valid regular expression"),
        ({"resources": {"api": {}}}, "is not a path"),
        ({"resources": {"/api/*": {"origin": "x"}}}, "did you mean 'origins'"),
        ({"resources": {"/api/*": {"resources": "x"}}}, "resources cannot be nested"),
        ({"resources": {"/api/*": "https://a.com"}}, "map each resource to a dict"),
        ({"send_wildcard": "maybe"}, "send_wildcard 'maybe': is not a boolean"),
        ({"origins": "https://a.com/"}, "trailing slash"),
    ],
)
def test_bad_configuration_fails_at_init_app(options: dict[str, Any], fragment: str) -> None:
    """SPEC 2: bad configuration raises CORSConfigError naming option, value and fix."""
    with pytest.raises(CORSConfigError) as info:
        CORS(Flask(__name__), **options)
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)


def test_bad_config_key_value_fails_at_init_app() -> None:
    app = Flask(__name__)
    app.config["CORS_MAX_AGE"] = "soon"
    with pytest.raises(CORSConfigError, match="CORS_MAX_AGE 'soon'"):
        CORS(app)


def test_credentials_problem_names_where_the_origin_came_from() -> None:
    app = Flask(__name__)
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True
    with pytest.raises(CORSConfigError, match=r"origins \(from default\) '\*'"):
        CORS(app)


def test_credentials_with_resource_origins_is_fine() -> None:
    """Only the policies actually used are checked: resources override the default '*'."""
    app = build_app(supports_credentials=True, resources={"/api/*": {"origins": ["https://a.com"]}})
    assert settings_of(app)["supports_credentials"] is True


def test_decorator_errors_at_decoration_time() -> None:
    with pytest.raises(CORSConfigError, match="trailing slash"):
        cross_origin(origins="https://a.com/")
    with pytest.raises(CORSConfigError, match="resources cannot be nested"):
        cross_origin(resources="/x")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (600, 600),
        ("600", 600),
        (timedelta(minutes=10), 600),
        (0, 0),
        (None, None),
    ],
)
def test_max_age_types(raw: object, expected: int | None) -> None:
    """SPEC 1: max_age takes timedelta, int or str."""
    app = build_app(max_age=raw)
    assert settings_of(app)["max_age"] == expected


@pytest.mark.parametrize("raw", [True, "true", "True", "1", 1, "yes", "on"])
def test_booleans_from_config_strings(raw: object) -> None:
    """SPEC 1: booleans from environment-variable strings."""
    app = build_app(config={"CORS_SEND_WILDCARD": raw})
    assert settings_of(app)["send_wildcard"] is True


@pytest.mark.parametrize("raw", [False, "False", "false", "0", 0, "no", "off", ""])
def test_false_strings_are_false(raw: object) -> None:
    """SPEC 1 (a documented difference: flask-cors reads every non-empty string as true):
    FLASK_CORS_SUPPORTS_CREDENTIALS=False from the environment means no credentials."""
    app = build_app(config={"CORS_SUPPORTS_CREDENTIALS": raw}, origins=["https://app.example.com"])
    assert settings_of(app)["supports_credentials"] is False
    response = app.test_client().get("/api/items", headers={"Origin": "https://app.example.com"})
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_other_boolean_strings_are_configuration_errors() -> None:
    """SPEC 2: a string that is not a boolean is refused with the option named."""
    with pytest.raises(CORSConfigError, match="CORS_SUPPORTS_CREDENTIALS 'maybe': is not a"):
        build_app(config={"CORS_SUPPORTS_CREDENTIALS": "maybe"})


def test_methods_and_expose_headers_lists_are_sent_sorted() -> None:
    """SPEC 1: as flask-cors 6.0.5 sends them; a string keeps its own order."""
    app = build_app(
        origins=["https://app.example.com"],
        methods=["PUT", "GET"],
        expose_headers=["X-B", "X-A"],
    )
    client = app.test_client()
    origin = {"Origin": "https://app.example.com"}
    preflight = client.options(
        "/api/items", headers={**origin, "Access-Control-Request-Method": "PUT"}
    )
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, PUT"
    assert (
        client.get("/api/items", headers=origin).headers["Access-Control-Expose-Headers"]
        == "X-A, X-B"
    )
    as_string = build_app(origins=["https://app.example.com"], methods="PUT, GET")
    preflight = as_string.test_client().options(
        "/api/items", headers={**origin, "Access-Control-Request-Method": "PUT"}
    )
    assert preflight.headers["Access-Control-Allow-Methods"] == "PUT, GET"


def test_accepted_types_for_lists() -> None:
    """SPEC 1: str or list (or set/tuple), compiled regexes."""
    app = build_app(
        origins=("https://a.com", re.compile(r"https://b\d\.com")),
        methods={"get", "post"},
        allow_headers="Content-Type, X-Token",
        expose_headers=("X-Total-Count",),
    )
    settings = settings_of(app)
    assert settings["methods"] == ("GET", "POST")
    assert settings["allow_headers"] == ("content-type", "x-token")
    assert [e.text for e in settings["origins"]] == ["https://a.com", r"https://b\d\.com"]


def test_one_extension_many_apps_no_state_on_self() -> None:
    """SPEC 1: one object serves several apps and keeps no per-app state."""
    cors = CORS(origins=["https://a.com"])
    before = dict(vars(cors))
    apps = [Flask(f"app{i}") for i in range(3)]
    for i, app in enumerate(apps):
        app.config["CORS_MAX_AGE"] = i
        app.add_url_rule("/x", "x", lambda: "x")
        cors.init_app(app)
        assert app.extensions["cors"] is cors
    assert vars(cors) == before
    for i, app in enumerate(apps):
        response = app.test_client().options(
            "/x", headers={"Origin": "https://a.com", "Access-Control-Request-Method": "GET"}
        )
        assert response.headers["Access-Control-Max-Age"] == str(i)


# --- the origin proof at init_app (SPEC 3) ----------------------------------------------------


@pytest.mark.parametrize(
    ("regex", "lets_in", "fix"),
    [
        (r"https://.*", "'https://x.ax'", "list the origins"),
        (r"https://[a-z0-9.-]+", "'https://x.ax'", "list the origins"),
        (
            r"https://.*example\.com",
            "'https://xexample.com'",
            r"r'https://([a-z0-9-]+\.)*example\.com'",
        ),
        (r"https://example\.com.*", "'https://example.com.ax'", "'https://*.example.com'"),
        (
            r"https://app.example.com(:\d+)?",
            "'https://appxexample.com'",
            r"r'https://app\.example\.com(:\d+)?'",
        ),
    ],
)
def test_audit_refuses_regexes_that_let_strangers_in_with_credentials(
    regex: str, lets_in: str, fix: str
) -> None:
    """SPEC 2 and 3: with credentials, a regex the proof finds a stranger in is refused, naming
    the origin it would let in (the shortest, with a real top-level domain) and a rewrite."""
    with pytest.raises(CORSConfigError) as info:
        CORS(Flask(__name__), origins=[regex], supports_credentials=True)
    message = str(info.value)
    assert lets_in in message and fix in message, message


def test_audit_refuses_compiled_regexes_too() -> None:
    """SPEC 3: a compiled pattern is proven like a string."""
    with pytest.raises(CORSConfigError, match="allows every origin"):
        CORS(Flask(__name__), origins=re.compile(r"https?://.+"), supports_credentials=True)


def test_audit_warns_without_credentials(caplog: pytest.LogCaptureFixture) -> None:
    """SPEC 3: without credentials the same finding is a WARNING at init_app, with the fix."""
    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"):
        CORS(Flask(__name__), origins=[r"https://.*example\.com"])
    (record,) = [r for r in caplog.records if r.name == "flask_crossorigin"]
    assert record.levelno == logging.WARNING
    assert "https://xexample.com" in record.getMessage()
    assert r"example\.com" in record.getMessage()


def test_audit_is_silent_for_careful_regexes(caplog: pytest.LogCaptureFixture) -> None:
    """SPEC 3: an anchored, escaped regex passes, credentials or not, without a warning."""
    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"):
        app = Flask(__name__)
        CORS(app, origins=[r"https://[a-z0-9-]+\.example\.com"], supports_credentials=True)
    assert not [r for r in caplog.records if r.name == "flask_crossorigin"]
    response = app.test_client().get("/", headers={"Origin": "https://a.example.com"})
    assert response.status_code == 404
    assert response.headers["Access-Control-Allow-Origin"] == "https://a.example.com"


# --- configuration checks of SPEC 2 ------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"origins": "file://"}, "origins 'file://': uses the file: scheme"),
        ({"origins": ["http://127.0.0.1.1"]}, "origins[0] 'http://127.0.0.1.1': has the host"),
        ({"origins": "http://[1.2]"}, "origins 'http://[1.2]': has [1.2], which is not an IPv6"),
        ({"origins": b"https://a.com"}, "origins b'https://a.com': is bytes"),
        ({"origins": re.compile(rb"https://a\.com")}, "is a bytes pattern"),
        ({"allow_headers": [re.compile(b"x-.*")]}, "allow_headers b'x-.*': is a bytes pattern"),
        ({"resources": {re.compile(b"/api/.*"): {}}}, "is a bytes pattern"),
        ({"resources": [b"/api"]}, "has type bytes"),
        ({"max_age": "\u00b2"}, "max_age '\u00b2': is not a non-negative whole number"),
        ({"max_age": "\u0661\u0662"}, "is not a non-negative whole number"),
        ({"origins": r"https://a\.com/.*"}, "requires a path or a trailing slash"),
        ({"resources": {r"api/.*": {}}}, "resources 'api/.*': cannot match a path"),
        ({"origins": "https://*.example.com/"}, "write 'https://*.example.com'"),
        ({"origins": "https://a.com:65536"}, "outside 1-65535"),
        ({"origins": r"(?i)https://a\.com(?u)"}, "is not a valid regular expression"),
    ],
)
def test_configuration_checks_raise_config_errors(options: dict[str, Any], fragment: str) -> None:
    """SPEC 2: each a CORSConfigError naming option, value and fix, never another exception."""
    with pytest.raises(CORSConfigError) as info:
        CORS(Flask(__name__), **options)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    "options",
    [
        {"origins": r"https://[a-z]{1,10}\.example\.com"},
        {"allow_headers": "X-[a-z]{1,10}"},
        {"allow_headers": "X-A{1,3}"},
        {"resources": {r"/api/v[0-9]{1,2}/.*": {}}},
    ],
)
def test_a_repetition_is_not_a_comma_list(options: dict[str, Any]) -> None:
    """SPEC 2: a legitimate regex such as [a-z]{1,10} is never split on its comma."""
    CORS(Flask(__name__), **options)
