"""django-cors-headers's middleware tests (``tests/test_middleware.py``), transcribed as data and
run through flask-crossorigin. One row per request a test sends, with the headers it asserts.
Where django-cors-headers contradicts SPEC, the row names the deviation and carries SPEC's
answer.

Mapping of the settings: ``CORS_ALLOWED_ORIGINS`` -> ``origins`` (none listed: a callable that
allows nothing), ``CORS_ALLOWED_ORIGIN_REGEXES`` -> regex entries, ``CORS_ALLOW_ALL_ORIGINS``
-> ``origins="*"`` with ``send_wildcard`` (django-cors-headers answers ``*``),
``CORS_ALLOW_CREDENTIALS`` -> ``supports_credentials``, ``CORS_ALLOW_HEADERS`` /
``CORS_ALLOW_METHODS`` / ``CORS_EXPOSE_HEADERS`` -> ``allow_headers`` / ``methods`` /
``expose_headers``, ``CORS_PREFLIGHT_MAX_AGE`` -> ``max_age`` (0: unset),
``CORS_ALLOW_PRIVATE_NETWORK`` -> ``allow_private_network``, ``CORS_URLS_REGEX`` ->
``resources``, the ``check_request_enabled`` signal -> an origin callable (or a resource of its
own when it looks at the path); a middleware that answers before the CORS middleware -> a WSGI
middleware around the app. Two tests are not transcribed: they read and delete the private
``request._cors_enabled`` attribute, which has no counterpart here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import pytest
from flask import Flask, abort
from werkzeug.test import TestResponse

from flask_crossorigin import CORS, CORSConfigError

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAH = "Access-Control-Allow-Headers"
ACAM = "Access-Control-Allow-Methods"
ACEH = "Access-Control-Expose-Headers"
ACMA = "Access-Control-Max-Age"
ACAPN = "Access-Control-Allow-Private-Network"

DEFAULT_HEADERS = [
    "accept",
    "authorization",
    "content-type",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
]
DEFAULT_METHODS = ["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"]


def nobody(origin: str) -> bool:
    """No CORS_ALLOWED_ORIGINS: no origin is allowed."""
    return False


def everybody(origin: str) -> bool:
    """A check_request_enabled handler that returns True."""
    return True


def settings(**overrides: Any) -> dict[str, Any]:
    """django-cors-headers's defaults in our options, then the test's settings."""
    return {
        "origins": [nobody],
        "allow_headers": DEFAULT_HEADERS,
        "methods": DEFAULT_METHODS,
        **overrides,
    }


ALL = {"origins": "*", "send_wildcard": True}

STAR_CREDENTIALS = (
    "SPEC 2: any origin with credentials is a CORSConfigError; django-cors-headers reflects "
    "every origin"
)
FILE_SCHEME = (
    "SPEC 2: 'file://' can never match (browsers send 'null' for file: pages): a "
    "CORSConfigError; django-cors-headers allows it for an old Chrome-on-Android bug"
)
PRIVATE_NETWORK_ON_PREFLIGHT = (
    "SPEC 4: Access-Control-Allow-Private-Network answers a preflight only; "
    "django-cors-headers adds it to any response"
)
ECHO_HEADERS = (
    "SPEC 4: Access-Control-Allow-Headers repeats the requested names (none requested: none "
    "sent); django-cors-headers lists every allowed name"
)


@dataclass(frozen=True)
class Row:
    """One request of a django-cors-headers test and the headers it asserts (``None``:
    absent)."""

    test: str
    options: dict[str, Any]
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    expect: tuple[tuple[str, Optional[str]], ...]
    status: Optional[int] = None
    #: Where django-cors-headers contradicts SPEC: the deviation and SPEC's answer (``"error"``
    #: for a configuration SPEC refuses).
    deviation: str = ""
    spec: Any = None
    short_circuit: bool = False
    script_name: str = ""
    calls: Optional[int] = field(default=None, compare=False)


def origin(value: str) -> tuple[tuple[str, str], ...]:
    return (("Origin", value),)


def preflight(value: str, method: str = "GET") -> tuple[tuple[str, str], ...]:
    return (("Origin", value), ("Access-Control-Request-Method", method))


EXAMPLE_COM = origin("https://example.com")
OPTIONS_POLICY = settings(
    **ALL, allow_headers=["content-type"], methods=["GET", "OPTIONS"], max_age=1002
)
PN_REQUEST = (("Access-Control-Request-Private-Network", "true"),)

ROWS: list[Row] = [
    Row("get_no_origin", settings(), "GET", "/", (), ((ACAO, None),)),
    Row("get_origin_vary_by_default", settings(), "GET", "/", (), (("Vary", "origin"),)),
    Row(
        "get_invalid_origin",
        settings(),
        "GET",
        "/",
        origin("https://example.com]"),
        ((ACAO, None),),
    ),
    Row(
        "get_not_in_allowed_origins",
        settings(origins=["https://example.com"]),
        "GET",
        "/",
        origin("https://example.org"),
        ((ACAO, None),),
    ),
    Row(
        "get_not_in_allowed_origins_due_to_wrong_scheme",
        settings(origins=["http://example.org"]),
        "GET",
        "/",
        origin("https://example.org"),
        ((ACAO, None),),
    ),
    Row(
        "get_in_allowed_origins",
        settings(origins=["https://example.com", "https://example.org"]),
        "GET",
        "/",
        origin("https://example.org"),
        ((ACAO, "https://example.org"),),
    ),
    Row(
        "async_get_in_allowed_origins",
        settings(origins=["https://example.org"]),
        "GET",
        "/async/",
        origin("https://example.org"),
        ((ACAO, "https://example.org"),),
    ),
    Row(
        "null_in_allowed_origins",
        settings(origins=["https://example.com", "null"]),
        "GET",
        "/",
        origin("null"),
        ((ACAO, "null"),),
    ),
    Row(
        "file_in_allowed_origins",
        settings(origins=["https://example.com", "file://"]),
        "GET",
        "/",
        origin("file://"),
        ((ACAO, "file://"),),
        deviation=FILE_SCHEME,
        spec="error",
    ),
    Row(
        "get_expose_headers",
        settings(**ALL, expose_headers=["accept", "content-type"]),
        "GET",
        "/",
        EXAMPLE_COM,
        ((ACEH, "accept, content-type"),),
    ),
    Row("get_dont_expose_headers", settings(**ALL), "GET", "/", EXAMPLE_COM, ((ACEH, None),)),
    Row(
        "get_allow_credentials",
        settings(origins=["https://example.com"], supports_credentials=True),
        "GET",
        "/",
        EXAMPLE_COM,
        ((ACAC, "true"),),
    ),
    Row(
        "get_allow_credentials_bad_origin",
        settings(origins=["https://example.com"], supports_credentials=True),
        "GET",
        "/",
        origin("https://example.org"),
        ((ACAC, None),),
    ),
    Row(
        "get_allow_credentials_disabled",
        settings(origins=["https://example.com"]),
        "GET",
        "/",
        EXAMPLE_COM,
        ((ACAC, None),),
    ),
    Row(
        "allow_private_network_added_if_enabled_and_requested",
        settings(**ALL, allow_private_network=True),
        "GET",
        "/",
        PN_REQUEST + origin("http://example.com"),
        ((ACAPN, "true"),),
        deviation=PRIVATE_NETWORK_ON_PREFLIGHT,
        spec=((ACAPN, None), (ACAO, "*")),
    ),
    Row(
        "allow_private_network_not_added_if_enabled_and_not_requested",
        settings(**ALL, allow_private_network=True),
        "GET",
        "/",
        origin("http://example.com"),
        ((ACAPN, None),),
    ),
    Row(
        "allow_private_network_not_added_if_enabled_and_no_cors_origin",
        settings(origins=["http://example.com"], allow_private_network=True),
        "GET",
        "/",
        PN_REQUEST + origin("http://example.org"),
        ((ACAPN, None),),
    ),
    Row(
        "allow_private_network_not_added_if_disabled_and_requested",
        settings(**ALL),
        "GET",
        "/",
        PN_REQUEST + origin("http://example.com"),
        ((ACAPN, None),),
    ),
    *[
        Row(
            name,
            OPTIONS_POLICY,
            "OPTIONS",
            path,
            preflight("https://example.com"),
            ((ACAH, "content-type"), (ACAM, "GET, OPTIONS"), (ACMA, "1002")),
            status=200,
            deviation=ECHO_HEADERS,
            spec=((ACAH, None), (ACAM, "GET, OPTIONS"), (ACMA, "1002"), (ACAO, "*")),
        )
        for name, path in (
            ("options_allowed_origin", "/"),
            ("async_options_allowed_origin", "/async/"),
        )
    ],
    Row(
        "options_no_max_age",
        {**OPTIONS_POLICY, "max_age": None},
        "OPTIONS",
        "/",
        preflight("https://example.com"),
        ((ACAH, "content-type"), (ACAM, "GET, OPTIONS"), (ACMA, None)),
        deviation=ECHO_HEADERS,
        spec=((ACAH, None), (ACAM, "GET, OPTIONS"), (ACMA, None), (ACAO, "*")),
    ),
    Row(
        "options_allowed_origins_with_port",
        settings(origins=["https://localhost:9000"]),
        "OPTIONS",
        "/",
        preflight("https://localhost:9000"),
        ((ACAO, "https://localhost:9000"),),
    ),
    Row(
        "options_adds_origin_when_domain_found_in_allowed_regexes",
        settings(origins=[r"^https://\w+\.example\.com$"]),
        "OPTIONS",
        "/",
        preflight("https://foo.example.com"),
        ((ACAO, "https://foo.example.com"),),
    ),
    Row(
        "options_adds_origin_when_domain_found_in_allowed_regexes_second",
        settings(origins=[r"^https://\w+\.example\.org$", r"^https://\w+\.example\.com$"]),
        "OPTIONS",
        "/",
        preflight("https://foo.example.com"),
        ((ACAO, "https://foo.example.com"),),
    ),
    Row(
        "options_doesnt_add_origin_when_domain_not_found_in_allowed_regexes",
        settings(origins=[r"^https://\w+\.example\.org$"]),
        "OPTIONS",
        "/",
        preflight("https://foo.example.com"),
        ((ACAO, None),),
    ),
    Row(
        "options_empty_request_method",
        settings(),
        "OPTIONS",
        "/",
        preflight("https://example.com", ""),
        (),
        status=200,
    ),
    Row("options_no_headers", settings(), "OPTIONS", "/", (), (), status=405),
    *[
        Row(
            name,
            settings(**ALL, supports_credentials=True),
            method,
            path,
            headers,
            expect,
            status=status,
            deviation=STAR_CREDENTIALS,
            spec="error",
        )
        for name, method, path, headers, expect, status in (
            (
                "allow_all_origins_get",
                "GET",
                "/",
                preflight("https://example.com"),
                ((ACAO, "https://example.com"), ("Vary", "origin")),
                200,
            ),
            (
                "allow_all_origins_options",
                "OPTIONS",
                "/",
                preflight("https://example.com"),
                ((ACAO, "https://example.com"), ("Vary", "origin")),
                200,
            ),
            (
                "non_200_headers_still_set",
                "GET",
                "/unauthorized/",
                EXAMPLE_COM,
                ((ACAO, "https://example.com"),),
                401,
            ),
            (
                "auth_view_options",
                "OPTIONS",
                "/test-401/",
                preflight("https://example.com"),
                ((ACAO, "https://example.com"), ("Content-Length", "0")),
                200,
            ),
        )
    ],
    Row(
        "signal_handler_that_returns_false",
        settings(),
        "OPTIONS",
        "/",
        preflight("https://example.com"),
        ((ACAO, None),),
        status=200,
    ),
    Row(
        "signal_handler_that_returns_true",
        settings(origins=[everybody]),
        "OPTIONS",
        "/",
        preflight("https://example.com"),
        ((ACAO, "https://example.com"),),
        status=200,
    ),
    *[
        Row(
            "signal_handler_allow_some_urls_to_everyone",
            settings(
                origins=["https://example.com"],
                resources={r"/api/.*": {"origins": "*"}, r"/.*": {}},
            ),
            "OPTIONS",
            path,
            preflight("https://example.org"),
            ((ACAO, acao),),
            status=200,
        )
        for path, acao in (("/", None), ("/api/something/", "https://example.org"))
    ],
    Row(
        "signal_called_once_during_normal_flow",
        settings(),
        "GET",
        "/",
        origin("https://example.org"),
        (),
        calls=1,
    ),
    Row(
        "get_short_circuit",
        settings(origins=["https://example.com"]),
        "GET",
        "/",
        EXAMPLE_COM,
        ((ACAO, None),),
        short_circuit=True,
    ),
    Row(
        "get_short_circuit_should_be_ignored",
        settings(origins=["https://example.com"], resources=r"^/foo/$"),
        "GET",
        "/",
        EXAMPLE_COM,
        ((ACAO, None),),
        short_circuit=True,
    ),
    Row(
        "get_regex_matches",
        settings(origins=["https://example.com"], resources=r"^/foo/$"),
        "GET",
        "/foo/",
        EXAMPLE_COM,
        ((ACAO, "https://example.com"),),
    ),
    Row(
        "get_regex_doesnt_match",
        settings(origins=["https://example.com"], resources=r"^/not-foo/$"),
        "GET",
        "/foo/",
        EXAMPLE_COM,
        ((ACAO, None),),
    ),
    Row(
        "get_regex_matches_path_info",
        settings(origins=["https://example.com"], resources=r"^/foo/$"),
        "GET",
        "/foo/",
        EXAMPLE_COM,
        ((ACAO, "https://example.com"),),
        script_name="/prefix",
    ),
]


def build(options: dict[str, Any], short_circuit: bool) -> Flask:
    """The test project's views: index, an async view, 401 views, /foo/ and /api/... ."""
    app = Flask("django_cors_headers_table")

    def index() -> str:
        return "Test view"

    async def async_index() -> str:
        return "Asynchronous test view"

    def unauthorized() -> str:
        abort(401)

    for path, view in (
        ("/", index),
        ("/async/", async_index),
        ("/unauthorized/", unauthorized),
        ("/test-401/", unauthorized),
        ("/foo/", index),
        ("/api/something/", index),
    ):
        app.add_url_rule(path, path, view, methods=["GET", "POST"], provide_automatic_options=False)
    CORS(app, **options)
    if short_circuit:

        def answer_first(
            environ: dict[str, Any], start_response: Callable[..., Any]
        ) -> Iterable[bytes]:
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"short-circuit-middleware-response"]

        app.wsgi_app = answer_first  # type: ignore[method-assign]
    return app


