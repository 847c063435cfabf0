"""The demo page in real headless Chromium: every scenario's verdict, for both libraries.

Only a browser decides CORS, so these tests are the truth about every "allowed" and "blocked"
in this project. The same page runs against the example API wired with flask-crossorigin and
with flask-cors; where the verdicts differ, docs/example.rst says why.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from .conftest import Demo

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).parents[2] / "docs" / "_static" / "demo.png"

# The browser's verdict for each scenario, from the allowed origin and from a disallowed one.
OURS_ALLOWED_ORIGIN = {
    "simple-get": "allowed",
    "login": "allowed",
    "json-post": "allowed",
    "put-custom-header": "allowed",
    "credentialed-get": "allowed",
    "exposed-header": "allowed",
    "header-not-allowed": "blocked",
    "authorization-any-header": "allowed",
    "public-ping": "allowed",
    "error-404": "allowed",
    "error-400": "allowed",
}
OURS_OTHER_ORIGIN = {
    **{name: "blocked" for name in OURS_ALLOWED_ORIGIN},
    "authorization-any-header": "allowed",
    "public-ping": "allowed",
}
# flask-cors: the auth hook refuses every preflight to /api/todos (no cookies on a preflight),
# and the Resource's own policy in method_decorators is not consulted for its preflight.
FLASK_CORS_DIFFERENCES = {
    "json-post": "blocked",
    "put-custom-header": "blocked",
    "error-400": "blocked",
    "authorization-any-header": "blocked",
}


def run_page(driver: Any, url: str) -> dict[str, dict[str, str]]:
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("return document.body.dataset.state") == "done"
    )
    rows = driver.execute_script(
        "return Array.from(document.querySelectorAll('tr[data-scenario]')).map(r => ({"
        "id: r.dataset.scenario, verdict: r.dataset.verdict, expected: r.dataset.expected,"
        "seen: r.querySelector('.seen').textContent}))"
    )
    return {row["id"]: row for row in rows}


def verdicts(rows: dict[str, dict[str, str]]) -> dict[str, str]:
    return {name: row["verdict"] for name, row in rows.items()}


def fetch_in_page(driver: Any, script: str) -> Any:
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"(async () => {{ {script} }})().then(done, e => done('error: ' + e));"
    )


def test_allowed_origin(driver: Any, demo: Demo, tmp_path: Path) -> None:
    rows = run_page(driver, demo.page.url + "/")
    expected = dict(OURS_ALLOWED_ORIGIN)
    if demo.library == "flask-cors":
        expected.update(FLASK_CORS_DIFFERENCES)
    assert verdicts(rows) == expected
    if demo.library == "flask-crossorigin":
        # The page reads what it should: the session, the exposed header, the error bodies.
        assert '"user": "ada"' in rows["credentialed-get"]["seen"]
        assert rows["exposed-header"]["seen"] == "X-Total-Count: 1"
        assert rows["error-404"]["seen"].startswith("404 ")
        assert rows["error-400"]["seen"].startswith("400 ")
        assert rows["put-custom-header"]["seen"].startswith("200 ")
        assert all(row["verdict"] == row["expected"] for row in rows.values())
        # The picture in the docs comes from here (UPDATE_DEMO_SCREENSHOT=1 refreshes it).
        shot = tmp_path / "demo.png"
        assert driver.save_screenshot(str(shot))
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        if os.environ.get("UPDATE_DEMO_SCREENSHOT"):
            shutil.copyfile(shot, SCREENSHOT)


def test_disallowed_origin_sees_nothing(driver: Any, demo: Demo) -> None:
    before = demo.log.count("GET", "/api/todos/", demo.other.url)
    rows = run_page(driver, demo.other.url + "/")
    expected = dict(OURS_OTHER_ORIGIN)
    if demo.library == "flask-cors":
        expected["authorization-any-header"] = "blocked"
    assert verdicts(rows) == expected
    assert rows["simple-get"]["seen"] == "TypeError: Failed to fetch"
    # A blocked simple request still reaches the server; the browser hides the answer.
    assert demo.log.count("GET", "/api/todos/", demo.other.url) > before
    # The reason is only in the console.
    messages = [entry["message"] for entry in driver.get_log("browser")]
    assert any("has been blocked by CORS policy" in m for m in messages)


def test_preflight_cache_uses_max_age(driver: Any, demo: Demo) -> None:
    """Max-Age: 600 lets Chromium reuse the preflight; the second request sends none."""
    driver.get(demo.page.url + "/")
    login = (
        f"const r = await fetch('{demo.api.url}/api/auth/login', {{method: 'POST',"
        "credentials: 'include', headers: {'Content-Type': 'application/json', 'X-Client': 'x'},"
        "body: JSON.stringify({username: 'ada', password: 'demo'})}); return r.status;"
    )
    first = fetch_in_page(driver, login)
    count = demo.log.count("OPTIONS", "/api/auth/login")
    second = fetch_in_page(driver, login)
    assert first == second == 200
    assert demo.log.count("OPTIONS", "/api/auth/login") == count
    assert demo.log.count("POST", "/api/auth/login") >= 2


def test_credentialed_request_carries_the_cookie(driver: Any, demo: Demo) -> None:
    driver.get(demo.page.url + "/")
    script = (
        f"await fetch('{demo.api.url}/api/auth/login', {{method: 'POST', credentials: 'include',"
        "headers: {'Content-Type': 'application/json'},"
        "body: JSON.stringify({username: 'grace', password: 'demo'})});"
        f"const me = await fetch('{demo.api.url}/api/auth/me', {{credentials: 'include'}});"
        "return (await me.json()).user;"
    )
    assert fetch_in_page(driver, script) == "grace"
    without = f"const r = await fetch('{demo.api.url}/api/auth/me'); return r.status;"
    assert fetch_in_page(driver, without) == 401
