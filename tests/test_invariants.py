"""Invariants for any valid configuration and any request (hypothesis; marked slow).

Never a 500 from the CORS layer; at most one Access-Control-Allow-Origin, equal to the
request's origin or '*'; never credentials with '*'; never a grant to an origin the policy does
not allow; no CR, LF or NUL in any header; a refused preflight carries no
Access-Control-Allow-* and no Max-Age; Vary names Origin whenever the response could differ by
origin.

The expected answer comes from a reference model written here, independently of the library:
hand-labelled origins, a plain-Python origin matcher, header-list parser and path resolver. The
model decides grant or refusal exactly, so the test catches a wrong refusal as well as a wrong
grant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union
from urllib.parse import unquote

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from .conftest import build_app

pytestmark = pytest.mark.slow

#: Twice the loaded profile's count (300 with the default profile, 60 with "quick").
EXAMPLES = 2 * settings.default.max_examples

HOSTS = ["a.example", "b.example", "x.a.example", "y.x.a.example", "z.b.example", "localhost"]
SCHEMES = ["http", "https"]
PORTS = ["", ":8080", ":5001"]
GOOD_ORIGINS = [f"{s}://{h}{p}" for s in SCHEMES for h in HOSTS for p in PORTS]
# Well-formed origins a browser would not send, but which a client may: allowed or not by the
# same rules, case-insensitively.
ODD_ORIGINS = ["HTTPS://A.EXAMPLE", "https://X.A.Example:8080", "https://a.example.evil.test"]
# Never well-formed: never granted by a list of origins; a public policy (SPEC 3) answers
# them like any other request ('*', or the value when it is a safe token).
MALFORMED_ORIGINS = [
    "https://a.example/",
    "https://a.example/path",
    "https://a.example, https://b.example",
    "https://a.example https://b.example",
    "https://a.example\r\nX-Injected: 1",
    "https://a.example\nX-Injected: 1",
    "https://a.example\x00",
    "https://a.example\t",
    " https://a.example",
    "https://" + "a" * 10_000,
    "https://user@a.example",
    "https://a.example:",
    "https://a..example",
    "a.example",
    "https://",
    "*",
    "",
]
ALL_ORIGINS = [*GOOD_ORIGINS, *ODD_ORIGINS, *MALFORMED_ORIGINS, "null"]

EXACT_HEADERS = ["Content-Type", "X-Token"]
REGEX_HEADERS = [r"X-.*"]
#: What a public policy reflects (SPEC 3): visible ASCII but the comma, at most 512 bytes.
SAFE_TOKEN = re.compile(r"[!-+\--~]{1,512}")
TCHARS = frozenset("!#$%&'*+.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-")


def b_subdomain(origin: str) -> bool:
    """An origin callable: any subdomain of b.example, either scheme, any port."""
    host = origin.lower().split("://", 1)[-1].split(":", 1)[0]
    return host.endswith(".b.example")


OriginEntry = Union[str, "re.Pattern[str]", Callable[[str], bool]]

ENTRIES: list[OriginEntry] = [
    *GOOD_ORIGINS,
    "https://*.a.example",
    "http://*.a.example",
    "http://localhost:*",
    r"https://[a-z]+\.b\.example(:[0-9]+)?",  # a string flask-cors treats as a regex
    re.compile(r"http://(y\.)?x\.a\.example:8080"),
    b_subdomain,
]


def entry_allows(entry: OriginEntry, origin: str) -> bool:
    """Does one configured entry allow a well-formed ``origin``?"""
    lowered = origin.lower()
    scheme, _, authority = lowered.partition("://")
    host, _, port = authority.partition(":")
    if isinstance(entry, re.Pattern):
        return re.fullmatch(entry.pattern, lowered, re.IGNORECASE) is not None
    if callable(entry):
        return entry(origin)
    if entry in ("*", lowered):
        return True
    if entry.startswith(f"{scheme}://*."):
        return not port and host.endswith(entry[len(f"{scheme}://*") :])
    if entry.endswith(":*"):
        return entry == f"{scheme}://{host}:*"
    return "[" in entry and re.fullmatch(entry, lowered, re.IGNORECASE) is not None


@dataclass(frozen=True)
class Config:
    origins: list[OriginEntry]
    credentials: bool
    send_wildcard: bool
    always_send: bool
    vary_header: bool
    allow_headers: list[str]
    methods: list[str]
    max_age: Optional[int]
    private_network: bool
    intercept_exceptions: bool
    automatic_options: bool
    api_only: bool  # resources=r"/api/*" instead of every path
    expose_headers: list[str] = field(default_factory=lambda: ["X-Total-Count"])

    @property
    def any_origin(self) -> bool:
        return "*" in self.origins

    @property
    def public(self) -> bool:
        """'*' for every request."""
        return self.any_origin and self.send_wildcard and not self.credentials

    def options(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "origins": self.origins,
            "supports_credentials": self.credentials,
            "send_wildcard": self.send_wildcard,
            "always_send": self.always_send,
            "vary_header": self.vary_header,
            "allow_headers": self.allow_headers,
            "methods": self.methods,
            "max_age": self.max_age,
            "allow_private_network": self.private_network,
            "intercept_exceptions": self.intercept_exceptions,
            "automatic_options": self.automatic_options,
            "expose_headers": self.expose_headers,
        }
        if self.api_only:
            options["resources"] = r"/api/*"
        return options

    def allows(self, origin: str) -> bool:
        """Reference matcher: may ``origin`` read the response? A public policy answers every
        request alike (SPEC 3): '*', or the Origin when it is a safe token."""
        if self.any_origin and not self.credentials:
            return self.send_wildcard or SAFE_TOKEN.fullmatch(origin) is not None
        if origin == "null":
            return self.any_origin or "null" in self.origins
        if origin in MALFORMED_ORIGINS:
            return False
        return any(entry_allows(entry, origin) for entry in self.origins)

    def allow_origin(self, origin: Optional[str]) -> Optional[str]:
        """The Access-Control-Allow-Origin the reference expects, or None."""
        if origin is None:
            if not self.always_send:
                return None
            if self.any_origin:
                return "*"
            exact = [e for e in self.origins if isinstance(e, str) and e in GOOD_ORIGINS]
            return exact[0] if len(exact) == len(self.origins) == 1 else None
        if not self.allows(origin):
            return None
        return "*" if self.public else origin

    def header_allowed(self, name: str) -> bool:
        if self.allow_headers == ["*"]:
            return True
        if self.allow_headers == REGEX_HEADERS:
            return name.lower().startswith("x-")
        return name.lower() in {h.lower() for h in self.allow_headers}


def parse_header_list(value: str) -> Optional[list[str]]:
    """Reference Access-Control-Request-Headers parser: None when the preflight must be refused
    (over 4,096 characters, over 64 names, a non-token element); empty elements are ignored
    (RFC 9110 5.6.1); names as spelled, the first spelling of each kept."""
    if len(value) > 4096:
        return None
    names = [part.strip(" \t") for part in value.split(",")]
    names = [n for n in names if n]
    if len(names) > 64 or any(not set(n) <= TCHARS for n in names):
        return None
    first: dict[str, str] = {}
    for n in names:
        first.setdefault(n.lower(), n)
    return list(first.values())


def resolve(path: str) -> str:
    """Percent-decode once, then remove dot segments (RFC 3986 section 5.2.4)."""
    out: list[str] = []
    for segment in unquote(path).split("/")[1:]:
        if segment == "..":
            if out:
                out.pop()
        elif segment != ".":
            out.append(segment)
    trailing = unquote(path).rsplit("/", 1)[-1] in (".", "..")
    return "/" + "/".join(out) + ("/" if trailing and out else "")


@st.composite
def configs(draw: st.DrawFn) -> Config:
    credentials = draw(st.booleans())
    entries = draw(st.lists(st.sampled_from(ENTRIES), min_size=1, max_size=4, unique_by=id))
    if not credentials:
        choice = draw(st.sampled_from(["list", "list", "star", "null"]))
        if choice == "star":
            entries = ["*"]
        elif choice == "null":
            entries = [*entries, "null"]
    return Config(
        origins=entries,
        credentials=credentials,
        send_wildcard=draw(st.booleans()),
        always_send=draw(st.booleans()),
        vary_header=draw(st.booleans()),
        allow_headers=draw(st.sampled_from([["*"], EXACT_HEADERS, REGEX_HEADERS])),
        methods=draw(st.sampled_from([["GET", "POST", "PUT"], ["GET"], ["*"]])),
        max_age=draw(st.sampled_from([None, 0, 600])),
        private_network=draw(st.booleans()),
        intercept_exceptions=draw(st.booleans()),
        automatic_options=draw(st.booleans()),
        api_only=draw(st.booleans()),
    )


@dataclass(frozen=True)
class Req:
    method: str
    path: str
    origin: Optional[str]
    acrm: Optional[str]
    acrh: Optional[str]
    acrpn: Optional[str]
    cookie: bool

    @property
    def preflight(self) -> bool:
        return self.method == "OPTIONS" and self.origin is not None and self.acrm is not None


PATHS = [
    "/api/items",
    "/api/items/1",
    "/api/nowhere",
    "/nowhere",
    "/boom",
    "/public/info",
    "/API/items",
    "/api/../public/info",
    "/api/%2E%2E/public/info",
    "/public/%2e%2e/api/items",
    "/public/./../api/items/1",
    "/api/items+1",
    "/api/%2541",
]
latin1 = st.text(st.characters(max_codepoint=255), max_size=40)

requests = st.builds(
    Req,
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "OPTIONS", "OPTIONS", "PATCH"]),
    path=st.sampled_from(PATHS),
    origin=st.one_of(st.none(), st.sampled_from(ALL_ORIGINS)),
    acrm=st.one_of(
        st.none(), st.sampled_from(["GET", "PUT", "patch", "PURGE", "BAD METHOD", "", "P\r\nUT"])
    ),
    acrh=st.one_of(
        st.none(),
        st.sampled_from(
            [
                "content-type",
                "X-Token",
                "authorization",
                "x-a,x-b",
                " x-a , X-B\t",
                "x-a,,x-b",
                ",,,",
                "   ",
                "x\r\ny",
                "x" * 5000,
                ",".join(f"x-{i}" for i in range(64)),
                ",".join(f"x-{i}" for i in range(65)),
                "," * 10_000,
                " " * 10_000,
            ]
        ),
        latin1,
    ),
    acrpn=st.sampled_from([None, "true", "false", "TRUE"]),
    cookie=st.booleans(),
)


def make_app(config: Config) -> Flask:
    return build_app(config={"PROPAGATE_EXCEPTIONS": False}, **config.options())


def send(app: Flask, req: Req) -> TestResponse:
    environ: dict[str, str] = {}
    for key, value in (
        ("HTTP_ORIGIN", req.origin),
        ("HTTP_ACCESS_CONTROL_REQUEST_METHOD", req.acrm),
        ("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", req.acrh),
        ("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK", req.acrpn),
    ):
        if value is not None:
            environ[key] = value
    if req.cookie:
        environ["HTTP_COOKIE"] = "session=abc"
    return app.test_client().open(req.path, method=req.method, environ_overrides=environ)


ROUTES = {
    "/api/items": {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"},
    "/api/items/1": {"GET", "HEAD", "PATCH", "OPTIONS"},
    "/public/info": {"GET", "HEAD", "OPTIONS"},
    "/boom": {"GET", "HEAD", "OPTIONS"},
}


def is_error(req: Req) -> bool:
    """Does the app answer with an error: no route (Werkzeug routes the path as decoded, dot
    segments and all), a method the route lacks, or the /boom view's exception?"""
    path = unquote(req.path)
    if path not in ROUTES or req.method not in ROUTES[path]:
        return True
    return path == "/boom" and req.method != "OPTIONS"


