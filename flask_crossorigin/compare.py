"""``probe`` with the app at hand: the live deployment against the app, request by request.

For each route the app covers, the app's own allowed origins and a set of strangers and
look-alikes (``https://example.com.evil.net``, ``https://evilexample.com``, ``null``, the
other scheme, another port) are asked, a preflight and a ``GET`` each, once over real HTTP
and once through the app itself (Flask's test client: the request through
:func:`~flask_crossorigin.introspect.run_check`, the preflight through the same client). Both
sets of answers are judged by :mod:`~flask_crossorigin.judge`; every request whose verdict
differs is named, with the layer that changed it (SPEC section 6):

- ``duplicate-header``: a CORS header sent twice (the app and a proxy both add it);
- ``cache``: the answer grants an origin asked before (a cache ignored ``Origin``);
- ``edge-grants``: the live answer grants what the app refuses (an edge's own copy of the
  policy that drifted, wider);
- ``edge-refuses``: the live answer refuses what the app grants (the edge drifted narrower,
  strips the headers, or answers with another status).

A live answer without ``Vary: Origin`` where the app sends it is named too (``vary-missing``),
whatever the verdicts. Only safe requests are sent to the live URL: preflights (``OPTIONS``)
and ``GET``; the method a preflight asks for is never sent. The number of requests is bounded
(``max_requests``); the time by the ``send`` callable (:func:`~flask_crossorigin.probe.http_sender`
with a deadline).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Callable

from flask import Flask

from .introspect import CHECK_BASE_URL, Route, client_exchange, routes, run_check, sample_path
from .judge import (
    ACAO,
    CORSRequest,
    Exchange,
    Received,
    Sent,
    fetch,
    header_value,
    preflight_check,
    preflight_request,
)
from .origins import Kind, split_origin
from .probe import duplicates

#: Requests sent to the live URL at most, unless told otherwise.
DEFAULT_MAX_REQUESTS = 200
#: Routes compared at most (the first, in rule order).
MAX_ROUTES = 25
#: Allowed origins of one policy asked at most.
MAX_ALLOWED = 3
#: Methods a preflight may ask for, in order of preference.
_PREFLIGHT_METHODS = ("PUT", "DELETE", "PATCH", "POST")
#: Response headers that say a cache answered.
_CACHE_HEADERS = ("Age", "X-Cache", "X-Cache-Status", "CF-Cache-Status")
#: Always asked: an origin no policy names.
STRANGER = "https://probe.invalid"


@dataclass(frozen=True)
class Case:
    """One request asked of both: a ``GET`` (``kind == "request"``) or a preflight."""

    route: str
    path: str
    kind: str
    request: CORSRequest
    allowed_origin: bool


@dataclass(frozen=True)
class Result:
    """A case's two answers and verdicts; ``layer`` and ``text`` say why they differ."""

    case: Case
    live: Exchange
    app: Exchange
    live_allowed: bool
    app_allowed: bool
    layer: str = ""
    text: str = ""

    @property
    def differs(self) -> bool:
        return self.live_allowed != self.app_allowed


@dataclass(frozen=True)
class Comparison:
    """Every case compared, the ones skipped by the bound, and the notes on ``Vary``."""

    results: tuple[Result, ...]
    skipped: int
    vary_missing: tuple[Result, ...]
    uncovered: int

    @property
    def differences(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if r.differs)


def origins_to_ask(entries: Iterable[object]) -> tuple[list[str], list[str]]:
    """The policy's origins a browser can send (exact entries, ``null``, a pattern's sample),
    and strangers: a look-alike of each, ``null``, the other scheme, another port."""
    allowed: list[str] = []
    for entry in entries:
        kind = getattr(entry, "kind", None)
        text = str(getattr(entry, "text", ""))
        if kind in (Kind.EXACT, Kind.NULL):
            candidate = text
        elif kind in (Kind.SUBDOMAIN, Kind.ANY_PORT):
            candidate = text.replace("*.", "probe.").replace(":*", ":8443")
        else:
            continue
        if (candidate == "null" or split_origin(candidate)) and candidate not in allowed:
            allowed.append(candidate)
    allowed = allowed[:MAX_ALLOWED]
    strangers = [STRANGER, "null"]
    for origin in allowed:
        parts = split_origin(origin)
        if parts is None:
            continue
        scheme, host, port = parts
        suffix = f":{port}" if port else ""
        other_scheme = "http" if scheme == "https" else "https"
        other_port = str(int(port) + 1) if port else ("8443" if scheme == "https" else "8080")
        strangers += [
            f"{scheme}://{host}.evil.net{suffix}",
            f"{scheme}://evil{host.lstrip('[')}{suffix}" if not host.startswith("[") else "",
            f"{other_scheme}://{host}{suffix}",
            f"{scheme}://{host}:{other_port}",
        ]
    seen = set(allowed)
    unique = []
    for origin in strangers:
        if origin and origin not in seen:
            seen.add(origin)
            unique.append(origin)
    return allowed, unique


def plan(app: Flask, max_routes: int = MAX_ROUTES) -> tuple[list[Case], int]:
    """The cases for every covered route (strangers first, so that a cache that keeps the
    first answer shows), and how many routes are not covered."""
    cases: list[Case] = []
    uncovered = 0
    found: list[Route] = [r for r in routes(app) if r.endpoint != "static"]
    for route in found[:max_routes]:
        if route.coverage is None:
            uncovered += 1
            continue
        policy = route.coverage.policy
        allowed, strangers = origins_to_ask(policy.settings.get("origins", ()))
        credentials = policy.supports_credentials
        path = sample_path(route.rule)
        preflight_method = next((m for m in _PREFLIGHT_METHODS if m in route.methods), None)
        for origin in [*strangers, *allowed]:
            is_allowed = origin in allowed
            if "GET" in route.methods:
                request = CORSRequest(origin, "GET", (), credentials)
                cases.append(Case(route.rule, path, "request", request, is_allowed))
            if preflight_method is not None:
                request = CORSRequest(origin, preflight_method, (), credentials)
                cases.append(Case(route.rule, path, "preflight", request, is_allowed))
    return cases, uncovered


