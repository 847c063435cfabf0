"""The demo page in real headless Chromium: every scenario's verdict, for both libraries.

Only a browser decides CORS, so these tests are the truth about every "allowed" and "blocked"
in this project. The same page runs against the example API wired with flask-crossorigin and
with flask-cors; ``verdicts.py`` holds the verdicts and docs/example.rst shows them.
"""

from __future__ import annotations

import io
import os
import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import Demo, RequestLog, Server, start_api
from .verdicts import REASONS_ALLOWED_ORIGIN, VERDICTS, console_reason

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).parents[2] / "docs" / "_static" / "demo.png"
FAILED = "TypeError: Failed to fetch"


def run_page(driver: Any, url: str) -> dict[str, dict[str, str]]:
    """Open the page, wait for every scenario, and return each row (verdict, what was seen)."""
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


def run_js(driver: Any, script: str) -> Any:
    """Run ``script`` as the body of an async function in the page; return its result."""
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"(async () => {{ {script} }})().then(done, e => done('error: ' + e));"
    )


def console(driver: Any) -> list[str]:
    """The console messages since the last call (reading them empties the log)."""
    return [entry["message"] for entry in driver.get_log("browser")]


def save_screenshot(driver: Any, path: Path) -> None:
    """The page's content as a small PNG (a palette of 64 colours when Pillow is there)."""
    from selenium.webdriver.common.by import By

    png: bytes = driver.find_element(By.TAG_NAME, "main").screenshot_as_png
    try:
        from PIL import Image
    except ImportError:
        path.write_bytes(png)
        return
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(64, Image.Quantize.FASTOCTREE)
    image.save(path, optimize=True)


def test_allowed_origin(driver: Any, demo: Demo, tmp_path: Path) -> None:
    console(driver)
    rows = run_page(driver, demo.page.url + "/")
    assert verdicts(rows) == VERDICTS[demo.library, "allowed-origin"]
    for name, row in rows.items():
        if row["verdict"] == "blocked":
            assert row["seen"] == FAILED, name
    # What the page reads: the session, the exposed header, the error bodies.
    assert '"user": "ada"' in rows["credentialed-get"]["seen"]
    assert rows["error-404"]["seen"].startswith("404 ")
    assert "does not exist" in rows["error-404"]["seen"]
    assert rows["error-400-abort"]["seen"].startswith("400 ")
    assert "done must be" in rows["error-400-abort"]["seen"]
    assert rows["public-ping"]["seen"] == '200 {"pong":"ok"}'
    if demo.library == "flask-crossorigin":
        assert rows["exposed-header"]["seen"] == "X-Total-Count: 1"
        assert rows["json-post"]["seen"].startswith("201 ")
        assert rows["put-custom-header"]["seen"].startswith("200 ")
        assert '"done": true' in rows["put-custom-header"]["seen"]
        assert rows["error-400-validation"]["seen"].startswith("400 ")
        assert "'title' is a required property" in rows["error-400-validation"]["seen"]
        assert rows["authorization-any-header"]["seen"].startswith("200 ")
        assert all(row["verdict"] == row["expected"] for row in rows.values())
        # The picture in docs/example.rst; UPDATE_DEMO_SCREENSHOT=1 replaces it.
        shot = tmp_path / "demo.png"
        save_screenshot(driver, shot)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        if os.environ.get("UPDATE_DEMO_SCREENSHOT"):
            SCREENSHOT.write_bytes(shot.read_bytes())
    else:
        # No todo could be created: every POST to /api/todos/ was blocked at its preflight.
        assert rows["exposed-header"]["seen"] == "X-Total-Count: 0"


def test_console_names_each_reason(driver: Any, demo: Demo) -> None:
    """The page sees only "Failed to fetch"; the console says why, one scenario at a time."""
    run_page(driver, demo.page.url + "/")
    console(driver)
    expected = REASONS_ALLOWED_ORIGIN[demo.library]
    reasons = {}
    for name in expected:
        result = run_js(driver, f"return await window.runScenarioAgain('{name}');")
        assert result == {"verdict": "blocked", "seen": FAILED}, name
        messages = [m for m in console(driver) if "blocked by CORS policy" in m]
        assert len(messages) == 1, (name, messages)
        reasons[name] = console_reason(messages[0])
    assert reasons == expected


