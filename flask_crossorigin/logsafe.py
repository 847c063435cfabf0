"""Make request-derived values safe to put in a log line."""

from __future__ import annotations

from typing import Optional

MAX_LOGGED = 200


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
