"""Starlette's CORS middleware tables (``tests/middleware/test_cors.py``), transcribed as data
and run through flask-crossorigin. One row per request a Starlette test sends, with the headers
it asserts. Where Starlette contradicts SPEC, the row names the deviation and carries SPEC's
answer.

Mapping of ``CORSMiddleware``: ``allow_origins`` -> ``origins`` (``["*"]`` -> ``"*"`` with
``send_wildcard``: Starlette answers ``*``), ``allow_origin_regex`` -> a regex entry,
``allow_methods`` -> ``methods`` (Starlette's default: GET), ``allow_headers`` ->
``allow_headers``, ``expose_headers`` -> ``expose_headers``, ``allow_credentials`` ->
``supports_credentials``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import pytest

from flask_crossorigin import CORSConfigError

from .common import make_app, send

STAR = {"origins": "*", "send_wildcard": True}
POLICIES: dict[str, dict[str, Any]] = {
    "allow all": {
        **STAR,
        "allow_headers": "*",
        "methods": "*",
        "expose_headers": ["X-Status"],
        "supports_credentials": True,
    },
    "allow all except credentials": {
        **STAR,
        "allow_headers": "*",
        "methods": "*",
        "expose_headers": ["X-Status"],
    },
    "specific origin": {
        "origins": ["https://example.org"],
        "allow_headers": ["X-Example", "Content-Type"],
        "methods": ["GET"],
    },
    "disallowed preflight": {
        "origins": ["https://example.org"],
        "allow_headers": ["X-Example"],
        "methods": ["GET"],
    },
    "wildcard with credentials, POST": {**STAR, "methods": ["POST"], "supports_credentials": True},
    "all methods": {**STAR, "methods": "*"},
    "origin regex with credentials": {
        "origins": [r"https://.*"],
        "allow_headers": ["X-Example", "Content-Type"],
        "methods": ["GET"],
        "supports_credentials": True,
    },
    "origin regex fullmatch": {
        "origins": [r"https://.*\.example.org"],
        "allow_headers": ["X-Example", "Content-Type"],
        "methods": ["GET"],
    },
    "wildcard": dict(STAR),
    "one origin": {"origins": ["https://example.org"]},
    "wildcard, all headers and methods": {**STAR, "allow_headers": "*", "methods": "*"},
}

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAH = "Access-Control-Allow-Headers"
ACAM = "Access-Control-Allow-Methods"
ACEH = "Access-Control-Expose-Headers"

STAR_CREDENTIALS = (
    "SPEC 2: any origin with credentials is a CORSConfigError; Starlette reflects every origin"
)
REGEX_CREDENTIALS = (
    "SPEC 3: the regex audit refuses r'https://.*' with credentials (it lets in every https "
    "site); Starlette accepts it"
)
ALWAYS_SEND = (
    "SPEC 4 (always_send, on by default as in flask-cors): a request without Origin gets the "
    "Access-Control-Allow-Origin that every origin gets"
)
ECHO_HEADERS = (
    "SPEC 4: Access-Control-Allow-Headers repeats the requested names; Starlette lists every "
    "allowed name and the CORS-safelisted ones"
)
ECHO_METHOD = "SPEC 4: methods '*' answers with the requested method; Starlette lists all"
REFUSED_200 = (
    "SPEC 4: a refused preflight is answered without Access-Control-Allow-*, with the status "
    "of a granted one; Starlette answers 400 (browsers refuse both)"
)
PUBLIC_ALIKE = (
    "SPEC 3: a public policy answers every request alike ('*'); Starlette reflects the origin "
    "when a Cookie is sent (without credentials the browser refuses the cookie's response "
    "either way)"
)


@dataclass(frozen=True)
class Row:
    """One request of a Starlette test and the headers it asserts (``None``: absent; a name
    ending in ``~``: the value contains this)."""

    test: str
    request: str
    policy: str
    method: str
    headers: tuple[tuple[str, str], ...]
    expect: tuple[tuple[str, Optional[str]], ...]
    status: int = 200
    response_headers: tuple[tuple[str, str], ...] = ()
    #: Where Starlette contradicts SPEC: the deviation and SPEC's answer (``"error"`` for a
    #: configuration SPEC refuses).
    deviation: str = ""
    spec: Any = None


ORIGIN = (("Origin", "https://example.org"),)
COOKIE = (("Cookie", "star_cookie=sugar"),)
PREFLIGHT_X = (
    ("Origin", "https://example.org"),
    ("Access-Control-Request-Method", "GET"),
    ("Access-Control-Request-Headers", "X-Example"),
)
VARY_AE = (("Vary", "Accept-Encoding"),)

ROWS = [
    # test_cors_allow_all
    *[
        Row(
            "allow all",
            name,
            "allow all",
            method,
            headers,
            expect,
            deviation=STAR_CREDENTIALS,
            spec="error",
        )
        for name, method, headers, expect in [
            (
                "preflight",
                "OPTIONS",
                PREFLIGHT_X,
                (
                    (ACAO, "https://example.org"),
                    (ACAH, "X-Example"),
                    (ACAC, "true"),
                    ("Vary", "Origin"),
                ),
            ),
            ("standard", "GET", ORIGIN, ((ACAO, "*"), (ACEH, "X-Status"), (ACAC, "true"))),
            (
                "standard credentialed",
                "GET",
                ORIGIN + COOKIE,
                ((ACAO, "https://example.org"), (ACEH, "X-Status"), (ACAC, "true")),
            ),
            ("non-CORS", "GET", (), ((ACAO, None),)),
        ]
    ],
    # test_cors_allow_all_except_credentials
    Row(
        "allow all except credentials",
        "preflight",
        "allow all except credentials",
        "OPTIONS",
        PREFLIGHT_X,
        ((ACAO, "*"), (ACAH, "X-Example"), (ACAC, None), ("Vary", None)),
    ),
    Row(
        "allow all except credentials",
        "standard",
        "allow all except credentials",
        "GET",
        ORIGIN,
        ((ACAO, "*"), (ACEH, "X-Status"), (ACAC, None)),
    ),
    Row(
        "allow all except credentials",
        "non-CORS",
        "allow all except credentials",
        "GET",
        (),
        ((ACAO, None),),
        deviation=ALWAYS_SEND,
        spec=((ACAO, "*"),),
    ),
    # test_cors_allow_specific_origin
    Row(
        "allow specific origin",
        "preflight",
        "specific origin",
        "OPTIONS",
        (
            ("Origin", "https://example.org"),
            ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Headers", "X-Example, Content-Type"),
        ),
        (
            (ACAO, "https://example.org"),
            (ACAH, "Accept, Accept-Language, Content-Language, Content-Type, X-Example"),
            (ACAC, None),
        ),
        deviation=ECHO_HEADERS,
        spec=((ACAO, "https://example.org"), (ACAH, "X-Example, Content-Type"), (ACAC, None)),
    ),
    Row(
        "allow specific origin",
        "standard",
        "specific origin",
        "GET",
        ORIGIN,
        ((ACAO, "https://example.org"), (ACAC, None)),
    ),
    Row(
        "allow specific origin",
        "non-CORS",
        "specific origin",
        "GET",
        (),
        ((ACAO, None),),
        deviation=ALWAYS_SEND,
        spec=((ACAO, "https://example.org"),),
    ),
    # test_cors_disallowed_preflight
    Row(
        "disallowed preflight",
        "origin, method and header refused",
        "disallowed preflight",
        "OPTIONS",
        (
            ("Origin", "https://another.org"),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "X-Nope"),
        ),
        ((ACAO, None),),
        status=400,
        deviation=REFUSED_200,
        spec=((ACAO, None), (ACAM, None), (ACAH, None)),
    ),
    Row(
        "disallowed preflight",
        "two headers refused",
        "disallowed preflight",
        "OPTIONS",
        (
            ("Origin", "https://example.org"),
            ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Headers", "X-Nope-1, X-Nope-2"),
        ),
        ((ACAO, None),),
        status=400,
        deviation=REFUSED_200,
        spec=((ACAO, None), (ACAM, None), (ACAH, None)),
    ),
    # test_preflight_allows_request_origin_if_origins_wildcard_and_credentials_allowed
    Row(
        "wildcard origins with credentials",
        "preflight",
        "wildcard with credentials, POST",
        "OPTIONS",
        (("Origin", "https://example.org"), ("Access-Control-Request-Method", "POST")),
        ((ACAO, "https://example.org"), (ACAC, "true"), ("Vary", "Origin")),
        deviation=STAR_CREDENTIALS,
        spec="error",
    ),
    # test_cors_preflight_allow_all_methods: one preflight for POST, checked for each method
    *[
        Row(
            "preflight allow all methods",
            f"{method} in Access-Control-Allow-Methods",
            "all methods",
            "OPTIONS",
            (("Origin", "https://example.org"), ("Access-Control-Request-Method", "POST")),
            ((ACAM + "~", method),),
            deviation="" if method == "POST" else ECHO_METHOD,
            spec=None if method == "POST" else ((ACAM, "POST"), (ACAO, "*")),
        )
        for method in ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
    ],
    # test_cors_allow_all_methods
    *[
        Row("allow all methods", method, "all methods", method, ORIGIN, ((ACAO, "*"),))
        for method in ("PATCH", "POST", "PUT", "DELETE", "GET", "HEAD", "OPTIONS")
    ],
    # test_cors_allow_origin_regex
    *[
        Row(
            "allow origin regex",
            name,
            "origin regex with credentials",
            method,
            headers,
            expect,
            status=status,
            deviation=REGEX_CREDENTIALS,
            spec="error",
        )
        for name, method, headers, expect, status in [
            ("standard", "GET", ORIGIN, ((ACAO, "https://example.org"), (ACAC, "true")), 200),
            (
                "standard credentialed",
                "GET",
                ORIGIN + COOKIE,
                ((ACAO, "https://example.org"), (ACAC, "true")),
                200,
            ),
            (
                "disallowed standard",
                "GET",
                (("Origin", "http://example.org"),),
                ((ACAO, None),),
                200,
            ),
            (
                "preflight",
                "OPTIONS",
                (
                    ("Origin", "https://another.com"),
                    ("Access-Control-Request-Method", "GET"),
                    ("Access-Control-Request-Headers", "X-Example, content-type"),
                ),
                (
                    (ACAO, "https://another.com"),
                    (ACAH, "Accept, Accept-Language, Content-Language, Content-Type, X-Example"),
                    (ACAC, "true"),
                ),
                200,
            ),
            (
                "disallowed preflight",
                "OPTIONS",
                (
                    ("Origin", "http://another.com"),
                    ("Access-Control-Request-Method", "GET"),
                    ("Access-Control-Request-Headers", "X-Example"),
                ),
                ((ACAO, None),),
                400,
            ),
        ]
    ],
    # test_cors_allow_origin_regex_fullmatch
    Row(
        "origin regex fullmatch",
        "standard",
        "origin regex fullmatch",
        "GET",
        (("Origin", "https://subdomain.example.org"),),
        ((ACAO, "https://subdomain.example.org"), (ACAC, None)),
    ),
    Row(
        "origin regex fullmatch",
        "disallowed standard",
        "origin regex fullmatch",
        "GET",
        (("Origin", "https://subdomain.example.org.hacker.com"),),
        ((ACAO, None),),
    ),
    # test_cors_credentialed_requests_return_specific_origin
    Row(
        "credentialed requests return specific origin",
        "with Cookie",
        "wildcard",
        "GET",
        ORIGIN + COOKIE,
        ((ACAO, "https://example.org"), (ACAC, None)),
        deviation=PUBLIC_ALIKE,
        spec=((ACAO, "*"), (ACAC, None)),
    ),
    # test_cors_vary_header_defaults_to_origin
    Row(
        "vary header defaults to origin",
        "standard",
        "one origin",
        "GET",
        ORIGIN,
        (("Vary", "Origin"),),
    ),
    # test_cors_vary_header_is_not_set_for_non_credentialed_request
    Row(
        "vary not set for non-credentialed request",
        "standard",
        "wildcard",
        "GET",
        (("Origin", "https://someplace.org"),),
        (("Vary", "Accept-Encoding"),),
        response_headers=VARY_AE,
    ),
    # test_cors_vary_header_is_properly_set_for_credentialed_request
    Row(
        "vary set for credentialed request",
        "with Cookie",
        "wildcard",
        "GET",
        (("Cookie", "foo=bar"), ("Origin", "https://someplace.org")),
        (("Vary", "Accept-Encoding, Origin"),),
        response_headers=VARY_AE,
        deviation=PUBLIC_ALIKE,
        spec=(("Vary", "Accept-Encoding"), (ACAO, "*")),
    ),
    # test_cors_vary_header_is_properly_set_when_allow_origins_is_not_wildcard
    Row(
        "vary set when origins is not a wildcard",
        "standard",
        "one origin",
        "GET",
        ORIGIN,
        (("Vary", "Accept-Encoding, Origin"),),
        response_headers=VARY_AE,
    ),
    # test_cors_allowed_origin_does_not_leak_between_credentialed_requests
    Row(
        "no leak between credentialed requests",
        "first",
        "wildcard, all headers and methods",
        "GET",
        (("Origin", "https://someplace.org"),),
        ((ACAO, "*"), (ACAC, None)),
    ),
    Row(
        "no leak between credentialed requests",
        "with Cookie",
        "wildcard, all headers and methods",
        "GET",
        (("Cookie", "foo=bar"), ("Origin", "https://someplace.org")),
        ((ACAO, "https://someplace.org"), (ACAC, None)),
        deviation=PUBLIC_ALIKE,
        spec=((ACAO, "*"), (ACAC, None)),
    ),
    Row(
        "no leak between credentialed requests",
        "again",
        "wildcard, all headers and methods",
        "GET",
        (("Origin", "https://someplace.org"),),
        ((ACAO, "*"), (ACAC, None)),
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.test}: {r.request}")
def test_starlette_table(row: Row) -> None:
    """SPEC 2-4: Starlette's CORS tests, with SPEC's answer where they differ."""
    options = POLICIES[row.policy]
    if row.spec == "error":
        with pytest.raises(CORSConfigError):
            make_app(options)
        return
    app = make_app(options, response_headers=dict(row.response_headers))
    origin = dict(row.headers).get("Origin")
    extra = [(k, v) for k, v in row.headers if k != "Origin"]
    response = send(app, row.method, origin, extra=extra)
    assert response.status_code < 500
    status = 200 if row.deviation == REFUSED_200 else row.status
    assert _holds(response, status, row.spec if row.deviation else row.expect), row.deviation
    if row.deviation:
        # The deviation is real: Starlette's own expectation does not hold here.
        assert not _holds(response, row.status, row.expect)


def _holds(response: Any, status: int, expect: tuple[tuple[str, Optional[str]], ...]) -> bool:
    if response.status_code != status:
        return False
    for name, value in expect:
        if name.endswith("~"):
            if value not in response.headers.get(name[:-1], ""):
                return False
        elif response.headers.get(name) != value:
            return False
    return True
