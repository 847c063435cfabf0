"""The thin Flask layer: read the request, ask :func:`decide`, write the headers, log why.

Both the extension's hooks and the decorator call :func:`write`; nothing else writes CORS
headers.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from typing import Any, Callable, Optional, cast

from flask import Flask, Request, Response, current_app, has_request_context, request
from werkzeug.datastructures import Headers
from werkzeug.local import LocalProxy
from werkzeug.wsgi import get_path_info

from .debugmode import explain_refusal
from .decision import Decision, decide, decide_actual
from .explain import fix
from .logsafe import loggable, loggable_method
from .policy import ACEH, Policy

logger = logging.getLogger("flask_crossorigin")

#: The ``environ`` key that holds the response whose CORS headers are written, so that no
#: later hook writes them again. (Kept in the request's ``environ`` rather than on the
#: response: a new attribute on a Werkzeug response costs more than the whole look-up.)
DONE = "flask_crossorigin.done"

#: The ``environ`` key that holds a response whose ``Access-Control-Expose-Headers`` lists
#: the response's own header names, to be listed again once every hook has run.
EXPOSE = "flask_crossorigin.expose"

#: ``[True]`` once any response has been remembered under :data:`EXPOSE` in this process
#: (it is never reset): until then, the extension does not look for one after each request.
exposing = [False]

# Never listed by expose_headers='*' with credentials: browsers hide these anyway, they are
# CORS-safelisted response headers that every page can read already, or (Vary) they speak to
# caches, not to the page.
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
        "vary",
    }
)

_DEBUG = logging.DEBUG

#: The ``Vary`` line added to a response that has none.
VARY_ORIGIN = ("Vary", "Origin")

#: Whether Werkzeug's ``Headers`` keeps its lines in a plain list, ``_list`` (it has since its
#: first release). The response path reads and extends that list directly, since each method
#: call costs as much as the look-ups themselves; should a Werkzeug release change that, the
#: path falls back to the public methods.
LINES_DIRECT = isinstance(getattr(Headers(), "_list", None), list)
#: The headers type whose lines are read and extended directly (``None``: none is).
_DIRECT_TYPE: Optional[type[Headers]] = Headers if LINES_DIRECT else None
#: ``logger.isEnabledFor``, looked up once.
_logs = logger.isEnabledFor

#: The (origin, rule, reason) keys already warned about with ``app.debug``: at most
#: ``_WARNED_LIMIT``, exactly, whatever the number of threads (checked and added under a lock),
#: each value at most ``WARNED_VALUE_LENGTH`` characters and a digest (SPEC 7): the origin
#: and, for a request no route matches, the path are the client's, of any length.
_warned: set[tuple[str, str, str]] = set()
_WARNED_LIMIT = 1024
#: Longer request values are kept as their first characters and a digest of the whole.
WARNED_VALUE_LENGTH = 256
_warned_lock = threading.Lock()


def _kept(value: str) -> str:
    """``value``, or its first :data:`WARNED_VALUE_LENGTH` characters and a 128-bit digest of
    the whole (two long values that differ anywhere stay apart)."""
    if len(value) <= WARNED_VALUE_LENGTH:
        return value
    digest = hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return f"{value[:WARNED_VALUE_LENGTH]}#{digest}"


def _first_warning(key: tuple[str, str, str]) -> bool:
    """Remember ``key`` (each value bounded by :func:`_kept`); whether it is new (the set is
    emptied when full)."""
    key = (_kept(key[0]), _kept(key[1]), _kept(key[2]))
    if key in _warned:
        return False
    with _warned_lock:
        if key in _warned:
            return False
        if len(_warned) >= _WARNED_LIMIT:
            _warned.clear()
        _warned.add(key)
        return True


#: The current request itself. Each attribute read through Flask's ``request`` proxy looks
#: the request up again; the hooks look it up once.
current_request: Callable[[], Request] = cast("LocalProxy[Request]", request)._get_current_object
current_app_object: Callable[[], Flask] = cast("LocalProxy[Flask]", current_app)._get_current_object


def write(
    policy: Policy,
    response: Response,
    where: str,
    environ: dict[str, Any],
    app: Flask,
) -> Optional[Decision]:
    """Decide for the current request and write the CORS headers onto ``response``.

    The one function that writes CORS headers: the extension's hooks and ``@cross_origin``
    call it. ``environ`` is the request's WSGI environ, ``app`` the current app, ``where`` the
    policy's source (for logs). A response that already carries
    ``Access-Control-Allow-Origin`` (set by the view) is left alone and ``None`` returned;
    otherwise the decision is returned (SPEC section 4).

    A request that is not a preflight is answered from ``policy.answers`` (one look-up once an
    origin has been seen). With ``expose_headers='*'`` and credentials, the response is
    remembered in ``environ`` so that the extension lists its header names again once every
    ``after_request`` hook has run.
    """
    headers = response.headers
    # One pass over the lines: is Access-Control-Allow-Origin there (then the response is
    # left alone), and is Vary there (to merge with)? Only names of the right length are
    # lowered. The names and values were checked when the policy was compiled (an origin is
    # echoed only once it is known to be well-formed), so on Werkzeug's own Headers the lines
    # go straight onto its list rather than through ``add``, which would check them again.
    direct = type(headers) is _DIRECT_TYPE
    has_vary = False
    for name, _ in headers._list if direct else headers:
        size = len(name)
        if size == 4:
            if name.lower() == "vary":
                has_vary = True
        elif size == 27 and name.lower() == "access-control-allow-origin":
            return None
    origin = environ.get("HTTP_ORIGIN")
    if origin is not None and environ.get("REQUEST_METHOD") == "OPTIONS":
        decision = decide(
            policy,
            "OPTIONS",
            origin,
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"),
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"),
        )
    else:
        found = policy.answers.get(origin)
        decision = decide_actual(policy, origin) if found is None else found
    if decision.headers:
        if direct:
            headers._list.extend(decision.headers)
        else:
            for name, value in decision.headers:
                headers.add(name, value)
    if decision.vary_origin:
        if direct and not has_vary:
            headers._list.append(VARY_ORIGIN)
        else:
            add_vary_origin(headers, has_vary)
    if decision.expose_response_headers:
        expose_own_headers(headers)
        exposing[0] = True
        environ[EXPOSE] = response
    environ[DONE] = response
    if decision.refused:
        if app.config["DEBUG"] or _logs(_DEBUG):
            log_refusal(decision, policy, origin, where, environ, app)
            if app.config["DEBUG"]:
                explain_refusal(decision, policy, headers, environ, origin)
    elif _logs(_DEBUG):
        log_grant(decision, environ, origin)
    return decision


def expose_own_headers(headers: Headers) -> None:
    """``Access-Control-Expose-Headers`` listing the response's own header names (replacing
    any earlier list): ``expose_headers='*'`` with credentials (SPEC section 4)."""
    names = _own_header_names(headers)
    if names:
        headers.set(ACEH, names)
    else:
        headers.remove(ACEH)


def log_grant(decision: Decision, environ: dict[str, Any], origin: Optional[str]) -> None:
    """DEBUG: a grant, with the request's method, path and origin."""
    logger.debug(
        "%s %s from Origin %s: %s",
        loggable_method(environ.get("REQUEST_METHOD", "GET")),
        loggable(_path(environ)),
        loggable(origin),
        decision.explain(),
    )


