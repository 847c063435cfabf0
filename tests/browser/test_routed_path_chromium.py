"""SPEC 5 in real headless Chromium: a page on the blog's origin fetches, with credentials,
an admin path whose ``%2F..%2F`` segments resolve under the blog's resource. The server
decodes ``%2F`` and routes the path to the admin view; the browser must not let the page
read the answer. The blog's own path stays readable, and so does its preflighted request.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from flask_crossorigin import CORS

from .conftest import RequestLog, Server

pytestmark = pytest.mark.browser

ADMIN = "http://admin.invalid"
ATTACK = "/api/admin/x%2F..%2F..%2Fpublic"


def admin_api(blog: str) -> Flask:
    app = Flask("routed-api")
    CORS(
        app,
        resources={r"/api/admin/.*": {"origins": [ADMIN]}, r"/api/.*": {"origins": [blog]}},
        supports_credentials=True,
    )

    @app.route("/api/admin/<path:p>", methods=["GET", "PUT"])
    def admin(p: str) -> str:
        return "admin secrets"

    @app.route("/api/public", methods=["GET", "PUT"])
    def public() -> str:
        return "public"

    return app


def blog_page() -> Flask:
    app = Flask("blog")
    app.add_url_rule("/", "index", lambda: "<!doctype html><title>blog</title><p>blog</p>")
    return app


@pytest.fixture(scope="module")
def servers(driver: Any) -> Iterator[tuple[Server, Server, RequestLog]]:
    page = Server(blog_page())
    log = RequestLog()
    # The API on another origin (127.0.0.1 rather than localhost): a cross-origin fetch.
    api = Server(log.wrap(admin_api(page.url).wsgi_app))
    api.url = f"http://127.0.0.1:{api.port}"
    try:
        yield page, api, log
    finally:
        api.stop()
        page.stop()


def fetch(driver: Any, url: str, method: str = "GET", preflighted: bool = False) -> Any:
    """Fetch ``url`` from the page with credentials; the text read, or the error."""
    headers = {"Content-Type": "application/json"} if preflighted else {}
    init = {"method": method, "credentials": "include", "headers": headers}
    if method != "GET":
        init["body"] = "{}"
    script = (
        "const done = arguments[arguments.length - 1];"
        f"fetch({json.dumps(url)}, {json.dumps(init)})"
        ".then(r => r.text()).then(done, e => done('error: ' + e));"
    )
    return driver.execute_async_script(script)


def test_attack_read_is_blocked(driver: Any, servers: tuple[Server, Server, RequestLog]) -> None:
    """SPEC 5: the admin view answered (the server saw the request), but the blog's page
    cannot read it: Chromium blocks the response, as it blocks the preflighted PUT."""
    page, api, log = servers
    driver.get(page.url + "/")
    assert fetch(driver, api.url + "/api/public") == "public"
    assert fetch(driver, api.url + "/api/public", "PUT", preflighted=True) == "public"
    assert fetch(driver, api.url + ATTACK) == "error: TypeError: Failed to fetch"
    assert log.count("GET", "/api/admin/x/../../public") == 1
    assert fetch(driver, api.url + ATTACK, "PUT", preflighted=True) == (
        "error: TypeError: Failed to fetch"
    )
    # The preflight was refused, so the PUT itself was never sent.
    assert log.count("OPTIONS", "/api/admin/x/../../public") == 1
    assert log.count("PUT", "/api/admin/x/../../public") == 0
