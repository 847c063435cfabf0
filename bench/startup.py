"""Start-up: the CPU time ``CORS(app, ...)`` takes and the memory it keeps, per library.

Each measurement runs in a fresh interpreter (``python bench/startup.py --child ...``), so that
one library's caches and freed memory never count for the other: the app and the option
values are built first, then only the ``CORS(...)`` call is timed (process CPU time). Memory is
measured in a second fresh interpreter under ``tracemalloc``: what the call allocated and still
holds after a full garbage collection, with the app alive. The rounds of the two libraries
alternate, and the medians are reported.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LIBRARIES = ("flask-cors", "flask-crossorigin")


@dataclass(frozen=True)
class Case:
    key: str
    label: str
    origins: int
    resources: int


def cases(scale: float = 1.0) -> tuple[Case, ...]:
    def n(count: int) -> int:
        return max(2, round(count * scale))

    return (
        Case(
            "resources-1k-origins-2k",
            f"{n(1000):,} regex resources x {n(2000):,} origins",
            n(2000),
            n(1000),
        ),
        Case(
            "resources-1k-origins-10k",
            f"{n(1000):,} regex resources x {n(10_000):,} origins",
            n(10_000),
            n(1000),
        ),
        Case("origins-10k", f"{n(10_000):,} origins", n(10_000), 0),
    )


def options(origins: int, resources: int) -> dict[str, Any]:
    """The keywords both libraries get: exact origins and regex resource keys."""
    values: dict[str, Any] = {"origins": [f"https://app{i}.example.com" for i in range(origins)]}
    if resources:
        values["resources"] = [rf"/api/v1/r{i}/*" for i in range(resources)]
    return values


def _cors(library: str) -> Callable[..., object]:
    if library == "flask-cors":
        from flask_cors import CORS as FlaskCORS

        return FlaskCORS  # type: ignore[no-any-return]
    from flask_crossorigin import CORS

    return CORS


def child(library: str, origins: int, resources: int, what: str) -> dict[str, float]:
    """One measurement in this (fresh) interpreter."""
    from flask import Flask

    cors = _cors(library)
    app = Flask("startup")
    app.add_url_rule("/api/v1/r<int:number>/items", "items", lambda number: "ok")
    values = options(origins, resources)
    gc.collect()
    if what == "memory":
        tracemalloc.start()
        extension = cors(app, **values)
        gc.collect()
        kept, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert extension is not None and app is not None
        return {"kept_mib": kept / 2**20}
    start = time.process_time()
    extension = cors(app, **values)
    seconds = time.process_time() - start
    assert extension is not None
    return {"seconds": seconds}


def _spawn(library: str, case: Case, what: str, timeout: float) -> dict[str, float]:
    completed = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            library,
            str(case.origins),
            str(case.resources),
            what,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"start-up of {library} ({case.key}) failed: {completed.stderr[-2000:]}")
    result: dict[str, float] = json.loads(completed.stdout)
    return result


def run(
    case_list: Sequence[Case],
    rounds: int = 3,
    progress: Callable[[str], None] = lambda _: None,
    timeout: float = 300.0,
) -> list[dict[str, Any]]:
    """Median start-up CPU time (s) and kept memory (MiB) of both libraries for each case."""
    results = []
    for case in case_list:
        progress(f"[start-up] {case.label}")
        seconds: dict[str, list[float]] = {lib: [] for lib in LIBRARIES}
        kept: dict[str, list[float]] = {lib: [] for lib in LIBRARIES}
        for round_number in range(rounds):
            order = LIBRARIES if round_number % 2 == 0 else LIBRARIES[::-1]
            for library in order:
                seconds[library].append(_spawn(library, case, "time", timeout)["seconds"])
                kept[library].append(_spawn(library, case, "memory", timeout)["kept_mib"])
        libraries = {
            lib: {
                "seconds": round(statistics.median(seconds[lib]), 4),
                "kept_mib": round(statistics.median(kept[lib]), 2),
                "rounds_seconds": [round(s, 4) for s in seconds[lib]],
            }
            for lib in LIBRARIES
        }
        ours, theirs = libraries["flask-crossorigin"], libraries["flask-cors"]
        results.append(
            {
                "key": case.key,
                "label": case.label,
                "origins": case.origins,
                "resources": case.resources,
                "libraries": libraries,
                "time_ratio": _ratio(ours["seconds"], theirs["seconds"]),
                "memory_ratio": _ratio(ours["kept_mib"], theirs["kept_mib"]),
            }
        )
    return results


def _ratio(ours: float, theirs: float) -> Optional[float]:
    return None if theirs <= 0 else round(ours / theirs, 3)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=4, metavar=("LIBRARY", "ORIGINS", "RESOURCES", "WHAT"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if args.child:
        library, origins, resources, what = args.child
        print(json.dumps(child(library, int(origins), int(resources), what)))
        return 0
    found = run(cases(0.01 if args.quick else 1.0), rounds=1 if args.quick else args.rounds)
    print(json.dumps(found, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