def _app_sender(app: Flask) -> Callable[[Sent], Received]:
    client = app.test_client()

    def send(sent: Sent) -> Received:
        return client_exchange(client, sent)

    return send


def _join(base: str, path: str) -> str:
    return base.rstrip("/") + path


def _ask_live(case: Case, url: str, send: Callable[[Sent], Received]) -> tuple[Exchange, bool]:
    if case.kind == "preflight":
        sent = preflight_request(case.request, url)
        received = send(sent)
        verdict = preflight_check(
            case.request, received.status, received.headers, received.location
        )
        return Exchange(sent, received, verdict), verdict.ok
    outcome = fetch(case.request, url, send)
    return outcome.exchanges[-1], outcome.allowed


def _ask_app(case: Case, app: Flask, send: Callable[[Sent], Received]) -> tuple[Exchange, bool]:
    if case.kind == "preflight":
        sent = preflight_request(case.request, CHECK_BASE_URL + case.path)
        received = send(sent)
        verdict = preflight_check(
            case.request, received.status, received.headers, received.location
        )
        return Exchange(sent, received, verdict), verdict.ok
    outcome = run_check(app, case.path, case.request).outcome
    return outcome.exchanges[-1], outcome.allowed


def _varies(received: Received) -> bool:
    vary = header_value(received.headers, "Vary") or ""
    return any(item.strip().lower() in ("origin", "*") for item in vary.split(","))


def _why(
    live: Exchange, app: Exchange, live_allowed: bool, asked: Sequence[str]
) -> tuple[str, str]:
    """The layer that changed the verdict, and a sentence."""
    dup = duplicates(live)
    if dup:
        return "duplicate-header", dup[0].text
    granted = header_value(live.received.headers, ACAO)
    origin = next((v for n, v in live.sent.headers if n.lower() == "origin"), "")
    hints = [
        f"{name}: {value}"
        for name in _CACHE_HEADERS
        if (value := header_value(live.received.headers, name)) is not None
    ]
    if hints and not live_allowed:
        return "cache", (
            f"the live answer comes from a cache ({'; '.join(hints)}) and carries "
            f"{'no grant' if granted is None else 'Access-Control-Allow-Origin: ' + granted}: "
            "the cache served another origin's answer; make it key on Origin (honour Vary)"
        )
    if granted and granted not in ("*", origin) and granted in asked:
        vary = "" if _varies(live.received) else " and has no 'Vary: Origin'"
        return "cache", (
            f"the live answer grants {granted}, an origin asked before{vary}: a cache served "
            "another origin's answer; make it key on Origin"
        )
    app_granted = header_value(app.received.headers, ACAO)
    if live_allowed:
        return "edge-grants", (
            f"the live answer grants it (Access-Control-Allow-Origin: {granted}) and the app "
            f"does not ({'no grant' if app_granted is None else app_granted}): a layer in front "
            "adds its own CORS headers, from a copy of the policy that drifted"
        )
    if live.received.status != app.received.status:
        return "edge-refuses", (
            f"the live URL answers {live.received.status} where the app answers "
            f"{app.received.status}: a layer in front answers instead of the app (or the URL "
            "is not this app)"
        )
    if granted is None and app_granted is not None:
        return "edge-refuses", (
            "the live answer has no Access-Control-Allow-Origin and the app's has one: a layer "
            "in front strips the app's CORS headers"
        )
    return "edge-refuses", (
        f"the live answer ({live.verdict.explain()}) refuses what the app grants: a layer in "
        "front rewrites the CORS headers from a copy of the policy that drifted"
    )


def compare(
    app: Flask,
    base_url: str,
    send_live: Callable[[Sent], Received],
    max_requests: int = DEFAULT_MAX_REQUESTS,
    max_routes: int = MAX_ROUTES,
) -> Comparison:
    """Ask every planned case of the live deployment at ``base_url`` and of ``app``.

    At most ``max_requests`` live requests (the rest are counted as skipped). Network errors
    from ``send_live`` propagate (:class:`~flask_crossorigin.probe.ProbeError`).
    """
    cases, uncovered = plan(app, max_routes)
    send_app = _app_sender(app)
    results: list[Result] = []
    vary: list[Result] = []
    asked: dict[str, list[str]] = {}
    budget = max_requests
    skipped = 0
    for case in cases:
        if budget <= 0:
            skipped += 1
            continue
        budget -= 1
        live, live_allowed = _ask_live(case, _join(base_url, case.path), send_live)
        app_side, app_allowed = _ask_app(case, app, send_app)
        result = Result(case, live, app_side, live_allowed, app_allowed)
        if result.differs:
            layer, text = _why(live, app_side, live_allowed, asked.get(case.path, []))
            result = Result(case, live, app_side, live_allowed, app_allowed, layer, text)
        elif _varies(app_side.received) and not _varies(live.received):
            vary.append(result)
        results.append(result)
        asked.setdefault(case.path, []).append(case.request.origin)
    return Comparison(tuple(results), skipped, tuple(vary), uncovered)
