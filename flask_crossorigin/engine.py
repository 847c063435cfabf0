"""A linear-time engine for the regexes a user configures (SPEC sections 3 and 5).

Regexes in ``origins``, ``allow_headers`` and ``resources`` are matched against values a client
chooses. Python's ``re`` module backtracks: ``r"/api/.*/.*/.*/export"`` takes seconds on a
4 KB path. Every configured regex is therefore translated once, at configuration time, into the
syntax of RE2 (the maintained ``google-re2`` package), whose matching time is linear in the
length of the value, and matched by RE2 only.

The translation keeps Python's meaning exactly. It is made from the parse tree the ``re``
module builds for itself:

- every character a node can match (a literal, ``.``, ``[...]``, ``\\d``, ``\\w``, ``\\s``,
  under the flags in force there: ``IGNORECASE``, ``ASCII``, ``DOTALL``) is worked out by
  Python's own ``re`` over every code point, and written out as an explicit RE2 class, so that
  case folding and Unicode classes are Python's, never RE2's;
- ``^``, ``\\A``, ``\\Z``, ``$`` (at the end of the regex) and ``MULTILINE`` keep Python's
  meaning;
- what RE2 cannot match in linear time is refused, with the reason and a rewrite
  (:class:`Unsupported`): lookahead and lookbehind, backreferences, conditionals, atomic groups
  and possessive repeats, ``\\b`` without ``re.ASCII``, ``$`` before more of the regex, and
  repeat counts above 1000.

Strings holding a lone surrogate (which no WSGI server produces) match nothing.
"""

from __future__ import annotations

import array
import contextlib
import functools
import importlib
import re
import sys
import threading
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Optional, Union

import re2

# The ``re`` module's own parser: ``re._parser`` since Python 3.11, ``sre_parse`` before.
_parser: Any = importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")
MAXREPEAT: int = _parser.MAXREPEAT

#: RE2 refuses repeat counts above this.
MAX_COUNT = 1000
#: Memory RE2 may use for one compiled regex or set (bytes); its DFA is built lazily.
MAX_MEMORY = 64 << 20

_CHAR_FLAGS = re.IGNORECASE | re.ASCII | re.DOTALL
_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}
_CHAR_NODES = frozenset({"LITERAL", "NOT_LITERAL", "ANY", "IN"})
_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT"})

#: Reasons a regex cannot be matched in linear time, with the rewrite to suggest.
_UNSUPPORTED = {
    "ASSERT": (
        "uses a lookahead or lookbehind",
        "write the strings it allows without (?=...), (?!...), (?<=...) or (?<!...)",
    ),
    "ASSERT_NOT": (
        "uses a negative lookahead or lookbehind",
        "write the strings it allows without (?!...) or (?<!...)",
    ),
    "GROUPREF": (
        "uses a backreference",
        "write each repeated part out, e.g. r'(a|b)-(a|b)' for r'(a|b)-\\1'",
    ),
    "GROUPREF_EXISTS": (
        "uses a conditional (?(...)...)",
        "write the alternatives out with '|'",
    ),
    "ATOMIC_GROUP": ("uses an atomic group (?>...)", "write it as a plain group (?:...)"),
    "POSSESSIVE_REPEAT": (
        "uses a possessive repeat (*+, ++, ?+)",
        "write a plain repeat (*, +, ?)",
    ),
}


@dataclass(frozen=True)
class Unsupported:
    """Why a regex cannot be matched in linear time, and how to rewrite it."""

    reason: str
    fix: str


