"""Assertions for an app's own tests: would a browser let the page read this response?

:func:`assert_browser_allows` and :func:`assert_browser_blocks` send what a browser sends for
one ``fetch()`` (the preflight when one is needed, then the request, redirects followed)
through a Flask test client, and judge the answers with :mod:`flask_crossorigin.judge`, the
Fetch-standard model behind ``flask cors check`` (SPEC section 6). They look at responses
only, never at a policy, so they test any Flask app: one using this extension, flask-cors, or
``after_request`` hooks written by hand. A failed assertion's message reads like
``flask cors check``'s output: each exchange with its CORS headers, the step the browser
refuses, and the fix.

The pytest plugin (:mod:`pytest_flask_crossorigin`) offers them bound to the app under
test as the ``cors_browser`` fixture.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Optional, Union
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient

from .judge import (
    CORSRequest,
    Exchange,
    Failure,
    NotFollowed,
    Outcome,
    Received,
    Sent,
    header_value,
)
from .judge import fetch as judge_fetch

#: Where the requests go by default: the test client's own host.
BASE_URL = "http://localhost"

#: Fetch "CORS-safelisted response-header name": a page reads these without
#: ``Access-Control-Expose-Headers``.
SAFELISTED_RESPONSE_HEADERS = frozenset(
    {
        "cache-control",
        "content-language",
        "content-length",
        "content-type",
        "expires",
        "last-modified",
        "pragma",
    }
)
#: Fetch "forbidden response-header name": a page never reads these.
FORBIDDEN_RESPONSE_HEADERS = frozenset({"set-cookie", "set-cookie2"})

#: A value for a header given by name only, as ``flask cors check --header NAME`` does.
_SAMPLE_VALUES = {
    "content-type": "application/json",
    "authorization": "Bearer token",
}

#: What to change on the server for each refusal, whatever writes its headers.
_FIXES = {
    Failure.PREFLIGHT_REDIRECTED: "fetch the URL the redirect points to; a browser never "
    "follows a redirect on a preflight",
    Failure.PREFLIGHT_NOT_OK: "answer the preflight (OPTIONS) with a 2xx status: cover the "
    "route, and let no before_request hook (authentication) refuse OPTIONS",
    Failure.ALLOW_ORIGIN_MISSING: "allow the origin (flask-crossorigin and flask-cors: add it "
    "to 'origins'; by hand: answer Access-Control-Allow-Origin with it)",
    Failure.ALLOW_ORIGIN_MULTIPLE: "send exactly one Access-Control-Allow-Origin: look for a "
    "second writer (a hook, a proxy, a view) besides the extension",
    Failure.ALLOW_ORIGIN_MISMATCH: "answer with the request's origin, byte for byte, or '*'",
    Failure.ALLOW_ORIGIN_WILDCARD_WITH_CREDENTIALS: "list the origin explicitly and set "
    "'supports_credentials' (the answer then reflects the origin)",
    Failure.ALLOW_CREDENTIALS_NOT_TRUE: "set 'supports_credentials' "
    "(Access-Control-Allow-Credentials: true)",
    Failure.ALLOW_METHODS_MALFORMED: "write Access-Control-Allow-Methods as a comma-separated "
    "list of methods",
    Failure.METHOD_NOT_ALLOWED: "add the method to 'methods' (Access-Control-Allow-Methods)",
    Failure.ALLOW_HEADERS_MALFORMED: "write Access-Control-Allow-Headers as a comma-separated "
    "list of header names",
    Failure.HEADER_NOT_ALLOWED: "add the header to 'allow_headers' (Access-Control-Allow-Headers)",
    Failure.AUTHORIZATION_NOT_LISTED: "list Authorization by name in 'allow_headers'",
    Failure.PRIVATE_NETWORK_NOT_ALLOWED: "set 'allow_private_network' "
    "(Access-Control-Allow-Private-Network: true)",
    Failure.TOO_MANY_REDIRECTS: "end the chain of redirects",
    Failure.REDIRECT_WITH_CREDENTIALS_IN_URL: "redirect to a URL without a user name or password",
    Failure.FORBIDDEN_METHOD: "use another method: browsers never send CONNECT, TRACE or TRACK, "
    "whatever the server allows",
}

#: The response headers shown besides ``Access-Control-*``: those that explain an answer.
_SHOWN = frozenset({"vary", "location", "allow"})

#: What the page's headers may be given as: a mapping, (name, value) pairs, or bare names
#: (sent with a sample value).
HeadersArg = Union[Mapping[str, str], Iterable[Union[str, tuple[str, str]]]]


@dataclass(frozen=True)
class BrowserFetch:
    """One ``fetch()`` as a browser would run it against the app, and the verdict.

    ``outcome`` is the judge's (every exchange in order); ``unreadable`` the names in
    ``read_headers`` the page cannot read from the final response.
    """

    request: CORSRequest
    path: str
    outcome: Outcome
    read_headers: tuple[str, ...]
    unreadable: tuple[str, ...]
    fix: str
    #: The refusal in the policy's terms, when the app uses this extension and its policy
    #: refuses the request (``""`` otherwise).
    cause: str = ""

    @property
    def allowed(self) -> bool:
        """The page reads the response, and every header in ``read_headers``."""
        return self.outcome.allowed and not self.unreadable

    @property
    def failure(self) -> Optional[Failure]:
        """Why the browser hides the response (``None`` when allowed or only a header is)."""
        return self.outcome.verdict.failure

    @property
    def response(self) -> Optional[Received]:
        """The last answer the browser received (the preflight's, when that failed)."""
        exchanges = self.outcome.exchanges
        return exchanges[-1].received if exchanges else None

    def report(self) -> str:
        """The exchanges and the verdict, as ``flask cors check`` prints them."""
        request = self.request
        flags = " with credentials" if request.credentials else ""
        lines = [f"{request.method} {self.path} from {request.origin}{flags}"]
        for exchange in self.outcome.exchanges:
            lines += _exchange_lines(exchange)
        if self.outcome.not_followed is not None:
            lines.append(
                f"UNKNOWN: the app redirects to {self.outcome.not_followed}, another origin, "
                "which the test client does not reach."
            )
        elif not self.outcome.allowed:
            verdict = self.outcome.verdict
            code = verdict.failure.value if verdict.failure else ""
            lines.append("BLOCKED: the browser hides the response from the page.")
            lines.append(f"Browser: {verdict.explain()} ({code})")
        elif self.unreadable:
            names = ", ".join(self.unreadable)
            lines.append(f"BLOCKED: the page reads the response but not the header(s) {names}.")
            lines.append(
                "Browser: a response header the page reads must be CORS-safelisted or listed "
                "in Access-Control-Expose-Headers ('*' does not count with credentials), and "
                "be present"
            )
        else:
            lines.append("ALLOWED: the browser lets the page read the response.")
        if self.cause:
            lines.append(f"Reason: {self.cause}")
        if self.fix:
            lines.append(f"Fix: {self.fix}")
        return "\n".join(lines)


def _exchange_lines(exchange: Exchange) -> list[str]:
    sent, received = exchange.sent, exchange.received
    label = "Preflight" if sent.kind == "preflight" else "Request"
    parts = urlsplit(sent.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [f"{label}: {sent.method} {target}"]
    lines += [f"    {n}: {v}" for n, v in sent.headers if n.lower() != "accept"]
    lines.append(f"  answered {received.status} {received.reason}".rstrip())
    shown = [
        (n, v)
        for n, v in received.headers
        if n.lower().startswith("access-control-") or n.lower() in _SHOWN
    ]
    lines += [f"    {n}: {v}" for n, v in shown]
    if not any(n.lower().startswith("access-control-") for n, _ in shown):
        lines.append("    (no Access-Control-* headers)")
    verdict = exchange.verdict
    if verdict.failure is None:
        lines.append("  ok: the browser accepts this answer")
    else:
        lines.append(f"  FAILS ({verdict.failure.value}): {verdict.explain()}")
    return lines


def _header_pairs(headers: HeadersArg) -> tuple[tuple[str, str], ...]:
    if isinstance(headers, str):
        headers = [headers]
    if isinstance(headers, Mapping):
        return tuple((str(n), str(v)) for n, v in headers.items())
    pairs = []
    for item in headers:
        if isinstance(item, str):
            pairs.append((item, _SAMPLE_VALUES.get(item.lower(), "1")))
        else:
            name, value = item
            pairs.append((name, value))
    return tuple(pairs)


def exposed(headers: Iterable[tuple[str, str]], name: str, credentials: bool) -> bool:
    """Fetch "CORS-filtered response": can a page read response header ``name``?

    It must be present and not forbidden (``Set-Cookie``), and CORS-safelisted or listed in
    ``Access-Control-Expose-Headers`` (case-insensitively; ``*`` counts without credentials).
    """
    pairs = list(headers)
    lowered = name.lower()
    if lowered in FORBIDDEN_RESPONSE_HEADERS or header_value(pairs, name) is None:
        return False
    if lowered in SAFELISTED_RESPONSE_HEADERS:
        return True
    listed = header_value(pairs, "Access-Control-Expose-Headers") or ""
    names = {item.strip(" \t").lower() for item in listed.split(",")}
    return lowered in names or ("*" in names and not credentials)


def browser_fetch(
    client: FlaskClient,
    path: str,
    *,
    origin: str,
    method: str = "GET",
    headers: HeadersArg = (),
    credentials: bool = False,
    read_headers: Iterable[str] = (),
    base_url: str = BASE_URL,
    other_hosts: Iterable[str] = (),
) -> BrowserFetch:
    """Run a page's ``fetch(path)`` from ``origin`` against the app behind ``client``.

    Sends the preflight when the Fetch standard needs one (an unsafe method or header), then
    the request, and follows the app's redirects as a browser does; every answer is judged by
    :func:`flask_crossorigin.judge.fetch`. ``headers`` are the headers the page sets (a
    mapping, pairs, or names sent with a sample value); ``credentials`` is
    ``credentials: "include"``; ``read_headers`` names response headers the page reads.
    ``path`` may carry a query string. The requests really run: a ``DELETE`` deletes.

    The requests go to ``base_url`` (the page's ``fetch()`` URL is ``base_url + path``); a
    redirect to another origin is followed through the same client only when that origin is
    in ``other_hosts`` (an app that serves several host names), else the verdict is unknown
    (:attr:`Outcome.not_followed <flask_crossorigin.judge.Outcome.not_followed>`).

    Exceptions the app raises propagate (Flask's test client raises them when
    ``app.testing`` is on). Raises :class:`ValueError` when ``path`` does not start with
    ``/``. Returns a :class:`BrowserFetch`; asserts nothing.
    """
    if not path.startswith("/"):
        raise ValueError(f"path must start with '/', got {path!r}")
    request = CORSRequest(origin, method, _header_pairs(headers), credentials)
    base = base_url.rstrip("/")
    reachable = {base, *(host.rstrip("/") for host in other_hosts)}

    def send(sent: Sent) -> Received:
        parts = urlsplit(sent.url)
        host = f"{parts.scheme}://{parts.netloc}"
        if host not in reachable:
            raise NotFollowed(sent.url)
        response = client.open(
            parts.path or "/",
            method=sent.method,
            headers=list(sent.headers),
            query_string=parts.query,
            base_url=host,
        )
        try:
            return Received(
                response.status_code,
                tuple(response.headers.items()),
                response.status.partition(" ")[2],
            )
        finally:
            response.close()

    outcome = judge_fetch(request, base + path, send)
    names = tuple(read_headers)
    unreadable: tuple[str, ...] = ()
    if outcome.allowed and names:
        final = outcome.exchanges[-1].received.headers
        unreadable = tuple(n for n in names if not exposed(final, n, credentials))
    fix = cause = ""
    if outcome.verdict.failure is not None:
        cause, fix = _fix(client.application, path, request, outcome.verdict.failure)
    elif unreadable:
        fix = (
            f"add {', '.join(unreadable)} to 'expose_headers' (Access-Control-Expose-Headers), "
            "and make sure the response carries it"
        )
    return BrowserFetch(request, path, outcome, names, unreadable, fix, cause)


def _fix(app: Flask, path: str, request: CORSRequest, failure: Failure) -> tuple[str, str]:
    """The cause and the fix: in this extension's terms (the reason, the option, its value and
    source) when the app uses it and its policy refuses the request; else what the response
    must carry, and no cause."""
    from .explain import fix as option_fix
    from .introspect import UnknownPath, simulate

    try:
        view = simulate(
            app,
            urlsplit(path).path,
            request.origin,
            request.method,
            [name for name, _ in request.headers],
            request.credentials,
        )
    except UnknownPath:
        return "", _FIXES[failure]
    if view.coverage is None or view.allowed or view.reason is None:
        return "", _FIXES[failure]
    cause = f"{view.reason.explain(view.detail)} ({view.reason.value})"
    return cause, option_fix(view.reason, view.coverage.policy)


def assert_browser_allows(client: FlaskClient, path: str, **request: Any) -> BrowserFetch:
    """Assert that a browser lets a page on ``origin`` read the answer to ``fetch(path)``.

    Takes :func:`browser_fetch`'s keywords (``origin`` is required). Raises
    :class:`AssertionError` with the exchanges, the step that failed and the fix when the
    browser would block the response or hide a header named in ``read_headers``. Returns the
    :class:`BrowserFetch` otherwise.
    """
    result = browser_fetch(client, path, **request)
    if not result.allowed:
        raise AssertionError("a browser blocks this request\n" + result.report())
    return result


def assert_browser_blocks(
    client: FlaskClient,
    path: str,
    *,
    failure: Union[Failure, str, None] = None,
    **request: Any,
) -> BrowserFetch:
    """Assert that a browser hides the answer to ``fetch(path)`` from a page on ``origin``.

    Takes :func:`browser_fetch`'s keywords (``origin`` is required); ``failure`` (a
    :class:`~flask_crossorigin.judge.Failure` or its value, such as
    ``"allow-origin-missing"``) also asserts the reason. Raises :class:`AssertionError` with
    the exchanges when the browser would let the page read the response (and every header in
    ``read_headers``), or blocks it for another reason.
    """
    result = browser_fetch(client, path, **request)
    if result.allowed:
        raise AssertionError("a browser allows this request\n" + result.report())
    if result.outcome.not_followed is not None:
        raise AssertionError("the browser's verdict is unknown\n" + result.report())
    if failure is not None:
        expected = Failure(failure)
        if result.failure is not expected:
            got = result.failure.value if result.failure else "a header the page cannot read"
            raise AssertionError(
                f"a browser blocks this request for {got}, not {expected.value}\n" + result.report()
            )
    return result


class CORSBrowser:
    """:func:`assert_browser_allows` and :func:`assert_browser_blocks` bound to one client:
    what the ``cors_browser`` pytest fixture gives."""

    def __init__(self, client: FlaskClient, base_url: str = BASE_URL) -> None:
        self.client = client
        self.base_url = base_url

    def fetch(self, path: str, **request: Any) -> BrowserFetch:
        """:func:`browser_fetch` through this client."""
        request.setdefault("base_url", self.base_url)
        return browser_fetch(self.client, path, **request)

    def allows(self, path: str, **request: Any) -> BrowserFetch:
        """:func:`assert_browser_allows` through this client."""
        request.setdefault("base_url", self.base_url)
        return assert_browser_allows(self.client, path, **request)

    def blocks(self, path: str, **request: Any) -> BrowserFetch:
        """:func:`assert_browser_blocks` through this client."""
        request.setdefault("base_url", self.base_url)
        return assert_browser_blocks(self.client, path, **request)
