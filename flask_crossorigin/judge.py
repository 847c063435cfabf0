"""The browser's side of CORS: would a browser let the page read this response?

A pure model of the Fetch standard (https://fetch.spec.whatwg.org/) over what went over the
wire: the request a page makes, and each response's status and header list. It follows

- "CORS check" (https://fetch.spec.whatwg.org/#cors-check) for every response of a CORS
  request, redirects included;
- "CORS-preflight fetch" (https://fetch.spec.whatwg.org/#cors-preflight-fetch) for the
  preflight: an ok status, no redirect, the CORS check, then method and header coverage;
- "main fetch" and "HTTP-redirect fetch" for when a preflight is needed and what a redirect
  changes (https://fetch.spec.whatwg.org/#http-redirect-fetch);
- Private Network Access (https://wicg.github.io/private-network-access/) for
  ``Access-Control-Allow-Private-Network``.

Nothing here knows about Flask or about this library's policies: ``flask cors check`` feeds it
the app's own responses, ``flask cors probe`` a live server's (SPEC section 6), and the browser
tests check it against real Chromium, row by row. One known difference: Chromium still lets
``Access-Control-Allow-Headers: *`` cover ``Authorization``; the standard, and this judge, do
not. The one I/O point is the ``send`` callable that :func:`fetch` is given. Each failure is a
:class:`Failure` (machine-readable) and a sentence.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Callable, Optional
from urllib.parse import urljoin, urlsplit

from .tokens import (
    FORBIDDEN_HEADER_PREFIXES,
    FORBIDDEN_METHODS,
    FORBIDDEN_REQUEST_HEADERS,
    is_token,
)

#: A header list as it went over the wire: (name, value) pairs, in order, duplicates kept.
HeaderList = Sequence[tuple[str, str]]

#: Fetch "CORS-safelisted method".
SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})
#: Fetch "normalize a method": these are sent in upper case whatever case the page wrote.
NORMALIZED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})
#: Fetch "redirect status".
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: Fetch "HTTP-redirect fetch": more redirects than this are a network error.
MAX_REDIRECTS = 20
#: Fetch "request-body-header name": dropped when a redirect turns the method into GET.
REQUEST_BODY_HEADERS = frozenset(
    {"content-encoding", "content-language", "content-location", "content-type"}
)
#: Fetch "CORS non-wildcard request-header name": never covered by ``*``.
NON_WILDCARD_HEADERS = frozenset({"authorization"})
#: Fetch "forbidden method" and "forbidden request-header" names (see :mod:`.tokens`).
FORBIDDEN_HEADERS = FORBIDDEN_REQUEST_HEADERS
#: Fetch: these are forbidden when one of their values is a forbidden method.
_METHOD_OVERRIDE_HEADERS = frozenset(
    {"x-http-method", "x-http-method-override", "x-method-override"}
)

_SAFELISTED_CONTENT_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)
# Fetch "CORS-unsafe request-header byte".
_UNSAFE_BYTES = frozenset(chr(c) for c in (*range(0x00, 0x09), *range(0x0A, 0x20), 0x7F)) | set(
    '"():<>?@[\\]{}'
)
_LANGUAGE_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz *,-.;=")
_HTTP_WHITESPACE = " \t\r\n"

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACAPN = "Access-Control-Allow-Private-Network"


class Failure(str, enum.Enum):
    """Why a browser blocks the response. The value is machine-readable."""

    PREFLIGHT_REDIRECTED = "preflight-redirected"
    PREFLIGHT_NOT_OK = "preflight-status-not-ok"
    ALLOW_ORIGIN_MISSING = "allow-origin-missing"
    ALLOW_ORIGIN_MULTIPLE = "allow-origin-multiple"
    ALLOW_ORIGIN_MISMATCH = "allow-origin-mismatch"
    ALLOW_ORIGIN_WILDCARD_WITH_CREDENTIALS = "allow-origin-wildcard-with-credentials"
    ALLOW_CREDENTIALS_NOT_TRUE = "allow-credentials-not-true"
    ALLOW_METHODS_MALFORMED = "allow-methods-malformed"
    METHOD_NOT_ALLOWED = "method-not-allowed"
    ALLOW_HEADERS_MALFORMED = "allow-headers-malformed"
    HEADER_NOT_ALLOWED = "header-not-allowed"
    AUTHORIZATION_NOT_LISTED = "authorization-not-listed"
    PRIVATE_NETWORK_NOT_ALLOWED = "private-network-not-allowed"
    TOO_MANY_REDIRECTS = "too-many-redirects"
    REDIRECT_WITH_CREDENTIALS_IN_URL = "redirect-url-has-credentials"
    FORBIDDEN_METHOD = "forbidden-method"

    def explain(self, detail: str = "") -> str:
        """The failure as a sentence; ``detail`` is the value it is about."""
        return _SENTENCES[self].format(detail=detail)


_SENTENCES = {
    Failure.PREFLIGHT_REDIRECTED: "the preflight was answered with a redirect (to {detail}); "
    "a browser never follows a redirect on a preflight",
    Failure.PREFLIGHT_NOT_OK: "the preflight was answered with status {detail}, not an ok "
    "status (200-299)",
    Failure.ALLOW_ORIGIN_MISSING: "the response has no Access-Control-Allow-Origin header",
    Failure.ALLOW_ORIGIN_MULTIPLE: "Access-Control-Allow-Origin carries several values "
    "({detail}); it must carry exactly one",
    Failure.ALLOW_ORIGIN_MISMATCH: "Access-Control-Allow-Origin is {detail}, neither '*' nor the "
    "request's origin",
    Failure.ALLOW_ORIGIN_WILDCARD_WITH_CREDENTIALS: "Access-Control-Allow-Origin is '*' and the "
    "request sends credentials; '*' never grants a credentialed request",
    Failure.ALLOW_CREDENTIALS_NOT_TRUE: "the request sends credentials and "
    "Access-Control-Allow-Credentials is {detail}, not exactly 'true'",
    Failure.ALLOW_METHODS_MALFORMED: "Access-Control-Allow-Methods is not a comma-separated "
    "list of methods: {detail}",
    Failure.METHOD_NOT_ALLOWED: "the method {detail} is not in Access-Control-Allow-Methods "
    "(methods are compared case-sensitively; '*' does not count with credentials)",
    Failure.ALLOW_HEADERS_MALFORMED: "Access-Control-Allow-Headers is not a comma-separated "
    "list of header names: {detail}",
    Failure.HEADER_NOT_ALLOWED: "the request header {detail} is not in "
    "Access-Control-Allow-Headers ('*' does not count with credentials)",
    Failure.AUTHORIZATION_NOT_LISTED: "the request sends Authorization, and "
    "Access-Control-Allow-Headers does not list it by name ('*' never covers it in the Fetch "
    "standard, though Chromium still lets it)",
    Failure.PRIVATE_NETWORK_NOT_ALLOWED: "the preflight asks for private network access and "
    "Access-Control-Allow-Private-Network is {detail}, not 'true'",
    Failure.TOO_MANY_REDIRECTS: "more than 20 redirects",
    Failure.REDIRECT_WITH_CREDENTIALS_IN_URL: "a redirect to a URL with a user name or password "
    "({detail})",
    Failure.FORBIDDEN_METHOD: "{detail} is a forbidden method: fetch() throws a TypeError and "
    "sends nothing; browsers never send it",
}


@dataclass(frozen=True)
class CORSRequest:
    """What the page asks ``fetch()`` for (Fetch "request"), as the browser will send it.

    ``method`` is normalised as Fetch does (``put`` is sent as ``PUT``, ``patch`` as written).
    ``headers`` are the headers the page sets, as (name, value) pairs. ``credentials`` is
    ``credentials: "include"``; ``private_network`` a request from a public page to a private
    address (the browser then sends ``Access-Control-Request-Private-Network: true``).

    A forbidden request-header (Fetch "forbidden request-header", e.g. ``Cookie``) cannot be
    set by a page: it is dropped from ``headers`` as the browser drops it, silently, and its
    name kept in ``dropped``.
    """

    origin: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    credentials: bool = False
    private_network: bool = False
    dropped: tuple[str, ...] = field(default=(), init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", normalize_method(self.method))
        kept = tuple((n, v) for n, v in self.headers if not is_forbidden_header(n, v))
        if len(kept) != len(self.headers):
            dropped = tuple(n for n, v in self.headers if is_forbidden_header(n, v))
            object.__setattr__(self, "headers", kept)
            object.__setattr__(self, "dropped", dropped)

    @property
    def forbidden_method(self) -> bool:
        """Fetch "forbidden method": ``fetch()`` throws before anything is sent."""
        return is_forbidden_method(self.method)


def is_forbidden_method(method: str) -> bool:
    """Fetch "forbidden method": ``CONNECT``, ``TRACE`` or ``TRACK``, in any case."""
    return method.upper() in FORBIDDEN_METHODS


def is_forbidden_header(name: str, value: str) -> bool:
    """Fetch "forbidden request-header": a header a page cannot set (``fetch()`` drops it).

    The listed names and the ``Proxy-``/``Sec-`` prefixes, case-insensitively, and the
    method-override headers when one of their values is a forbidden method.
    """
    lowered = name.lower()
    if lowered in FORBIDDEN_HEADERS or lowered.startswith(FORBIDDEN_HEADER_PREFIXES):
        return True
    if lowered in _METHOD_OVERRIDE_HEADERS:
        return any(is_forbidden_method(item.strip(_HTTP_WHITESPACE)) for item in value.split(","))
    return False


def normalize_method(method: str) -> str:
    """Fetch "normalize a method": the six methods in upper case, any other as written."""
    upper = method.upper()
    return upper if upper in NORMALIZED_METHODS else method


def header_value(headers: HeaderList, name: str) -> Optional[str]:
    """Fetch "get" a header: all values of ``name`` combined with ``", "``, or ``None``."""
    lowered = name.lower()
    values = [v.strip(_HTTP_WHITESPACE) for n, v in headers if n.lower() == lowered]
    return ", ".join(values) if values else None


def header_count(headers: HeaderList, name: str) -> int:
    """How many times ``name`` occurs in the header list."""
    lowered = name.lower()
    return sum(1 for n, _ in headers if n.lower() == lowered)


def extract_list(headers: HeaderList, name: str) -> Optional[list[str]]:
    """Fetch "extract header list values" for a ``#token`` header.

    Returns the list (empty when the header is absent, empty elements skipped as RFC 9110
    5.6.1 says), or ``None`` when an element is not a token (a parse failure).
    """
    value = header_value(headers, name)
    if value is None:
        return []
    items = [item.strip(" \t") for item in value.split(",")]
    if any(item and not is_token(item) for item in items):
        return None
    return [item for item in items if item]


def is_safelisted_header(name: str, value: str) -> bool:
    """Fetch "CORS-safelisted request-header" for one (name, value) pair."""
    if len(value) > 128:
        return False
    lowered = name.lower()
    if lowered == "accept":
        return not any(c in _UNSAFE_BYTES for c in value)
    if lowered in ("accept-language", "content-language"):
        return all(c in _LANGUAGE_CHARS for c in value)
    if lowered == "content-type":
        if any(c in _UNSAFE_BYTES for c in value):
            return False
        essence = value.split(";", 1)[0].strip(_HTTP_WHITESPACE).lower()
        return essence in _SAFELISTED_CONTENT_TYPES
    if lowered == "range":
        return _is_simple_range(value)
    return False


def _is_simple_range(value: str) -> bool:
    """Fetch "simple range header value": ``bytes=N-`` or ``bytes=N-M`` with N <= M."""
    if not value.startswith("bytes="):
        return False
    start, dash, end = value[6:].partition("-")
    if not dash or not start.isdigit() or not (end == "" or end.isdigit()):
        return False
    return end == "" or int(start) <= int(end)


def unsafe_header_names(headers: Iterable[tuple[str, str]]) -> list[str]:
    """Fetch "CORS-unsafe request-header names": sorted, lower-case, without duplicates.

    Safelisted values longer than 1024 bytes in all make every safelisted name unsafe too.
    """
    unsafe: set[str] = set()
    safelisted: set[str] = set()
    size = 0
    for name, value in headers:
        if is_safelisted_header(name, value):
            safelisted.add(name.lower())
            size += len(value)
        else:
            unsafe.add(name.lower())
    if size > 1024:
        unsafe |= safelisted
    return sorted(unsafe)


def needs_preflight(request: CORSRequest) -> bool:
    """Fetch "main fetch": a CORS-preflight fetch is needed for an unsafe method or header.

    Private Network Access adds one for a request from a public page to a private address.
    """
    if request.private_network or request.method not in SAFELISTED_METHODS:
        return True
    return bool(unsafe_header_names(request.headers))


@dataclass(frozen=True)
class Verdict:
    """A check's answer: ``failure`` is ``None`` when the browser accepts the response."""

    failure: Optional[Failure] = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.failure is None

    def explain(self) -> str:
        return self.failure.explain(self.detail) if self.failure else "passes the CORS check"


