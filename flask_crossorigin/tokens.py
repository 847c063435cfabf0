"""HTTP tokens and the bounded parser for ``Access-Control-Request-Headers``.

RFC 9110 section 5.6.2 defines a token; the Fetch standard's CORS preflight sends the
request's non-safelisted header names as a comma-separated list of tokens.
"""

from __future__ import annotations

import re
from typing import Optional

_TCHAR = r"[!#$%&'*+.^_`|~0-9A-Za-z-]"
TOKEN = re.compile(f"{_TCHAR}+")

# A list of tokens separated by commas with optional whitespace. The token class has neither
# comma nor space, so the pattern cannot backtrack: matching is linear in the input.
_TOKEN_LIST = re.compile(rf"[ \t]*{_TCHAR}+(?:[ \t]*,[ \t]*{_TCHAR}+)*[ \t]*")

#: Longest ``Access-Control-Request-Headers`` value considered; a longer one is refused unread.
MAX_REQUEST_HEADERS_LENGTH = 4096
#: Most header names one preflight may ask for; more are refused.
MAX_REQUEST_HEADERS_COUNT = 64


def is_token(value: str) -> bool:
    return TOKEN.fullmatch(value) is not None


def parse_request_headers(value: str) -> Optional[tuple[str, ...]]:
    """Parse an ``Access-Control-Request-Headers`` value into lower-case names.

    Returns ``None`` when the value is malformed, longer than
    :data:`MAX_REQUEST_HEADERS_LENGTH`, or names more than :data:`MAX_REQUEST_HEADERS_COUNT`
    headers. The length check comes first, so the cost of a hostile value is bounded.
    """
    if len(value) > MAX_REQUEST_HEADERS_LENGTH:
        return None
    if value.count(",") >= MAX_REQUEST_HEADERS_COUNT:
        return None
    if _TOKEN_LIST.fullmatch(value) is None:
        return None
    return tuple(name.strip(" \t").lower() for name in value.split(","))