def add_vary_origin(headers: Headers, present: bool) -> None:
    """Add ``Origin`` to ``Vary``, merging with what is there; ``Vary: *`` stays as it is.

    ``present`` says whether ``headers`` has a ``Vary`` already.
    """
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


def _path(environ: dict[str, Any]) -> str:
    """The request's path as Werkzeug decodes it (``request.path``), without a request
    context: a preflight may be answered before Flask pushes one."""
    return "/" + get_path_info(environ).lstrip("/")


def log_refusal(
    decision: Decision,
    policy: Policy,
    origin: Optional[str],
    where: str,
    environ: Optional[dict[str, Any]] = None,
    app: Optional[Flask] = None,
) -> None:
    """DEBUG for every refusal; with ``app.debug``, one WARNING per origin, rule and reason.

    Callers on the response path call it only when ``app.debug`` is on or the logger takes
    DEBUG records; it checks again, so any caller may call it. Without ``environ`` and
    ``app``, the current request's and app's are used; with them, no request context is
    needed (a preflight answered before Flask pushes one, SPEC section 4).
    """
    app_debug = (app or current_app_object()).debug
    if not (app_debug or logger.isEnabledFor(_DEBUG)):
        return
    if environ is None:
        environ = current_request().environ
    path = _path(environ)
    url_rule = request.url_rule if has_request_context() else None
    rule = url_rule.rule if url_rule is not None else path
    level = logging.DEBUG
    if app_debug:
        key = (origin or "", rule, decision.reason.value)
        if _first_warning(key):
            level = logging.WARNING
    logger.log(
        level,
        "CORS refused %s %s from Origin %s (%s, covered by %s): %s. Fix: %s",
        loggable_method(environ.get("REQUEST_METHOD", "GET")),
        loggable(path),
        loggable(origin),
        decision.reason.value,
        where or "this policy",
        decision.reason.explain(loggable(decision.detail or origin)),
        fix(decision.reason, policy),
    )
