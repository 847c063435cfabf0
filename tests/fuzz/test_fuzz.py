"""Coverage-guided fuzzing in CI: each target for a fixed number of runs, with a fixed seed.

atheris (libFuzzer for Python) mutates inputs toward new branches of ``flask_crossorigin``;
the targets and their invariants are in :mod:`tests.fuzz.targets`. Each target runs in its
own process (libFuzzer ends the process), bounded in runs and in time. ``make fuzz`` runs
them for longer. The oracles are checked by hand first, so that a broken oracle cannot pass
everything.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .targets import TARGETS, _named, _origin_values, _request_headers_oracle

ROOT = Path(__file__).parents[2]
#: Runs per target in CI (about 25 s in all on one core of the CI machine).
RUNS = {"origin": 200000, "origin_entry": 30000, "request_headers": 150000, "config": 12000}
#: atheris publishes wheels for these Pythons only; elsewhere the fuzz run is skipped.
ATHERIS_PYTHONS = ((3, 11), (3, 12), (3, 13))


def _atheris_missing() -> str:
    try:
        import atheris  # noqa: F401
    except ImportError as error:
        return str(error)
    return ""


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_fuzz_target(target: str, tmp_path: Path) -> None:
    """Issue item: no exception but CORSConfigError at configuration, no 500, a grant only for
    an origin the configuration names; parsers equal to their one-by-one oracles."""
    missing = _atheris_missing()
    if missing:
        if sys.version_info[:2] in ATHERIS_PYTHONS:
            pytest.fail(f"atheris must be installed on this Python (the 'test' extra): {missing}")
        pytest.skip(f"atheris has no build for Python {sys.version_info[0]}.{sys.version_info[1]}")
    run = subprocess.run(
        [
            sys.executable,
            "-W",
            "ignore",
            "-m",
            "tests.fuzz.run",
            target,
            f"-runs={RUNS[target]}",
            "-seed=1",
            "-max_total_time=60",
            # A hang is an input over a minute here: the instrumented package runs several
            # times slower, on a machine that may be running other tests (make fuzz: 10 s).
            "-timeout=60",
            "-report_slow_units=60",
            f"-artifact_prefix={tmp_path}{os.sep}",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        timeout=240,
    )
    report = "\n".join(line for line in run.stderr.splitlines() if not line.startswith("#"))
    assert run.returncode == 0, report[-4000:]
    assert "Done " in run.stderr
    assert not list(tmp_path.iterdir()), "libFuzzer wrote a crash input"


def test_grant_oracle_flags_strangers() -> None:
    """The grant oracle accepts what the configuration names and nothing else."""
    entries = ["https://a.example", "https://*.example.com", r"https://[a-z]+\.example\.org"]
    for named in ["https://a.example", "HTTPS://A.EXAMPLE", "https://x.example.com"]:
        assert _named(named, entries)
    assert _named("https://ab.example.org", entries)
    for stranger in ["https://evil.test", "https://evilexample.com", "http://a.example.evil"]:
        assert not _named(stranger, entries[:2])
    assert _origin_values({"methods": ["GET"]}) is None  # default origins: '*'
    assert _origin_values({"origins": ["*"]}) is None
    assert _origin_values({"origins": ["https://a.example"]}) == ["https://a.example"]
    nested = {"origins": "https://a.example", "resources": {"/x": {"origins": ["null"]}}}
    assert _origin_values(nested) == ["https://a.example", "null"]


def test_request_headers_oracle() -> None:
    """The one-by-one oracle for Access-Control-Request-Headers, on hand-picked values."""
    assert _request_headers_oracle("X-Token, x-token,, content-type ") == (
        "X-Token",
        "content-type",
    )
    assert _request_headers_oracle("a b") is None
    assert _request_headers_oracle(",".join(["x"] * 64)) == ("x",)
    assert _request_headers_oracle(",".join(["x"] * 65)) is None  # 65 names, one repeated
    assert _request_headers_oracle(",".join(f"x{i}" for i in range(65))) is None
    assert _request_headers_oracle("x" * 4097) is None
