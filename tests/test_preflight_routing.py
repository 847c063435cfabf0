"""SPEC 4: the route of a preflight is chosen without running the app's code.

Werkzeug's matching calls the URL converters' ``to_python`` (and ``to_url`` for a redirect)
and a rule's callable ``redirect_to``: code of the app, which expects its context. The
extension answers a preflight before Flask pushes its contexts, so it chooses the route
without calling them; a route that needs them to be known goes to the app, which routes it in
its contexts as Flask routes any request, and the preflight is answered there, before the
request hooks. A converter that refuses a value routes as in Flask: the URL is not that
route's. SPEC 2: ``CORS_*`` keys that cannot be copied are compiled again at the first request.
"""

from __future__ import annotations

import http.client
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, current_app, has_app_context
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter, Rule, ValidationError
from werkzeug.serving import make_server

from flask_crossorigin import CORS, cross_origin

A = "https://a.example"
B = "https://b.example"
ACAO = "Access-Control-Allow-Origin"
ACAM = "Access-Control-Allow-Methods"


def preflight(app: Flask, path: str, origin: str = A, method: str = "PUT") -> Any:
    overrides = {"HTTP_ORIGIN": origin, "HTTP_ACCESS_CONTROL_REQUEST_METHOD": method}
    return app.test_client().options(path, environ_overrides=overrides)


class UserConverter(BaseConverter):
    """Looks the user up in the app's configuration: needs the app context."""

    calls: list[tuple[str, bool]]

    def to_python(self, value: str) -> str:
        self.calls.append((value, has_app_context()))
        users: dict[str, str] = current_app.config["USERS"]
        if value not in users:
            raise ValidationError()
        return users[value]

    def to_url(self, value: str) -> str:
        self.calls.append((value, has_app_context()))
        names = {name: key for key, name in current_app.config["USERS"].items()}
        return names[value]


class BrokenConverter(BaseConverter):
    """Raises something else than ``ValidationError`` for a value it does not know."""

    def to_python(self, value: str) -> str:
        if value != "ok":
            raise LookupError(value)
        return value


def user_app(calls: list[str], **cors: Any) -> Flask:
    """``/users/<user:u>`` (decorated: ``A`` only), ``/plain/<int:i>`` and every hook noted."""
    app = Flask(__name__)
    app.config["USERS"] = {"1": "alice"}
    converter = type("Users", (UserConverter,), {"calls": []})
    app.url_map.converters["user"] = converter
    app.config["CONVERTER"] = converter

    @app.route("/users/<user:u>", methods=["GET", "PUT"])
    @cross_origin(origins=[A])
    def show(u: str) -> str:
        calls.append("view")
        return u

    @app.route("/plain/<int:i>", methods=["GET", "PUT"])
    def plain(i: int) -> str:
        calls.append("view")
        return str(i)

    app.before_request(lambda: calls.append("before_request") and None)
    app.teardown_request(lambda error: calls.append("teardown_request"))
    CORS(app, resources={"/plain/*": {"origins": [B]}}, **cors)
    return app


def converter_calls(app: Flask) -> list[tuple[str, bool]]:
    calls: list[tuple[str, bool]] = app.config["CONVERTER"].calls
    return calls


def test_converter_needing_the_app_context() -> None:
    """SPEC 4: a route whose converter needs the app context: the preflight is granted by
    that route's policy, the converter runs only inside the app context (never a 500), and
    no before_request hook or view runs for it."""
    calls: list[str] = []
    app = user_app(calls)
    response = preflight(app, "/users/1")
    assert response.status_code == 200
    assert response.headers[ACAO] == A
    assert "PUT" in response.headers[ACAM]
    assert converter_calls(app)
    assert all(in_context for _, in_context in converter_calls(app))
    assert "before_request" not in calls and "view" not in calls
    # Handed to the app, which routes it in its contexts: its teardown functions run.
    assert calls == ["teardown_request"]
    refused = preflight(app, "/users/1", origin=B)
    assert refused.status_code == 200 and ACAO not in refused.headers
    assert app.test_client().put("/users/1", headers={"Origin": A}).headers[ACAO] == A


def test_other_routes_run_no_app_code() -> None:
    """SPEC 4: a converter of the app's own on one route does not hand the other routes'
    preflights to the app: they are answered before Flask's contexts (no teardown function)
    and the converter is never called."""
    calls: list[str] = []
    app = user_app(calls)
    response = preflight(app, "/plain/7", origin=B)
    assert response.status_code == 200
    assert response.headers[ACAO] == B
    assert calls == []
    assert converter_calls(app) == []


