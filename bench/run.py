"""Run the benchmarks: ``python bench/run.py`` (``make bench``), ``--quick`` for a smoke run.

Writes ``latest.json``, ``latest.txt`` (the tables), ``latest.rst``, ``scaling.rst`` and
``profile.rst`` (the tables the docs include) and ``performance.png`` to the output directory,
and copies the chart to the docs unless ``--quick`` or ``--no-docs`` is given. flask-cors is
the version installed; the figures in the docs are taken with :data:`FLASK_CORS_VERSION`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import e2e, edge, floors, inprocess, profile_request, report, startup  # noqa: E402
from bench import scenarios as sc  # noqa: E402

DOCS_CHART = ROOT / "docs" / "_static" / "performance.png"
#: The flask-cors release the comparison is made against.
FLASK_CORS_VERSION = "6.0.5"


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny counts: checks, not timings")
    parser.add_argument(
        "--out",
        type=Path,
        help="output directory (default bench/results; with --quick a new temporary one)",
    )
    parser.add_argument("--rounds", type=int, help="in-process rounds per scenario")
    parser.add_argument("--policies", help="comma-separated subset of: " + ", ".join(sc.POLICIES))
    parser.add_argument("--no-e2e", action="store_true", help="skip the gunicorn run")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile run")
    parser.add_argument("--no-docs", action="store_true", help="do not copy the chart to docs")
    parser.add_argument(
        "--no-scaling",
        action="store_true",
        help="skip start-up, never-seen paths, the decorator and what Flask charges by itself",
    )
    return parser.parse_args(argv)


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    began = time.monotonic()

    def progress(message: str) -> None:
        print(f"{time.monotonic() - began:6.1f}s {message}", file=sys.stderr, flush=True)

    policies = args.policies.split(",") if args.policies else list(sc.POLICIES)
    unknown = [p for p in policies if p not in sc.POLICIES]
    if unknown:
        print(f"unknown policies: {', '.join(unknown)}", file=sys.stderr)
        return 2
    installed = report.machine()["versions"]["flask-cors"]
    if installed != FLASK_CORS_VERSION:
        progress(
            f"warning: flask-cors {installed} installed, the comparison is made against "
            f"{FLASK_CORS_VERSION} (pip install flask-cors=={FLASK_CORS_VERSION})"
        )
    if args.quick:
        # Every count shrunk a hundredfold: this checks that the benchmark runs, not timings.
        scale = 0.01
        settings = inprocess.Settings(rounds=3, batch_seconds=0.0003, max_batch=20)
        e2e_settings = e2e.Settings(
            rounds=1, requests=30, seconds=1.0, connections=2, warmup=5, scale=scale
        )
        cold_count, profile_requests = 30, 100
        flat_settings = settings
        startup_rounds, never_seen_paths = 1, 30
    else:
        scale = 1.0
        settings = inprocess.Settings(rounds=21, batch_seconds=0.012)
        e2e_settings = e2e.Settings()
        cold_count, profile_requests = 9000, 20_000
        # Longer and more rounds than the grid: the two costs compared are a few microseconds
        # each, and a 10% target leaves a few tenths of a microsecond for noise.
        flat_settings = inprocess.Settings(rounds=101, batch_seconds=0.024)
        startup_rounds, never_seen_paths = 3, 9000
    table = sc.policies(scale)
    if args.rounds:
        settings = inprocess.Settings(args.rounds, settings.batch_seconds, settings.max_batch)

    results: dict[str, Any] = {
        "meta": {
            **report.machine(),
            "quick": args.quick,
            "scale": scale,
            "in_process": vars(settings),
            "end_to_end": None if args.no_e2e else vars(e2e_settings),
        }
    }
    results["grid"] = inprocess.run(
        inprocess.grid(table, policies), settings, progress, cold_count=cold_count
    )
    results["flatness"] = []
    if "one" in policies and "exact-10k" in policies:
        results["flatness"] = inprocess.flatness(table, flat_settings, progress=progress)
    results["startup"], results["never_seen"], results["decorator"] = [], [], []
    results["floors"] = {}
    if not args.no_scaling:
        results["startup"] = startup.run(
            startup.cases(scale), rounds=startup_rounds, progress=progress
        )
        results["never_seen"] = inprocess.never_seen(
            flat_settings, paths=never_seen_paths, progress=progress
        )
        results["decorator"] = inprocess.decorator(flat_settings, progress=progress)
        results["floors"] = floors.run(flat_settings, progress=progress)
    e2e_policies = tuple(p for p in e2e_settings.policies if p in policies)
    results["e2e"] = []
    if e2e_policies and not args.no_e2e:
        e2e_settings = dataclasses.replace(e2e_settings, policies=e2e_policies)
        results["e2e"] = e2e.run(e2e_settings, progress)
    results["edge"] = None
    if not args.no_e2e and "one" in policies and edge.available():
        results["edge"] = edge.run(e2e_settings, progress)
    results["profile"] = []
    if not args.no_profile:
        progress("[profile] cProfile of the per-request path")
        results["profile"] = profile_request.run(table, profile_requests)
    results["targets"] = report.targets(
        results["grid"],
        results["profile"],
        results["flatness"],
        results["startup"],
        results["never_seen"],
        results["decorator"],
        results["floors"],
    )
    results["meta"]["load_average_after"] = report._load()
    results["meta"]["seconds"] = round(time.monotonic() - began, 1)

    out: Path = args.out or (
        Path(tempfile.mkdtemp(prefix="bench-quick-")) if args.quick else ROOT / "bench" / "results"
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    text = report.text_report(results)
    (out / "latest.txt").write_text(text, encoding="utf-8")
    (out / "latest.rst").write_text(report.rst_report(results), encoding="utf-8")
    (out / "profile.rst").write_text(report.profile_rst(results["profile"]), encoding="utf-8")
    (out / "scaling.rst").write_text(report.scaling_rst(results), encoding="utf-8")
    (out / "floors.rst").write_text(report.floors_rst(results), encoding="utf-8")
    report.chart(results, out / "performance.png")
    if not (args.quick or args.no_docs):
        shutil.copyfile(out / "performance.png", DOCS_CHART)
    print(text)
    progress(f"results in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