def expected_preflight(config: Config, req: Req) -> Optional[dict[str, str]]:
    """The Access-Control-* headers of a granted preflight, or None for a refusal."""
    assert req.origin is not None and req.acrm is not None
    acao = config.allow_origin(req.origin)
    if acao is None:
        return None
    if config.methods == ["*"]:
        if not req.acrm or not set(req.acrm) <= TCHARS:
            return None
    elif req.acrm not in config.methods:
        return None
    names = parse_header_list(req.acrh or "")
    if names is None or not all(config.header_allowed(n) for n in names):
        return None
    if req.acrpn == "true" and not config.private_network:
        return None
    headers = {"Access-Control-Allow-Origin": acao}
    if config.credentials:
        headers["Access-Control-Allow-Credentials"] = "true"
    methods = req.acrm if config.methods == ["*"] else ", ".join(config.methods)
    headers["Access-Control-Allow-Methods"] = methods
    if names:
        headers["Access-Control-Allow-Headers"] = ", ".join(names)
    if config.max_age is not None:
        headers["Access-Control-Max-Age"] = str(config.max_age)
    if req.acrpn == "true":
        headers["Access-Control-Allow-Private-Network"] = "true"
    return headers


def expected_actual(config: Config, req: Req) -> dict[str, str]:
    acao = config.allow_origin(req.origin)
    if acao is None:
        return {}
    headers = {"Access-Control-Allow-Origin": acao}
    if config.credentials:
        headers["Access-Control-Allow-Credentials"] = "true"
    headers["Access-Control-Expose-Headers"] = ", ".join(config.expose_headers)
    return headers


