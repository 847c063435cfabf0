"""Hostile ``Access-Control-Request-Headers``: what a preflight costs when the header is huge.

``python bench/hostile.py`` prints JSON: for each library, a normal preflight's cost and, for
each hostile header, its cost and its ratio to the normal preflight. Interleaved rounds,
medians. The three hostile headers: 1 MB of commas, 1 MB of spaces, and 100,000 names.
Nothing here is asserted: ``tests/test_hostile.py`` runs it with ``--quick`` so it cannot rot.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import scenarios as sc  # noqa: E402

ORIGIN = "https://app.example.com"
NORMAL = "content-type,x-token"
HOSTILE = {
    "1 MB of commas": "," * 1_000_000,
    "1 MB of spaces": " " * 1_000_000,
    "100,000 names": ",".join(f"x-h{i}" for i in range(100_000)),
}
LIBRARIES = ("flask-crossorigin", "flask-cors")


def preflight_environ(request_headers: str) -> dict[str, Any]:
    environ = sc.environ(sc.POLICIES["one"], sc.KINDS["preflight"])
    environ["HTTP_ORIGIN"] = ORIGIN
    environ["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] = request_headers
    return environ


def per_request_seconds(call: Callable[[], None], count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        call()
    return (time.perf_counter() - started) / count


def measure(rounds: int, normal_count: int, hostile_count: dict[str, int]) -> dict[str, Any]:
    apps = {lib: sc.create_app(lib, {"origins": [ORIGIN]}) for lib in LIBRARIES}
    results: dict[str, Any] = {}
    samples: dict[tuple[str, str], list[float]] = {}
    refused: dict[str, dict[str, bool]] = {lib: {} for lib in LIBRARIES}
    for lib, app in apps.items():
        for name, value in HOSTILE.items():
            _, headers = sc.answer(app, preflight_environ(value))
            refused[lib][name] = not any(h.startswith("access-control-allow-") for h in headers)
    for round_number in range(rounds):
        order = LIBRARIES if round_number % 2 == 0 else LIBRARIES[::-1]
        for lib in order:
            app = apps[lib]
            call = sc.wsgi_call(app, [preflight_environ(NORMAL)])
            samples.setdefault((lib, "normal"), []).append(per_request_seconds(call, normal_count))
            for name, value in HOSTILE.items():
                call = sc.wsgi_call(app, [preflight_environ(value)])
                count = hostile_count[lib]
                samples.setdefault((lib, name), []).append(per_request_seconds(call, count))
    for lib in LIBRARIES:
        normal = statistics.median(samples[(lib, "normal")])
        entry: dict[str, Any] = {"normal_preflight_us": round(normal * 1e6, 2), "hostile": {}}
        for name in HOSTILE:
            cost = statistics.median(samples[(lib, name)])
            entry["hostile"][name] = {
                "us": round(cost * 1e6, 2),
                "ratio_to_normal": round(cost / normal, 2),
                "refused": refused[lib][name],
            }
        results[lib] = entry
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny counts: checks, not timings")
    parser.add_argument("--out", type=Path, help="also write the JSON to this file")
    args = parser.parse_args(argv)
    if args.quick:
        results = measure(1, 5, {"flask-crossorigin": 2, "flask-cors": 1})
    else:
        results = measure(7, 2000, {"flask-crossorigin": 500, "flask-cors": 1})
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
