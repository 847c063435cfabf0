"""The benchmark runs end to end with tiny counts, so that it cannot rot. No timings are
asserted: on a shared machine they mean nothing at these counts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

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
    startup = results["startup"]
    assert isinstance(startup, list) and len(startup) == 3
    for case in startup:
        for library in ("flask-cors", "flask-crossorigin"):
            assert case["libraries"][library]["seconds"] > 0
            assert case["libraries"][library]["kept_mib"] >= 0
    never_seen = results["never_seen"]
    assert isinstance(never_seen, list)
    assert [r["resources"] for r in never_seen] == [10, 100, 1000]
    for row in never_seen:
        assert set(row["added_us"]) == {"flask-cors", "flask-crossorigin", "repeated"}
    decorator = results["decorator"]
    assert isinstance(decorator, list)
    assert [r["kind"] for r in decorator] == ["allowed", "preflight"]
    found_floors = results["floors"]
    assert isinstance(found_floors, dict)
    assert [r["kind"] for r in found_floors["hooks"]] == ["allowed", "no-origin", "refused"]
    for row in found_floors["hooks"]:
        assert set(row["added_us"]) == {"empty hook", "hand-written hook", "flask-crossorigin"}
        assert row["lines"] >= 1
    assert set(found_floors["preflight"]["added_us"]) == {
        "view answers at once",
        "answered before dispatch",
        "before dispatch, URL matched",
        "CORS(app)",
        "@cross_origin",
    }
    targets = {t["target"] for t in results["targets"]}  # type: ignore[union-attr]
    assert any(t.startswith("start-up") for t in targets)
    assert any(t.startswith("a never-seen path") for t in targets)
    assert any(t.startswith("@cross_origin preflight") for t in targets)
    for name in (
        "latest.txt",
        "latest.rst",
        "profile.rst",
        "scaling.rst",
        "floors.rst",
        "performance.png",
    ):
        assert (tmp_path / name).stat().st_size > 0
    assert (tmp_path / "performance.png").read_bytes().startswith(b"\x89PNG")
    assert "QUICK RUN" in (tmp_path / "latest.txt").read_text()


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
    # Preflights through nginx with the exported policy, through nginx proxying, and the app.
    from bench import edge

    if edge.available():
        rows = results["edge"]["rows"]  # type: ignore[index]
        assert [r["setup"] for r in rows] == ["app", "proxy", "export"]
        assert all(r["rps_median"] > 0 for r in rows)
        assert "nginx with the export (answers itself)" in (tmp_path / "latest.txt").read_text()


def _startup_case(
    key: str, ours: tuple[float, float], theirs: tuple[float, float]
) -> dict[str, Any]:
    return {
        "key": key,
        "label": key,
        "libraries": {
            "flask-crossorigin": {"seconds": ours[0], "kept_mib": ours[1]},
            "flask-cors": {"seconds": theirs[0], "kept_mib": theirs[1]},
        },
    }


def _stats(median: float) -> dict[str, float]:
    return {"median": median, "p25": median, "p75": median, "min": median, "max": median}


@pytest.mark.parametrize(
    ("ours", "theirs", "met"),
    [
        ((0.5, 30.0), (0.8, 16.0), True),
        ((0.9, 30.0), (0.8, 16.0), False),  # slower
        ((0.5, 33.0), (0.8, 16.0), False),  # more than twice the memory
    ],
)
def test_startup_target(ours: tuple[float, float], theirs: tuple[float, float], met: bool) -> None:
    """The start-up target: no slower than flask-cors and at most twice its memory."""
    from bench import report

    found = report.startup_targets([_startup_case("resources-1k-origins-2k", ours, theirs)])
    assert [t["met"] for t in found] == [met]
    big = report.startup_targets([_startup_case("resources-1k-origins-10k", (0.6, 1), (1, 1))])
    assert [t["met"] for t in big] == [False]


def test_never_seen_and_decorator_targets() -> None:
    """The never-seen path target reads the largest size; the decorator targets compare with
    the extension (a ratio for a GET, a paired difference for a preflight)."""
    from bench import report

    rows = [
        {
            "resources": n,
            "label": f"{n} regex resources",
            "added_us": {"flask-crossorigin": _stats(c)},
        }
        for n, c in ((10, 50.0), (1000, 19.0))
    ]
    assert [t["met"] for t in report.never_seen_targets(rows)] == [True]
    rows[1]["added_us"]["flask-crossorigin"] = _stats(21.0)  # type: ignore[index]
    assert [t["met"] for t in report.never_seen_targets(rows)] == [False]
    decorator = [
        {
            "kind": "allowed",
            "kind_label": "simple GET",
            "added_us": {"extension": _stats(4.0), "decorator": _stats(5.0)},
            "difference_us": 1.0,
        },
        {
            "kind": "preflight",
            "kind_label": "preflight",
            "added_us": {"extension": _stats(-7.0), "decorator": _stats(-4.5)},
            "difference_us": 2.5,
        },
    ]
    assert [t["met"] for t in report.decorator_targets(decorator)] == [True, False]


def test_targets_read_a_missing_ratio() -> None:
    """A ratio is ``None`` when flask-cors's added cost is not positive (noise in a smoke
    run); the targets still report, as not met."""
    from bench import report

    row = {
        "key": "resources-100/allowed",
        "policy": "resources-100",
        "kind": "allowed",
        "added_us": {"flask-cors": _stats(-1.0), "flask-crossorigin": _stats(2.0)},
        "ratio": None,
    }
    found = {t["target"]: t for t in report.targets([row], [])}
    assert not found["100 resources with 1,000 origins: at most 2% of flask-cors's cost"]["met"]
    assert (
        "n/a"
        in found["100 resources with 1,000 origins: at most 2% of flask-cors's cost"]["detail"]
    )
