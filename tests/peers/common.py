"""Shared helpers for the peers' tables: one small app per policy, requests through Flask's
test client, and the browser's verdict read from the response.

A row compares what a browser decides: for an actual request, the exact
``Access-Control-Allow-Origin`` and whether ``Access-Control-Allow-Credentials: true`` is
sent; for a preflight, whether it passes the CORS-preflight check. Where a peer's expectation
contradicts SPEC, the row carries the SPEC answer and names the deviation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Optional

from flask import Flask
from werkzeug.test import TestResponse

from flask_crossorigin import CORS

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACEH = "Access-Control-Expose-Headers"
ACMA = "Access-Control-Max-Age"

#: Every method the peers' tables send; the one route accepts all of them.
ROUTE_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "PURGE", "HELP"]


def make_app(
    options: Optional[Mapping[str, Any]],
    path: str = "/",
    response_headers: Optional[Mapping[str, str]] = None,
) -> Flask:
    """An app with one route at ``path`` whose responses carry ``response_headers``;
    ``options`` ``None`` leaves the route uncovered (the peers' "no CORS" configuration)."""
    app = Flask("peer_table")
    extra = dict(response_headers or {})

    def view() -> tuple[str, dict[str, str]]:
        return "bar", extra

    app.add_url_rule(path, "view", view, methods=ROUTE_METHODS)
    if options is None:
        CORS(app, resources={"/not-this-route": {}})
    else:
        CORS(app, **options)
    return app


def send(
    app: Flask,
    method: str,
    origin: Optional[str],
    request_method: Optional[str] = None,
    request_headers: Iterable[str] = (),
    path: str = "/",
    extra: Iterable[tuple[str, str]] = (),
) -> TestResponse:
    """One request; each element of ``request_headers`` is one header line."""
    headers: list[tuple[str, str]] = []
    if origin is not None:
        headers.append(("Origin", origin))
    if request_method is not None:
        headers.append(("Access-Control-Request-Method", request_method))
    headers += [("Access-Control-Request-Headers", line) for line in request_headers]
    headers += list(extra)
    return app.test_client().open(path, method=method, headers=headers)


@dataclass(frozen=True)
class Verdict:
    """What a browser reads from a response."""

    acao: Optional[str]
    credentials: bool

    @classmethod
    def of(cls, response: TestResponse) -> Verdict:
        acao = response.headers.getlist(ACAO)
        assert len(acao) <= 1, acao
        return cls(acao[0] if acao else None, response.headers.get(ACAC) == "true")


def preflight_passes(
    response: TestResponse,
    origin: str,
    request_method: str,
    request_headers: Iterable[str] = (),
) -> bool:
    """The Fetch standard's CORS-preflight check, as a browser runs it on the response."""
    if not 200 <= response.status_code < 300:
        return False
    acao = response.headers.get(ACAO)
    credentials = response.headers.get(ACAC) == "true"
    if acao not in (origin, "*"):
        return False
    methods = {m.strip() for m in response.headers.get(ACAM, "").split(",") if m.strip()}
    safelisted = {"GET", "HEAD", "POST"}
    if request_method not in methods | safelisted and not ("*" in methods and not credentials):
        return False
    allowed = {h.strip().lower() for h in response.headers.get(ACAH, "").split(",")}
    for line in request_headers:
        for name in (n.strip().lower() for n in line.split(",")):
            if name and name not in allowed and not ("*" in allowed and not credentials):
                return False
    return True
