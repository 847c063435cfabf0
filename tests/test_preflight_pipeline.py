"""SPEC 4 and 2: a covered preflight runs none of the app's code; configuration is read when
the app serves its first request.

The extension answers a covered preflight around the app's own ``wsgi_app``, before Flask
pushes its contexts: no signal, URL value preprocessor, ``before_request``, ``after_request``
or teardown function, no view. It builds the URL adapter Flask would build (``SERVER_NAME``,
subdomain and host matching) and sits inside middlewares such as ``ProxyFix``, whichever
order they were applied in.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

import pytest
from flask import Blueprint, Flask, Response, g, signals
from werkzeug.middleware.proxy_fix import ProxyFix

from flask_crossorigin import CORS, CORSConfigError, cross_origin

A = "https://a.example"
B = "https://b.example"
ACAO = "Access-Control-Allow-Origin"

#: Every signal Flask sends around a request.
SIGNALS = (
    "request_started",
    "request_finished",
    "request_tearing_down",
    "got_request_exception",
    "appcontext_pushed",
    "appcontext_popped",
    "appcontext_tearing_down",
)


def preflight(app: Flask, path: str, origin: str, method: str = "PUT", **environ: Any) -> Any:
    overrides = {"HTTP_ORIGIN": origin, "HTTP_ACCESS_CONTROL_REQUEST_METHOD": method}
    overrides.update(environ)
    return app.test_client().options(path, environ_overrides=overrides)


def _hook_everything(app: Flask, bp: Blueprint, calls: list[str]) -> None:
    """Register every kind of request hook Flask has, on the app and on a blueprint."""

    def note(name: str) -> Callable[..., Any]:
        def hook(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return args[0] if ".after_" in name else None

        return hook

    app.before_request(note("app.before_request"))
    app.after_request(note("app.after_request"))
    app.teardown_request(note("app.teardown_request"))
    app.teardown_appcontext(note("app.teardown_appcontext"))
    app.url_value_preprocessor(note("app.url_value_preprocessor"))
    bp.before_request(note("bp.before_request"))
    bp.after_request(note("bp.after_request"))
    bp.teardown_request(note("bp.teardown_request"))
    bp.url_value_preprocessor(note("bp.url_value_preprocessor"))
    bp.before_app_request(note("bp.before_app_request"))
    bp.after_app_request(note("bp.after_app_request"))
    bp.teardown_app_request(note("bp.teardown_app_request"))
    bp.app_url_value_preprocessor(note("bp.app_url_value_preprocessor"))


def _hooked_app(cors_first: bool, calls: list[str]) -> Flask:
    app = Flask(__name__)
    bp = Blueprint("bp", __name__)

    @app.route("/api/items", methods=["GET", "PUT"])
    def items() -> str:
        calls.append("view")
        return "items"

    @bp.route("/bp/items", methods=["GET", "PUT"])
    def bp_items() -> str:
        calls.append("view")
        return "bp items"

    @app.route("/decorated", methods=["GET", "PUT"])
    @cross_origin(origins=[B])
    def decorated() -> str:
        calls.append("view")
        return "decorated"

    if cors_first:
        CORS(app, origins=[A])
    _hook_everything(app, bp, calls)
    app.register_blueprint(bp)
    if not cors_first:
        CORS(app, origins=[A])
    return app


@pytest.fixture
def signalled() -> Any:
    """Connect a receiver to every request signal; yield what they received."""
    received: list[str] = []
    receivers = []
    for name in SIGNALS:

        def receiver(sender: Any, name: str = name, **extra: Any) -> None:
            received.append(name)

        getattr(signals, name).connect(receiver)
        receivers.append((name, receiver))
    yield received
    for name, receiver in receivers:
        getattr(signals, name).disconnect(receiver)


@pytest.mark.parametrize("cors_first", [True, False], ids=["cors-first", "hooks-first"])
@pytest.mark.parametrize(
    ("path", "origin"),
    [("/api/items", A), ("/bp/items", A), ("/decorated", B), ("/api/items", B)],
    ids=["app", "blueprint", "decorated", "refused"],
)
def test_covered_preflight_runs_no_hook_signal_or_teardown(
    cors_first: bool, path: str, origin: str, signalled: list[str]
) -> None:
    """SPEC 4: granted or refused, on an app route, a blueprint route or a decorated view,
    with the hooks registered before or after CORS(app): nothing of the app runs."""
    calls: list[str] = []
    app = _hooked_app(cors_first, calls)
    response = preflight(app, path, origin)
    assert response.status_code == 200
    assert (response.headers.get(ACAO) == origin) is (origin != B or path == "/decorated")
    assert calls == []
    assert signalled == []
    # The actual request runs them all: they are there.
    app.test_client().put(path, headers={"Origin": origin})
    assert "app.before_request" in calls and "app.teardown_appcontext" in calls
    assert "view" in calls
    assert "request_started" in signalled and "appcontext_tearing_down" in signalled


def test_db_close_teardown_does_not_fail_a_preflight() -> None:
    """SPEC 4: the common teardown that closes what before_request opened (``g.db``) would
    raise for a preflight that skipped before_request; it no longer runs for one."""
    app = Flask(__name__)
    app.config["PROPAGATE_EXCEPTIONS"] = True
    CORS(app, origins=[A])

    @app.before_request
    def connect() -> None:
        g.db = object()

    @app.teardown_appcontext
    def close(error: Any) -> None:
        del g.db  # raises AttributeError when before_request did not run

    @app.route("/api/items", methods=["GET", "PUT"])
    def items() -> str:
        return "items"

    response = preflight(app, "/api/items", A)
    assert response.status_code == 200 and response.headers[ACAO] == A


def test_plain_options_and_unknown_paths_still_go_to_the_app() -> None:
    """SPEC 4: a plain OPTIONS, a preflight for an unknown path and a route with
    automatic_options off are the app's (hooks run, a 404 keeps its CORS headers)."""
    calls: list[str] = []
    app = _hooked_app(True, calls)
    app.test_client().options("/api/items", headers={"Origin": A})
    assert "app.before_request" in calls
    calls.clear()
    missing = preflight(app, "/nowhere", A)
    assert missing.status_code == 404 and missing.headers[ACAO] == A
    assert "app.before_request" in calls


