"""The decision: given a policy and what a request says, which CORS headers to send, and why.

No Flask here: :func:`decide` is a pure function of the compiled policy and five request
values, so the extension, the decorator, the CLI and the tests all ask the same question the
same way. The steps follow the Fetch standard's CORS protocol (section 3.2): a preflight is an
``OPTIONS`` request with ``Origin`` and ``Access-Control-Request-Method``; the CORS check
needs exactly one ``Access-Control-Allow-Origin`` equal to the origin or ``*`` (and never ``*``
with credentials); the preflight's method and header checks follow "CORS-preflight fetch".
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Optional, Union

from .memo import SharedBound
from .origins import MAX_ORIGIN_LENGTH, Match
from .policy import ACAH, ACAM, ACAO, ACAPN, Headers, Policy
from .tokens import is_token, parse_request_headers


class Reason(str, enum.Enum):
    """Why a request got (or did not get) a CORS grant. The value is machine-readable."""

    ALLOWED = "allowed"
    PREFLIGHT_ALLOWED = "preflight-allowed"
    NO_ORIGIN = "no-origin"
    ORIGIN_NOT_ALLOWED = "origin-not-allowed"
    ORIGIN_MALFORMED = "origin-malformed"
    ORIGIN_CHECK_FAILED = "origin-check-failed"
    METHOD_NOT_ALLOWED = "method-not-allowed"
    HEADER_NOT_ALLOWED = "header-not-allowed"
    HEADERS_MALFORMED = "request-headers-malformed"
    PRIVATE_NETWORK_NOT_ALLOWED = "private-network-not-allowed"
    NOT_COVERED = "not-covered"
    CREDENTIALS_NOT_ALLOWED = "credentials-not-allowed"

    @property
    def refused(self) -> bool:
        return self not in _GRANTS

    def explain(self, detail: str = "") -> str:
        """A sentence for logs and the CLI (never for a response body)."""
        return _SENTENCES[self].format(detail=detail)

    @property
    def fix(self) -> str:
        """Which option to change, as a sentence."""
        return _FIXES[self]


_GRANTS = frozenset({Reason.ALLOWED, Reason.PREFLIGHT_ALLOWED, Reason.NO_ORIGIN})

_SENTENCES = {
    Reason.ALLOWED: "the origin is allowed",
    Reason.PREFLIGHT_ALLOWED: "the preflight is allowed",
    Reason.NO_ORIGIN: "the request has no Origin header, so it is not a CORS request",
    Reason.ORIGIN_NOT_ALLOWED: "the origin {detail} is not in the allowed origins",
    Reason.ORIGIN_MALFORMED: "the Origin header {detail} is not a well-formed origin",
    Reason.ORIGIN_CHECK_FAILED: "the origin callable raised an exception for {detail}",
    Reason.METHOD_NOT_ALLOWED: "the method {detail} is not in the allowed methods",
    Reason.HEADER_NOT_ALLOWED: "the request header {detail} is not in the allowed headers",
    Reason.HEADERS_MALFORMED: "Access-Control-Request-Headers is malformed or too long",
    Reason.PRIVATE_NETWORK_NOT_ALLOWED: "private network access is not allowed",
    Reason.NOT_COVERED: "no CORS policy covers this path",
    Reason.CREDENTIALS_NOT_ALLOWED: "the request sends credentials (cookies) and the policy "
    "does not allow them",
}

_FIXES = {
    Reason.ALLOWED: "",
    Reason.PREFLIGHT_ALLOWED: "",
    Reason.NO_ORIGIN: "",
    Reason.ORIGIN_NOT_ALLOWED: "add the origin to 'origins' (CORS_ORIGINS)",
    Reason.ORIGIN_MALFORMED: "browsers never send such a value; nothing to configure",
    Reason.ORIGIN_CHECK_FAILED: "fix the callable in 'origins' so that it returns a bool",
    Reason.METHOD_NOT_ALLOWED: "add the method to 'methods' (CORS_METHODS)",
    Reason.HEADER_NOT_ALLOWED: "add the header to 'allow_headers' (CORS_ALLOW_HEADERS)",
    Reason.HEADERS_MALFORMED: "browsers send a short comma-separated list; nothing to configure",
    Reason.PRIVATE_NETWORK_NOT_ALLOWED: "set 'allow_private_network' (CORS_ALLOW_PRIVATE_NETWORK)",
    Reason.NOT_COVERED: "add the path to 'resources' (CORS_RESOURCES) or use @cross_origin",
    Reason.CREDENTIALS_NOT_ALLOWED: "set 'supports_credentials' (CORS_SUPPORTS_CREDENTIALS) "
    "and list the origin explicitly",
}

#: What a public policy reflects: visible ASCII but the comma, at most 512 bytes (SPEC 3).
_SAFE_TOKEN = re.compile(rf"[!-+\--~]{{1,{MAX_ORIGIN_LENGTH}}}")

_ORIGIN_REFUSALS = {
    Match.NOT_ALLOWED: Reason.ORIGIN_NOT_ALLOWED,
    Match.MALFORMED: Reason.ORIGIN_MALFORMED,
    Match.CHECK_FAILED: Reason.ORIGIN_CHECK_FAILED,
}


@dataclass(frozen=True)
class Decision:
    """The headers to add to a response, and the reason behind them."""

    reason: Reason
    headers: Headers
    vary_origin: bool
    preflight: bool = False
    detail: str = ""
    #: ``expose_headers='*'`` with credentials: list the response's own header names.
    expose_response_headers: bool = False
    #: ``reason.refused``, kept as a plain attribute: the response path reads it every request.
    refused: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "refused", self.reason not in _GRANTS)

    @property
    def allowed(self) -> bool:
        return not self.refused

    def explain(self) -> str:
        return self.reason.explain(self.detail)


def decide(
    policy: Policy,
    method: str,
    origin: Optional[str],
    request_method: Optional[str] = None,
    request_headers: Optional[str] = None,
    private_network: Optional[str] = None,
) -> Decision:
    """Decide the CORS headers for one request.

    ``method`` is the request's method; ``origin``, ``request_method``, ``request_headers``
    and ``private_network`` are the raw values of ``Origin``,
    ``Access-Control-Request-Method``, ``-Request-Headers`` and ``-Request-Private-Network``
    (``None`` when absent).
    """
    if method == "OPTIONS" and request_method is not None and origin is not None:
        return decide_preflight(policy, origin, request_method, request_headers, private_network)
    return decide_actual(policy, origin)


#: How many decisions are kept in all policies' :attr:`Policy.answers` and
#: :attr:`Policy.preflight_answers` together. The bound is global, not per policy: an app with
#: many resources facing a stream of new origins keeps no more than an app with one.
ANSWERS_LIMIT = 4096
_answers_bound = SharedBound(ANSWERS_LIMIT)


def decide_actual(policy: Policy, origin: Optional[str]) -> Decision:
    """:func:`decide` for a request that is not a preflight.

    Its decision depends on the policy and the origin only, so it is kept in
    ``policy.answers``: after the first request from an origin, one look-up (unless an origin
    callable must be asked again).
    """
    answers = policy.answers
    found = answers.get(origin)
    if found is not None:
        return found
    if origin is None:
        acao = policy.no_origin_acao
        headers = ((ACAO, acao), *policy.actual_headers) if acao is not None else ()
        decision = Decision(
            Reason.NO_ORIGIN,
            headers,
            policy.vary_origin,
            expose_response_headers=policy.expose_any and acao is not None,
        )
    else:
        allowed = _allow_origin(policy, origin, preflight=False)
        if isinstance(allowed, Decision):
            decision = allowed
        else:
            decision = Decision(
                Reason.ALLOWED,
                ((ACAO, allowed), *policy.actual_headers),
                policy.vary_origin,
                expose_response_headers=policy.expose_any,
            )
    # Hostile over-long origins are not kept: the memo stays small whatever is sent.
    if not policy.origins.predicates and (origin is None or len(origin) <= MAX_ORIGIN_LENGTH):
        _answers_bound.keep(answers, origin, decision)
    return decision


#: The longest preflight key kept in :attr:`Policy.preflight_answers`, in characters: what
#: browsers send is far shorter, and a hostile value is decided afresh rather than kept.
MAX_PREFLIGHT_KEY_LENGTH = 512


def decide_preflight(
    policy: Policy,
    origin: str,
    request_method: str,
    request_headers: Optional[str] = None,
    private_network: Optional[str] = None,
) -> Decision:
    """:func:`decide` for a preflight: ``OPTIONS`` with ``Origin`` and ``request_method``
    (the value of ``Access-Control-Request-Method``); the steps of the Fetch standard's
    CORS-preflight fetch (SPEC section 4).

    Its decision depends on the policy and these four values only, so it is kept in
    ``policy.preflight_answers`` under the bound shared with :func:`decide_actual`'s memo,
    unless an origin callable must be asked again or the values are longer than
    :data:`MAX_PREFLIGHT_KEY_LENGTH` together.
    """
    key = (origin, request_method, request_headers, private_network)
    answers = policy.preflight_answers
    found = answers.get(key)
    if found is not None:
        return found
    allowed = _allow_origin(policy, origin, preflight=True)
    if isinstance(allowed, Decision):
        decision = allowed
    else:
        decision = _preflight(policy, allowed, request_method, request_headers, private_network)
    size = len(origin) + len(request_method) + len(request_headers or "")
    if not policy.origins.predicates and size + len(private_network or "") <= (
        MAX_PREFLIGHT_KEY_LENGTH
    ):
        _answers_bound.keep(answers, key, decision)
    return decision


def _allow_origin(policy: Policy, origin: str, preflight: bool) -> Union[str, Decision]:
    """The ``Access-Control-Allow-Origin`` value for ``origin``, or the refusal."""
    if policy.public_wildcard:
        # A public policy answers every request alike (SPEC 3): nothing is at stake without
        # credentials, and '*' repeats nothing the client sent.
        return "*"
    if policy.origins.allow_any and not policy.supports_credentials:
        # Public, reflecting: any value that is safe to repeat in a header is answered, as
        # flask-cors and jub0bs/cors do, including bare hosts such as "www.example.com".
        if _SAFE_TOKEN.fullmatch(origin) is not None:
            return origin
        return _refuse(policy, Reason.ORIGIN_MALFORMED, preflight, origin)
    match = policy.origins.match(origin)
    if match is Match.ALLOWED:
        return origin
    return _refuse(policy, _ORIGIN_REFUSALS[match], preflight, origin)


def _preflight(
    policy: Policy,
    allow_origin: str,
    request_method: str,
    request_headers: Optional[str],
    private_network: Optional[str],
) -> Decision:
    if policy.any_method:
        if not is_token(request_method):
            return _refuse(policy, Reason.METHOD_NOT_ALLOWED, True, request_method)
    elif request_method not in policy.methods:
        return _refuse(policy, Reason.METHOD_NOT_ALLOWED, True, request_method)
    names: tuple[str, ...] = ()
    if request_headers:
        # The parser checks the length before anything else, so a hostile value costs nothing;
        # empty elements (``x-foo,``, a blank value) are ignored, as RFC 9110 5.6.1 says.
        parsed = parse_request_headers(request_headers)
        if parsed is None:
            return _refuse(policy, Reason.HEADERS_MALFORMED, True)
        for name in parsed:
            if not policy.allow_headers.allows(name.lower()):
                return _refuse(policy, Reason.HEADER_NOT_ALLOWED, True, name)
        names = parsed
    wants_private_network = private_network == "true"
    if wants_private_network and not policy.allow_private_network:
        return _refuse(policy, Reason.PRIVATE_NETWORK_NOT_ALLOWED, True)
    headers = [(ACAO, allow_origin), *policy.preflight_headers]
    if policy.any_method:
        headers.append((ACAM, request_method))
    if names:
        # As the client spelled them, duplicates already dropped (SPEC 4).
        headers.append((ACAH, ", ".join(names)))
    if wants_private_network:
        headers.append((ACAPN, "true"))
    return Decision(Reason.PREFLIGHT_ALLOWED, tuple(headers), policy.vary_origin, preflight=True)


def _refuse(policy: Policy, reason: Reason, preflight: bool, detail: str = "") -> Decision:
    return Decision(reason, (), policy.vary_origin, preflight=preflight, detail=detail)