def expected(config: Config, req: Req) -> dict[str, str]:
    """The Access-Control-* headers the reference expects; {} for a refused preflight (no
    Access-Control-Allow-*, no Max-Age) and for a refused origin."""
    if req.preflight:
        return expected_preflight(config, req) or {}
    return expected_actual(config, req)


def cors_headers(response: TestResponse) -> dict[str, str]:
    return {k: v for k, v in response.headers if k.lower().startswith("access-control-")}


def check(config: Config, req: Req, response: TestResponse) -> None:
    headers = response.headers
    path = resolve(req.path)
    covered = not config.api_only or path.startswith("/api/")
    # SPEC 5: the policy comes from the path Werkzeug routes; a path whose dot segments
    # resolve under another resource than the path as routed gets no grant at all.
    routed_covered = not config.api_only or unquote(req.path).startswith("/api/")
    if covered != routed_covered:
        assert cors_headers(response) == {}, dict(response.headers)
        covered = False

    # Never a 500 from the CORS layer (the /boom view's own failure is the app's 500).
    assert response.status_code < 500 or path == "/boom", response.status_code
    for name, value in headers:
        assert not set(name + value) & {"\r", "\n", "\x00"}, (name, value)

    # At most one ACAO, equal to the request's origin or '*'; never credentials with '*'.
    acao = headers.getlist("Access-Control-Allow-Origin")
    assert len(acao) <= 1, acao
    if acao and acao[0] == "*":
        assert "Access-Control-Allow-Credentials" not in headers
    elif acao:
        assert acao[0] == req.origin or (req.origin is None and config.always_send), acao
        # Never a grant to an origin the policy does not allow.
        assert config.allows(acao[0]), acao

    # Exactly the headers the reference expects. With intercept_exceptions off, an error
    # response (404, 405, the view's 500) may be left alone.
    got = cors_headers(response)
    error = is_error(req)
    left_alone = error and not config.intercept_exceptions and got == {}
    wants = [expected(config, req)]
    if not covered:
        assert got == {}, got
    elif not left_alone:
        assert got in wants, (got, wants)
        if got and req.preflight and config.automatic_options and not error:
            assert response.status_code < 300, response.status_code

    # Vary: Origin whenever the response could differ by origin. A public policy with
    # always_send answers '*' to every request.
    if covered and config.vary_header and not left_alone:
        same_for_all = config.public and config.always_send
        refused_origin = (
            req.origin is not None
            and not config.allows(req.origin)
            and "Access-Control-Allow-Origin" not in got
        )
        if not same_for_all or refused_origin:
            vary = {v.strip().lower() for v in ", ".join(headers.getlist("Vary")).split(",")}
            assert "origin" in vary, dict(headers)


@settings(max_examples=EXAMPLES, deadline=None)
@given(configs(), requests)
def test_invariants(config: Config, req: Req) -> None:
    check(config, req, send(make_app(config), req))


@settings(max_examples=EXAMPLES // 2, deadline=None)
@given(configs(), st.lists(requests, min_size=2, max_size=6))
def test_invariants_across_requests_to_one_app(config: Config, reqs: list[Req]) -> None:
    """One app answers several requests in turn: no answer leaks into the next one."""
    app = make_app(config)
    for req in reqs:
        check(config, req, send(app, req))


@settings(max_examples=EXAMPLES // 2, deadline=None)
@given(configs(), requests)
def test_a_repeated_request_gets_the_same_answer(config: Config, req: Req) -> None:
    """The first request from an origin is decided; the next ones reuse the kept decision
    (a shorter path through the hook). Both answers are the same, line for line."""
    app = make_app(config)
    first = send(app, req)
    check(config, req, first)
    for _ in range(2):
        again = send(app, req)
        assert (again.status_code, list(again.headers)) == (first.status_code, list(first.headers))
