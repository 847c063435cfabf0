"""SPEC 4 and 6: the request pipeline, case by case.

A covered preflight is answered by the CORS layer alone; the policy that answers it is the
policy of the route that will serve the actual request; error and redirect responses keep
their CORS headers as with flask-cors 6.0.5; ``expose_headers='*'`` lists the final
response's headers; a decorated view's configuration problem never becomes a 500.
"""

from __future__ import annotations

import importlib
import time
from typing import Any, Callable

import pytest
from flask import Blueprint, Flask, Response, abort, g, request

from flask_crossorigin import CORS, CORSConfigError, cross_origin

A = "https://a.example"
B = "https://b.example"
VITE = "http://localhost:5173"
ACAO = "Access-Control-Allow-Origin"


def preflight(app: Flask, path: str, origin: str, method: str = "POST", **headers: str) -> Any:
    environ = {"HTTP_ORIGIN": origin, "HTTP_ACCESS_CONTROL_REQUEST_METHOD": method}
    environ.update({"HTTP_" + k.upper(): v for k, v in headers.items()})
    return app.test_client().options(path, environ_overrides=environ)


# --- a. a covered preflight runs no app hook ----------------------------------------------


def _timed_app(hooks_first: bool, calls: list[str]) -> Flask:
    """An app with a timer as metrics exporters have one: ``after_request`` needs what
    ``before_request`` set, and fails without it."""
    app = Flask(__name__)

    def register_hooks() -> None:
        @app.before_request
        def start() -> None:
            calls.append("before_request")
            g.started = time.perf_counter()

        @app.after_request
        def stop(response: Response) -> Response:
            calls.append("after_request")
            response.headers["X-Duration"] = str(time.perf_counter() - g.started)
            return response

        @app.url_value_preprocessor
        def preprocess(endpoint: Any, values: Any) -> None:
            calls.append("url_value_preprocessor")

        @app.teardown_request
        def teardown(error: Any) -> None:
            calls.append("teardown_request")

    if hooks_first:
        register_hooks()
    CORS(app, origins=[A])
    if not hooks_first:
        register_hooks()

    @app.route("/api/items", methods=["GET", "POST"])
    def items() -> str:
        calls.append("view")
        return "items"

    return app


@pytest.mark.parametrize("hooks_first", [True, False], ids=["hooks-first", "cors-first"])
def test_covered_preflight_runs_no_hook_nor_teardown(hooks_first: bool) -> None:
    """SPEC 4: no before_request/after_request hook, URL value preprocessor, teardown function
    or view runs for a covered preflight, whether the hooks were registered before or after
    CORS(app); the actual request runs them all."""
    calls: list[str] = []
    app = _timed_app(hooks_first, calls)
    response = preflight(app, "/api/items", A)
    assert response.status_code == 200
    assert response.headers[ACAO] == A
    assert "X-Duration" not in response.headers
    assert calls == []
    actual = app.test_client().post("/api/items", headers={"Origin": A})
    assert actual.headers[ACAO] == A and "X-Duration" in actual.headers
    assert calls == [
        "url_value_preprocessor",
        "before_request",
        "view",
        "after_request",
        "teardown_request",
    ]


def test_refused_and_uncovered_preflights_keep_their_answers() -> None:
    """SPEC 4: a refused preflight is answered by the CORS layer too (without grant); an
    unknown path keeps its 404, through the app's hooks, with CORS headers."""
    calls: list[str] = []
    app = _timed_app(False, calls)
    refused = preflight(app, "/api/items", B)
    assert refused.status_code == 200 and ACAO not in refused.headers
    assert calls == []
    calls.clear()
    missing = preflight(app, "/nowhere", A)
    assert missing.status_code == 404
    assert missing.headers[ACAO] == A
    assert "after_request" in calls


def test_automatic_options_false_hands_preflights_to_the_app() -> None:
    """SPEC 4: with automatic_options=False the app's hooks and view answer the preflight."""
    calls: list[str] = []
    app = Flask(__name__)
    CORS(app, origins=[A], automatic_options=False)

    @app.before_request
    def hook() -> None:
        calls.append("before_request")

    @app.route("/api/items", methods=["GET", "POST", "OPTIONS"])
    def items() -> str:
        calls.append(request.method)
        return "mine"

    response = preflight(app, "/api/items", A)
    assert calls == ["before_request", "OPTIONS"]
    assert response.get_data(as_text=True) == "mine"
    assert response.headers[ACAO] == A


