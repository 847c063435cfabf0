"""Debug mode in real Chromium: its console names the refused method or header (item 2).

One Flask app on loopback serves the page (``http://localhost:PORT``) and the API
(``http://127.0.0.1:PORT``, another origin). The same fetches run with ``app.debug`` off and
on; Chromium's console log (DevTools, ``goog:loggingPrefs``) is read after each run.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from flask_crossorigin import CORS

from .conftest import Server, free_port

pytestmark = pytest.mark.browser

FETCHES = """
const calls = arguments[0];
const done = arguments[arguments.length - 1];
Promise.all(calls.map(async (call) => {
  try {
    await fetch(call.url, {method: call.method, headers: call.headers, mode: "cors"});
    return "allowed";
  } catch (error) {
    return "blocked";
  }
})).then(done);
"""


def _app(page_origin: str) -> Flask:
    app = Flask("debug_console")

    @app.route("/page")
    def page() -> str:
        return "<!doctype html><title>debug</title>"

    @app.route("/api/items", methods=["GET", "PUT", "DELETE"])
    def items() -> str:
        return "[]"

    @app.route("/strict/items")
    def strict() -> str:
        return "[]"

    CORS(
        app,
        resources={
            r"/api/*": {"origins": [page_origin]},
            r"/strict/*": {"origins": ["https://other.example.com"]},
        },
        methods=["GET", "PUT"],
        allow_headers=["Content-Type"],
    )
    return app


def _run(driver: Any, page_origin: str, api: str) -> tuple[list[str], list[str]]:
    driver.get(f"{page_origin}/page")
    driver.get_log("browser")  # start empty
    verdicts: list[str] = driver.execute_async_script(
        FETCHES,
        [
            {"url": f"{api}/api/items", "method": "DELETE", "headers": {}},
            {"url": f"{api}/api/items", "method": "PUT", "headers": {"X-Token": "t"}},
            {"url": f"{api}/strict/items", "method": "GET", "headers": {}},
        ],
    )
    return verdicts, [entry["message"] for entry in driver.get_log("browser")]


def test_console_names_the_refused_method_and_header(driver: Any) -> None:
    """Item 2: debug off, Chromium blames a missing Access-Control-Allow-Origin; debug on, it
    names the method and the header, and every request stays blocked."""
    port = free_port()
    page_origin = f"http://localhost:{port}"
    app = _app(page_origin)
    server = Server(app, port)
    try:
        api = f"http://127.0.0.1:{port}"
        app.debug = False
        verdicts, console = _run(driver, page_origin, api)
        assert verdicts == ["blocked"] * 3
        assert sum("No 'Access-Control-Allow-Origin' header is present" in m for m in console) == 3

        app.debug = True
        verdicts, console = _run(driver, page_origin, api)
        assert verdicts == ["blocked"] * 3
        text = "\n".join(console)
        assert (
            "Method DELETE is not allowed by Access-Control-Allow-Methods in preflight response"
            in text
        )
        assert (
            "Request header field x-token is not allowed by Access-Control-Allow-Headers in "
            "preflight response" in text
        )
        # A refused origin is not granted: the console still says the header is missing.
        strict = [m for m in console if "/strict/items" in m]
        assert any("No 'Access-Control-Allow-Origin' header is present" in m for m in strict)
    finally:
        app.debug = False
        server.stop()
