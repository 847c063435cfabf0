"""``probe``: ask a live deployment what a browser would ask, over real HTTP, and judge it.

The exchanges are :func:`flask_crossorigin.judge.fetch`'s, sent with the standard library's
:mod:`http.client` (no dependency beyond Flask and Werkzeug). On top of the browser's verdict
it names what a layer in front of the app usually gets wrong (SPEC section 6):

- a CORS header sent twice (the app and a proxy both add it);
- an origin-dependent answer without ``Vary: Origin`` (a shared cache may serve it to another
  origin);
- an answer cached for another origin: a second origin is asked in turn, and its answer
  carries the first origin's grant.

Network failures (timeouts, refused connections, TLS errors, DNS, a broken HTTP answer) are
raised as :class:`ProbeError` with a one-line message. Interim ``1xx`` answers (``100
Continue``, ``103 Early Hints``) are skipped, as a browser skips them: the final answer is the
one judged. The whole probe has one deadline: a server that answers a byte at a time cannot
keep it longer.
"""

from __future__ import annotations

import contextlib
import enum
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Callable, Optional
from urllib.parse import urlsplit

from ._version import __version__
from .judge import (
    ACAO,
    CORSRequest,
    Exchange,
    Failure,
    Outcome,
    Received,
    Sent,
    Verdict,
    fetch,
    header_count,
    header_value,
    needs_preflight,
    preflight_request,
)

#: Seconds to wait for a connection and for each read, unless told otherwise.
DEFAULT_TIMEOUT = 10.0
#: The body of a response is read up to this many bytes, then the connection is closed.
MAX_BODY = 1 << 20
USER_AGENT = f"flask-crossorigin-probe/{__version__}"
#: The origin asked second, to see whether a cache serves one origin's answer to another.
DEFAULT_OTHER_ORIGIN = "https://probe.invalid"
# The second origin's exchanges are compared with the first's, not judged on their own.
_NOT_JUDGED = Verdict()


class ProbeError(Exception):
    """The server could not be asked: the message is one line, for the command line."""


class _FinalResponse(http.client.HTTPResponse):
    """A response that skips every interim ``1xx`` answer but ``101``, as browsers do.

    :mod:`http.client` skips ``100 Continue`` only; its loop skips the status line and header
    block of any answer reported as 100, so the other interim answers are reported as 100.
    """

    def _read_status(self) -> tuple[str, int, str]:
        version, status, reason = super()._read_status()  # type: ignore[misc]
        if 100 <= status < 200 and status != 101:
            return version, 100, reason
        return version, status, reason