def _exporter_app(exporter_first: bool) -> tuple[Flask, Any]:
    prometheus = pytest.importorskip("prometheus_flask_exporter")
    from prometheus_client import CollectorRegistry

    app = Flask(__name__)
    registry = CollectorRegistry()

    def attach() -> Any:
        return prometheus.PrometheusMetrics(app, registry=registry, path=None)

    metrics = attach() if exporter_first else None
    CORS(app, origins=[A])
    if metrics is None:
        metrics = attach()

    @app.route("/api/items", methods=["GET", "POST"])
    def items() -> str:
        return "items"

    return app, registry


@pytest.mark.parametrize("exporter_first", [True, False], ids=["exporter-first", "cors-first"])
def test_covered_preflight_with_a_metrics_exporter(exporter_first: bool) -> None:
    """SPEC 4: with prometheus-flask-exporter (PyPI), a covered preflight is answered with
    its grant and the exporter sees no half request: every request it counts, it timed."""
    app, registry = _exporter_app(exporter_first)
    client = app.test_client()
    for _ in range(3):
        response = preflight(app, "/api/items", A)
        assert response.status_code == 200 and response.headers[ACAO] == A
    assert client.post("/api/items", headers={"Origin": A}).headers[ACAO] == A

    def sample(name: str, method: str) -> float:
        # The exporter labels its request counter by method and status, its durations by
        # path too.
        labels = {"method": method, "status": "200"}
        if "duration" in name:
            labels["path"] = "/api/items"
        return registry.get_sample_value(name, labels) or 0.0

    assert sample("flask_http_request_total", "OPTIONS") == 0
    assert sample("flask_http_request_duration_seconds_count", "OPTIONS") == 0
    assert sample("flask_http_request_total", "POST") == 1
    assert sample("flask_http_request_duration_seconds_count", "POST") == 1


# --- b, c. the route of the requested method answers ----------------------------------------


def test_several_views_on_one_url_the_requested_methods_view_answers() -> None:
    """SPEC 4: /graphql with an undecorated GET view registered first and a decorated POST
    view: the preflight for POST is answered with the POST view's policy."""
    app = Flask(__name__)
    CORS(app, origins=[B])

    @app.get("/graphql")
    def graphiql() -> str:
        return "graphiql"

    @app.post("/graphql")
    @cross_origin(origins=[VITE], methods=["POST"], allow_headers="*")
    def graphql() -> dict[str, str]:
        return {"data": "x"}

    response = preflight(app, "/graphql", VITE, "POST", access_control_request_headers="x-q")
    assert response.status_code == 200
    assert response.headers[ACAO] == VITE
    assert response.headers["Access-Control-Allow-Methods"] == "POST"
    assert response.headers["Access-Control-Allow-Headers"] == "x-q"
    # The GET view keeps the app's policy, for its preflight and its request.
    assert preflight(app, "/graphql", B, "GET").headers[ACAO] == B
    assert ACAO not in preflight(app, "/graphql", VITE, "GET").headers
    client = app.test_client()
    assert client.post("/graphql", headers={"Origin": VITE}).headers[ACAO] == VITE
    assert ACAO not in client.get("/graphql", headers={"Origin": VITE}).headers


def test_route_without_options_judged_by_its_blueprints_policy() -> None:
    """SPEC 4: a blueprint route with methods=['POST'] and provide_automatic_options=False:
    its preflight is judged by the blueprint's policy, as the POST is."""
    app = Flask(__name__)
    CORS(app, origins=[B])
    blueprint = Blueprint("bp", __name__)
    CORS(blueprint, origins=[A])

    def submit() -> str:
        return "ok"

    blueprint.add_url_rule(
        "/bp/submit", view_func=submit, methods=["POST"], provide_automatic_options=False
    )
    app.register_blueprint(blueprint)

    granted = preflight(app, "/bp/submit", A)
    assert granted.status_code == 200 and granted.headers[ACAO] == A
    refused = preflight(app, "/bp/submit", B)
    assert ACAO not in refused.headers
    client = app.test_client()
    assert client.post("/bp/submit", headers={"Origin": A}).headers[ACAO] == A
    assert ACAO not in client.post("/bp/submit", headers={"Origin": B}).headers