def holds(
    response: TestResponse, status: Optional[int], expect: Iterable[tuple[str, Optional[str]]]
) -> bool:
    if status is not None and response.status_code != status:
        return False
    for name, value in expect:
        got = response.headers.get(name)
        # Header values that name header fields (Vary) compare case-insensitively.
        same = got == value or (
            name == "Vary"
            and got is not None
            and value is not None
            and got.lower() == value.lower()
        )
        if not same:
            return False
    return True


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.test} {r.path}")
def test_django_cors_headers_table(row: Row) -> None:
    """SPEC 2-5: django-cors-headers's middleware tests, with SPEC's answer where they differ."""
    options = dict(row.options)
    calls: list[str] = []
    if row.calls is not None:

        def counting(value: str) -> bool:
            calls.append(value)
            return False

        options["origins"] = [counting]
    if row.spec == "error":
        with pytest.raises(CORSConfigError):
            build(options, row.short_circuit)
        return
    app = build(options, row.short_circuit)
    overrides = {"SCRIPT_NAME": row.script_name} if row.script_name else {}
    response = app.test_client().open(
        row.path, method=row.method, headers=list(row.headers), environ_overrides=overrides
    )
    assert response.status_code < 500
    assert holds(response, row.status, row.spec if row.deviation else row.expect), row.deviation
    if row.deviation:
        # The deviation is real: django-cors-headers's expectation does not hold here.
        assert not holds(response, row.status, row.expect)
    if row.calls is not None:
        assert len(calls) == row.calls
