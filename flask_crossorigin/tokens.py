"""HTTP tokens and the bounded parser for ``Access-Control-Request-Headers``.

RFC 9110 section 5.6.2 defines a token; the Fetch standard's CORS preflight sends the
request's non-safelisted header names as a comma-separated list of tokens.
"""

from __future__ import annotations

import re
from typing import Optional

_TCHAR = r"[!#$%&'*+.^_`|~0-9A-Za-z-]"
TOKEN = re.compile(f"{_TCHAR}+")

#: Longest ``Access-Control-Request-Headers`` value considered; a longer one is refused unread.
MAX_REQUEST_HEADERS_LENGTH = 4096
#: Most header names one preflight may ask for; more are refused.
MAX_REQUEST_HEADERS_COUNT = 64


def is_token(value: str) -> bool:
    return TOKEN.fullmatch(value) is not None


def parse_request_headers(value: str) -> Optional[tuple[str, ...]]:
    """Parse an ``Access-Control-Request-Headers`` value into header names, as spelled.

    Empty list elements and whitespace around elements are ignored (RFC 9110 section 5.6.1:
    proxies that join header lines produce ``x-foo,`` and ``,,authorization``); names repeated
    in another case are dropped, the first spelling kept. Returns ``None`` when an element is
    not a token, the value is longer than :data:`MAX_REQUEST_HEADERS_LENGTH`, or it names more
    than :data:`MAX_REQUEST_HEADERS_COUNT` non-empty elements. The length check comes first,
    and the work is linear in the length, so the cost of a hostile value is bounded (SPEC 4).
    """
    if len(value) > MAX_REQUEST_HEADERS_LENGTH:
        return None
    names: dict[str, str] = {}
    count = 0
    for element in value.split(","):
        name = element.strip(" \t")
        if not name:
            continue
        count += 1
        if count > MAX_REQUEST_HEADERS_COUNT or TOKEN.fullmatch(name) is None:
            return None
        names.setdefault(name.lower(), name)
    return tuple(names.values())


#: Fetch "forbidden method": ``fetch()`` throws a ``TypeError`` and sends nothing.
FORBIDDEN_METHODS = frozenset({"CONNECT", "TRACE", "TRACK"})
#: Fetch "forbidden request-header" names: a page cannot set them; ``fetch()`` drops them
#: silently and sends the rest of the request.
FORBIDDEN_REQUEST_HEADERS = frozenset(
    {
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    }
)
#: Fetch: any name with one of these prefixes is a forbidden request-header too.
FORBIDDEN_HEADER_PREFIXES = ("proxy-", "sec-")
