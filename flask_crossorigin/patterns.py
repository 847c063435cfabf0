"""Many regular expressions compiled once into one full-match test."""

from __future__ import annotations

import re
from typing import Callable, Optional

FullMatch = Callable[[str], object]


def _joinable(pattern: re.Pattern[str]) -> bool:
    """``pattern`` means the same inside ``(?:...)|(?:...)`` as alone.

    Groups could clash (names, back-references) once joined; ``(?`` may be a global inline
    flag, which is an error anywhere but at the start, or a conditional; ``re.VERBOSE`` lets a
    ``#`` comment swallow the rest of the alternation.
    """
    return not pattern.groups and "(?" not in pattern.pattern and not pattern.flags & re.VERBOSE


def any_fullmatch(patterns: list[re.Pattern[str]]) -> Optional[FullMatch]:
    """Return a callable that full-matches a string against any of ``patterns``, or ``None``.

    Each pattern keeps its own flags. Patterns that mean the same when joined (see
    :func:`_joinable`) and share their flags become one alternation, so a thousand entries
    cost one scan in C; the others are tried one after another. The answer is exactly that of
    ``any(p.fullmatch(value) for p in patterns)`` (SPEC 3). Every pattern is compiled here,
    once, so nothing depends on the ``re`` module's cache.
    """
    if not patterns:
        return None
    if len(patterns) == 1:
        return patterns[0].fullmatch
    by_flags: dict[int, list[str]] = {}
    alone: list[FullMatch] = []
    for pattern in patterns:
        if _joinable(pattern):
            by_flags.setdefault(pattern.flags, []).append(pattern.pattern)
        else:
            alone.append(pattern.fullmatch)
    fullmatches: list[FullMatch] = [
        re.compile("|".join(f"(?:{text})" for text in texts), flags).fullmatch
        for flags, texts in by_flags.items()
    ]
    fullmatches += alone
    if len(fullmatches) == 1:
        return fullmatches[0]
    tried = tuple(fullmatches)

    def first(value: str) -> object:
        for fullmatch in tried:
            m = fullmatch(value)
            if m is not None:
                return m
        return None

    return first
