"""Many regular expressions compiled once into one full-match test, in linear time."""

from __future__ import annotations

import re
from typing import Callable, Optional

from .engine import LinearSet, translate

FullMatch = Callable[[str], bool]


def any_fullmatch(patterns: list[re.Pattern[str]]) -> Optional[FullMatch]:
    """Return a callable that tells whether a string matches any of ``patterns`` in full, or
    ``None`` when there are none.

    Each pattern keeps its own flags. All of them are translated for the linear-time engine
    (:mod:`~flask_crossorigin.engine`) and matched together in one pass, whose time is linear
    in the length of the string whatever the patterns (SPEC 5). The answer is exactly that of
    ``any(p.fullmatch(value) for p in patterns)`` (SPEC 3). Every pattern is compiled here,
    once, so nothing depends on a regex cache. Raises ``ValueError`` for a pattern the engine
    cannot take (configuration refuses those first, with the reason).
    """
    if not patterns:
        return None
    sources: list[str] = []
    for pattern in patterns:
        linear = translate(pattern, whole=True)
        if not isinstance(linear, str):
            raise ValueError(f"{pattern.pattern!r} {linear.reason}")
        sources.append(linear)
    return LinearSet(sources, whole=True).any