PASS = Verdict()


def _quoted(value: Optional[str]) -> str:
    return "missing" if value is None else repr(value)


def cors_check(request: CORSRequest, headers: HeaderList) -> Verdict:
    """Fetch "CORS check" (https://fetch.spec.whatwg.org/#cors-check) of one response.

    Exactly one ``Access-Control-Allow-Origin``: ``*`` without credentials, else the request's
    origin byte for byte; with credentials also ``Access-Control-Allow-Credentials: true``
    (byte for byte). Two headers are combined into one value with ``", "``, which matches
    neither, as in any browser.
    """
    origin = header_value(headers, ACAO)
    if origin is None:
        return Verdict(Failure.ALLOW_ORIGIN_MISSING)
    if header_count(headers, ACAO) > 1 or "," in origin:
        return Verdict(Failure.ALLOW_ORIGIN_MULTIPLE, repr(origin))
    if origin == "*":
        if not request.credentials:
            return PASS
        return Verdict(Failure.ALLOW_ORIGIN_WILDCARD_WITH_CREDENTIALS, origin)
    if origin != request.origin:
        return Verdict(Failure.ALLOW_ORIGIN_MISMATCH, repr(origin))
    if not request.credentials:
        return PASS
    credentials = header_value(headers, ACAC)
    if credentials == "true":
        return PASS
    return Verdict(Failure.ALLOW_CREDENTIALS_NOT_TRUE, _quoted(credentials))


