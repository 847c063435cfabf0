"""The package's classifiers and requirements say exactly what CI runs (SPEC 7).

CI is ``.ci/run``, which runs ``make test``: the main Python runs the whole suite, and
``make test-matrix`` runs it again on each other Python with the Flask and Werkzeug its cell
pins. These tests read the Makefile and setup.cfg and check that they agree.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def _variable(name: str) -> str:
    found = re.search(rf"^{re.escape(name)}\s*[:?]?=\s*(.*)$", MAKEFILE, re.M)
    assert found is not None, name
    return found.group(1).strip()


def _setup() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg", encoding="utf-8")
    return parser


def _ci_pythons() -> set[str]:
    return {_variable("MAIN_PYTHON_VERSION"), *_variable("MATRIX").split()}


def _flask_pins() -> dict[str, str]:
    """Python version -> the Flask series its cell pins."""
    pins = {}
    for version in _variable("MATRIX").split():
        found = re.search(r"'flask==(\d+\.\d+)\.\*'", _variable(f"FLASK_{version}"))
        assert found is not None, version
        werkzeug = re.search(r"'werkzeug==(\d+\.\d+)\.\*'", _variable(f"FLASK_{version}"))
        assert werkzeug is not None and werkzeug.group(1) == found.group(1), version
        pins[version] = found.group(1)
    return pins


def test_python_classifiers_are_the_pythons_ci_runs() -> None:
    """SPEC 7: the Python classifiers list exactly the Pythons of the CI matrix."""
    classifiers = _setup()["metadata"]["classifiers"].split("\n")
    listed = {
        c.rpartition("::")[2].strip()
        for c in classifiers
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c.strip())
    }
    assert listed == _ci_pythons()


def test_python_requires_is_the_oldest_python_ci_runs() -> None:
    """SPEC 7: python_requires starts at the oldest Python CI runs."""
    oldest = min(_ci_pythons(), key=lambda v: tuple(int(p) for p in v.split(".")))
    assert _setup()["options"]["python_requires"].strip() == f">={oldest}"


def test_every_supported_flask_series_has_a_cell() -> None:
    """SPEC 7: Flask 2.3 (the oldest install_requires allows), 3.0 and 3.1 each run in
    a cell of the matrix, with the same Werkzeug series."""
    pins = _flask_pins()
    assert {"2.3", "3.0", "3.1"} <= set(pins.values())
    requires = _setup()["options"]["install_requires"]
    assert "Flask>=2.3" in requires and "Werkzeug>=2.3" in requires
    oldest_python = min(pins, key=lambda v: tuple(int(p) for p in v.split(".")))
    assert pins[oldest_python] == "2.3"


def test_ci_runs_the_matrix() -> None:
    """SPEC 7: ``.ci/run`` runs ``make test``, which runs the matrix; each cell runs the
    suite but the browser and server tests, without pytest's cache."""
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test\b", run, re.M)
    test_target = re.search(r"^test:(.*)$", MAKEFILE, re.M)
    assert test_target is not None and "test-matrix" in test_target.group(1).split()
    cell = _variable("CELL_PYTEST")
    assert "-p no:cacheprovider" in cell and "not browser and not server" in cell
