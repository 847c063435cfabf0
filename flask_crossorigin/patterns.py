"""Many regular expressions compiled once into one full-match test."""

from __future__ import annotations

import re
from typing import Callable, Optional

FullMatch = Callable[[str], object]


def any_fullmatch(patterns: list[re.Pattern[str]]) -> Optional[FullMatch]:
    """Return a callable that full-matches a string against any of ``patterns``, or ``None``.

    Patterns without groups and with the same flags are joined into one alternation, so a
    thousand entries cost one scan in C; others are tried one after another. Every pattern is
    compiled before this is called, so nothing depends on the ``re`` module's cache.
    """
    if not patterns:
        return None
    if len(patterns) == 1:
        return patterns[0].fullmatch
    flags = {p.flags for p in patterns}
    if len(flags) == 1 and not any(p.groups for p in patterns):
        # Groups could clash (names, back-references) once joined; without them the
        # alternation means exactly "any of the patterns".
        alternation = "|".join(f"(?:{p.pattern})" for p in patterns)
        return re.compile(alternation, flags.pop()).fullmatch
    fullmatches = tuple(p.fullmatch for p in patterns)

    def first(value: str) -> object:
        for fullmatch in fullmatches:
            m = fullmatch(value)
            if m is not None:
                return m
        return None

    return first
