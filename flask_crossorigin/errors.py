"""Configuration errors: every problem found, reported at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


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
        return f"{where} {self.value!r}: {self.what} ({self.fix})"


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

    def add(
        self, option: str, value: object, what: str, fix: str, index: Optional[int] = None
    ) -> None:
        self.items.append(Problem(option, value, what, fix, index))

    def raise_if_any(self) -> None:
        if self.items:
            raise CORSConfigError(self.items)
