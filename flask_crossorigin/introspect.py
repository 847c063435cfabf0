"""Public introspection: which policy covers a path, and what a browser would see.

The CLI, the debug log and the tests use these; they ask the same questions as the request
path (:meth:`AppState.covering` and :func:`decide`), never a second copy of the rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Optional

from flask import Flask
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from .configure import Coverage
from .decision import Decision, Reason, decide
from .decorator import find_cross_origin, view_label
from .extension import STATE_KEY, AppState
from .policy import ACAC, ACAO

#: Methods a browser sends without a preflight (Fetch: CORS-safelisted methods).
SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})
#: Request headers a browser sends without a preflight (for the values a page usually sets).
SAFELISTED_HEADERS = frozenset({"accept", "accept-language", "content-language"})


class UnknownPath(LookupError):
    """No route of the app matches the path (it would be a 404)."""


def endpoint_for(app: Flask, path: str, method: str = "GET") -> Optional[str]:
    """The endpoint Flask routes ``path`` to, or ``None`` if no rule matches it."""
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match(path, method)
    except MethodNotAllowed:
        try:
            endpoint, _ = adapter.match(path, "OPTIONS")
        except HTTPException:
            return None
    except RequestRedirect as redirect:
        return endpoint_for(app, redirect.new_url.split("localhost", 1)[-1], method)
    except HTTPException:
        return None
    return str(endpoint)


def coverage(app: Flask, path: str, method: str = "GET") -> Optional[Coverage]:
    """The policy covering ``path`` (and where it comes from), or ``None`` if none does.

    Raises :class:`UnknownPath` when no route matches ``path``.
    """
    endpoint = endpoint_for(app, path, method)
    found = _covering(app, endpoint, path)
    if endpoint is None and found is None:
        raise UnknownPath(path)
    return found


def _covering(app: Flask, endpoint: Optional[str], path: str) -> Optional[Coverage]:
    """What the request path asks: the extension's state, or the decorator alone."""
    state = app.extensions.get(STATE_KEY)
    if isinstance(state, AppState):
        return state.covering(endpoint, path)
    if endpoint is None:
        return None
    view = app.view_functions[endpoint]
    decorator = find_cross_origin(view)
    return decorator.coverage_for(app, view_label(view)) if decorator is not None else None


_VARIABLE = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>")
_SAMPLES = {"int": "1", "float": "1.0", "uuid": "00000000-0000-0000-0000-000000000000"}


@dataclass(frozen=True)
class Route:
    """One URL rule of an app and the policy that covers it."""

    rule: str
    endpoint: str
    methods: tuple[str, ...]
    coverage: Optional[Coverage]


def sample_path(rule: str) -> str:
    """A concrete path for a rule: each ``<variable>`` replaced by a sample value."""
    return _VARIABLE.sub(lambda m: _SAMPLES.get(m.group(1) or "", "x"), rule)


def routes(app: Flask) -> list[Route]:
    """Every URL rule with its covering policy (variable parts judged by a sample value)."""
    return [
        Route(
            rule.rule,
            rule.endpoint,
            tuple(sorted(rule.methods or ())),
            _covering(app, rule.endpoint, sample_path(rule.rule)),
        )
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
    ]


@dataclass(frozen=True)
class Simulation:
    """What a browser would do for one cross-origin request."""

    allowed: bool
    preflight: Optional[Decision]
    actual: Optional[Decision]
    #: Why the browser blocks it; ``None`` when allowed.
    reason: Optional[Reason]
    detail: str = ""
    coverage: Optional[Coverage] = None
    notes: tuple[str, ...] = field(default=())


def needs_preflight(
    method: str, headers: Sequence[str], credentials: bool, private_network: bool
) -> bool:
    del credentials  # credentials alone never trigger a preflight
    if private_network or method.upper() not in SAFELISTED_METHODS:
        return True
    return any(h.lower() not in SAFELISTED_HEADERS for h in headers)


def simulate(
    app: Flask,
    path: str,
    origin: str,
    method: str = "GET",
    headers: Sequence[str] = (),
    credentials: bool = False,
    private_network: bool = False,
) -> Simulation:
    """Simulate a browser's cross-origin request to ``path``, preflight included.

    Raises :class:`UnknownPath` when no route matches ``path``.
    """
    found = coverage(app, path, method)
    if found is None:
        return Simulation(False, None, None, Reason.NOT_COVERED)
    policy = found.policy
    preflight: Optional[Decision] = None
    if needs_preflight(method, headers, credentials, private_network):
        preflight = decide(
            policy,
            "OPTIONS",
            origin,
            method,
            ",".join(h.lower() for h in headers) or None,
            "true" if private_network else None,
        )
        if preflight.reason.refused:
            return Simulation(False, preflight, None, preflight.reason, preflight.detail, found)
    actual = decide(policy, method, origin)
    if actual.reason.refused:
        return Simulation(False, preflight, actual, actual.reason, actual.detail, found)
    if credentials:
        sent = dict(actual.headers)
        if sent.get(ACAC) != "true" or sent.get(ACAO) == "*":
            reason = Reason.CREDENTIALS_NOT_ALLOWED
            return Simulation(False, preflight, actual, reason, origin, found)
    return Simulation(True, preflight, actual, None, "", found)
