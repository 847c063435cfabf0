"""Linear time: the cost of matching a configured regex as the request value doubles.

For each regex that Python's backtracking engine takes polynomial time on (the path and header
cases took 10.8 s and 17 s per request), the value a client controls is doubled up to its
bound: a path up to gunicorn's request-line limit (8,190 bytes, less ``GET `` and
`` HTTP/1.1``), a header name up to the ``Access-Control-Request-Headers`` bound, an origin up
to the longest ``Origin`` considered. Each value almost matches (it never does), which is the
worst case for a backtracking engine. The time per match by the engine, as flask-crossorigin
compiles the regex for that option (no memo in front), is reported with the growth from the
previous size: about 2x per doubling is linear, less while a fixed cost per call dominates.
Python's ``re`` is timed too where it stays under a tenth of a second per match.

``make bench`` runs it with the rest; ``python bench/linear.py`` runs it alone and writes
``bench/results/linear.rst``, the table the performance page includes.
"""

from __future__ import annotations

import functools
import platform
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask_crossorigin.engine import LinearSet, translate  # noqa: E402
from flask_crossorigin.origins import MAX_ORIGIN_LENGTH  # noqa: E402
from flask_crossorigin.tokens import MAX_REQUEST_HEADERS_LENGTH  # noqa: E402

#: gunicorn's default ``limit_request_line``, and what a path may use of it.
GUNICORN_REQUEST_LINE = 8190
MAX_PATH = GUNICORN_REQUEST_LINE - len("GET  HTTP/1.1")

#: (key, label, regex, whole value or prefix, value of a given length, bound).
CASES: tuple[tuple[str, str, str, bool, Callable[[int], str], int], ...] = (
    (
        "path",
        r"resources r'/api/.*/.*/.*/export', path",
        r"/api/.*/.*/.*/export",
        False,
        lambda n: ("/api/" + "a/" * n)[:n],
        MAX_PATH,
    ),
    (
        "header",
        r"allow_headers r'x-.*-.*-.*-id', header name",
        r"x-.*-.*-.*-id",
        True,
        lambda n: ("x-" + "a-" * n)[:n],
        MAX_REQUEST_HEADERS_LENGTH,
    ),
    (
        "origin",
        r"origins r'https://([a-z0-9-]+\.)*example\.com', Origin",
        r"https://([a-z0-9-]+\.)*example\.com",
        True,
        lambda n: ("https://" + "a." * n)[:n],
        MAX_ORIGIN_LENGTH,
    ),
)

#: Python's ``re`` is only timed while one match takes less than this (seconds).
RE_BUDGET = 0.1


def _per_call(call: Callable[[], object], budget: float) -> float:
    """Microseconds per call: repeat until ``budget`` seconds have passed, best of 5 (the
    least disturbed by other work on the machine)."""
    best = float("inf")
    for _ in range(5):
        count, began = 0, time.perf_counter()
        while True:
            call()
            count += 1
            elapsed = time.perf_counter() - began
            if elapsed >= budget:
                break
        best = min(best, elapsed / count)
    return best * 1e6


def sizes(bound: int, smallest: int = 64) -> list[int]:
    """``smallest``, doubled up to ``bound``, and ``bound`` itself."""
    found = []
    size = smallest
    while size < bound:
        found.append(size)
        size *= 2
    return [*found, bound]


def run(
    budget: float = 0.05, progress: Callable[[str], None] = lambda _: None
) -> list[dict[str, Any]]:
    """One row per case and size: microseconds per match by the engine and by ``re``."""
    rows: list[dict[str, Any]] = []
    for key, label, regex, whole, value, bound in CASES:
        progress(f"[linear] {label}")
        flags = re.IGNORECASE | re.ASCII if key != "path" else 0
        pattern = re.compile(regex, flags)
        source = translate(pattern, whole)
        assert isinstance(source, str)
        linear = LinearSet([source], whole)
        python = pattern.fullmatch if whole else pattern.match
        previous = None
        re_alive = True
        for size in sizes(bound):
            text = value(size)
            engine_us = _per_call(functools.partial(linear.any, text), budget)
            re_us = None
            if re_alive:
                began = time.perf_counter()
                python(text)
                if time.perf_counter() - began < RE_BUDGET / 10:
                    re_us = _per_call(functools.partial(python, text), budget)
                re_alive = re_us is not None and re_us < RE_BUDGET * 1e6 / 8
            rows.append(
                {
                    "case": key,
                    "label": label,
                    "length": len(text),
                    "engine_us": round(engine_us, 3),
                    "re_us": None if re_us is None else round(re_us, 1),
                    "growth": None if previous is None else round(engine_us / previous, 2),
                }
            )
            previous = engine_us
    return rows


def rows(results: Sequence[dict[str, Any]]) -> list[tuple[str, ...]]:
    return [
        (
            r["label"],
            f"{r['length']:,}",
            f"{r['engine_us']:.2f}",
            "" if r["growth"] is None else f"{r['growth']:.2f}x",
            "too slow to time" if r["re_us"] is None else f"{r['re_us']:,.1f}",
        )
        for r in results
    ]


HEADER = ("Regex and value", "Length", "Engine us", "Growth", "Python re us")
TITLE = (
    "Linear time: one match of a value that almost matches, as its length doubles up to its "
    "bound (about 2x per doubling is linear)"
)


def rst(results: dict[str, Any]) -> str:
    """The table for the docs, from a ``bench/run.py`` result (or :func:`run` alone)."""
    measured = results.get("linear")
    if not measured:
        return "Not measured in this run.\n"
    lines = [f".. list-table:: {TITLE}", "   :header-rows: 1", ""]
    for row in [HEADER, *rows(measured)]:
        lines.append("   * - " + (row[0] or "\\ "))
        lines.extend("     - " + (cell or "\\ ") for cell in row[1:])
    return "\n".join(lines) + "\n"


def main() -> int:
    measured = run(progress=lambda message: print(message, file=sys.stderr))
    out = ROOT / "bench" / "results" / "linear.rst"
    machine = platform.processor() or platform.machine()
    note = f"Measured on {machine}, Python {platform.python_version()}.\n\n"
    out.write_text(note + rst({"linear": measured}), encoding="utf-8")
    for row in rows(measured):
        print(" | ".join(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