def preflight_check(
    request: CORSRequest, status: int, headers: HeaderList, location: Optional[str] = None
) -> Verdict:
    """Fetch "CORS-preflight fetch" (https://fetch.spec.whatwg.org/#cors-preflight-fetch).

    In order: no redirect (``location`` is where one pointed), an ok status (200-299), the
    :func:`cors_check`, ``Access-Control-Allow-Methods`` and ``-Headers`` parsed as lists
    (a malformed one fails), the method covered (listed byte for byte, CORS-safelisted, or
    ``*`` without credentials), every CORS-unsafe request-header name covered (listed
    case-insensitively, or ``*`` without credentials; ``Authorization`` only by name), and
    ``Access-Control-Allow-Private-Network: true`` when private network access is asked.
    """
    if status in REDIRECT_STATUSES and location is not None:
        return Verdict(Failure.PREFLIGHT_REDIRECTED, location)
    if not 200 <= status <= 299:
        return Verdict(Failure.PREFLIGHT_NOT_OK, str(status))
    verdict = cors_check(request, headers)
    if not verdict.ok:
        return verdict
    methods = extract_list(headers, ACAM)
    if methods is None:
        return Verdict(Failure.ALLOW_METHODS_MALFORMED, repr(header_value(headers, ACAM)))
    names = extract_list(headers, ACAH)
    if names is None:
        return Verdict(Failure.ALLOW_HEADERS_MALFORMED, repr(header_value(headers, ACAH)))
    method = request.method
    if (
        method not in methods
        and method not in SAFELISTED_METHODS
        and (request.credentials or "*" not in methods)
    ):
        return Verdict(Failure.METHOD_NOT_ALLOWED, method)
    listed = {name.lower() for name in names}
    sent = {name.lower() for name, _ in request.headers}
    for name in sorted(NON_WILDCARD_HEADERS & sent):
        if name not in listed:
            return Verdict(Failure.AUTHORIZATION_NOT_LISTED, name)
    for name in unsafe_header_names(request.headers):
        if name not in listed and (request.credentials or "*" not in listed):
            return Verdict(Failure.HEADER_NOT_ALLOWED, name)
    if request.private_network:
        allowed = header_value(headers, ACAPN)
        if allowed != "true":
            return Verdict(Failure.PRIVATE_NETWORK_NOT_ALLOWED, _quoted(allowed))
    return PASS


