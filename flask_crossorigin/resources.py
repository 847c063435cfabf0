"""Path routing: which resource's policy covers a request path.

Keys of the ``resources`` option are literal paths (matched exactly, by one dict look-up) or
regular expressions matched from the start of the path, as flask-cors does (``r"/api/*"``
covers ``/api/...``). The path is ``request.path`` as Werkzeug decoded it and routes it, never
decoded again nor resolved, compared case-sensitively: the policy and the view come from the
same path (SPEC section 5). A path with ``.`` or ``..`` segments is looked up both as it is and
resolved; when the two fall under different resources (or one under none), the router answers
its ``conflict`` value, so that no resource's grant reaches another resource's view.

Order, most specific first: literal paths; then regexes with more ``/``; then longer regexes;
then the order they were given in. The first that matches wins. All regexes are matched
together, in one pass of the linear-time engine (:mod:`~flask_crossorigin.engine`), so that a
path costs time linear in its length whatever the regexes (SPEC 5), and each path's answer is
kept in a bounded table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Generic, Optional, TypeVar, Union

from .engine import LinearSet, translate
from .memo import SharedBound

T = TypeVar("T")

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
    """Resource patterns compiled once into a literal table and one set of regexes.

    The regexes, in precedence order, are matched together by the linear-time engine (each
    from the start of the path, as ``re.match``, with exactly Python's answers); the first in
    that order that matches gives the value. The answer is the one the ordered list gives when
    tried one by one. Raises ``ValueError`` for a regex the engine cannot take (configuration
    refuses those first, with the reason).

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
        sources: list[str] = []
        for pattern, _ in regexes:
            linear = translate(pattern, whole=False)
            if not isinstance(linear, str):
                raise ValueError(f"{pattern.pattern!r} {linear.reason}")
            sources.append(linear)
        self._values = tuple(value for _, value in regexes)
        self._set = LinearSet(sources, whole=False) if sources else None
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
        if self._set is None:
            return None
        matching = self._set.matching(path)
        return self._values[matching[0]] if matching else None


def _matches_every_path(pattern: Union[str, re.Pattern[str]]) -> bool:
    """Whether a resource regex matches every path: it matches from the start, so one that
    matches the empty string (``r"/*"``, ``r".*"``) matches every string, and ``r"/.*"``
    every path (a path always starts with ``/``)."""
    if isinstance(pattern, str):
        return False
    return pattern.match("") is not None or pattern.pattern == "/.*"