def http_sender(
    timeout: float = DEFAULT_TIMEOUT,
    context: Optional[ssl.SSLContext] = None,
    deadline: Optional[float] = None,
) -> Callable[[Sent], Received]:
    """A ``send`` callable for :func:`~flask_crossorigin.judge.fetch` over real HTTP(S).

    ``timeout`` is in seconds, for the connection and each read. ``deadline`` is in seconds
    too, for every exchange the callable sends in all, counted from its first: past it, the
    connection is closed whatever the server is doing. Raises :class:`ProbeError`.
    """
    ends: list[float] = []

    def remaining(where: str) -> float:
        if deadline is None:
            return timeout
        if not ends:
            ends.append(time.monotonic() + deadline)
        left = ends[0] - time.monotonic()
        if left <= 0:
            raise ProbeError(f"timed out after {deadline:g} s waiting for {where}")
        return min(timeout, left)

    def send(sent: Sent) -> Received:
        parts = urlsplit(sent.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ProbeError(f"not an http or https URL: {sent.url}")
        try:
            port = parts.port
        except ValueError:
            raise ProbeError(f"bad port in URL: {sent.url}") from None
        where = f"{parts.hostname}:{port or (443 if parts.scheme == 'https' else 80)}"
        wait = remaining(where)
        # The limit named when a read times out: the user's, not what was left of it.
        shown = timeout if deadline is None else min(timeout, deadline)
        conn: http.client.HTTPConnection
        if parts.scheme == "https":
            conn = http.client.HTTPSConnection(parts.hostname, port, timeout=wait, context=context)
        else:
            conn = http.client.HTTPConnection(parts.hostname, port, timeout=wait)
        conn.response_class = _FinalResponse
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            sock = conn.sock
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

        watchdog = threading.Timer(wait, expire) if deadline is not None else None
        try:
            if watchdog is not None:
                watchdog.daemon = True
                watchdog.start()
            conn.putrequest(sent.method, target, skip_accept_encoding=True)
            conn.putheader("User-Agent", USER_AGENT)
            for name, value in sent.headers:
                conn.putheader(name, value)
            conn.endheaders()
            response = conn.getresponse()
            response.read(MAX_BODY)
            if expired.is_set():
                raise ProbeError(f"timed out after {deadline:g} s waiting for {where}")
            return Received(response.status, tuple(response.getheaders()), response.reason)
        except (socket.timeout, http.client.HTTPException, OSError) as error:
            if expired.is_set():
                message = f"timed out after {deadline:g} s waiting for {where}"
            else:
                message = _network_error(error, where, parts.hostname, shown)
            raise ProbeError(message) from None
        finally:
            if watchdog is not None:
                watchdog.cancel()
            conn.close()

    return send


def _network_error(error: BaseException, where: str, host: str, timeout: float) -> str:
    """One line for a failed exchange: what went wrong, with whom."""
    if isinstance(error, socket.timeout):
        return f"timed out after {timeout:g} s waiting for {where}"
    if isinstance(error, ConnectionRefusedError):
        return f"connection refused by {where} (is the server running?)"
    if isinstance(error, ssl.SSLError):
        return f"TLS error with {where}: {_one_line(error)}"
    if isinstance(error, socket.gaierror):
        return f"cannot resolve {host}: {_one_line(error)}"
    if isinstance(error, http.client.HTTPException):
        return f"bad HTTP answer from {where}: {type(error).__name__} {_one_line(error)}"
    return f"network error with {where}: {_one_line(error)}"


def _one_line(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return " ".join(text.split())


class Finding(str, enum.Enum):
    """What a layer in front of the app changed. The value is machine-readable."""

    DUPLICATE_HEADER = "duplicate-header"
    VARY_ORIGIN_MISSING = "vary-origin-missing"
    CACHED_FOR_OTHER_ORIGIN = "cached-for-another-origin"


@dataclass(frozen=True)
class Problem:
    """One finding, with the exchange it was seen on and a sentence."""

    finding: Finding
    kind: str
    text: str


@dataclass(frozen=True)
class Probe:
    """The browser's outcome for the origin, the second origin's answers, and the problems."""

    outcome: Outcome
    other: tuple[Exchange, ...]
    problems: tuple[Problem, ...]

    @property
    def allowed(self) -> bool:
        return self.outcome.allowed


_CORS_HEADERS = (
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Expose-Headers",
    "Access-Control-Max-Age",
    "Access-Control-Allow-Private-Network",
)


def _layers(received: Received) -> str:
    """What the response says about the layers it went through (Server, Via), if anything."""
    found = [
        f"{name}: {value}"
        for name in ("Server", "Via")
        if (value := header_value(received.headers, name)) is not None
    ]
    return f" ({'; '.join(found)})" if found else ""


def duplicates(exchange: Exchange) -> list[Problem]:
    """Every ``Access-Control-*`` header the response carries more than once."""
    problems = []
    for name in _CORS_HEADERS:
        if header_count(exchange.received.headers, name) > 1:
            values = [v for n, v in exchange.received.headers if n.lower() == name.lower()]
            shown = ", ".join(repr(v) for v in values)
            text = (
                f"{name} is sent {len(values)} times ({shown}){_layers(exchange.received)}: "
                "two layers add it, the app and a proxy, gateway or CDN in front of it; "
                "let one of them own CORS"
            )
            problems.append(Problem(Finding.DUPLICATE_HEADER, exchange.sent.kind, text))
    return problems


def _varies_on_origin(received: Received) -> bool:
    vary = header_value(received.headers, "Vary") or ""
    names = {item.strip(" \t").lower() for item in vary.split(",")}
    return "origin" in names or "*" in names


def missing_vary(exchange: Exchange, origin: str) -> list[Problem]:
    """An answer that names the origin (so depends on it) without ``Vary: Origin``."""
    if header_value(exchange.received.headers, ACAO) != origin or origin == "*":
        return []
    if _varies_on_origin(exchange.received):
        return []
    text = (
        f"the {exchange.sent.kind} answer grants {origin} by name and has no 'Vary: Origin': "
        "a shared cache (proxy, CDN) may serve it to another origin"
    )
    return [Problem(Finding.VARY_ORIGIN_MISSING, exchange.sent.kind, text)]


def _cache_hints(received: Received) -> list[str]:
    return [
        f"{name}: {value}"
        for name in ("Age", "X-Cache", "X-Cache-Status", "CF-Cache-Status")
        if (value := header_value(received.headers, name)) is not None
    ]


def _cached_text(exchange: Exchange, asked: str, granted: str) -> str:
    hints = _cache_hints(exchange.received)
    if hints:
        cause = (
            f" ({'; '.join(hints)}): a cache served another origin's answer; make it key on "
            "Origin (honour Vary: Origin)"
        )
    else:
        cause = (
            ": a cache served another origin's answer (make it key on Origin), or a layer "
            "writes a fixed origin"
        )
    return (
        f"the answer to {asked}'s {exchange.sent.kind} carries "
        f"Access-Control-Allow-Origin: {granted}{cause}"
    )


def cached_for_other(exchange: Exchange, first_origin: str, other_origin: str) -> list[Problem]:
    """The second origin's answer carries the first origin's grant: a cache served it."""
    if header_value(exchange.received.headers, ACAO) != first_origin:
        return []
    text = _cached_text(exchange, other_origin, first_origin)
    return [Problem(Finding.CACHED_FOR_OTHER_ORIGIN, exchange.sent.kind, text)]


def cached_mismatch(exchange: Exchange, origin: str) -> list[Problem]:
    """The first origin's own answer grants another origin, from a cache (its hints say so)."""
    granted = header_value(exchange.received.headers, ACAO)
    if exchange.verdict.failure is not Failure.ALLOW_ORIGIN_MISMATCH or granted is None:
        return []
    if not _cache_hints(exchange.received):
        return []
    text = _cached_text(exchange, origin, granted)
    return [Problem(Finding.CACHED_FOR_OTHER_ORIGIN, exchange.sent.kind, text)]


def probe(
    url: str,
    request: CORSRequest,
    other_origin: Optional[str] = DEFAULT_OTHER_ORIGIN,
    send: Optional[Callable[[Sent], Received]] = None,
) -> Probe:
    """Ask ``url`` as a browser on ``request.origin`` would, then as ``other_origin``.

    The second origin repeats only what is safe to repeat: the preflight (when one is
    needed) and a GET or HEAD request. Raises :class:`ProbeError` when the server cannot be
    asked.
    """
    send = send or http_sender()
    outcome = fetch(request, url, send)
    problems: list[Problem] = []
    for exchange in outcome.exchanges:
        problems += duplicates(exchange)
        problems += missing_vary(exchange, request.origin)
        problems += cached_mismatch(exchange, request.origin)
    other: list[Exchange] = []
    if other_origin is not None and other_origin != request.origin:
        second = CORSRequest(
            other_origin,
            request.method,
            request.headers,
            request.credentials,
            request.private_network,
        )
        sent_list: list[Sent] = []
        if needs_preflight(second):
            sent_list.append(preflight_request(second, url))
        if second.method in ("GET", "HEAD"):
            sent_list.append(
                Sent("request", second.method, url, (*second.headers, ("Origin", other_origin)))
            )
        for sent in sent_list:
            received = send(sent)
            exchange = Exchange(sent, received, _NOT_JUDGED)
            other.append(exchange)
            problems += cached_for_other(exchange, request.origin, other_origin)
    return Probe(outcome, tuple(other), tuple(problems))