@dataclass(frozen=True)
class Sent:
    """One request the browser sends: ``kind`` is ``"preflight"`` or ``"request"``."""

    kind: str
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Received:
    """One response as received: status, reason phrase, and the header list in order."""

    status: int
    headers: tuple[tuple[str, str], ...]
    reason: str = ""

    @property
    def location(self) -> Optional[str]:
        """Where a redirect points, or ``None`` when this is not a redirect."""
        if self.status not in REDIRECT_STATUSES:
            return None
        return header_value(self.headers, "Location")


@dataclass(frozen=True)
class Exchange:
    """A request, its response, and the browser's verdict on it."""

    sent: Sent
    received: Received
    verdict: Verdict


class NotFollowed(Exception):
    """Raised by a ``send`` callable that cannot reach a URL a redirect points to."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


@dataclass(frozen=True)
class Outcome:
    """Every exchange of one ``fetch()``, in order, and the final verdict.

    ``not_followed`` is a redirect target the ``send`` callable could not reach: the verdict
    then covers the exchanges up to it only.
    """

    exchanges: tuple[Exchange, ...]
    verdict: Verdict
    not_followed: Optional[str] = None

    @property
    def allowed(self) -> bool:
        return self.verdict.ok and self.not_followed is None

    @property
    def failed(self) -> Optional[Exchange]:
        """The exchange the browser refused, if any."""
        if self.verdict.ok or not self.exchanges:
            return None
        return self.exchanges[-1]


def preflight_request(request: CORSRequest, url: str) -> Sent:
    """The preflight a browser sends (Fetch "CORS-preflight fetch", steps 1-5)."""
    headers = [
        ("Accept", "*/*"),
        ("Origin", request.origin),
        ("Access-Control-Request-Method", request.method),
    ]
    names = unsafe_header_names(request.headers)
    if names:
        headers.append(("Access-Control-Request-Headers", ",".join(names)))
    if request.private_network:
        headers.append(("Access-Control-Request-Private-Network", "true"))
    return Sent("preflight", "OPTIONS", url, tuple(headers))


def actual_request(request: CORSRequest, url: str) -> Sent:
    """The request itself: the page's headers and ``Origin``."""
    return Sent("request", request.method, url, (*request.headers, ("Origin", request.origin)))