def test_preflight_for_a_method_no_route_serves() -> None:
    """SPEC 4: a preflight for a method the URL's routes do not serve is judged by the path's
    route (its request would get that route's 405), never refused with a 500."""
    app = Flask(__name__)
    CORS(app, origins=[B])

    @app.get("/only-get")
    @cross_origin(origins=[A], methods=["GET", "DELETE"])
    def only_get() -> str:
        return "x"

    response = preflight(app, "/only-get", A, "DELETE")
    assert response.status_code == 200 and response.headers[ACAO] == A
    assert app.test_client().delete("/only-get", headers={"Origin": A}).headers[ACAO] == A


# --- d. strict-slash redirects: the target's policy ---------------------------------------


def _slash_app(with_blueprint: bool) -> Flask:
    app = Flask(__name__)
    CORS(app, origins=[B])
    if with_blueprint:
        blueprint = Blueprint("bp", __name__)
        CORS(blueprint, origins=[A])

        @blueprint.route("/only/", methods=["GET", "PUT"])
        def only() -> str:
            return "only"

        app.register_blueprint(blueprint)
    else:

        @app.route("/only/", methods=["GET", "PUT"])
        @cross_origin(origins=[A])
        def only() -> str:
            return "only"

    return app


@pytest.mark.parametrize("with_blueprint", [False, True], ids=["decorator", "blueprint"])
def test_strict_slash_redirect_answered_with_the_targets_policy(with_blueprint: bool) -> None:
    """SPEC 4: /only redirects to /only/: the preflight to /only and the 308 of GET /only
    are answered with /only/'s policy."""
    app = _slash_app(with_blueprint)
    response = preflight(app, "/only", A, "PUT")
    assert response.status_code == 200
    assert response.headers[ACAO] == A
    assert ACAO not in preflight(app, "/only", B, "PUT").headers
    client = app.test_client()
    redirect = client.get("/only", headers={"Origin": A})
    assert redirect.status_code == 308
    assert redirect.headers["Location"].endswith("/only/")
    assert redirect.headers[ACAO] == A
    assert ACAO not in client.get("/only", headers={"Origin": B}).headers
    assert client.get("/only/", headers={"Origin": A}).headers[ACAO] == A


def test_redirect_under_a_script_root() -> None:
    """SPEC 4: the redirect's target is found inside an app mounted under a prefix."""
    app = _slash_app(False)
    client = app.test_client()
    redirect = client.get("/only", headers={"Origin": A}, environ_overrides={"SCRIPT_NAME": "/x"})
    assert redirect.status_code == 308
    assert redirect.headers["Location"].endswith("/x/only/")
    assert redirect.headers[ACAO] == A
    response = app.test_client().options(
        "/only",
        environ_overrides={
            "SCRIPT_NAME": "/x",
            "HTTP_ORIGIN": A,
            "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT",
        },
    )
    assert response.headers[ACAO] == A


# --- e. intercept_exceptions, as flask-cors 6.0.5 -------------------------------------------


def _error_app(cors: Callable[..., Any], intercept: bool) -> Flask:
    app = Flask(__name__)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/denied")
    def denied() -> str:
        abort(403)

    @app.route("/handled")
    def handled() -> str:
        raise LookupError("handled")

    @app.errorhandler(LookupError)
    def lookup(error: Exception) -> tuple[str, int]:
        return "handled", 409

    @app.route("/slash/")
    def slash() -> str:
        return "slash"

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    @app.route("/hook-fails")
    def hook_fails() -> str:
        return "x"

    cors(app, origins=[A], intercept_exceptions=intercept)

    @app.after_request
    def failing(response: Response) -> Response:
        if request.path == "/hook-fails":
            raise RuntimeError("after_request failed")
        return response

    return app


def _flask_cors() -> Callable[..., Any]:
    module = importlib.import_module("flask_cors")
    cors: Callable[..., Any] = module.CORS
    return cors


ERROR_PATHS = {
    "/denied": 403,
    "/nowhere": 404,
    "/slash": 308,
    "/handled": 409,
    "/boom": 500,
    "/hook-fails": 500,
}


