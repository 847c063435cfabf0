"""Real headless Chromium (Debian's chromium and chromium-driver) against apps on loopback."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Any]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class RequestLog:
    """Counts the requests a server received, by (method, path, origin)."""

    counts: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wrap(self, app: WSGIApp) -> WSGIApp:
        def counted(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            key = (environ["REQUEST_METHOD"], environ["PATH_INFO"], environ.get("HTTP_ORIGIN", ""))
            with self.lock:
                self.counts[key] += 1
            return app(environ, start_response)

        return counted

    def count(self, method: str, path: str, origin: str | None = None) -> int:
        with self.lock:
            return sum(
                n
                for (m, p, o), n in self.counts.items()
                if m == method and p == path and (origin is None or o == origin)
            )


class Server:
    """A threaded WSGI server on a loopback port, in a thread, until ``stop()``."""

    def __init__(self, app: Flask | WSGIApp, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://localhost:{self.port}"
        self._server: BaseWSGIServer = make_server("127.0.0.1", self.port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


def require_chromium() -> None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.path.exists(p)]
    if not missing:
        return
    message = (
        f"headless Chromium tests need Debian's chromium and chromium-driver ({', '.join(missing)}"
        " missing): apt-get install chromium chromium-driver"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def driver() -> Iterator[Any]:
    require_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(30)
    browser.set_script_timeout(30)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


@dataclass
class Demo:
    """The example API and its page on two origins, wired with one library."""

    library: str
    api: Server
    page: Server
    other: Server
    log: RequestLog
    app: Flask


@pytest.fixture(scope="module", params=["flask-crossorigin", "flask-cors"])
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Demo]:
    from example_app import create_app
    from example_app.frontend import create_frontend

    library: str = request.param
    # Ports first, so that the API can allow the page's origin.
    page_port, other_port = free_port(), free_port()
    page_origin = f"http://localhost:{page_port}"
    database = Path(tmp_path_factory.mktemp(library)) / "todos.sqlite"
    app = create_app(
        {"CORS_ORIGINS": [page_origin], "DATABASE": str(database)}, cors_library=library
    )
    log = RequestLog()
    api = Server(log.wrap(app.wsgi_app))
    demo_page = Server(create_frontend(api.url, page_origin), page_port)
    other_page = Server(create_frontend(api.url, page_origin), other_port)
    try:
        yield Demo(library, api, demo_page, other_page, log, app)
    finally:
        for server in (api, demo_page, other_page):
            server.stop()
