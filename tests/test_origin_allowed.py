"""``CORS.origin_allowed``: one allow-list for the app's routes and its other doors.

Its answer must be exactly what the policy answers a request (checked with hypothesis against
real requests through the test client), and it must work as Flask-SocketIO's
``cors_allowed_origins`` (checked against a real Flask-SocketIO server on loopback, with a raw
Engine.IO polling handshake).
"""

from __future__ import annotations

import functools
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, abort, request
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.serving import make_server

from flask_crossorigin import CORS, cross_origin

ORIGINS = [
    "https://app.example.com",
    "https://APP.example.com",
    "https://app.example.com:443",
    "https://app.example.com.evil.net",
    "https://a.example.com",
    "http://localhost:3000",
    "null",
    "https://evil.example.net",
    "app.example.com",
    "",
]
PATHS = ["/", "/api/items", "/api/items/3", "/public/info", "/decorated", "/missing"]

SETTINGS = st.fixed_dictionaries(
    {
        "origins": st.sampled_from(
            [
                ["https://app.example.com"],
                ["https://app.example.com", r"https://.*\.example\.com"],
                "*",
                ["http://localhost:3000", "null"],
                lambda origin: origin.endswith(".example.com"),
            ]
        ),
        "supports_credentials": st.booleans(),
        "send_wildcard": st.booleans(),
    }
)
RESOURCES = st.sampled_from(
    [
        None,
        {r"/api/*": {}},
        {r"/api/*": {}, r"/public/*": {"origins": "*", "supports_credentials": False}},
    ]
)


def _app(settings: dict[str, Any], resources: Any) -> Flask:
    app = Flask("allow_list")

    @app.route("/")
    def index() -> str:
        return "index"

    @app.route("/api/items")
    @app.route("/api/items/<int:n>")
    def items(n: int = 0) -> str:
        return "items"

    @app.route("/public/info")
    def info() -> str:
        return "info"

    @app.route("/decorated")
    @cross_origin(origins=["https://a.example.com"])
    def decorated() -> str:
        return "decorated"

    options = dict(settings)
    if options["origins"] == "*" or (
        isinstance(options["origins"], list) and "null" in options["origins"]
    ):
        options["supports_credentials"] = False  # refused at init_app, as it should be
    if resources is not None:
        options["resources"] = resources
    CORS(app, **options)
    return app


@given(SETTINGS, RESOURCES, st.sampled_from(ORIGINS), st.sampled_from(PATHS))
def test_answer_is_the_request_s(
    settings: dict[str, Any], resources: Any, origin: str, path: str
) -> None:
    """Item 3: origin_allowed says yes exactly when a GET from that origin gets a grant."""
    app = _app(settings, resources)
    cors = app.extensions["cors"]
    response = app.test_client().get(path, headers={"Origin": origin})
    granted = response.headers.get("Access-Control-Allow-Origin") in (origin, "*")
    assert cors.origin_allowed(origin, path=path, app=app) is granted
    with app.app_context():
        assert cors.origin_allowed(origin, path=path) is granted


def test_no_origin_is_not_allowed() -> None:
    """Item 3: no Origin header is not a CORS request: nothing to allow."""
    app = _app({"origins": "*", "supports_credentials": False, "send_wildcard": True}, None)
    assert app.extensions["cors"].origin_allowed(None, app=app) is False


def test_needs_an_app_outside_a_context() -> None:
    """Item 3: outside an app context, without app=, a clear error."""
    cors = CORS()
    with pytest.raises(RuntimeError, match="pass app=your_app"):
        cors.origin_allowed("https://app.example.com")


def test_app_without_the_extension_is_named() -> None:
    """Item 3: an app the extension was never initialised on is an error, not a refusal."""
    with pytest.raises(ValueError, match="CORS was not initialised on app 'bare'"):
        CORS().origin_allowed("https://app.example.com", app=Flask("bare"))


def test_environ_argument_as_engineio_passes_it() -> None:
    """Item 3: Flask-SocketIO (Engine.IO) calls the callable with (origin, environ)."""
    app = _app(
        {
            "origins": ["https://app.example.com"],
            "supports_credentials": False,
            "send_wildcard": False,
        },
        None,
    )
    check = functools.partial(app.extensions["cors"].origin_allowed, app=app)
    assert check("https://app.example.com", {"PATH_INFO": "/socket.io/"}) is True
    assert check("https://evil.example.net", {"PATH_INFO": "/socket.io/"}) is False


def test_websocket_style_handshake_hook() -> None:
    """Item 3: in a before_request hook (a flask-sock handshake), the current app and path."""
    app = Flask("sock")
    cors = CORS(app, resources={r"/ws": {"origins": ["https://app.example.com"]}})

    @app.before_request
    def check_websocket_origin() -> None:
        if request.path == "/ws" and not cors.origin_allowed(
            request.headers.get("Origin"), path=request.path
        ):
            abort(403)

    @app.route("/ws")
    def ws() -> str:
        return "upgrade"

    client = app.test_client()
    assert client.get("/ws", headers={"Origin": "https://app.example.com"}).status_code == 200
    assert client.get("/ws", headers={"Origin": "https://evil.example.net"}).status_code == 403
    assert client.get("/ws").status_code == 403


@pytest.fixture
def socketio_server() -> Iterator[str]:
    """A real Flask-SocketIO server on loopback (threading mode, long-polling)."""
    flask_socketio = pytest.importorskip("flask_socketio")
    app = Flask("sockets")
    cors = CORS(app, resources={r"/socket.io/*": {"origins": ["https://app.example.com"]}})
    flask_socketio.SocketIO(
        app,
        async_mode="threading",
        cors_allowed_origins=functools.partial(cors.origin_allowed, app=app, path="/socket.io/"),
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _handshake(base: str, origin: str) -> tuple[int, str, str]:
    req = urllib.request.Request(
        f"{base}/socket.io/?EIO=4&transport=polling", headers={"Origin": origin}
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            acao = response.headers.get("Access-Control-Allow-Origin", "")
            return response.status, response.read().decode(), acao
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), ""


def test_flask_socketio_handshake(socketio_server: str) -> None:
    """Item 3: a real Flask-SocketIO server with cors_allowed_origins=cors.origin_allowed:
    the Engine.IO handshake from the allowed origin opens a session, a stranger's fails."""
    status, body, acao = _handshake(socketio_server, "https://app.example.com")
    assert status == 200 and body.startswith("0{") and '"sid"' in body
    assert acao == "https://app.example.com"
    status, body, _ = _handshake(socketio_server, "https://evil.example.net")
    assert status == 400
    assert "Not an accepted origin" in body