def test_disallowed_origin_sees_nothing(driver: Any, demo: Demo) -> None:
    before = demo.log.count("GET", "/api/todos/", demo.other.url)
    console(driver)
    rows = run_page(driver, demo.other.url + "/")
    assert verdicts(rows) == VERDICTS[demo.library, "other-origin"]
    for name, row in rows.items():
        if row["verdict"] == "blocked":
            assert row["seen"] == FAILED, name
    # A blocked simple request still reaches the server; the browser hides the answer.
    assert demo.log.count("GET", "/api/todos/", demo.other.url) > before
    # A request that needs a preflight does not: only its preflight reached the server.
    assert demo.log.count("OPTIONS", "/api/todos/", demo.other.url) >= 1
    assert demo.log.count("POST", "/api/todos/", demo.other.url) == 0
    # The reason is only in the console.
    assert any("has been blocked by CORS policy" in m for m in console(driver))


def test_127_0_0_1_is_not_localhost(driver: Any, demo: Demo) -> None:
    """Same server, same port: ``http://127.0.0.1:port`` is another origin than localhost's."""
    url = demo.page.url.replace("//localhost:", "//127.0.0.1:") + "/"
    rows = run_page(driver, url)
    assert verdicts(rows) == VERDICTS[demo.library, "other-origin"]


def test_preflight_cache_uses_max_age(
    driver: Any, demo: Demo, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """With ``Max-Age: 600`` Chromium reuses the preflight; without, only for 5 seconds.

    Two APIs allow the page: the demo's (``CORS_MAX_AGE=600``) and one without ``max_age``.
    Each request has a custom header, so it needs a preflight; the servers count them.
    """
    page_origin = demo.page.url
    _, wsgi = start_api(
        demo.library,
        page_origin,
        tmp_path_factory.mktemp("no-max-age") / "t.sqlite",
        CORS_MAX_AGE=None,
    )
    log = RequestLog()
    no_max_age = Server(log.wrap(wsgi))
    try:
        driver.get(page_origin + "/")
        path = "/api/auth/me"
        url_with, url_without = demo.api.url + path, no_max_age.url + path
        both = (
            "const get = (u) => fetch(u, {credentials: 'include', headers: {'X-Client': 't'}});"
            f"const r = await Promise.all([get('{url_with}'), get('{url_without}')]);"
            "return r.map(x => x.status > 0);"
        )

        def preflights() -> tuple[int, int]:
            return demo.log.count("OPTIONS", path, page_origin), log.count("OPTIONS", path)

        start = preflights()
        assert run_js(driver, both) == [True, True]  # allowed: the page reads the status
        first = preflights()
        assert first == (start[0] + 1, start[1] + 1)
        assert run_js(driver, both) == [True, True]
        assert preflights() == first  # both cached: Chromium keeps any preflight for 5 s
        time.sleep(6)
        assert run_js(driver, both) == [True, True]
        assert preflights() == (first[0], first[1] + 1)  # only Max-Age outlived 5 s
        assert demo.log.count("GET", path, page_origin) >= 3
    finally:
        no_max_age.stop()


def test_credentialed_request_carries_the_cookie(driver: Any, demo: Demo) -> None:
    # The page logs in as 'ada' among its own scenarios: wait for them, so that this login
    # is the last one.
    run_page(driver, demo.page.url + "/")
    api = demo.api.url
    script = (
        f"await fetch('{api}/api/auth/login', {{method: 'POST', credentials: 'include',"
        "headers: {'Content-Type': 'application/json'},"
        "body: JSON.stringify({username: 'grace', password: 'demo'})});"
        f"const me = await fetch('{api}/api/auth/me', {{credentials: 'include'}});"
        "return [me.status, (await me.json()).user];"
    )
    assert run_js(driver, script) == [200, "grace"]
    # Without credentials: no cookie, so the API answers 401, and the page can read it.
    assert run_js(driver, f"return (await fetch('{api}/api/auth/me')).status;") == 401
    # The cookie goes to the API's host, not to the page's: it is the API's session.
    cookies = run_js(driver, "return document.cookie;")
    assert "session" not in cookies


def test_authorization_with_any_header(driver: Any, demo: Demo) -> None:
    """``allow_headers="*"``: the preflight names ``authorization`` (a literal ``*`` would not
    cover it), and the Resource's policy answers, not the API's."""
    driver.get(demo.other.url + "/")
    script = (
        f"const r = await fetch('{demo.api.url}/api/public/stats',"
        " {headers: {Authorization: 'Bearer x'}}); return [r.status, await r.json()];"
    )
    result = run_js(driver, script)
    if demo.library == "flask-crossorigin":
        assert result[0] == 200 and set(result[1]) == {"total", "done"}
    else:
        assert result == f"error: {FAILED}"
