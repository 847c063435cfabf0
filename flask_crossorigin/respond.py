"""The thin Flask layer: read the request, ask :func:`decide`, write the headers, log why.

Both the extension's hooks and the decorator call :func:`apply`; nothing else writes CORS
headers.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Optional, cast

from flask import Flask, Request, Response, current_app, request
from werkzeug.datastructures import Headers
from werkzeug.local import LocalProxy

from .decision import Decision, decide
from .explain import fix
from .logsafe import loggable, loggable_method
from .policy import ACEH, Policy

logger = logging.getLogger("flask_crossorigin")

#: Attribute set on a response once CORS has been evaluated for it.
DONE = "_flask_crossorigin_done"

# Never listed by expose_headers='*' with credentials: browsers hide these anyway, or they are
# CORS-safelisted response headers that every page can read already.
_NOT_EXPOSED = frozenset(
    {
        "set-cookie",
        "set-cookie2",
        "cache-control",
        "content-language",
        "content-length",
        "content-type",
        "expires",
        "last-modified",
        "pragma",
    }
)

_warned: set[tuple[str, str, str]] = set()
_WARNED_LIMIT = 1024


#: The current request itself. Each attribute read through Flask's ``request`` proxy looks
#: the request up again; the hooks look it up once.
current_request: Callable[[], Request] = cast("LocalProxy[Request]", request)._get_current_object
_current_app: Callable[[], Flask] = cast("LocalProxy[Flask]", current_app)._get_current_object


def has_header(headers: Headers, lowered_name: str) -> bool:
    """``lowered_name in headers``, without the exception ``Headers`` raises on a miss."""
    for name, _ in headers:  # noqa: SIM110 (a loop: no generator object per call)
        if name.lower() == lowered_name:
            return True
    return False


#: Flags from :func:`scan`.
HAS_ALLOW_ORIGIN = 1
HAS_VARY = 2


def scan(headers: Headers) -> int:
    """One pass over a response's headers: is ``Access-Control-Allow-Origin`` there (a view
    set it, so the response is left alone), and is ``Vary`` there (to merge with)?"""
    found = 0
    for name, _ in headers:
        lowered = name.lower()
        if lowered == "access-control-allow-origin":
            found |= HAS_ALLOW_ORIGIN
        elif lowered == "vary":
            found |= HAS_VARY
    return found


def is_preflight(environ: dict[str, object]) -> bool:
    """An ``OPTIONS`` request with ``Origin`` and ``Access-Control-Request-Method``."""
    return (
        environ.get("REQUEST_METHOD") == "OPTIONS"
        and "HTTP_ORIGIN" in environ
        and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ
    )


def apply(
    policy: Policy,
    response: Response,
    where: str = "",
    environ: Optional[dict[str, Any]] = None,
    has_vary: Optional[bool] = None,
) -> Decision:
    """Decide for the current request and add the headers to ``response``.

    A hook that already has the request's ``environ``, or knows from :func:`scan` whether the
    response has a ``Vary`` header, passes them along.
    """
    if environ is None:
        environ = current_request().environ
    method = environ.get("REQUEST_METHOD", "GET")
    origin = environ.get("HTTP_ORIGIN")
    if method == "OPTIONS" and origin is not None:
        decision = decide(
            policy,
            method,
            origin,
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"),
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"),
        )
    else:
        decision = decide(policy, method, origin)
    write(response, decision, has_vary)
    if decision.reason.refused:
        _log_refusal(decision, policy, origin, where)
    elif logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "%s %s from Origin %s: %s",
            loggable_method(method),
            loggable(request.path),
            loggable(origin),
            decision.explain(),
        )
    return decision


def write(response: Response, decision: Decision, has_vary: Optional[bool] = None) -> None:
    headers = response.headers
    for name, value in decision.headers:
        headers.add(name, value)
    if decision.expose_response_headers:
        names = _own_header_names(headers)
        if names:
            headers.add(ACEH, names)
    if decision.vary_origin:
        add_vary_origin(headers, has_vary)
    setattr(response, DONE, True)


def add_vary_origin(headers: Headers, present: Optional[bool] = None) -> None:
    """Add ``Origin`` to ``Vary``, merging with what is there; ``Vary: *`` stays as it is.

    ``present`` says whether ``headers`` has a ``Vary`` already, when the caller knows.
    """
    if present is None:
        present = has_header(headers, "vary")
    if not present:
        headers.add("Vary", "Origin")
        return
    values = headers.getlist("Vary")
    names = [v.strip() for value in values for v in value.split(",") if v.strip()]
    lowered = {n.lower() for n in names}
    if "*" in lowered or "origin" in lowered:
        if len(values) > 1:
            headers["Vary"] = ", ".join(dict.fromkeys(names))
        return
    headers["Vary"] = ", ".join([*dict.fromkeys(names), "Origin"])


def _own_header_names(headers: Headers) -> str:
    names = {
        name
        for name, _ in headers
        if name.lower() not in _NOT_EXPOSED and not name.lower().startswith("access-control-")
    }
    return ", ".join(sorted(names))


def _log_refusal(decision: Decision, policy: Policy, origin: Optional[str], where: str) -> None:
    """DEBUG for every refusal; with ``app.debug``, one WARNING per origin, rule and reason."""
    app_debug = _current_app().debug
    if not (app_debug or logger.isEnabledFor(logging.DEBUG)):
        return
    rule = request.url_rule.rule if request.url_rule is not None else request.path
    level = logging.DEBUG
    if app_debug:
        key = (origin or "", rule, decision.reason.value)
        if key not in _warned:
            if len(_warned) >= _WARNED_LIMIT:
                _warned.clear()
            _warned.add(key)
            level = logging.WARNING
    logger.log(
        level,
        "CORS refused %s %s from Origin %s (%s, covered by %s): %s. Fix: %s",
        loggable_method(request.method),
        loggable(request.path),
        loggable(origin),
        decision.reason.value,
        where or "this policy",
        decision.reason.explain(loggable(decision.detail or origin)),
        fix(decision.reason, policy),
    )
