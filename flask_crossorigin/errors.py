"""Configuration errors: every problem found, reported at once."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import Optional


def as_written(value: object) -> str:
    """A configured value as the user would write it in Python, for messages (SPEC 2).

    Strings, numbers, booleans and ``None`` as their literal; a compiled regex as
    ``re.compile('source')``; a ``timedelta`` as ``timedelta(seconds=600)``; a callable by its
    name; lists, tuples, sets and dicts item by item. A parsed value shows what it was parsed
    from (an origin entry its text, a resource its pattern and options), never the internal
    object.
    """
    if value is None or isinstance(value, (str, bytes, bool, int, float)):
        return repr(value)
    if isinstance(value, re.Pattern):
        return f"re.compile({value.pattern!r})"
    if isinstance(value, timedelta):
        return f"timedelta(seconds={value.total_seconds():g})"
    if isinstance(value, Enum):
        return as_written(value.value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{as_written(k)}: {as_written(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(as_written(v) for v in value) + "]"
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(as_written(v) for v in value)) + "}"
    # Parsed values (origin entries, resources) keep what the user wrote: an origin entry its
    # ``text``, a resource its ``key`` and ``overrides``.
    text = getattr(value, "text", None)
    if isinstance(text, str):
        return repr(text)
    key, overrides = getattr(value, "key", None), getattr(value, "overrides", None)
    if isinstance(key, str) and isinstance(overrides, Mapping):
        return "{" + f"{key!r}: {as_written(overrides)}" + "}"
    if callable(value):
        return str(
            getattr(value, "__qualname__", None)
            or getattr(value, "__name__", None)
            or f"a {type(value).__name__} callable"
        )
    return f"a {type(value).__name__} value"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one configured value."""

    option: str
    value: object
    what: str
    fix: str
    index: Optional[int] = None

    def __str__(self) -> str:
        where = self.option if self.index is None else f"{self.option}[{self.index}]"
        return f"{where} {as_written(self.value)}: {self.what} ({self.fix})"


class CORSConfigError(ValueError):
    """Raised at ``init_app`` or decoration time when the CORS configuration is wrong.

    ``problems`` lists every problem found; the message names each option, its value and the fix.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"flask-crossorigin configuration has {count} {noun}:\n{lines}")


class Problems:
    """Collects problems while a configuration is parsed; raises them together."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self._seen: set[object] = set()

    def first_time(self, key: object) -> bool:
        """Whether ``key`` is new to this configuration pass (a warning that many resources
        sharing one setting would each give is logged once)."""
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def add(
        self, option: str, value: object, what: str, fix: str, index: Optional[int] = None
    ) -> None:
        self.items.append(Problem(option, value, what, fix, index))

    def raise_if_any(self) -> None:
        if self.items:
            raise CORSConfigError(self.items)