def test_converter_refusing_a_value_routes_as_flask() -> None:
    """SPEC 4: a converter that raises ValidationError makes the URL unknown, as Flask routes
    it: the preflight is not the route's (no grant from its policy), and keeps its 404."""
    calls: list[str] = []
    app = user_app(calls)
    with app.test_request_context(), pytest.raises(NotFound):
        app.url_map.bind("localhost").match("/users/2", "PUT")
    response = preflight(app, "/users/2")
    assert response.status_code == 404
    assert ACAO not in response.headers
    assert "view" not in calls


def test_converter_refusing_a_value_keeps_the_resources_policy() -> None:
    """SPEC 4: an unknown path keeps its 404 with the CORS headers of the resources that
    cover its path; the refused route's own policy does not answer."""
    app = Flask(__name__)
    app.url_map.converters["user"] = type("Users", (UserConverter,), {"calls": []})
    app.config["USERS"] = {"1": "alice"}
    app.add_url_rule("/users/<user:u>", "show", lambda u: u, methods=["GET", "PUT"])
    CORS(app, resources={"/users/*": {"origins": [B]}})
    granted = preflight(app, "/users/1", origin=B)
    assert granted.status_code == 200 and granted.headers[ACAO] == B
    unknown = preflight(app, "/users/2", origin=B)
    assert unknown.status_code == 404 and unknown.headers[ACAO] == B


def test_converter_raising_another_exception_gets_the_apps_answer() -> None:
    """SPEC 4: a converter that raises something else fails the preflight as it fails every
    request to that URL: the app's error handling answers (here its own 500 handler), with the
    CORS headers; the extension's answerer raises nothing. A value it converts is granted.
    (Flask routes before its user error handlers apply: its 500 handler answers.)"""
    app = Flask(__name__)
    app.url_map.converters["broken"] = BrokenConverter
    app.add_url_rule("/b/<broken:v>", "b", lambda v: v, methods=["GET", "PUT"])
    app.register_error_handler(500, lambda error: ("no such thing", 500))
    CORS(app, origins=[A])
    ok = preflight(app, "/b/ok")
    assert ok.status_code == 200 and ok.headers[ACAO] == A
    actual = app.test_client().put("/b/nope", headers={"Origin": A})
    response = preflight(app, "/b/nope")
    assert (response.status_code, actual.status_code) == (500, 500)
    assert response.get_data() == actual.get_data() == b"no such thing"
    assert response.headers[ACAO] == A


def test_converter_raising_without_a_handler_is_the_apps_500() -> None:
    """SPEC 4: without an error handler the app answers every request to that URL with its
    500, the preflight included (as Flask does without the extension), with the CORS
    headers; nothing escapes the app."""
    app = Flask(__name__)
    app.url_map.converters["broken"] = BrokenConverter
    app.add_url_rule("/b/<broken:v>", "b", lambda v: v, methods=["GET", "PUT"])
    CORS(app, origins=[A])
    assert app.test_client().put("/b/nope", headers={"Origin": A}).status_code == 500
    response = preflight(app, "/b/nope")
    assert response.status_code == 500
    assert response.headers[ACAO] == A


def test_callable_redirect_to_is_called_in_the_app_context() -> None:
    """SPEC 4: a rule whose redirect_to is a callable: the preflight is answered by the
    target route's policy, and the callable runs only inside the app context."""
    app = Flask(__name__)
    app.config["OFFSET"] = 1
    seen: list[bool] = []

    @app.route("/new/<int:i>", methods=["GET", "PUT"])
    @cross_origin(origins=[A])
    def new(i: int) -> str:
        return str(i)

    def target(adapter: Any, i: int) -> str:
        seen.append(has_app_context())
        return f"/new/{i + current_app.config['OFFSET']}"

    app.url_map.add(Rule("/old/<int:i>", endpoint="old", redirect_to=target))
    CORS(app, origins=[B])
    response = preflight(app, "/old/1")
    assert response.status_code == 200
    assert response.headers[ACAO] == A
    assert seen and all(seen)
    assert ACAO not in preflight(app, "/old/1", origin=B).headers


