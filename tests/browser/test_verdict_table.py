"""The docs show the browser's verdicts; they must be the ones the browser tests assert.

No browser needed: this reads docs/example.rst, the page's script and ``verdicts.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

from .verdicts import LIBRARIES, VERDICTS

ROOT = Path(__file__).parents[2]
DOCS = ROOT / "docs" / "example.rst"
SCRIPT = ROOT / "example_app" / "frontend" / "app.js"
SCREENSHOT = ROOT / "docs" / "_static" / "demo.png"

COLUMNS = [
    (library, where) for where in ("allowed-origin", "other-origin") for library in LIBRARIES
]


def documented_verdicts() -> dict[tuple[str, str], dict[str, str]]:
    """The verdict table of docs/example.rst: rows of a ``scenario-id`` and four verdicts."""
    table: dict[tuple[str, str], dict[str, str]] = {column: {} for column in COLUMNS}
    lines = DOCS.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        row = re.fullmatch(r"   \* - ``([a-z0-9-]+)``", line)
        if not row:
            continue
        cells = [
            re.fullmatch(r"     - \**(allowed|blocked)\**", c) for c in lines[number + 1 :][:4]
        ]
        if not all(cells):
            continue  # a row of another table (a verdict row that does not parse is missed)
        for column, cell in zip(COLUMNS, cells):
            assert cell is not None
            table[column][row.group(1)] = cell.group(1)
    return table


def test_docs_table_matches_the_browser_tests() -> None:
    assert documented_verdicts() == {column: VERDICTS[column] for column in COLUMNS}


def test_every_scenario_of_the_page_has_a_verdict() -> None:
    scenarios = re.findall(r'\{ id: "([a-z0-9-]+)"', SCRIPT.read_text(encoding="utf-8"))
    assert scenarios == list(VERDICTS["flask-crossorigin", "allowed-origin"])
    for verdicts in VERDICTS.values():
        assert list(verdicts) == scenarios


def test_docs_screenshot_is_a_small_png() -> None:
    data = SCREENSHOT.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) < 80_000, "refresh it with UPDATE_DEMO_SCREENSHOT=1 (Pillow makes it small)"