def test_automatic_options_off_hands_the_preflight_to_the_view() -> None:
    """SPEC 4: automatic_options=False: the app answers the preflight, hooks and all."""
    calls: list[str] = []
    app = Flask(__name__)
    CORS(app, origins=[A], automatic_options=False)
    app.before_request(lambda: calls.append("before_request") and None)

    @app.route("/api/items", methods=["GET", "PUT", "OPTIONS"])
    def items() -> str:
        return "items"

    response = preflight(app, "/api/items", A)
    assert calls == ["before_request"]
    assert response.get_data(as_text=True) == "items"


def _proxied_app(proxy_first: bool) -> Flask:
    """An app behind ProxyFix (x_prefix), applied before or after CORS(app), whose route only
    exists on one host, so that the answer depends on the environ ProxyFix fixed."""
    app = Flask(__name__)
    app.url_map.host_matching = True
    if proxy_first:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_host=1)  # type: ignore[method-assign]
    CORS(app, origins=[A])
    if not proxy_first:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_host=1)  # type: ignore[method-assign]
    app.add_url_rule(
        "/api/items", "items", lambda: "items", methods=["GET", "PUT"], host="api.example"
    )
    return app


@pytest.mark.parametrize("proxy_first", [True, False], ids=["proxyfix-first", "cors-first"])
def test_proxyfix_before_or_after_cors(proxy_first: bool) -> None:
    """SPEC 4: the preflight is routed on the environ Flask sees, ProxyFix's, whichever
    order the two were applied in; no hook runs for it either way."""
    app = _proxied_app(proxy_first)
    calls: list[str] = []
    app.before_request(lambda: calls.append("before_request") and None)
    response = preflight(app, "/api/items", A, HTTP_X_FORWARDED_HOST="api.example")
    assert response.status_code == 200 and response.headers[ACAO] == A
    assert calls == []
    # Without the header, the host is localhost: no route, the app's 404.
    assert preflight(app, "/api/items", A).status_code == 404
    assert calls == ["before_request"]


