"""Hostile headers cost bounded work (SPEC 4). The timings live in bench/hostile.py, which
this test runs with tiny counts so that it cannot rot; no timing is asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest.importorskip("flask_cors")


def test_hostile_bench_runs_and_ours_refuses_every_hostile_header(tmp_path: Path) -> None:
    out = tmp_path / "hostile.json"
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "hostile.py"), "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    results = json.loads(out.read_text())
    assert set(results) == {"flask-crossorigin", "flask-cors"}
    ours = results["flask-crossorigin"]["hostile"]
    assert set(ours) == {"1 MB of commas", "1 MB of spaces", "100,000 names"}
    assert all(entry["refused"] for entry in ours.values())
    for library in results.values():
        assert library["normal_preflight_us"] > 0
        assert all(entry["ratio_to_normal"] > 0 for entry in library["hostile"].values())
