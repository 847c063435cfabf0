"""Memo tables that share one bound on their total size.

The response path keeps what it has worked out once (a decision per origin, a regex verdict per
origin) in a table per policy. A bound per table would let an app with many resources keep
that many times more under a stream of new origins; a :class:`SharedBound` bounds all its
tables together instead, and empties them all when they are full.
"""

from __future__ import annotations

from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class SharedBound:
    """At most ``limit`` entries in all the tables kept through :meth:`keep`.

    Threads may race on the count, which only moves the next emptying a little; the tables
    themselves are plain dicts, safe to read and write from several threads.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._tables: list[dict[Any, Any]] = []
        self._count = 0

    def keep(self, table: dict[K, V], key: K, value: V) -> None:
        """``table[key] = value``; first, if all the tables hold ``limit`` entries, empty them."""
        if self._count >= self.limit:
            for held in self._tables:
                held.clear()
            self._tables.clear()
            self._count = 0
        if not table:
            self._tables.append(table)
        table[key] = value
        self._count += 1

    @property
    def count(self) -> int:
        """About how many entries the tables hold."""
        return self._count