def test_server_name_and_subdomain_matching() -> None:
    """SPEC 4: the URL adapter is Flask's: a route on a subdomain answers its preflight on
    that subdomain only."""
    app = Flask(__name__, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"
    CORS(app, origins=[A])
    app.add_url_rule("/items", "items", lambda: "x", methods=["PUT"], subdomain="api")
    calls: list[str] = []
    app.before_request(lambda: calls.append("before_request") and None)
    on_api = preflight(app, "/items", A, HTTP_HOST="api.example.test")
    assert on_api.status_code == 200 and on_api.headers[ACAO] == A
    assert calls == []
    elsewhere = preflight(app, "/items", A, HTTP_HOST="www.example.test")
    assert elsewhere.status_code == 404
    assert calls == ["before_request"]


def test_untrusted_host_is_flasks_answer() -> None:
    """SPEC 4: a host outside TRUSTED_HOSTS is not answered by the extension (Flask's 400)."""
    app = Flask(__name__)
    if "TRUSTED_HOSTS" not in app.config:
        pytest.skip("this Flask has no TRUSTED_HOSTS (Flask 3.1 added it)")
    app.config["TRUSTED_HOSTS"] = ["good.test"]
    CORS(app, origins=[A])
    app.add_url_rule("/items", "items", lambda: "x", methods=["PUT"])
    assert preflight(app, "/items", A, HTTP_HOST="good.test").headers[ACAO] == A
    assert preflight(app, "/items", A, HTTP_HOST="evil.test").status_code == 400


def test_refusal_is_logged_without_a_request_context(caplog: pytest.LogCaptureFixture) -> None:
    """SPEC 6: a preflight refused before Flask pushes a context is still logged, with its
    path and method."""
    app = Flask(__name__)
    CORS(app, origins=[A])
    app.add_url_rule("/items", "items", lambda: "x", methods=["PUT"])
    with caplog.at_level(logging.DEBUG, logger="flask_crossorigin"):
        preflight(app, "/items", B)
        preflight(app, "/items", A)
    text = caplog.text
    assert 'CORS refused OPTIONS "/items" from Origin "https://b.example"' in text
    assert 'OPTIONS "/items" from Origin "https://a.example": the preflight is allowed' in text


# --- SPEC 2: the CORS_* keys are read when the app serves its first request ---------------


def test_decorated_view_reads_config_set_after_registration() -> None:
    """SPEC 2: CORS_ORIGINS set after register_blueprint, before the first request, applies
    to a decorated view (it was compiled at registration and granted every origin)."""
    app = Flask(__name__)
    CORS(app, resources={"/other/*": {}})
    bp = Blueprint("bp", __name__)

    @bp.route("/private", methods=["GET", "PUT"])
    @cross_origin(supports_credentials=False)
    def private() -> str:
        return "private"

    app.register_blueprint(bp)
    app.config["CORS_ORIGINS"] = [A]
    client = app.test_client()
    assert ACAO not in client.get("/private", headers={"Origin": B}).headers
    assert ACAO not in preflight(app, "/private", B).headers
    assert client.get("/private", headers={"Origin": A}).headers[ACAO] == A


def test_extension_reads_config_changed_after_init_app() -> None:
    """SPEC 2: CORS(app) then app.config changed before the first request: the change is
    taken into account, for the resources and the decorated views alike."""
    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = [A]
    CORS(app)
    app.add_url_rule("/items", "items", lambda: "x", methods=["GET", "PUT"])
    app.add_url_rule("/view", "view", cross_origin()(lambda: "v"), methods=["GET", "PUT"])
    app.config["CORS_ORIGINS"] = [B]
    for path in ("/items", "/view"):
        assert ACAO not in preflight(app, path, A).headers
        assert preflight(app, path, B).headers[ACAO] == B
        assert ACAO not in app.test_client().get(path, headers={"Origin": A}).headers


def test_config_list_changed_in_place_is_a_change() -> None:
    """SPEC 2: a CORS_* list appended to in place after init_app is seen at the first
    request too."""
    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = [A]
    CORS(app)
    app.add_url_rule("/items", "items", lambda: "x")
    app.config["CORS_ORIGINS"].append(B)
    assert app.test_client().get("/items", headers={"Origin": B}).headers[ACAO] == B


def test_config_made_bad_before_the_first_request_is_refused_loudly() -> None:
    """SPEC 2: a change that makes the configuration bad raises CORSConfigError at the first
    request (and every one after it), never serves the old grant."""
    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = [A]
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True
    CORS(app)
    app.add_url_rule("/items", "items", lambda: "x")
    app.config["CORS_ORIGINS"] = "*"
    client = app.test_client()
    for _ in range(2):
        with pytest.raises(CORSConfigError, match="CORS_ORIGINS"):
            client.get("/items", headers={"Origin": A})


def test_config_changed_after_the_first_request_is_not_read() -> None:
    """SPEC 2: the configuration is read once, at the first request; later changes are not
    (Flask's own setup is closed by then)."""
    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = [A]
    CORS(app)
    app.add_url_rule("/items", "items", lambda: "x")
    client = app.test_client()
    assert client.get("/items", headers={"Origin": A}).headers[ACAO] == A
    app.config["CORS_ORIGINS"] = [B]
    assert client.get("/items", headers={"Origin": A}).headers[ACAO] == A
    assert ACAO not in client.get("/items", headers={"Origin": B}).headers


def test_unchanged_config_is_not_compiled_again() -> None:
    """SPEC 2: the first request compiles nothing when the keys did not change (the
    policies stay the very same objects)."""
    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = [A]
    CORS(app)
    app.add_url_rule("/items", "items", lambda: "x")
    router = app.extensions["flask_crossorigin"].router
    app.test_client().get("/items", headers={"Origin": A})
    assert app.extensions["flask_crossorigin"].router is router


def test_a_response_is_the_apps_own_when_nothing_covers_it() -> None:
    """SPEC 4: a response the wrapper did not answer is Flask's, unchanged in type."""
    app = Flask(__name__)
    CORS(app, resources={"/api/*": {"origins": [A]}})
    app.add_url_rule("/other", "other", lambda: Response("x", status=201), methods=["PUT"])
    response = preflight(app, "/other", A)
    assert response.status_code == 200
    assert ACAO not in response.headers


def test_policies_compiled_at_different_moments_are_compiled_again() -> None:
    """SPEC 2: CORS(app) read CORS_ORIGINS=[A]; a decorated view registered after the change
    read [B]; nothing changes after that: the first request still compiles the extension's
    policies again, so both read the same configuration."""
    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = [A]
    CORS(app)
    app.config["CORS_ORIGINS"] = [B]
    app.add_url_rule("/view", "view", cross_origin()(lambda: "v"))
    app.add_url_rule("/items", "items", lambda: "x")
    client = app.test_client()
    assert client.get("/items", headers={"Origin": B}).headers[ACAO] == B
    assert ACAO not in client.get("/items", headers={"Origin": A}).headers
    assert client.get("/view", headers={"Origin": B}).headers[ACAO] == B


def test_first_requests_under_threads_compile_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """SPEC 2 and 7: concurrent first requests wait for one check; the policies are compiled
    again exactly once, and every request is answered from the new configuration."""
    import threading

    from flask_crossorigin.extension import AppState

    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = [A]
    CORS(app)
    app.add_url_rule("/items", "items", lambda: "x")
    app.config["CORS_ORIGINS"] = [B]
    compiled: list[int] = []
    recompile = AppState.recompile

    def counted(self: AppState) -> None:
        compiled.append(1)
        recompile(self)

    monkeypatch.setattr(AppState, "recompile", counted)
    answers: list[Any] = []
    start = threading.Barrier(8)

    def client() -> None:
        start.wait(timeout=10)
        response = app.test_client().get("/items", headers={"Origin": B})
        answers.append(response.headers.get(ACAO))

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert answers == [B] * 8
    assert compiled == [1]


def test_middleware_without_an_app_attribute_is_wrapped_from_outside() -> None:
    """SPEC 4: a middleware applied before CORS(app) that keeps no ``.app`` cannot be looked
    inside: the answerer goes around it, and still answers the preflight alone."""
    app = Flask(__name__)
    seen: list[str] = []
    inner = app.wsgi_app

    def middleware(environ: Any, start_response: Any) -> Any:
        seen.append(environ["REQUEST_METHOD"])
        return inner(environ, start_response)

    app.wsgi_app = middleware  # type: ignore[method-assign]
    CORS(app, origins=[A])
    calls: list[str] = []
    app.before_request(lambda: calls.append("before_request") and None)
    app.add_url_rule("/items", "items", lambda: "x", methods=["PUT"])
    response = preflight(app, "/items", A)
    assert response.headers[ACAO] == A and calls == []
    assert seen == []  # answered outside it
    app.test_client().put("/items", headers={"Origin": A})
    assert seen == ["PUT"] and calls == ["before_request"]
