"""Make request-derived values safe to put in a log line."""

from __future__ import annotations

import re
from typing import Optional

MAX_LOGGED = 200
#: A request method as HTTP defines it: a short token. Anything else is quoted and escaped.
_PLAIN_METHOD = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}")
MAX_LOGGED_METHOD = 32


def loggable(value: Optional[str], limit: int = MAX_LOGGED) -> str:
    """Return ``value`` quoted, with control characters escaped and its length bounded.

    No CR, LF, NUL or other control character survives, so a hostile ``Origin`` or path
    cannot forge a log line.
    """
    if value is None:
        return "(none)"
    cut = value[:limit]
    text = cut.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    if len(value) > limit:
        text += f"...(+{len(value) - limit} chars)"
    return f'"{text}"'


def loggable_method(method: str) -> str:
    """Return a request method as is when it is a short HTTP token, else as :func:`loggable`.

    A client may send any bytes but whitespace as the method, so a line that names the method
    escapes it like any other request-derived value.
    """
    if _PLAIN_METHOD.fullmatch(method):
        return method
    return loggable(method, MAX_LOGGED_METHOD)