@pytest.mark.parametrize("intercept", [True, False], ids=["intercept", "no-intercept"])
def test_intercept_exceptions_as_flask_cors(intercept: bool) -> None:
    """SPEC 4: intercept_exceptions behaves as in flask-cors: abort(403), a routing 404, a
    strict-slash 308, an error handler's response and a 500 keep their CORS headers either
    way; a 500 from a failing after_request hook has them only with intercept_exceptions.
    Judged against flask-cors itself."""
    pytest.importorskip("flask_cors")
    ours = _error_app(CORS, intercept).test_client()
    theirs = _error_app(_flask_cors(), intercept).test_client()
    for path, status in ERROR_PATHS.items():
        mine = ours.get(path, headers={"Origin": A})
        reference = theirs.get(path, headers={"Origin": A})
        assert (mine.status_code, reference.status_code) == (status, status), path
        assert (mine.headers.get(ACAO), path) == (reference.headers.get(ACAO), path)
    hook_fails = ours.get("/hook-fails", headers={"Origin": A})
    assert (ACAO in hook_fails.headers) is intercept
    assert ours.get("/denied", headers={"Origin": A}).headers[ACAO] == A


# --- f. expose_headers='*' lists the final response's headers -----------------------------


def test_expose_star_lists_headers_from_hooks_registered_before_cors() -> None:
    """SPEC 4: expose_headers='*' with credentials lists every header of the final response,
    including those an after_request hook registered before CORS(app) adds (it runs after
    the extension's)."""
    app = Flask(__name__)

    @app.after_request
    def request_id(response: Response) -> Response:
        response.headers["X-Request-Id"] = "42"
        return response

    CORS(app, origins=[A], supports_credentials=True, expose_headers="*")

    @app.after_request
    def total(response: Response) -> Response:
        response.headers["X-Total-Count"] = "3"
        return response

    @app.route("/api/items")
    def items() -> Response:
        response = Response("x")
        response.headers["X-View"] = "1"
        return response

    response = app.test_client().get("/api/items", headers={"Origin": A})
    assert (
        response.headers["Access-Control-Expose-Headers"] == "X-Request-Id, X-Total-Count, X-View"
    )
    assert response.headers.getlist("Access-Control-Expose-Headers") == [
        "X-Request-Id, X-Total-Count, X-View"
    ]


def test_expose_star_on_a_decorated_view_lists_later_headers() -> None:
    """SPEC 4: the same for a decorated view's response, with the extension."""
    app = Flask(__name__)

    @app.after_request
    def request_id(response: Response) -> Response:
        response.headers["X-Request-Id"] = "42"
        return response

    CORS(app, origins=[B])

    @app.route("/d")
    @cross_origin(origins=[A], supports_credentials=True, expose_headers="*")
    def view() -> str:
        return "x"

    response = app.test_client().get("/d", headers={"Origin": A})
    assert response.headers["Access-Control-Expose-Headers"] == "X-Request-Id"


# --- g. a decorated view's configuration problem --------------------------------------------


def test_decorated_view_registered_after_cors_fails_at_registration() -> None:
    """SPEC 6: CORS_SUPPORTS_CREDENTIALS with CORS(app, origins=[A]), then a view decorated
    with origins='*': registering it raises CORSConfigError naming the option and the fix."""
    app = Flask(__name__)
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True
    CORS(app, origins=[A])
    with pytest.raises(CORSConfigError) as raised:

        @app.route("/open")
        @cross_origin(origins="*")
        def open_view() -> str:
            return "x"

    message = str(raised.value)
    assert "origins" in message and "'*'" in message
    assert "list the origins that may send credentials" in message


def test_decorated_class_view_checked_at_registration() -> None:
    """SPEC 6: the same for a MethodView decorated through its ``decorators`` list, in a
    blueprint registered after CORS(app)."""
    from flask.views import MethodView

    app = Flask(__name__)
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True
    CORS(app, origins=[A])

    class Items(MethodView):
        decorators = [cross_origin(origins="*")]

        def get(self) -> str:
            return "x"

    blueprint = Blueprint("bp", __name__)
    blueprint.add_url_rule("/items", view_func=Items.as_view("items"))
    with pytest.raises(CORSConfigError, match="supports_credentials"):
        app.register_blueprint(blueprint)