def test_string_redirect_to_through_an_apps_converter() -> None:
    """SPEC 4: a redirect_to string builds its target with the converters' to_url, the
    app's code: built in the app context, answered by the target route's policy."""
    calls: list[str] = []
    app = user_app(calls)
    app.url_map.add(Rule("/people/<user:u>", endpoint="people", redirect_to="/users/<u>"))
    response = preflight(app, "/people/1")
    assert response.status_code == 200
    assert response.headers[ACAO] == A
    assert all(in_context for _, in_context in converter_calls(app))


def test_rules_added_after_the_first_request_are_matched_safely() -> None:
    """SPEC 4: a rule added to the URL map after the first request, with a converter of the
    app's, is routed without running it outside the app context."""
    calls: list[str] = []
    app = user_app(calls)
    assert preflight(app, "/plain/1", origin=B).headers[ACAO] == B
    app.url_map.add(Rule("/late/<user:u>", endpoint="show", methods=["GET", "PUT"]))
    response = preflight(app, "/late/1")
    assert response.status_code == 200 and response.headers[ACAO] == A
    assert all(in_context for _, in_context in converter_calls(app))


def test_preflights_under_threads() -> None:
    """SPEC 4 and 7: eight preflights at once, half on a route with the app's converter and
    half on one without: every answer is its route's."""
    calls: list[str] = []
    app = user_app(calls)
    start = threading.Barrier(8)
    answers: list[tuple[int, Any]] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        start.wait(timeout=10)
        path, origin = ("/users/1", A) if n % 2 else ("/plain/1", B)
        response = preflight(app, path, origin=origin)
        with lock:
            answers.append((n % 2, (response.status_code, response.headers.get(ACAO))))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(answers) == [(0, (200, B))] * 4 + [(1, (200, A))] * 4


@pytest.fixture
def served() -> Iterator[tuple[str, int]]:
    """The converter app on a real server, on loopback."""
    app = user_app([])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_real_server_preflights(served: tuple[str, int]) -> None:
    """SPEC 4: through a real HTTP server: the preflight to a route whose converter needs the
    app context is granted (not a 500), and a value the converter refuses keeps its 404."""
    answers = []
    for path in ("/users/1", "/users/2"):
        connection = http.client.HTTPConnection(*served, timeout=10)
        try:
            connection.request(
                "OPTIONS", path, headers={"Origin": A, "Access-Control-Request-Method": "PUT"}
            )
            response = connection.getresponse()
            response.read()
            answers.append((response.status, response.getheader(ACAO)))
        finally:
            connection.close()
    assert answers == [(200, A), (404, None)]


# --- SPEC 2: CORS_* values that cannot be copied ------------------------------------------


