"""What Chromium does today when a public page calls a loopback Flask app (item 4).

Chromium replaced Private Network Access preflights with Local Network Access: a page in a
more public address space needs the user's permission (``loopback-network`` for a loopback
target) before any request leaves, and no ``Access-Control-Request-Private-Network`` is sent.
The page is made public on loopback with the ``treat-as-public-address`` CSP directive. These
assertions describe Chromium as the docs do (options, security): when Chromium changes again,
they fail, and the docs must change with them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, Response

from flask_crossorigin import CORS

from .conftest import Server, free_port

pytestmark = pytest.mark.browser

FETCH = """
const done = arguments[arguments.length - 1];
fetch(arguments[0], {method: arguments[1]}).then(
  (r) => r.text().then(() => done("allowed")), () => done("blocked"));
"""


class Api:
    """A covered API, allowing the page's origin, that records every request's headers."""

    def __init__(self, page_origin: str, allow_private_network: bool) -> None:
        app = Flask("loopback_api")

        @app.route("/api", methods=["GET", "PUT"])
        def api() -> str:
            return "ok"

        CORS(app, origins=[page_origin], allow_private_network=allow_private_network)
        self.seen: list[tuple[str, dict[str, str]]] = []
        inner = app.wsgi_app

        def recorded(environ: dict[str, Any], start_response: Any) -> Any:
            names = {k: v for k, v in environ.items() if k.startswith("HTTP_ACCESS_CONTROL_")}
            self.seen.append((environ["REQUEST_METHOD"], names))
            return inner(environ, start_response)

        self.server = Server(recorded)
        self.url = f"http://127.0.0.1:{self.server.port}/api"


@pytest.fixture
def public_page(driver: Any) -> Iterator[tuple[str, list[Api]]]:
    """A page that declares itself public (CSP treat-as-public-address), and two loopback
    APIs: allow_private_network off and on."""
    port = free_port()
    origin = f"http://localhost:{port}"
    page = Flask("public_page")

    @page.route("/page")
    def index() -> Response:
        response = Response("<!doctype html><title>public</title>")
        response.headers["Content-Security-Policy"] = "treat-as-public-address"
        return response

    page_server = Server(page, port)
    apis = [Api(origin, False), Api(origin, True)]
    try:
        yield origin, apis
    finally:
        driver.execute_cdp_cmd("Browser.resetPermissions", {})
        page_server.stop()
        for api in apis:
            api.server.stop()


def _fetch(driver: Any, url: str, method: str) -> str:
    verdict: str = driver.execute_async_script(FETCH, url, method)
    return verdict


def test_without_permission_nothing_is_sent(
    driver: Any, public_page: tuple[str, list[Api]]
) -> None:
    """Item 4: no permission (headless Chromium answers no prompt): blocked before any
    request leaves, whatever allow_private_network says; the console names the permission."""
    origin, apis = public_page
    driver.get(f"{origin}/page")
    driver.get_log("browser")
    for api in apis:
        assert _fetch(driver, api.url, "GET") == "blocked"
        assert _fetch(driver, api.url, "PUT") == "blocked"
        assert api.seen == []
    console = [entry["message"] for entry in driver.get_log("browser")]
    denied = "Permission was denied for this request to access the `loopback` address space"
    assert sum(denied in message for message in console) == 4


def test_with_permission_plain_cors_and_no_private_network_header(
    driver: Any, public_page: tuple[str, list[Api]]
) -> None:
    """Item 4: with the loopback-network permission, an ordinary CORS exchange: no
    Access-Control-Request-Private-Network on the preflight, so allow_private_network
    changes nothing."""
    origin, apis = public_page
    driver.execute_cdp_cmd(
        "Browser.grantPermissions", {"origin": origin, "permissions": ["loopbackNetwork"]}
    )
    driver.get(f"{origin}/page")
    for api in apis:
        assert _fetch(driver, api.url, "GET") == "allowed"
        assert _fetch(driver, api.url, "PUT") == "allowed"
        assert [method for method, _ in api.seen] == ["GET", "OPTIONS", "PUT"]
        preflight = api.seen[1][1]
        assert preflight == {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT"}
