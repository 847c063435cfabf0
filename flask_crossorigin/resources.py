"""Path routing: which resource's policy covers a request path.

Keys of the ``resources`` option are literal paths (matched exactly, by one dict look-up) or
regular expressions matched from the start of the path, as flask-cors does (``r"/api/*"``
covers ``/api/...``). The path is ``request.path`` as Werkzeug decoded it and routes it, never
decoded again nor resolved, compared case-sensitively: the policy and the view come from the
same path (SPEC section 5). A path with ``.`` or ``..`` segments is looked up both as it is and
resolved; when the two fall under different resources (or one under none), the router answers
its ``conflict`` value, so that no resource's grant reaches another resource's view.

Order, most specific first: literal paths; then regexes with more ``/``; then longer regexes;
then the order they were given in. The first that matches wins. Regexes are filed by their
literal prefix, so that a path only tries those that could match it, and each path's answer is
kept in a bounded table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Callable, Generic, Optional, TypeVar, Union

from .memo import SharedBound
from .regexes import top_level_alternatives

T = TypeVar("T")
Matcher = Callable[[str], Optional["re.Match[str]"]]

_MISSING = object()

#: How many path verdicts all routers keep together (the app's resources and each
#: blueprint's), whatever paths clients send.
PATHS_LIMIT = 4096
_paths_bound = SharedBound(PATHS_LIMIT)
#: Longer paths are looked up every time, never kept.
MAX_KEPT_PATH_LENGTH = 1024


def remove_dot_segments(path: str) -> str:
    """Resolve ``.`` and ``..`` segments (RFC 3986 section 5.2.4); ``/a/../b`` is ``/b``."""
    if "." not in path:
        return path
    segments = path.split("/")
    if not any(s in (".", "..") for s in segments):
        return path
    out: list[str] = []
    for segment in segments[1:]:
        if segment == "..":
            if out:
                out.pop()
        elif segment != ".":
            out.append(segment)
    if segments[-1] in (".", ".."):
        out.append("")
    return "/" + "/".join(out)


def precedence(pattern: Union[str, re.Pattern[str]]) -> tuple[int, int, int]:
    """Sort key: literals first, then more ``/`` segments, then longer patterns."""
    if isinstance(pattern, str):
        return (0, -pattern.count("/"), -len(pattern))
    return (1, -pattern.pattern.count("/"), -len(pattern.pattern))


class PathRouter(Generic[T]):
    """Resource patterns compiled once into a literal table and an index of regexes.

    Each regex is filed under its literal prefix (the characters every path it matches starts
    with, often ``/api/v1/...``), so a path only tries the regexes filed under one of its own
    prefixes; the regexes filed together are joined into one compiled alternation where that
    keeps their meaning. The answer is the one the ordered list gives when tried one by one.

    Verdicts are memoised per path; all routers' tables together never hold more than
    :data:`PATHS_LIMIT` paths, under any number of threads, so the cost of a repeated path is
    one dict look-up whatever the number of resources.
    """

    def __init__(
        self,
        rules: Sequence[tuple[Union[str, re.Pattern[str]], T]],
        conflict: Optional[T] = None,
    ) -> None:
        #: What :meth:`match` answers for a path whose ``.``/``..`` segments resolve under
        #: another resource than the path as it is (``None``: not covered).
        self.conflict = conflict
        ordered = sorted(rules, key=lambda rule: precedence(rule[0]))
        self.rules = tuple(ordered)
        literals: dict[str, T] = {}
        for pattern, value in ordered:
            if isinstance(pattern, str):
                literals.setdefault(pattern, value)
        self._literals = literals
        regexes = [(p, v) for p, v in ordered if isinstance(p, re.Pattern)]
        filed: dict[str, list[tuple[int, re.Pattern[str], T]]] = {}
        for rank, (pattern, value) in enumerate(regexes):
            filed.setdefault(literal_prefix(pattern), []).append((rank, pattern, value))
        self._filed = {prefix: _Group(members) for prefix, members in filed.items()}
        #: The lengths of the prefixes filed, longest first (``0``: regexes without one): the
        #: longer prefixes usually hold the more specific regexes, which rank first, and a
        #: group whose best rank cannot beat a match already found is not tried.
        self._prefix_lengths = tuple(sorted({len(prefix) for prefix in filed}, reverse=True))
        self._no_rank = len(regexes)
        self._memo: dict[str, Optional[T]] = {}
        #: The value for every path, when the first rule matches them all (``r"/*"``, the
        #: default): then a path needs no look-up at all.
        self.universal: Optional[T] = None
        if ordered and not literals and _matches_every_path(ordered[0][0]):
            self.universal = ordered[0][1]

    def match(self, path: str) -> Optional[T]:
        """The value of the first rule, in precedence order, that covers ``path`` as it is.

        A path with ``.`` or ``..`` segments gets that value only when the resolved path
        (RFC 3986 section 5.2.4) gets the very same one; otherwise :attr:`conflict` (SPEC
        section 5).
        """
        found = self._memo.get(path, _MISSING)
        if found is _MISSING:
            found = self._lookup(path)
            resolved = remove_dot_segments(path)
            if resolved is not path and self._lookup(resolved) is not found:
                found = self.conflict
            if len(path) <= MAX_KEPT_PATH_LENGTH:
                _paths_bound.keep(self._memo, path, found)
        return found  # type: ignore[return-value]

    def _lookup(self, path: str) -> Optional[T]:
        found = self._literals.get(path, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        best_rank, best = self._no_rank, None
        size = len(path)
        filed = self._filed
        for length in self._prefix_lengths:
            if length <= size:
                group = filed.get(path[:length])
                if group is not None and group.rank < best_rank:
                    hit = group.first(path)
                    # The group's first match is its best, but it may still rank below a
                    # match found in a longer prefix's group.
                    if hit is not None and hit[0] < best_rank:
                        best_rank, best = hit
        return best


class _Group(Generic[T]):
    """Regexes filed under one literal prefix, in precedence order: runs of regexes that can
    be joined (no groups of their own, no inline flags, not verbose, the same flags) become
    one alternation ``(?:a)()|(?:b)()|...``, whose last matched group says which matched."""

    def __init__(self, members: Sequence[tuple[int, re.Pattern[str], T]]) -> None:
        #: The best (lowest) rank of the group: its first member's.
        self.rank = members[0][0]
        runs: list[list[tuple[int, re.Pattern[str], T]]] = []
        for member in members:
            pattern = member[1]
            previous = runs[-1][-1][1] if runs else None
            if (
                previous is not None
                and _joinable(pattern)
                and _joinable(previous)
                and previous.flags == pattern.flags
            ):
                runs[-1].append(member)
            else:
                runs.append([member])
        compiled: list[tuple[Matcher, tuple[tuple[int, T], ...]]] = []
        for run in runs:
            joined = _join(run)
            if joined is None:
                compiled.extend((p.match, ((rank, value),)) for rank, p, value in run)
            else:
                compiled.append((joined, tuple((rank, value) for rank, _, value in run)))
        self._runs = tuple(compiled)

    def first(self, path: str) -> Optional[tuple[int, T]]:
        """The rank and value of the first of these regexes that matches ``path``."""
        for match, hits in self._runs:
            m = match(path)
            if m is not None:
                # One regex alone keeps its own groups; a joined run has only the markers.
                return hits[0] if len(hits) == 1 else hits[(m.lastindex or 1) - 1]
        return None


def _join(run: Sequence[tuple[int, re.Pattern[str], object]]) -> Optional[Matcher]:
    """One alternation for a run of joinable regexes (``None``: try them one by one)."""
    if len(run) == 1:
        return None
    joined = "|".join(f"(?:{pattern.pattern})()" for _, pattern, _ in run)
    try:
        return re.compile(joined, run[0][1].flags).match
    except re.error:  # pragma: no cover - each compiled alone, and none has groups or flags
        return None


#: An inline flag, global (``(?i)``) or scoped (``(?i:...)``): such patterns are not joined.
_INLINE_FLAGS = re.compile(r"\(\?[aiLmsux-]")


def _joinable(pattern: re.Pattern[str]) -> bool:
    return (
        not pattern.groups
        and not pattern.flags & re.VERBOSE
        and _INLINE_FLAGS.search(pattern.pattern) is None
    )


#: Characters with a meaning in a regex (outside ``[...]``); any other stands for itself.
_SPECIAL = frozenset(".^$*+?{}[]\\|()")
_QUANTIFIERS = frozenset("*+?{")


def literal_prefix(pattern: re.Pattern[str]) -> str:
    """The characters every string ``pattern.match`` matches starts with (``""`` if unsure).

    ``r"/api/v1/.*"`` gives ``"/api/v1/"``; ``r"/api/*"`` gives ``"/api"`` (the quantifier
    takes the ``/``); a top-level alternation, ``re.IGNORECASE`` or ``re.VERBOSE`` give ``""``.
    """
    text = pattern.pattern
    if pattern.flags & (re.IGNORECASE | re.VERBOSE) or len(top_level_alternatives(text)) > 1:
        return ""
    out: list[str] = []
    i, size = 0, len(text)
    while i < size:
        char = text[i]
        if char == "\\":
            escaped = text[i + 1 : i + 2]
            if not escaped or not escaped.isascii() or escaped.isalnum():
                break
            out.append(escaped)
            i += 2
        elif char in _SPECIAL:
            break
        else:
            out.append(char)
            i += 1
    if out and i < size and text[i] in _QUANTIFIERS:
        out.pop()
    return "".join(out)


def _matches_every_path(pattern: Union[str, re.Pattern[str]]) -> bool:
    """Whether a resource regex matches every path: it matches from the start, so one that
    matches the empty string (``r"/*"``, ``r".*"``) matches every string, and ``r"/.*"``
    every path (a path always starts with ``/``)."""
    if isinstance(pattern, str):
        return False
    return pattern.match("") is not None or pattern.pattern == "/.*"
