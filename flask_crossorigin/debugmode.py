"""Debug mode: with ``app.debug`` on, a refused request says why in the browser's DevTools.

Called from one place, :func:`flask_crossorigin.respond.write`, and only when
``app.config["DEBUG"]`` is true: with debug off, nothing here runs and no response changes.
Flask's debug mode is for the development server; a production server never runs with it.

Two things, both about the current request only:

- every refused response carries :data:`REFUSED_HEADER`, the refusal's reason and fix
  (:class:`~flask_crossorigin.decision.Reason`), every request-derived value escaped (no
  control character, no CR or LF) and the whole bounded to :data:`MAX_VALUE_LENGTH`;
  DevTools shows a response's headers even when the page cannot read them;
- a preflight refused for its method or a header, from an origin the policy allows, is
  answered with that origin's grant and only what the policy allows
  (``Access-Control-Allow-Methods`` without the method, ``Access-Control-Allow-Headers``
  without the header), so that the browser's console names the method or header instead of
  a missing ``Access-Control-Allow-Origin``. The preflight still fails in the browser: the
  browser checks the method and every header itself, no ``*`` and no
  ``Access-Control-Max-Age`` is sent, and a failed preflight is never cached. A refused
  origin gets no grant and no list: the header names the origin and the option, never the
  allowed origins.
"""

from __future__ import annotations

from typing import Any, Optional

from werkzeug.datastructures import Headers

from .decision import Decision, Reason, decide_actual
from .explain import fix
from .logsafe import loggable
from .policy import ACAC, ACAH, ACAM, ACAO, Policy
from .tokens import parse_request_headers

#: The response header that states a refusal's reason and fix in debug mode.
REFUSED_HEADER = "X-CORS-Refused"
#: The longest value of :data:`REFUSED_HEADER`, in characters.
MAX_VALUE_LENGTH = 400
#: The longest request value quoted in it, in characters (before escaping).
MAX_QUOTED = 80

_SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})


def refusal_text(decision: Decision, policy: Optional[Policy] = None) -> str:
    """``reason-code: sentence; fix: sentence``, request values quoted and escaped; the fix
    names where the option is set (never its value: the page is not to learn the policy)."""
    reason = decision.reason
    detail = loggable(decision.detail, MAX_QUOTED) if decision.detail else ""
    text = f"{reason.value}: {reason.explain(detail)}"
    if reason.fix:
        text += f"; fix: {fix(reason, policy, with_value=False)}"
    # loggable() leaves printable ASCII only; the sentences are ASCII. Bound the whole.
    return text[:MAX_VALUE_LENGTH]


def explain_refusal(
    decision: Decision,
    policy: Policy,
    headers: Headers,
    environ: dict[str, Any],
    origin: Optional[str],
) -> None:
    """Add the debug answer to a refused response's ``headers`` (see the module's docs)."""
    headers.add(REFUSED_HEADER, refusal_text(decision, policy))
    if not decision.preflight or origin is None:
        return
    reason = decision.reason
    if reason is Reason.METHOD_NOT_ALLOWED and not policy.any_method:
        grant = _origin_grant(policy, origin)
        if grant is None:
            return
        headers.extend(grant)
        if policy.methods:
            headers.add(ACAM, ", ".join(sorted(policy.methods)))
    elif reason is Reason.HEADER_NOT_ALLOWED:
        method = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD") or ""
        names = parse_request_headers(environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS") or "")
        grant = _origin_grant(policy, origin)
        if grant is None or names is None:
            return
        headers.extend(grant)
        if method not in _SAFELISTED_METHODS:
            headers.add(ACAM, method)  # the policy allowed it: the refusal came after
        allowed = [name for name in names if policy.allow_headers.allows(name.lower())]
        if allowed:
            headers.add(ACAH, ", ".join(allowed))


def _origin_grant(policy: Policy, origin: str) -> Optional[list[tuple[str, str]]]:
    """``Access-Control-Allow-Origin`` (and ``-Credentials``) as the policy grants them to
    ``origin``, or ``None`` when it does not."""
    granted = decide_actual(policy, origin)
    if granted.reason is not Reason.ALLOWED:
        return None
    return [(n, v) for n, v in granted.headers if n in (ACAO, ACAC)]
