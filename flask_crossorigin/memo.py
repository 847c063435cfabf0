"""Memo tables that share one bound on their total size, exactly, under any number of threads.

The response path keeps what it has worked out once (a decision per origin, a regex verdict per
origin, a route per path) in a table per policy. A bound per table would let an app with many
resources keep that many times more under a stream of new origins; a :class:`SharedBound`
bounds all its tables together instead, and empties them all when they are full.

Reads are plain ``dict.get`` calls, without a lock. Every write goes through
:meth:`SharedBound.keep`, which counts and inserts under one lock, so that no insertion is
lost from the count and no table escapes the emptying (SPEC section 7).
"""

from __future__ import annotations

import threading
from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class SharedBound:
    """At most ``limit`` entries in all the tables kept through :meth:`keep` together.

    The bound holds exactly whatever the number of threads: the count, the list of tables and
    the insertion change together under a lock. Readers need no lock (a ``dict`` read sees the
    table before or after an insertion or an emptying, never a torn one). Only :meth:`keep`
    may write to a table it bounds.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("a SharedBound needs a limit of at least 1")
        self.limit = limit
        self._tables: dict[int, dict[Any, Any]] = {}
        self._count = 0
        self._lock = threading.Lock()

    def keep(self, table: dict[K, V], key: K, value: V) -> None:
        """``table[key] = value``; first, if all the tables hold ``limit`` entries, empty them.

        A key already in ``table`` is replaced without counting again.
        """
        with self._lock:
            if key in table:
                table[key] = value
                return
            if self._count >= self.limit:
                for held in self._tables.values():
                    held.clear()
                self._tables.clear()
                self._count = 0
            self._tables[id(table)] = table
            table[key] = value
            self._count += 1

    @property
    def count(self) -> int:
        """How many entries the tables hold."""
        return self._count

    def __len__(self) -> int:
        return sum(len(table) for table in list(self._tables.values()))
