"""The demo page tells the truth about the API's origins when the environment changes them.

With ``FLASK_CORS_ORIGINS`` exported (as the quickstart shows for an app's own deployment),
the API no longer allows the demo page's origin. The page reads the API's effective policy,
says that its origin is not allowed and where the value was set, and expects the verdicts
real Chromium gives.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest

from .conftest import Server, free_port
from .test_demo_page import run_page, verdicts
from .verdicts import OURS_OTHER_ORIGIN

pytestmark = pytest.mark.browser

ELSEWHERE = "https://app.example.com"


def test_page_reports_origins_from_the_environment(
    driver: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page says its origin is NOT in the API's origins, names FLASK_CORS_ORIGINS, and
    every row's expectation matches Chromium's verdict."""
    from example_app import create_app
    from example_app.frontend import create_frontend, effective_origins

    monkeypatch.setenv("FLASK_CORS_ORIGINS", f'["{ELSEWHERE}"]')
    app = create_app(
        {"DATABASE": str(tmp_path / "todos.sqlite"), "SECRET_KEY": secrets.token_hex(16)}
    )
    page_port = free_port()
    page_origin = f"http://localhost:{page_port}"
    policy = effective_origins(app, (page_origin,))
    assert policy == {
        "value": [ELSEWHERE],
        "source": "CORS_ORIGINS, from FLASK_CORS_ORIGINS in the environment",
        "allows": {page_origin: False},
    }
    api = Server(app)
    page = Server(create_frontend(api.url, page_origin, "flask-crossorigin", policy), page_port)
    try:
        rows = run_page(driver, page.url + "/")
        note = driver.execute_script("return document.getElementById('origin-note').textContent")
    finally:
        page.stop()
        api.stop()
    assert verdicts(rows) == OURS_OTHER_ORIGIN
    assert all(row["verdict"] == row["expected"] for row in rows.values()), rows
    assert note.startswith("this origin is NOT in the API's origins (")
    assert f'["{ELSEWHERE}"], set by CORS_ORIGINS, from FLASK_CORS_ORIGINS' in note
    assert f"the demo's page origin {page_origin} is not in them either" in note
