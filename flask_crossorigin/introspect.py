"""Public introspection: which policy covers a path, and what a browser would see.

The CLI, the debug log and the tests use these; they ask the same questions as the request
path (:meth:`AppState.covering` and :func:`decide`), never a second copy of the rules.
:func:`simulate` answers from the policy alone; :func:`run_check` sends the exchanges through
the app itself and lets :mod:`flask_crossorigin.judge` decide, as a browser would.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Optional
from urllib.parse import urlsplit

from flask import Flask, request_started
from flask import request as flask_request
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from .configure import Coverage
from .decision import Decision, Reason, decide
from .decorator import find_cross_origin, view_label
from .extension import STATE_KEY, AppState
from .judge import CORSRequest, NotFollowed, Outcome, Received, Sent
from .judge import fetch as judge_fetch
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


#: The base URL ``flask cors check`` sends its requests to through the test client.
CHECK_BASE_URL = "http://localhost"


@dataclass(frozen=True)
class Seen:
    """What the app itself saw of one request: its path and the prefix it is mounted under."""

    path: str
    script_root: str


@dataclass(frozen=True)
class Check:
    """``flask cors check``: the browser's outcome on the app's own responses.

    ``outcome`` is the judge's (:mod:`flask_crossorigin.judge`) over every exchange, in order;
    ``seen`` what the app saw of each request (``None`` when the request never reached Flask's
    dispatch, e.g. answered by a WSGI middleware); ``errors`` an exception the app raised on
    an exchange (shown to the browser as a 500).
    """

    outcome: Outcome
    seen: tuple[Optional[Seen], ...]
    errors: tuple[Optional[str], ...]


def client_exchange(client: FlaskClient, sent: Sent) -> Received:
    """Send ``sent`` (a URL under :data:`CHECK_BASE_URL`) through a Flask test client, as the
    judge's senders do; the response's status, headers and reason phrase."""
    parts = urlsplit(sent.url)
    response = client.open(
        parts.path,
        method=sent.method,
        headers=list(sent.headers),
        query_string=parts.query,
        base_url=CHECK_BASE_URL,
    )
    received = Received(
        response.status_code, tuple(response.headers.items()), response.status.partition(" ")[2]
    )
    response.close()
    return received


def run_check(app: Flask, path: str, request: CORSRequest) -> Check:
    """Send the browser's exchanges for ``request`` to ``path`` through the app itself.

    Flask's test client runs ``app.wsgi_app`` (middleware included), every hook, error handler
    and view; redirects inside the app are followed as a browser follows them. Nothing is
    simulated from the policy: the verdict is :func:`flask_crossorigin.judge.fetch`'s on the
    real responses (SPEC section 6). The request is really sent: a ``PUT`` or ``DELETE`` runs
    its view.
    """
    client = app.test_client()
    seen: list[Optional[Seen]] = []
    errors: list[Optional[str]] = []
    current: list[Optional[Seen]] = [None]

    def record(sender: Flask, **extra: object) -> None:
        current[0] = Seen(flask_request.path, flask_request.script_root)

    def send(sent: Sent) -> Received:
        parts = urlsplit(sent.url)
        if f"{parts.scheme}://{parts.netloc}" != CHECK_BASE_URL:
            raise NotFollowed(sent.url)
        current[0] = None
        error: Optional[str] = None
        try:
            received = client_exchange(client, sent)
        except Exception as raised:  # the app's own error, shown as a browser would see it
            error = f"{type(raised).__name__}: {raised}"
            received = Received(500, (), "INTERNAL SERVER ERROR")
        seen.append(current[0])
        errors.append(error)
        return received

    with request_started.connected_to(record, app):
        outcome = judge_fetch(request, CHECK_BASE_URL + path, send)
    return Check(outcome, tuple(seen), tuple(errors))


def route_note(app: Flask, path: str, method: str, status: int) -> str:
    """What the app's URL map says about a 404, 405 or redirect on ``path``, or ``""``."""
    adapter = app.url_map.bind("localhost")
    try:
        adapter.match(path, method)
    except RequestRedirect as redirect:
        target = redirect.new_url.split("localhost", 1)[-1]
        return f"strict slashes: the URL rule is {target.split('?', 1)[0]}"
    except MethodNotAllowed as error:
        allowed = ", ".join(sorted(error.valid_methods or ()))
        return f"the route does not accept {method}; it accepts {allowed}"
    except HTTPException:
        if status == 404:
            return f"no route matches {path}"
    return ""


def mounted_candidate(app: Flask, path: str) -> Optional[str]:
    """A shorter path the app has a route for, when ``path`` carries a mount prefix."""
    adapter = app.url_map.bind("localhost")
    segments = path.split("/")
    for start in range(2, len(segments)):
        candidate = "/" + "/".join(segments[start:])
        try:
            adapter.match(candidate, "GET")
        except NotFound:
            continue
        except (RequestRedirect, HTTPException):
            return candidate
        return candidate
    return None