def _origin_of(url: str) -> tuple[str, str, Optional[int]]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or ""), parts.port


def fetch(request: CORSRequest, url: str, send: Callable[[Sent], Received]) -> Outcome:
    """Run one cross-origin ``fetch()`` as a browser does, through ``send``, and judge it.

    A preflight first when :func:`needs_preflight`; then the request; each redirect of the
    request is judged by the CORS check and followed (Fetch "HTTP-redirect fetch": at most
    20; 301/302 turn POST into GET, 303 anything but HEAD; a hop to another origin makes the
    request's origin ``null``), with a new preflight when the new request needs one.

    ``send`` performs one exchange; it may raise :class:`NotFollowed` for a URL it cannot
    reach. Other exceptions (network errors) propagate. A forbidden method (Fetch "forbidden
    method") sends nothing: the outcome has no exchange and fails with
    :attr:`Failure.FORBIDDEN_METHOD`, as ``fetch()`` throws a ``TypeError``.
    """
    exchanges: list[Exchange] = []
    if request.forbidden_method:
        return Outcome((), Verdict(Failure.FORBIDDEN_METHOD, request.method))
    current = request
    for _hop in range(MAX_REDIRECTS + 1):
        if needs_preflight(current):
            sent = preflight_request(current, url)
            try:
                received = send(sent)
            except NotFollowed as error:
                return Outcome(tuple(exchanges), PASS, error.url)
            verdict = preflight_check(current, received.status, received.headers, received.location)
            exchanges.append(Exchange(sent, received, verdict))
            if not verdict.ok:
                return Outcome(tuple(exchanges), verdict)
        sent = actual_request(current, url)
        try:
            received = send(sent)
        except NotFollowed as error:
            return Outcome(tuple(exchanges), PASS, error.url)
        verdict = cors_check(current, received.headers)
        exchanges.append(Exchange(sent, received, verdict))
        location = received.location
        if not verdict.ok or location is None:
            return Outcome(tuple(exchanges), verdict)
        target = urljoin(url, location)
        parts = urlsplit(target)
        if parts.username is not None or parts.password is not None:
            verdict = Verdict(Failure.REDIRECT_WITH_CREDENTIALS_IN_URL, target)
            return Outcome(tuple(exchanges), verdict)
        current = _redirected(current, received.status, _origin_of(url) != _origin_of(target))
        url = target
    return Outcome(tuple(exchanges), Verdict(Failure.TOO_MANY_REDIRECTS))


def _redirected(request: CORSRequest, status: int, cross_origin: bool) -> CORSRequest:
    """The request after a redirect (Fetch "HTTP-redirect fetch", steps 11-12)."""
    method = request.method
    headers = request.headers
    if (status in (301, 302) and method == "POST") or (
        status == 303 and method not in ("GET", "HEAD")
    ):
        method = "GET"
        headers = tuple((n, v) for n, v in headers if n.lower() not in REQUEST_BODY_HEADERS)
    origin = "null" if cross_origin else request.origin
    return replace(request, method=method, headers=headers, origin=origin)