class Checker:
    """An origin callable bound to an object that holds a lock: deepcopy refuses it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()

    def allowed(self, origin: str) -> bool:
        return False


def test_uncopyable_keys_changed_in_place_are_seen() -> None:
    """SPEC 2: CORS_ORIGINS holding a value deepcopy refuses, changed in place between
    CORS(app) and the first request: the first request compiles the change."""
    app = Flask(__name__)
    app.add_url_rule("/x", "x", lambda: "x")
    old, new = "https://old.example.com", "https://new.example.com"
    app.config["CORS_ORIGINS"] = [old, new, Checker().allowed]
    CORS(app, supports_credentials=True)
    app.config["CORS_ORIGINS"].remove(old)
    client = app.test_client()
    assert ACAO not in client.get("/x", headers={"Origin": old}).headers
    assert client.get("/x", headers={"Origin": new}).headers[ACAO] == new


def test_uncopyable_keys_set_after_cors() -> None:
    """SPEC 2: CORS(app) read no CORS_* keys; an uncopyable CORS_ORIGINS set before the first
    request is compiled then."""
    app = Flask(__name__)
    app.add_url_rule("/x", "x", lambda: "x")
    CORS(app)
    app.config["CORS_ORIGINS"] = [A, Checker().allowed]
    client = app.test_client()
    assert client.get("/x", headers={"Origin": A}).headers[ACAO] == A
    assert ACAO not in client.get("/x", headers={"Origin": B}).headers


def test_uncopyable_keys_first_requests_under_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """SPEC 2 and 7: eight first requests at once, uncopyable keys changed in place: the
    policies are compiled again exactly once, and every answer comes from the change."""
    from flask_crossorigin.extension import AppState

    app = Flask(__name__)
    app.add_url_rule("/x", "x", lambda: "x")
    app.config["CORS_ORIGINS"] = [A, B, Checker().allowed]
    CORS(app)
    app.config["CORS_ORIGINS"].remove(A)
    compiled: list[int] = []
    recompile = AppState.recompile

    def counted(self: AppState) -> None:
        compiled.append(1)
        recompile(self)

    monkeypatch.setattr(AppState, "recompile", counted)
    start = threading.Barrier(8)
    answers: list[tuple[Any, Any]] = []
    lock = threading.Lock()

    def client() -> None:
        start.wait(timeout=10)
        test_client = app.test_client()
        refused = test_client.get("/x", headers={"Origin": A}).headers.get(ACAO)
        granted = test_client.get("/x", headers={"Origin": B}).headers.get(ACAO)
        with lock:
            answers.append((refused, granted))

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert answers == [(None, B)] * 8
    assert compiled == [1]


# --- the matching map against Werkzeug's own matching -------------------------------------


class Pure(BaseConverter):
    """A converter of the app's own that needs no context, so that Werkzeug's own matching
    can be the oracle: refuses values of odd length, counts its calls."""

    calls = [0]

    def to_python(self, value: str) -> str:
        self.calls[0] += 1
        if len(value) % 2:
            raise ValidationError()
        return value

    def to_url(self, value: str) -> str:
        self.calls[0] += 1
        return value


#: Rules to draw from: static, Werkzeug's converters, the app's, redirects of both kinds.
RULES = (
    "/a",
    "/a/",
    "/a/b",
    "/a/<x>",
    "/a/<int:x>",
    "/a/<pure:x>",
    "/<pure:x>/b",
    "/<x>/b/",
    "/a/<pure:x>/<int:y>",
    "/a/<path:x>",
)

SEGMENTS = st.sampled_from(["a", "b", "7", "ab", "abc", "12"])


@settings(max_examples=150)
@given(
    rules=st.lists(
        st.tuples(
            st.sampled_from(RULES),
            st.sampled_from([("GET",), ("PUT",), ("GET", "PUT")]),
            st.sampled_from([None, "/a/b", "str", "call"]),
        ),
        min_size=1,
        max_size=6,
    ),
    data=st.data(),
    method=st.sampled_from(["GET", "PUT", "DELETE"]),
)
def test_matching_map_routes_as_werkzeug(
    rules: list[tuple[str, tuple[str, ...], Any]], data: st.DataObject, method: str
) -> None:
    """SPEC 4: the map the preflight is matched with chooses the route Werkzeug chooses
    (redirects and 405s followed as for a preflight); it refuses to answer exactly when
    Werkzeug's matching runs a converter of the app's own or a callable redirect_to, and
    then never has run it. The path is one of the rules' with drawn values, its trailing
    slash added or dropped."""
    from flask_crossorigin.extension import _serving
    from flask_crossorigin.routing import NeedsApp, matching_map, with_map

    template = data.draw(st.sampled_from([rule for rule, _, _ in rules]))
    path = re.sub(r"<[^>]+>", lambda _: data.draw(SEGMENTS), template)
    path = data.draw(st.sampled_from([path, path.rstrip("/") or "/", path + "/"]))

    app = Flask(__name__)
    app.url_map.converters["pure"] = Pure
    redirected = [0]

    def call(adapter: Any, **values: Any) -> str:
        redirected[0] += 1
        return "/a/b"

    for n, (rule, methods, redirect) in enumerate(rules):
        target: Any = {"/a/b": "/a/b", "call": call}.get(redirect)
        if redirect == "str" and "<" in rule:
            target = "/b/<x>"  # built with the rule's converter's to_url
        app.url_map.add(Rule(rule, endpoint=f"e{n}", methods=methods, redirect_to=target))
    adapter = app.url_map.bind("localhost", path_info=path)
    Pure.calls[0] = redirected[0] = 0
    expected = _serving(adapter, path, method)
    ran_apps_code = Pure.calls[0] + redirected[0] > 0
    Pure.calls[0] = redirected[0] = 0
    shadow = matching_map(app.url_map)
    if shadow is None:
        assert not any("pure" in rule or redirect == "call" for rule, _, redirect in rules)
        assert not ran_apps_code
        return
    try:
        bound = app.url_map.bind("localhost", path_info=path)
        found = _serving(with_map(bound, shadow), path, method)
    except NeedsApp:
        assert ran_apps_code
    else:
        assert found == expected
        assert not ran_apps_code
    assert Pure.calls[0] == redirected[0] == 0
