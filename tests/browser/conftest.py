"""Real headless Chromium (Debian's chromium and chromium-driver) against apps on loopback."""

from __future__ import annotations

import os
import secrets
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
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

# Debian's packages; selenium is given both paths, so it never downloads a browser or a driver.
CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")

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


class QuietHandler(WSGIRequestHandler):
    """No access log: the request log is what the tests look at."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class Server:
    """A threaded WSGI server on a loopback port, in a thread, until ``stop()``."""

    def __init__(self, app: Flask | WSGIApp, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://localhost:{self.port}"
        self._server: BaseWSGIServer = make_server(
            "127.0.0.1", self.port, app, threaded=True, request_handler=QuietHandler
        )
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
        f"the browser tests need Debian's chromium and chromium-driver ({', '.join(missing)}"
        " missing): apt-get install chromium chromium-driver, or set CHROMIUM_BINARY and"
        " CHROMEDRIVER"
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


def start_api(library: str, page_origin: str, database: Path, **config: Any) -> tuple[Flask, Any]:
    """The example API for ``library``, allowing ``page_origin``, with its own session key."""
    from example_app import create_app

    settings = {
        "CORS_ORIGINS": [page_origin],
        "DATABASE": str(database),
        "SECRET_KEY": secrets.token_hex(16),
        **config,
    }
    app = create_app(settings, cors_library=library)
    return app, app.wsgi_app


@pytest.fixture(scope="module", params=["flask-crossorigin", "flask-cors"])
def demo(
    request: pytest.FixtureRequest, driver: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Demo]:
    from example_app.frontend import create_frontend, effective_origins

    library: str = request.param
    # Cookies belong to a host, not to a port: start each library without the last one's.
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    # Ports first, so that the API can allow the page's origin.
    page_port, other_port = free_port(), free_port()
    page_origin = f"http://localhost:{page_port}"
    app, wsgi = start_api(library, page_origin, tmp_path_factory.mktemp(library) / "todos.sqlite")
    log = RequestLog()
    api = Server(log.wrap(wsgi))
    servers = [api]
    try:
        policy = effective_origins(app, (page_origin, f"http://localhost:{other_port}"))
        for port in (page_port, other_port):
            servers.append(Server(create_frontend(api.url, page_origin, library, policy), port))
        yield Demo(library, api, servers[1], servers[2], log, app)
    finally:
        for server in servers:
            server.stop()
