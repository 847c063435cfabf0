"""Invariants for any valid configuration and any request (hypothesis; marked slow).

Never a 500 from the CORS layer; at most one Access-Control-Allow-Origin, equal to the
request's origin or '*'; never credentials with '*'; never a grant to an origin the policy does
not allow (checked against an independent reference matcher); no CR, LF or NUL in any header;
a refused preflight carries no Access-Control-Allow-* and no Max-Age; Vary names Origin
whenever the response could differ by origin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import build_app

pytestmark = pytest.mark.slow

HOSTS = ["a.example", "b.example", "x.a.example", "y.x.a.example", "localhost", "127.0.0.1"]
SCHEMES = ["http", "https"]
PORTS = ["", ":8080", ":5001"]
GOOD_ORIGINS = [f"{s}://{h}{p}" for s in SCHEMES for h in HOSTS for p in PORTS]
HOSTILE_ORIGINS = [
    "null",
    "https://a.example/",
    "https://a.example, https://b.example",
    "https://a.example\r\nX-Injected: 1",
    "https://a.example\x00",
    "HTTPS://A.EXAMPLE",
    "https://a.example.evil.test",
    "https://" + "a" * 10_000,
    "",
    " https://a.example",
]


@dataclass(frozen=True)
class Config:
    origins: list[str]
    credentials: bool
    send_wildcard: bool
    always_send: bool
    vary_header: bool
    allow_headers: list[str]
    methods: list[str]
    max_age: Optional[int]
    private_network: bool

    @property
    def any_origin(self) -> bool:
        return "*" in self.origins

    def options(self) -> dict[str, Any]:
        return {
            "origins": self.origins,
            "supports_credentials": self.credentials,
            "send_wildcard": self.send_wildcard,
            "always_send": self.always_send,
            "vary_header": self.vary_header,
            "allow_headers": self.allow_headers,
            "methods": self.methods,
            "max_age": self.max_age,
            "allow_private_network": self.private_network,
            "expose_headers": ["X-Total-Count"],
        }

    def allows(self, origin: str) -> bool:
        """Reference matcher, written independently of flask_crossorigin.origins."""
        if origin == "null":
            return self.any_origin
        m = re.fullmatch(r"([a-z]+)://([a-z0-9.\-]+)(:[0-9]+)?", origin.lower())
        if m is None or (origin != origin.lower() and origin.lower() not in GOOD_ORIGINS):
            return False
        scheme, host, port = m.group(1), m.group(2), m.group(3) or ""
        for entry in self.origins:
            if entry == "*" or entry == origin.lower():
                return True
            if entry.startswith(f"{scheme}://*."):
                domain = entry[len(f"{scheme}://*.") :]
                if not port and host.endswith("." + domain):
                    return True
            if entry == f"{scheme}://{host}:*":
                return True
            if entry.startswith("re:") and re.fullmatch(entry[3:], origin, re.IGNORECASE):
                return True
        return False


origin_entries = st.one_of(
    st.sampled_from(GOOD_ORIGINS),
    st.sampled_from(["https://*.a.example", "http://*.a.example", "http://localhost:*"]),
)


@st.composite
def configs(draw: st.DrawFn) -> Config:
    credentials = draw(st.booleans())
    entries = draw(st.lists(origin_entries, min_size=1, max_size=4, unique=True))
    if not credentials and draw(st.booleans()):
        entries = ["*"]
    return Config(
        origins=entries,
        credentials=credentials,
        send_wildcard=draw(st.booleans()),
        always_send=draw(st.booleans()),
        vary_header=draw(st.booleans()),
        allow_headers=draw(st.sampled_from([["*"], ["Content-Type", "X-Token"], [r"X-.*"]])),
        methods=draw(st.sampled_from([["GET", "POST", "PUT"], ["GET"], ["*"]])),
        max_age=draw(st.sampled_from([None, 0, 600])),
        private_network=draw(st.booleans()),
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


requests = st.builds(
    Req,
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]),
    path=st.sampled_from(["/api/items", "/api/items/1", "/nowhere", "/api/../api/items", "/boom"]),
    origin=st.one_of(st.none(), st.sampled_from(GOOD_ORIGINS), st.sampled_from(HOSTILE_ORIGINS)),
    acrm=st.one_of(st.none(), st.sampled_from(["GET", "PUT", "patch", "PURGE", "BAD METHOD", ""])),
    acrh=st.one_of(
        st.none(),
        st.sampled_from(
            ["content-type", "x-token", "authorization", "x-a,x-b", ",,,", "x\r\ny", "x" * 5000]
        ),
        st.text(max_size=30),
    ),
    acrpn=st.sampled_from([None, "true", "false", "TRUE"]),
    cookie=st.booleans(),
)


def make_app(config: Config) -> Flask:
    app = build_app(config={"PROPAGATE_EXCEPTIONS": False}, **config.options())
    return app


def send(app: Flask, req: Req) -> Any:
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


@settings(max_examples=1000, deadline=None)
@given(configs(), requests)
def test_invariants(config: Config, req: Req) -> None:
    response = send(make_app(config), req)
    headers = response.headers
    # Never a 500 from the CORS layer (the /boom view's own failure is the app's 500).
    assert response.status_code < 500 or req.path == "/boom"
    acao = headers.getlist("Access-Control-Allow-Origin")
    assert len(acao) <= 1
    for name, value in headers:
        assert not set(value) & {"\r", "\n", "\x00"}, (name, value)
    if acao:
        if acao[0] == "*":
            assert config.any_origin and not config.credentials
            assert config.send_wildcard or req.origin is None
            assert "Access-Control-Allow-Credentials" not in headers
        else:
            assert acao[0] == req.origin or (req.origin is None and config.always_send)
            granted = acao[0]
            assert config.allows(granted), granted
    preflight = req.method == "OPTIONS" and req.origin is not None and req.acrm is not None
    if preflight and not acao:
        assert not [k for k, _ in headers if k.startswith("Access-Control-Allow-")]
        assert "Access-Control-Max-Age" not in headers
    public = config.any_origin and config.send_wildcard and config.always_send
    # A public policy answers '*' to every well-formed origin; only its refusal of a malformed
    # Origin depends on the Origin.
    refused_by_public = req.origin is not None and not config.allows(req.origin)
    if config.vary_header and (not public or refused_by_public):
        assert "Origin" in headers.get("Vary", ""), dict(headers)