def parse(pattern: re.Pattern[str]) -> Any:
    """The parse tree the ``re`` module builds for ``pattern``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return _parser.parse(pattern.pattern, pattern.flags)


def name(op: Any) -> str:
    """The name of a parse-tree opcode (``LITERAL``, ``MAX_REPEAT``...)."""
    return str(getattr(op, "name", op))


# --- characters --------------------------------------------------------------------------


def node_source(kind: str, av: Any) -> str:
    """A one-character regex, in Python's syntax, that matches what parse-tree node
    ``(kind, av)`` matches (compiled with the flags in force at the node)."""
    if kind == "LITERAL":
        return _escape(av)
    if kind == "NOT_LITERAL":
        return f"[^{_escape(av)}]"
    if kind == "ANY":
        return "."
    parts: list[str] = []
    for op, value in av:
        member = name(op)
        if member == "NEGATE":
            parts.insert(0, "^")
        elif member == "LITERAL":
            parts.append(_escape(value))
        elif member == "RANGE":
            parts.append(f"{_escape(value[0])}-{_escape(value[1])}")
        elif member == "CATEGORY":
            parts.append(_CATEGORIES[name(value)])
        else:  # pragma: no cover - only the compiler writes other members
            raise ValueError(member)
    return "[" + "".join(parts) + "]"


def _escape(code: int) -> str:
    return f"\\U{code:08x}"


#: Every code point but the surrogates, in two runs, while a translation needs them (4 MB:
#: built in a few tens of milliseconds, never kept between translations).
_code_points: list[tuple[str, str]] = []
_code_points_lock = threading.Lock()


def _all_code_points() -> tuple[str, str]:
    """Every code point but the surrogates, in two runs (below and above them)."""
    with _code_points_lock:
        if not _code_points:
            _code_points.append((_code_point_run(0, 0xD800), _code_point_run(0xE000, 0x110000)))
        return _code_points[0]


def _code_point_run(start: int, stop: int) -> str:
    codes = array.array("I", range(start, stop))
    if codes.itemsize != 4:  # pragma: no cover - a platform with 2-byte unsigned ints
        return "".join(map(chr, range(start, stop)))
    return codes.tobytes().decode("utf-32-le" if sys.byteorder == "little" else "utf-32-be")


@functools.lru_cache(maxsize=4096)
def char_ranges(source: str, flags: int) -> tuple[tuple[int, int], ...]:
    """The code points the one-character regex ``source`` matches under ``flags``, as sorted
    inclusive ranges, worked out by Python's ``re`` itself (surrogates left out)."""
    literal = re.fullmatch(r"\\U([0-9a-f]{8})", source)
    if literal is not None:
        code = int(literal.group(1), 16)
        if not flags & re.IGNORECASE or (code < 0x80 and not chr(code).isalpha()):
            return ((code, code),) if not 0xD800 <= code < 0xE000 else ()
        if flags & re.ASCII and code < 0x80:
            return tuple(sorted((ord(c), ord(c)) for c in {chr(code).lower(), chr(code).upper()}))
    runs = re.compile(f"(?:{source})+", flags & _CHAR_FLAGS)
    found: list[tuple[int, int]] = []
    for text, offset in zip(_all_code_points(), (0, 0xE000)):
        for m in runs.finditer(text):
            found.append((m.start() + offset, m.end() - 1 + offset))
    return tuple(found)


_UNIVERSE = ((0, 0xD7FF), (0xE000, 0x10FFFF))
_ASCII_CATEGORIES = {
    "CATEGORY_DIGIT": ((0x30, 0x39),),
    "CATEGORY_WORD": ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)),
    "CATEGORY_SPACE": ((0x09, 0x0D), (0x20, 0x20)),
}


def _direct_ranges(kind: str, av: Any, flags: int) -> Optional[tuple[tuple[int, int], ...]]:
    r"""The code points of a one-character node worked out without a scan, where its meaning
    needs no Unicode table: no ``IGNORECASE`` unless ``ASCII`` too, and ``\d``, ``\w``,
    ``\s`` only under ``ASCII``. ``None`` otherwise (:func:`char_ranges` then scans)."""
    fold = bool(flags & re.IGNORECASE)
    ascii_only = bool(flags & re.ASCII)
    if fold and not ascii_only:
        return None
    if kind == "ANY":
        return _UNIVERSE if flags & re.DOTALL else _complement(((0x0A, 0x0A),))
    if kind in ("LITERAL", "NOT_LITERAL"):
        found = _folded([(av, av)], fold)
        return found if kind == "LITERAL" else _complement(found)
    negate = False
    spans: list[tuple[int, int]] = []
    for op, value in av:
        member = name(op)
        if member == "NEGATE":
            negate = True
        elif member == "LITERAL":
            spans.append((value, value))
        elif member == "RANGE":
            spans.append((value[0], value[1]))
        elif member == "CATEGORY" and ascii_only:
            category = name(value)
            positive = category.replace("_NOT_", "_")
            table = _ASCII_CATEGORIES[positive]
            spans += list(table if positive == category else _complement(table))
        else:
            return None
    found = _folded(spans, fold)
    return _complement(found) if negate else found