def test_introspection_of_a_bad_decorated_view_raises_config_error() -> None:
    """SPEC 6: without the extension, the CLI's introspection meets the problem as a
    CORSConfigError (which ``flask cors`` prints with its fix), never another exception."""
    from flask_crossorigin import introspect

    app = Flask(__name__)
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True

    @app.route("/open")
    @cross_origin(origins="*")
    def open_view() -> str:
        return "x"

    with app.app_context(), pytest.raises(CORSConfigError, match="supports_credentials"):
        introspect.coverage(app, "/open")


def test_redirect_rule_answered_with_its_targets_policy() -> None:
    """SPEC 4: a ``redirect_to`` rule is answered with its target route's policy, also for a
    method the target does not serve (its 405 is the target's)."""
    app = Flask(__name__)
    CORS(app, origins=[B])

    @app.route("/new", methods=["GET"])
    @cross_origin(origins=[A], methods=["GET", "PUT"])
    def new() -> str:
        return "new"

    app.add_url_rule("/old", endpoint="old", redirect_to="/new", methods=["GET", "PUT"])
    for method in ("GET", "PUT"):
        response = preflight(app, "/old", A, method)
        assert response.status_code == 200
        assert response.headers[ACAO] == A, method
    redirect = app.test_client().get("/old", headers={"Origin": A})
    assert redirect.status_code == 308 and redirect.headers[ACAO] == A


def test_decorated_view_problem_logged_once_under_threads(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """SPEC 6: without the extension, a decorated view's configuration problem is logged
    exactly once, however many threads meet it at once; none of them gets a 500."""
    import sys
    import threading

    app = Flask(__name__)
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True

    @app.route("/open")
    @cross_origin(origins="*")
    def open_view() -> str:
        return "x"

    statuses: list[int] = []
    barrier = threading.Barrier(8)

    def work() -> None:
        client = app.test_client()
        barrier.wait()
        for _ in range(20):
            statuses.append(client.get("/open", headers={"Origin": A}).status_code)

    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with caplog.at_level("ERROR", logger="flask_crossorigin"):
            threads = [threading.Thread(target=work) for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
    finally:
        sys.setswitchinterval(before)
    assert statuses == [200] * 160
    assert len([r for r in caplog.records if r.name == "flask_crossorigin"]) == 1


def test_decorated_view_in_a_blueprint_with_its_own_policy_fails_at_registration() -> None:
    """SPEC 6: an app whose only CORS policy is a blueprint's: a bad decorated view in that
    blueprint raises CORSConfigError when the blueprint is registered, not at a request."""
    app = Flask(__name__)
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True
    blueprint = Blueprint("bp", __name__)

    @blueprint.route("/open")
    @cross_origin(origins="*")
    def open_view() -> str:
        return "x"

    CORS(blueprint, origins=[A])
    with pytest.raises(CORSConfigError, match="supports_credentials"):
        app.register_blueprint(blueprint)


def test_blueprint_policy_registered_after_its_routes_covers_them() -> None:
    """SPEC 5: CORS(bp) called after the blueprint's routes still covers them, with an app
    policy and decorated views around."""
    app = Flask(__name__)
    CORS(app, origins=[B])
    blueprint = Blueprint("bp", __name__)

    @blueprint.route("/bp/items", methods=["GET", "PUT"])
    def items() -> str:
        return "x"

    CORS(blueprint, origins=[A])
    app.register_blueprint(blueprint)
    assert app.test_client().get("/bp/items", headers={"Origin": A}).headers[ACAO] == A
    assert preflight(app, "/bp/items", A, "PUT").headers[ACAO] == A


def test_expose_star_on_an_unhandled_errors_response() -> None:
    """SPEC 4: expose_headers='*' with credentials on the 500 of an unhandled exception lists
    the headers that hooks registered before CORS(app) add to it."""
    app = Flask(__name__)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.after_request
    def request_id(response: Response) -> Response:
        response.headers["X-Request-Id"] = "42"
        return response

    CORS(app, origins=[A], supports_credentials=True, expose_headers="*")

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    response = app.test_client().get("/boom", headers={"Origin": A})
    assert response.status_code == 500
    assert response.headers[ACAO] == A
    assert response.headers["Access-Control-Expose-Headers"] == "X-Request-Id"
