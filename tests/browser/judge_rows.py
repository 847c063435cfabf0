"""The judge-versus-Chromium table: one row per exchange a server may script.

Each row is a page's ``fetch()`` (method, headers, credentials) and the exact answers the
server gives: to the preflight (``OPTIONS``), to the request, and, for a redirect, to the
request at ``/next``. ``expected`` is the Fetch standard's verdict; the browser test asserts
that real Chromium and :mod:`flask_crossorigin.judge` both reach it on every row, but the
rows whose ``chromium_differs`` says why Chromium does otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .scripted import Answer

ALLOWED, BLOCKED = "allowed", "blocked"
PAGE_ORIGIN = "{origin}"  # filled in by the test; "{ORIGIN}": in upper case; "{next}": /next

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"


def ok(*headers: tuple[str, str], status: int = 200, reason: str = "OK") -> Answer:
    return Answer(status, headers, reason)


GRANT = (ACAO, PAGE_ORIGIN)
CREDS = (ACAC, "true")


@dataclass(frozen=True)
class Row:
    name: str
    expected: str
    actual: Answer
    preflight: Optional[Answer] = None
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    credentials: bool = False
    #: The answer at ``/next`` (a redirect's target), when the request is redirected there.
    target: Optional[Answer] = None
    #: Redirect to the second server (another origin) instead of this one.
    cross_origin: bool = False
    #: Where Chromium does not (yet) do what the Fetch standard says: why. The test then
    #: asserts Chromium's opposite verdict, so the day Chromium follows the standard, it fails.
    chromium_differs: str = ""


def redirect(status: int, *headers: tuple[str, str]) -> Answer:
    return Answer(status, (("Location", "{next}"), *headers), "Redirect")


JSON = (("Content-Type", "application/json"),)
TOKEN = (("X-Token", "t"),)
AUTH = (("Authorization", "Bearer t"),)

ROWS = [
    # The CORS check on a response to a request that needs no preflight.
    Row("simple-origin", ALLOWED, ok(GRANT)),
    Row("simple-star", ALLOWED, ok((ACAO, "*"))),
    Row("simple-missing", BLOCKED, ok()),
    Row("simple-other-origin", BLOCKED, ok((ACAO, "http://other.test"))),
    Row("simple-origin-trailing-slash", BLOCKED, ok((ACAO, PAGE_ORIGIN + "/"))),
    Row("simple-origin-upper-case", BLOCKED, ok((ACAO, "{ORIGIN}"))),
    Row("simple-origin-spaces", ALLOWED, ok((ACAO, f"  {PAGE_ORIGIN}  "))),
    Row("simple-duplicate-same", BLOCKED, ok(GRANT, GRANT)),
    Row("simple-duplicate-star-and-origin", BLOCKED, ok((ACAO, "*"), GRANT)),
    Row("simple-list-in-one-header", BLOCKED, ok((ACAO, f"{PAGE_ORIGIN}, http://other.test"))),
    Row("simple-null", BLOCKED, ok((ACAO, "null"))),
    Row("simple-404-granted", ALLOWED, ok(GRANT, status=404, reason="Not Found")),
    Row("simple-500-missing", BLOCKED, ok(status=500, reason="Internal Server Error")),
    Row("simple-lower-case-name", ALLOWED, ok(("access-control-allow-origin", PAGE_ORIGIN))),
    # Credentials.
    Row("credentials-granted", ALLOWED, ok(GRANT, CREDS), credentials=True),
    Row("credentials-star", BLOCKED, ok((ACAO, "*"), CREDS), credentials=True),
    Row("credentials-missing-acac", BLOCKED, ok(GRANT), credentials=True),
    Row("credentials-acac-capital", BLOCKED, ok(GRANT, (ACAC, "True")), credentials=True),
    Row("credentials-acac-twice", BLOCKED, ok(GRANT, CREDS, CREDS), credentials=True),
    Row("no-credentials-acac-ignored", ALLOWED, ok(GRANT, (ACAC, "false"))),
    # Redirects of the request itself: each hop passes the CORS check.
    Row("redirect-granted", ALLOWED, redirect(307, GRANT), target=ok(GRANT)),
    Row("redirect-without-grant", BLOCKED, redirect(302), target=ok(GRANT)),
    Row("redirect-target-missing", BLOCKED, redirect(301, GRANT), target=ok()),
    Row(
        "redirect-cross-origin-origin-null",
        BLOCKED,
        redirect(302, GRANT),
        target=ok(GRANT),
        cross_origin=True,
    ),
    Row(
        "redirect-cross-origin-null-granted",
        ALLOWED,
        redirect(302, GRANT),
        target=ok((ACAO, "null")),
        cross_origin=True,
    ),
    # Preflights: status, redirect, CORS check.
    Row("preflight-granted", ALLOWED, ok(GRANT), ok(GRANT, (ACAM, "PUT")), "PUT"),
    Row("preflight-204", ALLOWED, ok(GRANT), ok(GRANT, (ACAM, "PUT"), status=204), "PUT"),
    Row("preflight-404", BLOCKED, ok(GRANT), ok(GRANT, (ACAM, "PUT"), status=404), "PUT"),
    Row("preflight-500", BLOCKED, ok(GRANT), ok(GRANT, (ACAM, "PUT"), status=500), "PUT"),
    Row("preflight-redirect", BLOCKED, ok(GRANT), redirect(308, GRANT, (ACAM, "PUT")), "PUT"),
    Row("preflight-missing-acao", BLOCKED, ok(GRANT), ok((ACAM, "PUT")), "PUT"),
    Row("preflight-duplicate-acao", BLOCKED, ok(GRANT), ok(GRANT, GRANT, (ACAM, "PUT")), "PUT"),
    Row("preflight-granted-request-not", BLOCKED, ok(), ok(GRANT, (ACAM, "PUT")), "PUT"),
    Row("preflight-star-request-origin", ALLOWED, ok(GRANT), ok((ACAO, "*"), (ACAM, "PUT")), "PUT"),
    # Methods.
    Row("method-missing", BLOCKED, ok(GRANT), ok(GRANT), "PUT"),
    Row("method-star", ALLOWED, ok(GRANT), ok(GRANT, (ACAM, "*")), "PUT"),
    Row(
        "method-star-credentials",
        BLOCKED,
        ok(GRANT, CREDS),
        ok(GRANT, CREDS, (ACAM, "*")),
        "PUT",
        credentials=True,
    ),
    Row(
        "method-listed-credentials",
        ALLOWED,
        ok(GRANT, CREDS),
        ok(GRANT, CREDS, (ACAM, "PUT")),
        "PUT",
        credentials=True,
    ),
    Row("method-lower-case-listed", BLOCKED, ok(GRANT), ok(GRANT, (ACAM, "put")), "PUT"),
    Row("method-normalised-put", ALLOWED, ok(GRANT), ok(GRANT, (ACAM, "PUT")), "put"),
    Row("method-patch-lower-case", BLOCKED, ok(GRANT), ok(GRANT, (ACAM, "PATCH")), "patch"),
    Row("method-patch", ALLOWED, ok(GRANT), ok(GRANT, (ACAM, "PATCH")), "PATCH"),
    Row("method-in-list", ALLOWED, ok(GRANT), ok(GRANT, (ACAM, "GET, PUT ,DELETE")), "DELETE"),
    Row("method-two-headers", ALLOWED, ok(GRANT), ok(GRANT, (ACAM, "GET"), (ACAM, "PUT")), "PUT"),
    Row("method-list-malformed", BLOCKED, ok(GRANT), ok(GRANT, (ACAM, "PUT, G E T")), "PUT"),
    Row(
        "method-safelisted-not-listed",
        ALLOWED,
        ok(GRANT),
        ok(GRANT, (ACAM, "PUT"), (ACAH, "X-Token")),
        "POST",
        TOKEN,
    ),
    # Request headers.
    Row("header-listed", ALLOWED, ok(GRANT), ok(GRANT, (ACAH, "x-token")), headers=TOKEN),
    Row(
        "header-listed-other-case", ALLOWED, ok(GRANT), ok(GRANT, (ACAH, "X-TOKEN")), headers=TOKEN
    ),
    Row("header-missing", BLOCKED, ok(GRANT), ok(GRANT, (ACAH, "Content-Type")), headers=TOKEN),
    Row("header-star", ALLOWED, ok(GRANT), ok(GRANT, (ACAH, "*")), headers=TOKEN),
    Row(
        "header-star-credentials",
        BLOCKED,
        ok(GRANT, CREDS),
        ok(GRANT, CREDS, (ACAH, "*")),
        headers=TOKEN,
        credentials=True,
    ),
    Row("header-list-malformed", BLOCKED, ok(GRANT), ok(GRANT, (ACAH, "x-token;")), headers=TOKEN),
    Row(
        "authorization-star",
        BLOCKED,
        ok(GRANT),
        ok(GRANT, (ACAH, "*")),
        headers=AUTH,
        chromium_differs="Fetch: Authorization is a CORS non-wildcard request-header name; "
        "Chromium still lets '*' cover it, without a console message",
    ),
    Row(
        "authorization-star-and-name",
        ALLOWED,
        ok(GRANT),
        ok(GRANT, (ACAH, "*, Authorization")),
        headers=AUTH,
    ),
    Row(
        "authorization-listed-credentials",
        ALLOWED,
        ok(GRANT, CREDS),
        ok(GRANT, CREDS, (ACAH, "authorization")),
        headers=AUTH,
        credentials=True,
    ),
    Row(
        "content-type-text-plain",
        ALLOWED,
        ok(GRANT),
        None,
        "POST",
        (("Content-Type", "text/plain"),),
    ),
    Row("content-type-json-missing", BLOCKED, ok(GRANT), ok(GRANT), "POST", JSON),
    Row(
        "content-type-json-listed",
        ALLOWED,
        ok(GRANT),
        ok(GRANT, (ACAH, "content-type")),
        "POST",
        JSON,
    ),
    Row(
        "accept-language-safelisted", ALLOWED, ok(GRANT), None, headers=(("Accept-Language", "en"),)
    ),
    Row(
        "accept-language-unsafe-value",
        BLOCKED,
        ok(GRANT),
        ok(GRANT),
        headers=(("Accept-Language", "en(1)"),),
    ),
    Row(
        "preflight-credentials-missing-acac",
        BLOCKED,
        ok(GRANT, CREDS),
        ok(GRANT, (ACAM, "PUT")),
        "PUT",
        credentials=True,
    ),
    # Forbidden methods: fetch() throws a TypeError and sends nothing, whatever the server says.
    Row("method-connect-forbidden", BLOCKED, ok(GRANT), ok(GRANT, (ACAM, "CONNECT")), "CONNECT"),
    Row("method-trace-forbidden", BLOCKED, ok(GRANT), ok(GRANT, (ACAM, "TRACE")), "TRACE"),
    Row("method-track-lower-case", BLOCKED, ok(GRANT), ok(GRANT, (ACAM, "track")), "track"),
    # Forbidden request-headers: dropped silently, the rest of the request is sent.
    Row("header-cookie-dropped", ALLOWED, ok(GRANT), None, headers=(("Cookie", "a=1"),)),
    Row(
        "header-cookie-dropped-rest-sent",
        ALLOWED,
        ok(GRANT),
        ok(GRANT, (ACAH, "x-token")),
        headers=(("Cookie", "a=1"), *TOKEN),
    ),
    Row(
        "header-sec-prefix-dropped",
        ALLOWED,
        ok(GRANT),
        ok(GRANT, (ACAH, "x-token")),
        "GET",
        (("Sec-Fetch-Thing", "1"), ("Proxy-Thing", "1"), *TOKEN),
    ),
    # Interim answers (103 Early Hints) are skipped: only the final answer is checked.
    Row(
        "interim-103-grant-final-none",
        BLOCKED,
        Answer(200, (), "OK", ((103, "Early Hints", (("Link", "</s.css>; rel=preload"), GRANT)),)),
    ),
    Row(
        "interim-103-final-granted",
        ALLOWED,
        Answer(200, (GRANT,), "OK", ((103, "Early Hints", (("Link", "</s.css>; rel=preload"),)),)),
    ),
    Row(
        "interim-103-preflight",
        ALLOWED,
        ok(GRANT),
        Answer(
            204, (GRANT, (ACAM, "PUT")), "No Content", ((103, "Early Hints", (("Link", "</a>"),)),)
        ),
        "PUT",
    ),
]
