"""Regular expressions a user configures: compiled safely, read for the audit, checked for
exponential backtracking.

Regexes in ``origins``, ``allow_headers`` and ``resources`` are matched against values a client
chooses (``Origin``, ``Access-Control-Request-Headers``, the path). Three things are worked out
here, once, at configuration time, from the regex's parse tree (the one the ``re`` module builds
for itself):

- :func:`compile_user_regex`: compile, turning every way the ``re`` module can refuse a pattern
  (``re.error``, ``OverflowError`` for a huge repeat count, ``RecursionError`` for deep
  nesting, a misplaced global flag) into one message (SPEC section 2).
- :func:`backtracking_hazard`: a repetition nested in an unbounded repetition with nothing to
  tell two iterations apart, as in ``([a-z0-9]+-?)+``, takes time exponential in the length of
  a value that almost matches. A client could send such a value on every request, so the
  pattern is refused (SPEC section 2; bad requests never cost more than a normal one).
- :func:`witnesses`: strings the regex may match, built by taking each literal as written and
  filling each variable part (``.``, ``[...]``, ``*``, ``+``, ``{m,n}``, alternatives) with
  a short list of fillers, among them a made-up site name. The origin audit (SPEC section 3)
  keeps those the regex really matches: one whose registrable part is the made-up site is an
  origin its author cannot have meant.
"""

from __future__ import annotations

import importlib
import re
import sys
import warnings
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple, Optional, Union

from .errors import Problems

# The ``re`` module's own parser: ``re._parser`` since Python 3.11, ``sre_parse`` before.
_parser: Any = importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")
_MAXREPEAT: int = _parser.MAXREPEAT

#: The made-up site the witnesses put where a regex lets anything in.
MARKER = "unrelated-site"
#: Fillers for a repetition that may match more than its minimum, clearest first (the last
#: ones fit letters-only classes such as ``[a-z]+`` and short bounds such as ``{2,6}``).
_FILLERS = (
    f".{MARKER}.invalid",
    f"{MARKER}.invalid",
    f"{MARKER}.",
    MARKER,
    "unrelatedsite",
    "zz",
    "x",
)
#: At most this many options for one part of a regex.
MAX_OPTIONS = 32
#: Characters tried for one ``.`` or ``[...]``.
_CHARS = ("x", ".", "-", "0")
#: At most this many witnesses per regex (the first ones keep the clearest fillers).
MAX_WITNESSES = 256

_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT"})
_NOTHING = frozenset({"AT", "ASSERT", "ASSERT_NOT", "GROUPREF", "GROUPREF_EXISTS"})


# A POSIX character class (``[:alpha:]``), which Python's ``re`` reads as a set of letters.
_POSIX_CLASS = re.compile(
    r"(?<!\\)\[:(alnum|alpha|ascii|blank|cntrl|digit|graph|lower|print|punct|space|upper|word"
    r"|xdigit):\]"
)
_POSIX_REWRITES = {
    "alnum": "[a-zA-Z0-9]",
    "alpha": "[a-zA-Z]",
    "digit": "[0-9]",
    "lower": "[a-z]",
    "upper": "[A-Z]",
    "xdigit": "[0-9a-fA-F]",
    "space": "\\s",
    "word": "\\w",
}


def compile_user_regex(text: str, flags: int = 0) -> Union[re.Pattern[str], str]:
    """``re.compile(text, flags)``, or the reason the ``re`` module refuses it (a ``str``).

    A global inline flag after the start (``a(?i)b``) is refused on every Python version
    (3.11 refuses it, earlier versions only warn), and so is what ``re`` warns may change
    meaning (``FutureWarning``: ``[[``, ``--``, ``&&``, ``||`` in a set), whatever the warning
    filters. A POSIX class such as ``[[:alpha:]]`` is refused with the Python spelling
    (``[a-zA-Z]``): ``re`` would read it as a set of the letters ``:alph``.
    """
    posix = _POSIX_CLASS.search(text)
    if posix is not None:
        rewrite = _POSIX_REWRITES.get(posix.group(1), "a set such as [a-zA-Z]")
        found = posix.group()
        return f"uses the POSIX class {found}, which is not Python regex syntax: write {rewrite}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            warnings.simplefilter("error", FutureWarning)
            return re.compile(text, flags)
    except (re.error, OverflowError, RecursionError, ValueError, DeprecationWarning) as exc:
        return str(exc) or type(exc).__name__
    except FutureWarning as exc:
        return f"{exc}; escape a literal '[' as '\\[' and write '-', '&', '|' or '~' once"


