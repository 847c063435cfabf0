"""What the cloud targets can say of a regex origin: its finite language, or its JavaScript.

Regexes are read with the ``re`` module's own parser, never by looking at their text:

- :func:`finite_origins`: the well-formed origins a regex matches, when there are few of them
  (``https://(www\\.)?example\\.(com|org)`` is four exact origins). Targets that take only exact
  origins (API Gateway, S3, CloudFront) export those; any other regex is dropped and reported.
- :func:`to_javascript`: the same language as a JavaScript ``RegExp`` source, for the Worker,
  from a subset of the syntax whose meaning is the same in both engines on the origins the
  decision ever matches (ASCII, well-formed, lower-cased: SPEC section 3). Anything else
  (lookarounds, backreferences, word boundaries, Unicode classes, inline flags, non-ASCII) is
  refused with ``None``, never approximated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Optional

from .. import engine
from ..origins import split_origin

_MAXREPEAT: int = engine.MAXREPEAT

#: The most origins a regex may stand for in a list target.
MAX_FINITE = 100
#: The most characters one class may expand to in :func:`finite_origins`.
_MAX_CLASS = 16


class _TooMany(Exception):
    pass


def _name(op: Any) -> str:
    return str(op)


def _tree(pattern: re.Pattern[str]) -> Any:
    return engine.parse(pattern)


def finite_origins(pattern: re.Pattern[str]) -> Optional[tuple[str, ...]]:
    """Every origin (lower case, well-formed) that ``pattern`` matches in full, or ``None``
    when the regex's language is infinite, larger than :data:`MAX_FINITE`, or uses syntax
    this reader does not expand. Each result is checked against ``pattern`` itself."""
    try:
        strings = _expand(_tree(pattern))
    except (_TooMany, RecursionError):
        return None
    if strings is None:
        return None
    found: list[str] = []
    for text in strings:
        lowered = text.lower()
        parts = split_origin(lowered)
        if parts is None or pattern.fullmatch(lowered) is None:
            continue
        scheme, host, port = parts
        origin = f"{scheme}://{host}:{port}" if port else f"{scheme}://{host}"
        if origin == lowered and origin not in found:
            found.append(origin)
    return tuple(found)


def _expand(items: Iterable[Any]) -> Optional[list[str]]:
    out = [""]
    for op, av in items:
        options = _expand_one(_name(op), av)
        if options is None:
            return None
        out = list(dict.fromkeys(a + b for a in out for b in options))
        if len(out) > MAX_FINITE * 4:
            raise _TooMany
    return out


def _expand_one(name: str, av: Any) -> Optional[list[str]]:
    if name == "LITERAL":
        return [chr(av).lower()]
    if name == "AT" and _name(av) in ("AT_BEGINNING", "AT_BEGINNING_STRING", "AT_END_STRING"):
        return [""]
    if name == "AT" and _name(av) == "AT_END":
        # ``$`` also matches before a final newline, which no well-formed origin has.
        return [""]
    if name == "IN":
        chars = _class_chars(av)
        return None if chars is None else sorted({c.lower() for c in chars})
    if name == "BRANCH":
        found: list[str] = []
        for branch in av[1]:
            got = _expand(branch)
            if got is None:
                return None
            found.extend(got)
        return list(dict.fromkeys(found))
    if name == "SUBPATTERN":
        _group, add_flags, del_flags, body = av
        if add_flags or del_flags:
            return None
        return _expand(body)
    if name in ("MAX_REPEAT", "MIN_REPEAT"):
        low, high, body = av
        if high == _MAXREPEAT or high > 4:
            return None
        inner = _expand(body)
        if inner is None:
            return None
        found = []
        for count in range(low, high + 1):
            words = [""]
            for _ in range(count):
                words = [w + i for w in words for i in inner]
                if len(words) > MAX_FINITE * 4:
                    raise _TooMany
            found.extend(words)
        return list(dict.fromkeys(found))
    return None


def _class_chars(items: Any) -> Optional[set[str]]:
    chars: set[str] = set()
    for op, av in items:
        name = _name(op)
        if name == "LITERAL":
            chars.add(chr(av))
        elif name == "RANGE":
            low, high = av
            if high - low >= _MAX_CLASS:
                return None
            chars.update(chr(c) for c in range(low, high + 1))
        else:
            return None
        if len(chars) > _MAX_CLASS:
            return None
    return chars


# --- JavaScript -----------------------------------------------------------------------------

#: Characters written as they are in a JavaScript pattern; every other ASCII one is escaped.
_JS_PLAIN = re.compile(r"[A-Za-z0-9_ ,'\"<>=!%&@#~`;:-]")
_CATEGORIES = {
    # In ASCII mode (SPEC 3: ASCII only), Python's \d and \w are JavaScript's (no ``u`` flag).
    "CATEGORY_DIGIT": "\\d",
    "CATEGORY_NOT_DIGIT": "\\D",
    "CATEGORY_WORD": "\\w",
    "CATEGORY_NOT_WORD": "\\W",
    # JavaScript's \s is wider (Unicode spaces): spelled out as Python's ASCII set.
    "CATEGORY_SPACE": "\\t\\n\\v\\f\\r ",
}


def _js_char(code: int) -> str:
    char = chr(code)
    if _JS_PLAIN.fullmatch(char):
        return char
    if code < 0x80 and char.isprintable():
        return "\\" + char
    return f"\\x{code:02x}"


def to_javascript(pattern: re.Pattern[str]) -> Optional[str]:
    """A JavaScript ``RegExp`` source (use with the ``i`` flag, anchored by the caller as
    ``^(?:...)$``) matching exactly the lower-cased ASCII strings ``pattern`` fullmatches, or
    ``None`` when that cannot be promised.

    The flags must include IGNORECASE (how origin and header-name regexes are compiled) and
    nothing but ASCII or UNICODE besides; the pattern must be ASCII. The strings matched (origins,
    header names) are ASCII, on which an ASCII pattern means the same in either mode.
    """
    if not pattern.pattern.isascii():
        return None
    if pattern.flags & ~(re.IGNORECASE | re.ASCII | re.UNICODE):
        return None
    if not pattern.flags & re.IGNORECASE:
        return None
    try:
        return _js_sequence(_tree(pattern))
    except (_Untranslatable, RecursionError):
        return None


class _Untranslatable(Exception):
    pass


def _js_sequence(items: Iterable[Any]) -> str:
    return "".join(_js_item(_name(op), av) for op, av in items)


def _js_item(name: str, av: Any) -> str:
    if name == "LITERAL":
        return _js_char(av)
    if name == "NOT_LITERAL":
        return f"[^{_js_char(av)}]"
    if name == "ANY":
        # Python's ``.`` (no DOTALL) excludes only "\n"; JavaScript's also excludes "\r".
        return "[^\\n]"
    if name == "AT":
        where = _name(av)
        if where in ("AT_BEGINNING", "AT_BEGINNING_STRING"):
            return "^"
        if where in ("AT_END", "AT_END_STRING"):
            # Python's ``$`` also matches before a final "\n", which no origin has.
            return "$"
        raise _Untranslatable
    if name == "IN":
        return _js_class(av)
    if name == "BRANCH":
        return "(?:" + "|".join(_js_sequence(b) for b in av[1]) + ")"
    if name == "SUBPATTERN":
        _group, add_flags, del_flags, body = av
        if add_flags or del_flags:
            raise _Untranslatable
        return "(?:" + _js_sequence(body) + ")"
    if name in ("MAX_REPEAT", "MIN_REPEAT"):
        low, high, body = av
        inner = "(?:" + _js_sequence(body) + ")"
        bound = f"{{{low},}}" if high == _MAXREPEAT else f"{{{low},{high}}}"
        return inner + bound + ("?" if name == "MIN_REPEAT" else "")
    raise _Untranslatable


def _js_class(items: Any) -> str:
    parts: list[str] = []
    negate = False
    for op, av in items:
        name = _name(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            parts.append(_js_char(av))
        elif name == "RANGE":
            parts.append(f"{_js_char(av[0])}-{_js_char(av[1])}")
        elif name == "CATEGORY" and _name(av) in _CATEGORIES:
            if _name(av) == "CATEGORY_NOT_SPACE":
                raise _Untranslatable
            parts.append(_CATEGORIES[_name(av)])
        else:
            raise _Untranslatable
    return "[" + ("^" if negate else "") + "".join(parts) + "]"
