"""Configuration errors: every problem found, reported at once."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sized
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from itertools import islice
from typing import Optional, Union

#: A value shown in a message is cut after this many characters (SPEC 2: values as written,
#: shortened when huge).
SHOWN_LENGTH = 80
#: What and fix texts are cut after this many characters (they may quote the value).
TEXT_LENGTH = 400
#: Containers are shown this many levels deep.
_DEPTH = 4


def shortened(text: str, limit: int = SHOWN_LENGTH) -> str:
    """``text``, or its first ``limit`` characters and how long it is."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\u2026({len(text)} characters)"


def as_written(value: object) -> str:
    """A configured value as the user would write it in Python, for messages (SPEC 2).

    Strings, numbers, booleans and ``None`` as their literal; a compiled regex as
    ``re.compile('source')``; a ``timedelta`` as ``timedelta(seconds=600)``; a callable by its
    name; lists, tuples, sets and dicts item by item. A parsed value shows what it was parsed
    from (an origin entry its text, a resource its pattern and options), never the internal
    object. Whatever the value's type or size, nothing is raised (an int of more than 4,300
    digits, which ``repr`` refuses on Python 3.11+; a list that contains itself) and the text
    stays short: a string, bytes or int longer than :data:`SHOWN_LENGTH` characters shows
    its first ones and its length (``'xxx…(100000 characters)'``), a container its first
    items and how many it has.
    """
    if isinstance(value, Sized) and isinstance(value, (Mapping, list, tuple, set, frozenset)):
        text = _written(value, _DEPTH, set())
        if len(text) > SHOWN_LENGTH + 10:
            return f"{text[:SHOWN_LENGTH]}\u2026({len(value)} items)"
        return text
    return _written(value, _DEPTH, set())


def _int_written(value: int) -> str:
    """``repr(value)``, without Python 3.11's limit on converting long ints to text: past
    :data:`SHOWN_LENGTH` digits, the first ones and how many there are."""
    sign = "-" if value < 0 else ""
    digits = int(value.bit_length() * 0.30103) + 1
    if digits <= 4000:
        text = repr(abs(value))
    elif digits > 100_000:
        return f"{'a negative' if sign else 'an'} int of about {digits} digits"
    else:
        # The first digits and the count, without converting the whole number.
        cut = digits - 2 * SHOWN_LENGTH
        head = str(abs(value) // 10**cut)
        return f"{sign}{head[:SHOWN_LENGTH]}\u2026({len(head) + cut} digits)"
    if len(text) <= SHOWN_LENGTH:
        return sign + text
    return f"{sign}{text[:SHOWN_LENGTH]}\u2026({len(text)} digits)"


def _written(value: object, depth: int, seen: set[int]) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return _int_written(value)
    if isinstance(value, (str, bytes, bytearray)):
        if len(value) <= SHOWN_LENGTH:
            return repr(value)
        # The cut comes before repr, so a huge string is never copied whole.
        return f"{value[:SHOWN_LENGTH]!r}\u2026({len(value)} characters)"
    if isinstance(value, re.Pattern):
        return f"re.compile({_written(value.pattern, depth, seen)})"
    if isinstance(value, timedelta):
        return f"timedelta(seconds={value.total_seconds():g})"
    if isinstance(value, Enum):
        return _written(value.value, depth, seen)
    if isinstance(value, (Mapping, list, tuple, set, frozenset)):
        if id(value) in seen or depth <= 0:
            return "..."
        seen = seen | {id(value)}
        return _container_written(value, depth - 1, seen)
    # Parsed values (origin entries, resources) keep what the user wrote: an origin entry its
    # ``text``, a resource its ``key`` and ``overrides``.
    text = getattr(value, "text", None)
    if isinstance(text, str):
        return _written(text, depth, seen)
    key, overrides = getattr(value, "key", None), getattr(value, "overrides", None)
    if isinstance(key, str) and isinstance(overrides, Mapping):
        return "{" + f"{_written(key, depth, seen)}: {_written(overrides, depth, seen)}" + "}"
    if callable(value):
        name = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
        return shortened(name) if isinstance(name, str) else f"a {type(value).__name__} callable"
    return f"a {type(value).__name__} value"


def _container_written(
    value: Union[
        Mapping[object, object], list[object], tuple[object, ...], set[object], frozenset[object]
    ],
    depth: int,
    seen: set[int],
) -> str:
    """Items one by one, until the text is longer than can be shown anyway."""
    parts: list[str] = []
    length = 0
    if isinstance(value, Mapping):
        opening, closing = "{", "}"
        items: Iterable[str] = (
            f"{_written(k, depth, seen)}: {_written(v, depth, seen)}" for k, v in value.items()
        )
    elif isinstance(value, (set, frozenset)):
        opening, closing = "{", "}"
        items = sorted(_written(v, depth, seen) for v in islice(value, 2 * SHOWN_LENGTH))
    else:
        opening, closing = "[", "]"
        items = (_written(v, depth, seen) for v in value)
    for part in items:
        if length > SHOWN_LENGTH:
            parts.append(f"...{len(value)} items")
            break
        parts.append(part)
        length += len(part) + 2
    return opening + ", ".join(parts) + closing


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
        what, fix = shortened(self.what, TEXT_LENGTH), shortened(self.fix, TEXT_LENGTH)
        return f"{shortened(where, TEXT_LENGTH)} {as_written(self.value)}: {what} ({fix})"


class CORSConfigError(ValueError):
    """Raised at ``init_app`` or decoration time when the CORS configuration is wrong.

    ``problems`` lists every problem found; the message names each option, its value and the fix.
    ``where`` names what was being configured when it is not the extension itself: a decorated
    view (its endpoint and rule) or a blueprint.
    """

    def __init__(self, problems: list[Problem], where: Optional[str] = None) -> None:
        self.problems = tuple(problems)
        self.where = where
        lines = "\n".join(f"  - {p}" for p in self.problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        context = f" in {where}" if where else ""
        super().__init__(f"flask-crossorigin configuration has {count} {noun}{context}:\n{lines}")

    def within(self, context: str) -> CORSConfigError:
        """The same problems, said to be found in ``context`` too (``view 'api.items' (rule
        '/items')``), after what the error already names."""
        where = f"{self.where}, {context}" if self.where else context
        return CORSConfigError(list(self.problems), where)


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

    def raise_if_any(self, where: Optional[str] = None) -> None:
        """Raise :class:`CORSConfigError` with every problem, if any; ``where`` names what was
        being configured (a decorated view, a blueprint)."""
        if self.items:
            raise CORSConfigError(self.items, where)
