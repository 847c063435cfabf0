"""Debug mode (``app.debug``): a refusal's reason and fix in a response header, and a
preflight refused for its method or a header answered so that the browser's console names it.

With ``app.debug`` off nothing changes (exact header lists below). With it on, the browser's
verdict never changes either: whatever the policy refuses stays refused (the judge of SPEC 6
over both apps, with hypothesis). The console lines are checked in real Chromium in
tests/browser/test_debug_console.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from flask_crossorigin import CORS
from flask_crossorigin.debugmode import MAX_VALUE_LENGTH, REFUSED_HEADER
from flask_crossorigin.testing import assert_browser_blocks, browser_fetch

ALLOWED = "https://app.example.com"
STRANGER = "https://evil.example.net"


def _app(debug: bool, **options: Any) -> Flask:
    app = Flask("debug_app")
    app.debug = debug

    @app.route("/api/items", methods=["GET", "PUT", "DELETE", "PATCH"])
    def items() -> str:
        return "[]"

    settings: dict[str, Any] = {
        "origins": [ALLOWED],
        "methods": ["GET", "PUT"],
        "allow_headers": ["Content-Type", r"X-Allowed-.*"],
        "supports_credentials": True,
    }
    settings.update(options)
    CORS(app, **settings)
    return app


PREFLIGHT_METHOD = {"Origin": ALLOWED, "Access-Control-Request-Method": "DELETE"}
PREFLIGHT_HEADER = {
    "Origin": ALLOWED,
    "Access-Control-Request-Method": "PUT",
    "Access-Control-Request-Headers": "content-type,x-token,x-allowed-a",
}
PREFLIGHT_STRANGER = {"Origin": STRANGER, "Access-Control-Request-Method": "PUT"}

# The exact answers with app.debug off: what they were before debug mode existed.
OFF = [
    (
        "GET",
        {"Origin": STRANGER},
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "2"), ("Vary", "Origin")],
    ),
    (
        "OPTIONS",
        PREFLIGHT_METHOD,
        [("Content-Type", "text/html; charset=utf-8"), ("Vary", "Origin"), ("Content-Length", "0")],
    ),
    (
        "OPTIONS",
        PREFLIGHT_HEADER,
        [("Content-Type", "text/html; charset=utf-8"), ("Vary", "Origin"), ("Content-Length", "0")],
    ),
    (
        "OPTIONS",
        PREFLIGHT_STRANGER,
        [("Content-Type", "text/html; charset=utf-8"), ("Vary", "Origin"), ("Content-Length", "0")],
    ),
    (
        "GET",
        {"Origin": ALLOWED},
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", "2"),
            ("Access-Control-Allow-Origin", ALLOWED),
            ("Access-Control-Allow-Credentials", "true"),
            ("Vary", "Origin"),
        ],
    ),
]


@pytest.mark.parametrize(("method", "headers", "expected"), OFF)
def test_debug_off_changes_nothing(
    method: str, headers: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    """Item 2: with app.debug off, the exact header lists of refusals and grants."""
    response = _app(False).test_client().open("/api/items", method=method, headers=headers)
    assert list(response.headers.items()) == expected


def test_refused_origin_says_why_and_reveals_nothing() -> None:
    """Item 2: a refused origin: the reason and fix, no grant, and not the allowed origins."""
    for method, headers in (("GET", {"Origin": STRANGER}), ("OPTIONS", PREFLIGHT_STRANGER)):
        response = _app(True).test_client().open("/api/items", method=method, headers=headers)
        assert response.headers[REFUSED_HEADER] == (
            f'origin-not-allowed: the origin "{STRANGER}" is not in the allowed origins; '
            "fix: add the origin to 'origins'; set by CORS(...), which overrides CORS_ORIGINS: "
            "change it there"
        )
        assert not [
            n for n, _ in response.headers.items() if n.lower().startswith("access-control-")
        ]
        assert ALLOWED not in str(response.headers)


def test_refused_method_preflight_lists_only_allowed_methods() -> None:
    """Item 2: the origin's grant and Access-Control-Allow-Methods without the method."""
    response = _app(True).test_client().options("/api/items", headers=PREFLIGHT_METHOD)
    assert response.headers[REFUSED_HEADER] == (
        'method-not-allowed: the method "DELETE" is not in the allowed methods; '
        "fix: add the method to 'methods'; set by CORS(...), which overrides CORS_METHODS: "
        "change it there"
    )
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, PUT"
    assert "Access-Control-Max-Age" not in response.headers