def _items(pattern: re.Pattern[str]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return _parser.parse(pattern.pattern, pattern.flags)


def _name(op: Any) -> str:
    return str(getattr(op, "name", op))


def user_regex(
    option: str,
    shown: object,
    text: str,
    flags: int,
    problems: Problems,
    fix: str,
    index: Optional[int] = None,
    hazard_fix: str = "repeat once, e.g. r'x-[a-z0-9-]+' rather than r'x-([a-z0-9]+-?)+'",
) -> Optional[re.Pattern[str]]:
    """Compile a regex from the configuration; ``None`` after a problem added to ``problems``
    (shown as ``shown``, the value as the user wrote it): one the ``re`` module refuses, or one
    that can backtrack exponentially on a value a client sends (``Origin``, the header names
    of a preflight, the path), SPEC section 2."""
    compiled = compile_user_regex(text, flags)
    if isinstance(compiled, str):
        problems.add(option, shown, f"is not a valid regular expression ({compiled})", fix, index)
        return None
    if backtracking_hazard(compiled):
        problems.add(
            option,
            shown,
            "can backtrack exponentially (a repetition inside a repetition, or many optional "
            "parts in a row) on a value that almost matches, which any client can send",
            hazard_fix,
            index,
        )
        return None
    return compiled


# --- exponential backtracking --------------------------------------------------------------


def backtracking_hazard(pattern: re.Pattern[str]) -> bool:
    """Whether ``pattern`` nests a variable repetition inside an unbounded one with no
    mandatory character that the inner repetition cannot match (``(a+)+``, ``(\\w+\\s?)*``,
    ``(x+x+)+``); ``([a-z0-9-]+\\.)*`` is safe, since every iteration ends at a ``.`` that
    ``[a-z0-9-]`` cannot take."""
    try:
        items = _items(pattern)
    except Exception:  # pragma: no cover - it compiled, so it parses
        return False
    return _hazard_in(items)


#: An outer repetition allowed this many times or more counts as unbounded: ``{1,63}`` around
#: an ambiguous body already takes minutes on a 30-character value.
LARGE_REPEAT = 8


#: This many variable repetitions in a row (``[a-z]?[a-z]?...``) backtrack exponentially too.
LONG_RUN = 8


def _hazard_in(items: Iterable[Any]) -> bool:
    run = 0
    for op, av in items:
        name = _name(op)
        run = run + 1 if name in _REPEATS and av[1] > av[0] else 0
        if run >= LONG_RUN:
            return True
        if name in _REPEATS:
            _, high, body = av
            if high >= LARGE_REPEAT and (_ambiguous_body(body) or _overlapping_branch(body)):
                return True
            if _hazard_in(body):
                return True
        else:
            for sub in _children(name, av):
                if _hazard_in(sub):
                    return True
    return False


def _children(name: str, av: Any) -> list[Any]:
    if name == "SUBPATTERN":
        return [av[-1]]
    if name == "BRANCH":
        return list(av[1])
    if name in ("ASSERT", "ASSERT_NOT"):
        return [av[1]]
    if name == "ATOMIC_GROUP":
        return [av]
    return []


def _inner_repeats(items: Iterable[Any]) -> Iterator[Any]:
    """The variable repetitions in ``items``, through groups and alternatives."""
    for op, av in items:
        name = _name(op)
        if name in _REPEATS:
            low, high, body = av
            if high > low:
                yield body
            yield from _inner_repeats(body)
        elif name != "ATOMIC_GROUP":  # an atomic group never backtracks into itself
            for sub in _children(name, av):
                yield from _inner_repeats(sub)


def _mandatory_literals(items: Iterable[Any]) -> set[int]:
    """Characters every match of ``items`` contains at its own level."""
    found: set[int] = set()
    for op, av in items:
        name = _name(op)
        if name == "LITERAL":
            found.add(av)
        elif name == "SUBPATTERN":
            found |= _mandatory_literals(av[-1])
        elif name in _REPEATS and av[0] >= 1:
            found |= _mandatory_literals(av[2])
    return found


def _ambiguous_body(body: Any) -> bool:
    inner = list(_inner_repeats(body))
    if not inner:
        return False
    separators = _mandatory_literals(body)
    # Safe when some mandatory character can be taken by none of the inner repetitions: each
    # iteration then ends at a place the next one cannot start from.
    return not any(all(not _may_match(repeat, char) for repeat in inner) for char in separators)


def _may_match(body: Any, char: int) -> bool:
    """Whether ``char`` can appear anywhere in a match of ``body`` (``True`` when unsure)."""
    for op, av in body:
        name = _name(op)
        if name == "LITERAL":
            found = av == char
        elif name == "NOT_LITERAL":
            found = av != char
        elif name == "IN":
            found = _in_class(av, char)
        elif name in _REPEATS or name == "POSSESSIVE_REPEAT":
            found = av[1] > 0 and _may_match(av[2], char)
        elif name in ("SUBPATTERN", "ATOMIC_GROUP", "BRANCH"):
            found = any(_may_match(sub, char) for sub in _children(name, av))
        elif name in _NOTHING:
            found = False
        else:  # ANY, and what is not read here
            found = True
        if found:
            return True
    return False


def _overlapping_branch(body: Any) -> bool:
    """Whether ``body`` holds an alternation two of whose branches may start alike
    (``(a|aa)``): repeated, the engine tries every way to cut a run between them."""
    for op, av in body:
        name = _name(op)
        if name == "BRANCH":
            starts = [_first_literal(branch) for branch in av[1]]
            if None in starts or len(set(starts)) < len(starts):
                return True
        elif name in ("SUBPATTERN", "ATOMIC_GROUP") and _overlapping_branch(_children(name, av)[0]):
            return True
    return False


def _first_literal(branch: Any) -> Optional[int]:
    items = list(branch)
    if items and _name(items[0][0]) == "LITERAL":
        return int(items[0][1])
    return None


def _in_class(members: Any, char: int) -> bool:
    negate = False
    hit = False
    text = chr(char)
    for op, av in members:
        name = _name(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            hit = hit or av == char
        elif name == "RANGE":
            hit = hit or av[0] <= char <= av[1]
        elif name == "CATEGORY":
            category = _name(av)
            hit = hit or {
                "CATEGORY_DIGIT": text.isdigit(),
                "CATEGORY_NOT_DIGIT": not text.isdigit(),
                "CATEGORY_SPACE": text.isspace(),
                "CATEGORY_NOT_SPACE": not text.isspace(),
                "CATEGORY_WORD": text.isalnum() or text == "_",
                "CATEGORY_NOT_WORD": not (text.isalnum() or text == "_"),
            }.get(category, True)
        else:
            return True
    return hit != negate


# --- witnesses for the origin audit ----------------------------------------------------------


def top_level_alternatives(text: str) -> list[str]:
    """``text`` split at each ``|`` outside groups and character classes (``a|b(c|d)`` gives
    ``a`` and ``b(c|d)``), so that each alternative can be read on its own."""
    parts: list[str] = []
    depth, start, i, size = 0, 0, 0, len(text)
    while i < size:
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i += 1
            if text[i : i + 1] == "^":
                i += 1
            if text[i : i + 1] == "]":
                i += 1
            while i < size and text[i] != "]":
                i += 2 if text[i] == "\\" else 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts


def witnesses(pattern: re.Pattern[str]) -> list[str]:
    """Strings ``pattern`` may match, with the made-up site :data:`MARKER` wherever a
    variable part lets it in (at most :data:`MAX_WITNESSES`; not all are matched)."""
    return _witnesses(pattern, Fill(_FILLERS, _CHARS))


def _all_literal(branch: Any) -> bool:
    return all(_name(op) == "LITERAL" for op, _ in branch)


def written_labels(pattern: re.Pattern[str]) -> frozenset[str]:
    """The host labels a regex writes out itself, lower-cased: the labels of the strings it
    gives with every optional or repeated part left out, and with every one written once
    (``www``, ``example``, ``com`` and ``org`` for
    ``r"https://(www\\.)?example\\.(com|org)"``)."""
    labels: set[str] = set()
    for present in (False, True):
        for plain in _witnesses(pattern, Fill((), (".",), present)):
            labels.update(re.split(r"[./:]", plain.lower()))
    return frozenset(labels)


class Fill(NamedTuple):
    """How variable parts are written out: ``fillers`` for a repetition, ``chars`` for one
    character; ``present`` (plain strings only) writes every repetition once (``True``) or at
    its minimum (``False``) instead of trying both and the fillers."""

    fillers: tuple[str, ...]
    chars: tuple[str, ...]
    present: Optional[bool] = None


def _witnesses(pattern: re.Pattern[str], fill: Fill) -> list[str]:
    try:
        return _sequence(_items(pattern), fill)
    except RecursionError:  # nesting deeper than the audit reads: nothing to say
        return []


def _sequence(items: Iterable[Any], fill: Fill) -> list[str]:
    out = [""]
    for op, av in items:
        options = _options(_name(op), av, fill)
        out = list(dict.fromkeys(a + b for a in out for b in options))[:MAX_WITNESSES]
    return out


def _options(name: str, av: Any, fill: Fill) -> list[str]:
    if name == "LITERAL":
        return [chr(av)]
    if name in ("ANY", "IN", "NOT_LITERAL"):
        return list(fill.chars)
    if name in _REPEATS or name == "POSSESSIVE_REPEAT":
        low, high, body = av
        inner = _sequence(body, fill)[:MAX_OPTIONS]
        least = [w * low for w in inner] if low else [""]
        once = [w * max(low, 1) for w in inner] if high > low else least
        if fill.present is not None:
            return once if fill.present else least
        options = least
        if high > low:
            options = [*least, *fill.fillers, *once]
            options += [w * max(low, 1) + f for w in inner[:2] for f in fill.fillers[:2]]
        return list(dict.fromkeys(options))[:MAX_OPTIONS]
    if name == "BRANCH":
        # Branches with variable parts first: they are where a stranger gets in, and the
        # options are cut at MAX_OPTIONS.
        alternatives = sorted(av[1], key=_all_literal)[:MAX_OPTIONS]
        return [w for branch in alternatives for w in _sequence(branch, fill)][:MAX_OPTIONS]
    if name in ("SUBPATTERN", "ATOMIC_GROUP"):
        return _sequence(_children(name, av)[0], fill)
    return [""]