def _folded(spans: Sequence[tuple[int, int]], fold: bool) -> tuple[tuple[int, int], ...]:
    """``spans`` merged, surrogates left out, with the other case of ASCII letters when
    ``fold`` (``IGNORECASE`` with ``ASCII``)."""
    spans = list(spans)
    if fold:
        for low, high in list(spans):
            for start, end, shift in ((0x41, 0x5A, 0x20), (0x61, 0x7A, -0x20)):
                a, b = max(low, start), min(high, end)
                if a <= b:
                    spans.append((a + shift, b + shift))
    merged: list[tuple[int, int]] = []
    for low, high in sorted(spans):
        for a, b in ((low, min(high, 0xD7FF)), (max(low, 0xE000), high)):
            if a > b:
                continue
            if merged and a <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
    return tuple(merged)


def _complement(spans: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Every code point but the surrogates that is in none of ``spans`` (merged, sorted)."""
    out: list[tuple[int, int]] = []
    for start, end in _UNIVERSE:
        current = start
        for low, high in spans:
            if high < current or low > end:
                continue
            if low > current:
                out.append((current, low - 1))
            current = max(current, high + 1)
        if current <= end:
            out.append((current, end))
    return tuple(out)


def _re2_class(ranges: Sequence[tuple[int, int]]) -> str:
    if not ranges:
        return r"[^\x{0}-\x{10ffff}]"
    if len(ranges) == 1 and ranges[0][0] == ranges[0][1]:
        return _re2_char(ranges[0][0])
    body = "".join(
        _re2_char(low) if low == high else f"{_re2_char(low)}-{_re2_char(high)}"
        for low, high in ranges
    )
    return f"[{body}]"


def _re2_char(code: int) -> str:
    return f"\\x{{{code:x}}}"


# --- translation -------------------------------------------------------------------------


def translate(pattern: re.Pattern[str], whole: bool) -> Union[str, Unsupported]:
    """RE2 syntax for ``pattern``: matched against a whole value (``whole``, as
    ``fullmatch``) or against its start (as ``re.match``), with exactly Python's answers;
    or why it cannot be matched in linear time."""
    try:
        with deep_recursion():
            items = parse(pattern)
            return _sequence(items, pattern.flags, whole, True)
    except _Refused as refused:
        return refused.unsupported
    except RecursionError:
        return Unsupported("is nested too deeply", "write it with fewer nested groups")
    finally:
        with _code_points_lock:
            _code_points.clear()


#: Recursion allowed while a parse tree is walked: each level of nesting in a regex costs
#: a few frames, and the ``re`` module itself accepts a few hundred levels.
RECURSION_LIMIT = 20_000
_recursion_lock = threading.Lock()


@contextlib.contextmanager
def deep_recursion() -> Iterator[None]:
    """Raise the interpreter's recursion limit to :data:`RECURSION_LIMIT` for a walk over a
    parse tree (configuration time only), and put it back after."""
    with _recursion_lock:
        before = sys.getrecursionlimit()
        sys.setrecursionlimit(max(before, RECURSION_LIMIT))
        try:
            yield
        finally:
            sys.setrecursionlimit(before)


class _Refused(Exception):
    def __init__(self, unsupported: Unsupported) -> None:
        super().__init__(unsupported.reason)
        self.unsupported = unsupported


def _sequence(items: Iterable[Any], flags: int, whole: bool, tail: bool) -> str:
    listed = list(items)
    out: list[str] = []
    for i, (op, av) in enumerate(listed):
        out.append(_node(name(op), av, flags, whole, tail and i == len(listed) - 1))
    return "".join(out)


def _node(kind: str, av: Any, flags: int, whole: bool, tail: bool) -> str:
    if kind in _CHAR_NODES:
        direct = _direct_ranges(kind, av, flags)
        if direct is None:
            direct = char_ranges(node_source(kind, av), flags)
        return _re2_class(direct)
    if kind == "SUBPATTERN":
        add, remove, body = av[1], av[2], av[3]
        if add & re.UNICODE and not flags & re.UNICODE:
            # Unicode case folding inside an ASCII regex (``(?u:\u212a)`` matches ``k``):
            # a mix whose meaning the translation does not keep.
            raise _Refused(
                Unsupported(
                    "turns on Unicode matching for a part of an ASCII regex ((?u:...))",
                    "write the part without (?u:...), with the characters it should match",
                )
            )
        inner = (flags | add) & ~remove
        return "(?:" + _sequence(body, inner, whole, tail) + ")"
    if kind == "BRANCH":
        return "(?:" + "|".join(_sequence(b, flags, whole, tail) for b in av[1]) + ")"
    if kind in _REPEATS:
        low, high, body = av
        if low > MAX_COUNT or (high != MAXREPEAT and high > MAX_COUNT):
            raise _Refused(
                Unsupported(
                    f"repeats a part more than {MAX_COUNT} times",
                    f"use a count of at most {MAX_COUNT}, or '+' / '*'",
                )
            )
        inner = "(?:" + _sequence(body, flags, whole, False) + ")"
        if high == MAXREPEAT:
            count = "*" if low == 0 else "+" if low == 1 else f"{{{low},}}"
        else:
            count = f"{{{low}}}" if low == high else f"{{{low},{high}}}"
        return inner + count
    if kind == "AT":
        return _anchor(name(av), flags, whole, tail)
    reason, fix = _UNSUPPORTED.get(kind, (f"uses {kind.lower()}", "write it more simply"))
    raise _Refused(Unsupported(reason + ", which cannot be matched in linear time", fix))


def _anchor(at: str, flags: int, whole: bool, tail: bool) -> str:
    multiline = bool(flags & re.MULTILINE)
    if at == "AT_BEGINNING":
        return "(?m:^)" if multiline else r"\A"
    if at == "AT_BEGINNING_STRING":
        return r"\A"
    if at == "AT_END_STRING":
        return r"\z"
    if at == "AT_END":
        if multiline:
            return "(?m:$)"
        if tail:
            # Python's '$' also holds before a final newline: a full match must still end at
            # the very end, a match from the start may take that newline.
            return r"\z" if whole else r"\n?\z"
        raise _Refused(
            Unsupported(
                "has '$' before more of the regex",
                r"end the regex with '$', or write '\Z' for the end of the value",
            )
        )
    if at in ("AT_BOUNDARY", "AT_NON_BOUNDARY"):
        if flags & re.ASCII:
            return r"\b" if at == "AT_BOUNDARY" else r"\B"
        raise _Refused(
            Unsupported(
                r"uses \b or \B on Unicode text",
                r"compile it with re.ASCII, or write the characters around it out",
            )
        )
    raise _Refused(Unsupported(f"uses the anchor {at}", "write it without"))  # pragma: no cover


# --- matching ----------------------------------------------------------------------------


def _options() -> Any:
    options = re2.Options()
    options.max_mem = MAX_MEMORY
    options.log_errors = False
    options.never_capture = True
    return options


def compile_check(source: str) -> Optional[str]:
    """``None`` when RE2 compiles ``source``, else its reason."""
    try:
        re2.compile(source, _options())
    except re2.error as exc:
        return str(exc) or "RE2 refuses it"
    return None


def _encoded(value: str) -> Optional[bytes]:
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no well-formed request value holds one
        return None


class LinearSet:
    """Several translated regexes matched together in one pass, in time linear in the value.

    ``whole``: each must match the whole value (``fullmatch``); otherwise its start
    (``re.match``). :meth:`matching` gives the indices (in the order given) of those that
    match, :meth:`any` whether one does.
    """

    def __init__(self, sources: Sequence[str], whole: bool) -> None:
        self.sources = tuple(sources)
        anchor = re2.Set.FullMatchSet if whole else re2.Set.MatchSet
        compiled = anchor(_options())
        for source in self.sources:
            compiled.Add(source)
        compiled.Compile()
        self._set = compiled
        self._single = None
        if len(self.sources) == 1:
            regex = re2.compile(self.sources[0], _options())
            self._single = regex.fullmatch if whole else regex.match

    def matching(self, value: str) -> list[int]:
        encoded = _encoded(value)
        if encoded is None:
            return []
        return sorted(self._set.Match(encoded) or ())

    def any(self, value: str) -> bool:
        encoded = _encoded(value)
        if encoded is None:
            return False
        if self._single is not None:
            return self._single(encoded) is not None
        return bool(self._set.Match(encoded))