def test_refused_header_preflight_lists_only_allowed_headers() -> None:
    """Item 2: Access-Control-Allow-Headers lists the asked headers the policy allows."""
    response = _app(True).test_client().options("/api/items", headers=PREFLIGHT_HEADER)
    assert response.headers[REFUSED_HEADER].startswith(
        'header-not-allowed: the request header "x-token" is not in the allowed headers'
    )
    assert response.headers["Access-Control-Allow-Methods"] == "PUT"
    assert response.headers["Access-Control-Allow-Headers"] == "content-type, x-allowed-a"


def test_browser_names_the_method_and_header() -> None:
    """Item 2: the judge (Chromium's verdicts) now blocks for the method or the header."""
    client = _app(True).test_client()
    assert_browser_blocks(
        client, "/api/items", origin=ALLOWED, method="DELETE", failure="method-not-allowed"
    )
    assert_browser_blocks(
        client,
        "/api/items",
        origin=ALLOWED,
        method="PUT",
        headers={"X-Token": "t"},
        credentials=True,
        failure="header-not-allowed",
    )
    off = _app(False).test_client()
    assert_browser_blocks(
        off, "/api/items", origin=ALLOWED, method="DELETE", failure="allow-origin-missing"
    )


def test_private_network_refusal_is_only_explained() -> None:
    """Item 2: a private-network refusal gets the header, no grant."""
    headers = {
        **PREFLIGHT_METHOD,
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Private-Network": "true",
    }
    response = _app(True).test_client().options("/api/items", headers=headers)
    assert response.headers[REFUSED_HEADER].startswith("private-network-not-allowed: ")
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize(
    "origin",
    [
        "https://\x01evil.test",
        "https://é.test",
        "https://" + "a" * 3000 + ".test",
        'https://"q".test',
    ],
)
def test_request_values_are_escaped_and_bounded(origin: str) -> None:
    """Item 2: no control character, non-ASCII byte or unbounded value reaches the header."""
    response = (
        _app(True)
        .test_client()
        .get("/api/items", headers={"Origin": origin.encode().decode("latin-1")})
    )
    value = response.headers[REFUSED_HEADER]
    assert len(value) <= MAX_VALUE_LENGTH
    assert all(" " <= c <= "~" for c in value)


REQUESTS = st.fixed_dictionaries(
    {
        "origin": st.sampled_from([ALLOWED, STRANGER, "null", "https://APP.example.com"]),
        "method": st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "put"]),
        "headers": st.lists(
            st.sampled_from(
                [
                    ("Content-Type", "application/json"),
                    ("X-Token", "t"),
                    ("X-Allowed-A", "1"),
                    ("Authorization", "b"),
                ]
            ),
            max_size=3,
        ),
        "credentials": st.booleans(),
    }
)
POLICIES = st.sampled_from(
    [
        {},
        {"methods": "*"},
        {"allow_headers": "*", "supports_credentials": False},
        {"origins": "*", "supports_credentials": False},
        {"origins": "*", "supports_credentials": False, "send_wildcard": True, "methods": ["GET"]},
        {"methods": []},
    ]
)


@given(POLICIES, REQUESTS)
def test_debug_never_grants_what_the_policy_refuses(
    options: dict[str, Any], request_: dict[str, Any]
) -> None:
    """Item 2: over policies and requests, the browser's verdict with app.debug on is the
    verdict with it off (and the policy's): debug mode explains, it never grants."""
    on = browser_fetch(_app(True, **options).test_client(), "/api/items", **request_)
    off = browser_fetch(_app(False, **options).test_client(), "/api/items", **request_)
    assert on.allowed is off.allowed
