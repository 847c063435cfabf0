"""The benchmark runs end to end with tiny counts, so that it cannot rot. No timings are
asserted: on a shared machine they mean nothing at these counts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest.importorskip("flask_cors")


def _run(tmp_path: Path, *extra: str) -> dict[str, object]:
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--out", str(tmp_path), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    results: dict[str, object] = json.loads((tmp_path / "latest.json").read_text())
    return results


def test_quick_grid_profile_and_chart(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    results = _run(tmp_path, "--no-e2e")
    grid = results["grid"]
    assert isinstance(grid, list)
    # Five policies times five kinds of request, plus the cold-regex scenario.
    assert len(grid) == 26
    for row in grid:
        assert set(row["per_request_us"]) == {"flask", "flask-cors", "flask-crossorigin"}
        assert set(row["added_us"]) == {"flask-cors", "flask-crossorigin"}
    assert {t["target"] for t in results["targets"]}  # type: ignore[union-attr]
    assert results["flatness"]
    profile = results["profile"]
    assert isinstance(profile, list) and profile
    assert all(p["package_functions"] for p in profile)
    # The regex origins never go through the re module's pattern cache.
    cold = [p for p in profile if p["cold"]]
    assert cold and cold[0]["re_module_calls_per_request"] == 0
    for name in ("latest.txt", "latest.rst", "profile.rst", "performance.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert (tmp_path / "performance.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.server
def test_quick_end_to_end_through_gunicorn(tmp_path: Path) -> None:
    pytest.importorskip("gunicorn")
    results = _run(tmp_path, "--no-profile", "--policies", "one")
    e2e = results["e2e"]
    assert isinstance(e2e, list) and e2e
    for result in e2e:
        for library, numbers in result["libraries"].items():
            assert numbers["requests"] > 0, library
            assert numbers["errors"] == 0, library
