"""SPEC 1: @cross_origin on functions and MethodView classes; its policy wins for its view."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from flask import Blueprint, Flask, Response, abort, request
from flask.views import MethodView

from flask_crossorigin import CORS, CORSConfigError, cross_origin

A = "https://a.example"
B_ORIGIN = "https://b.example"
ACAO_NAME = "Access-Control-Allow-Origin"
B = "https://b.example"
PREFLIGHT = {"Origin": B, "Access-Control-Request-Method": "PUT"}


def test_decorator_alone_without_extension() -> None:
    app = Flask(__name__)

    @app.route("/d", methods=["GET", "PUT"])
    @cross_origin(origins=[B], max_age=60)
    def view() -> str:
        return "x"

    client = app.test_client()
    got = client.get("/d", headers={"Origin": B})
    assert got.headers["Access-Control-Allow-Origin"] == B
    assert got.headers["Vary"] == "Origin"
    pre = client.options("/d", headers=PREFLIGHT)
    assert pre.status_code == 200
    assert pre.headers["Access-Control-Max-Age"] == "60"
    assert "Access-Control-Allow-Origin" not in client.get("/d", headers={"Origin": A}).headers


def test_decorator_wins_over_extension_and_answers_its_preflight() -> None:
    """SPEC 1: the decorator's policy wins for that view and answers its preflights."""
    app = Flask(__name__)

    @app.route("/decorated", methods=["GET", "PUT"])
    @cross_origin(origins=[B], methods=["PUT"])
    def decorated() -> str:
        return "x"

    @app.route("/plain")
    def plain() -> str:
        return "y"

    CORS(app, origins=[A])
    client = app.test_client()
    assert client.get("/decorated", headers={"Origin": B}).headers["Access-Control-Allow-Origin"]
    assert (
        "Access-Control-Allow-Origin" not in client.get("/decorated", headers={"Origin": A}).headers
    )
    assert client.get("/plain", headers={"Origin": A}).headers["Access-Control-Allow-Origin"] == A
    pre = client.options("/decorated", headers=PREFLIGHT)
    assert pre.headers["Access-Control-Allow-Methods"] == "PUT"


def test_decorator_policy_applies_to_errors_of_its_view_with_extension() -> None:
    app = Flask(__name__)

    @app.route("/e")
    @cross_origin(origins=[B])
    def failing() -> str:
        abort(400)

    CORS(app, origins=[A])
    response = app.test_client().get("/e", headers={"Origin": B})
    assert response.status_code == 400
    assert response.headers["Access-Control-Allow-Origin"] == B


def test_decorated_preflight_skips_auth_hooks_with_extension() -> None:
    app = Flask(__name__)

    @app.before_request
    def auth() -> None:
        if request.method != "GET":
            abort(401)

    @app.route("/d", methods=["PUT"])
    @cross_origin(origins=[B])
    def view() -> str:
        return "x"

    CORS(app, resources={})
    pre = app.test_client().options("/d", headers=PREFLIGHT)
    assert pre.status_code == 200
    assert pre.headers["Access-Control-Allow-Origin"] == B


def test_automatic_options_false_on_decorator() -> None:
    app = Flask(__name__)

    @app.route("/d", methods=["GET", "OPTIONS"])
    @cross_origin(origins=[B], automatic_options=False)
    def view() -> Response:
        return Response("own", headers={"X-Own": "1"})

    pre = app.test_client().options("/d", headers=PREFLIGHT)
    assert pre.headers["X-Own"] == "1"
    assert pre.headers["Access-Control-Allow-Origin"] == B


def test_method_view_class() -> None:
    """SPEC 1: the decorator on a MethodView class."""

    @cross_origin(origins=[B], expose_headers=["X-Total-Count"])
    class Items(MethodView):
        def get(self) -> Response:
            return Response("[]", headers={"X-Total-Count": "0"})

        def put(self) -> str:
            return "ok"

    app = Flask(__name__)
    app.add_url_rule("/items", view_func=Items.as_view("items"))
    client = app.test_client()
    got = client.get("/items", headers={"Origin": B})
    assert got.headers["Access-Control-Allow-Origin"] == B
    assert got.headers["Access-Control-Expose-Headers"] == "X-Total-Count"
    pre = client.options("/items", headers=PREFLIGHT)
    assert pre.status_code == 200
    assert pre.headers["Access-Control-Allow-Origin"] == B
    assert client.options("/items").status_code == 200


def test_decorator_reads_app_config() -> None:
    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = [B]

    @app.route("/d")
    @cross_origin(send_wildcard=False)
    def view() -> str:
        return "x"

    client = app.test_client()
    assert client.get("/d", headers={"Origin": B}).headers["Access-Control-Allow-Origin"] == B
    assert "Access-Control-Allow-Origin" not in client.get("/d", headers={"Origin": A}).headers


def test_decorator_cross_option_error_without_the_extension_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """SPEC 6: without the extension, a problem only app.config reveals is logged once at
    ERROR with its fix, and the view serves without a CORS grant (never a 500)."""
    app = Flask(__name__)
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True

    @app.route("/d")
    @cross_origin(origins="*")
    def view() -> str:
        return "x"

    client = app.test_client()
    with caplog.at_level("ERROR", logger="flask_crossorigin"):
        answers = [
            client.get("/d", headers={"Origin": B}),
            client.get("/d"),
            client.options("/d", headers={"Origin": B, "Access-Control-Request-Method": "GET"}),
        ]
    assert [r.status_code for r in answers] == [200, 200, 200]
    assert [r.get_data(as_text=True) for r in answers[:2]] == ["x", "x"]
    assert all(not any(k.startswith("Access-Control-") for k, _ in r.headers) for r in answers)
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1
    assert "supports_credentials" in errors[0].getMessage()
    assert "list the origins that may send credentials" in errors[0].getMessage()


def test_decorator_cross_option_error_at_registration_with_the_extension() -> None:
    """SPEC 6: with the extension, a decorated view registered after CORS(app) is compiled as
    it is registered; a bad combination with app.config raises CORSConfigError there."""
    app = Flask(__name__)
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True
    CORS(app, origins=[B])

    def view() -> str:
        return "x"

    with pytest.raises(CORSConfigError, match="supports_credentials"):
        app.add_url_rule("/d", view_func=cross_origin(origins="*")(view))

    blueprint = Blueprint("bp", __name__)
    blueprint.add_url_rule("/e", view_func=cross_origin(origins="*")(view))
    with pytest.raises(CORSConfigError, match="supports_credentials"):
        app.register_blueprint(blueprint)


def test_decorator_cross_option_error_before_the_extension() -> None:
    """SPEC 6: a decorated view registered before CORS(app) fails at init_app."""
    app = Flask(__name__)
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True

    @app.route("/d")
    @cross_origin(origins="*")
    def view() -> str:
        return "x"

    with pytest.raises(CORSConfigError, match="supports_credentials"):
        CORS(app, origins=[B])


def test_async_view_with_decorator_and_extension() -> None:
    """SPEC 7: async views, including preflights and errors."""
    pytest.importorskip("asgiref")
    app = Flask(__name__)

    @app.route("/async", methods=["GET", "POST"])
    @cross_origin(origins=[B])
    async def view() -> str:
        if request.method == "POST":
            abort(422)
        return "async"

    @app.route("/async-plain")
    async def plain() -> str:
        return "plain"

    CORS(app, origins=[A])
    client = app.test_client()
    got = client.get("/async", headers={"Origin": B})
    assert got.get_data(as_text=True) == "async"
    assert got.headers["Access-Control-Allow-Origin"] == B
    error = client.post("/async", headers={"Origin": B})
    assert error.status_code == 422 and error.headers["Access-Control-Allow-Origin"] == B
    pre = client.options("/async", headers=PREFLIGHT)
    assert pre.headers["Access-Control-Allow-Origin"] == B
    plain_response = client.get("/async-plain", headers={"Origin": A})
    assert plain_response.headers["Access-Control-Allow-Origin"] == A


def test_decorated_views_are_checked_at_init_app() -> None:
    """SPEC 2: a decorator policy that config makes invalid fails at init_app, naming both."""
    from flask_crossorigin import CORSConfigError

    app = Flask(__name__)
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True
    app.config["CORS_ORIGINS"] = [A]

    @app.route("/public")
    @cross_origin(origins="*")
    def public() -> str:
        return "x"

    with pytest.raises(CORSConfigError) as info:
        CORS(app)
    message = str(info.value)
    assert "origins (from @cross_origin(...)) '*'" in message
    assert "supports_credentials is on (from CORS_SUPPORTS_CREDENTIALS)" in message
    assert "set supports_credentials=False where the data is public" in message


def test_class_decorator_keeps_the_class_methods() -> None:
    """flask-restx's Swagger reads the class's methods: OPTIONS must not be added there."""

    @cross_origin(origins=[B])
    class Items(MethodView):
        def get(self) -> str:
            return "x"

    assert Items.methods == {"GET"}
    app = Flask(__name__)
    app.add_url_rule("/items", view_func=Items.as_view("items"))
    assert "OPTIONS" in next(app.url_map.iter_rules("items")).methods


def test_stacked_decorators_the_outermost_wins() -> None:
    app = Flask(__name__)

    @app.route("/s", methods=["GET", "PUT"])
    @cross_origin(origins=[B])
    @cross_origin(origins=[A])
    def view() -> str:
        return "x"

    CORS(app, resources={})
    client = app.test_client()
    assert client.get("/s", headers={"Origin": B}).headers["Access-Control-Allow-Origin"] == B
    assert "Access-Control-Allow-Origin" not in client.get("/s", headers={"Origin": A}).headers
    pre = client.options("/s", headers=PREFLIGHT)
    assert pre.headers["Access-Control-Allow-Origin"] == B


def test_a_405_on_a_decorated_view_gets_the_view_policy() -> None:
    """A method the route does not take is answered (405) under the route's own policy, as
    `flask cors` and simulate() say, not under the extension's."""
    from flask_crossorigin import coverage

    app = Flask(__name__)
    CORS(app, origins=[A])

    @app.route("/decorated", methods=["GET"])
    @cross_origin(origins=[B])
    def decorated() -> str:
        return "x"

    @app.route("/plain", methods=["GET"])
    def plain() -> str:
        return "x"

    client = app.test_client()
    from_b = client.delete("/decorated", headers={"Origin": B})
    assert from_b.status_code == 405
    assert from_b.headers["Access-Control-Allow-Origin"] == B
    from_a = client.delete("/decorated", headers={"Origin": A})
    assert from_a.status_code == 405
    assert "Access-Control-Allow-Origin" not in from_a.headers
    assert from_a.headers["Vary"] == "Origin"
    found = coverage(app, "/decorated", "DELETE")
    assert found is not None and found.source == "@cross_origin on decorated"
    plain_405 = client.delete("/plain", headers={"Origin": A})
    assert (plain_405.status_code, plain_405.headers["Access-Control-Allow-Origin"]) == (405, A)


def test_one_decorator_on_several_views_names_each(caplog: pytest.LogCaptureFixture) -> None:
    """One cross_origin(...) object shared by views and classes: one policy, and every log
    line and `flask cors routes` row names its own view."""
    import logging

    from flask_crossorigin import routes

    shared = cross_origin(origins=[B])
    app = Flask(__name__)
    CORS(app, origins=[A])

    @app.route("/first")
    @shared
    def first() -> str:
        return "1"

    @app.route("/second")
    @shared
    def second() -> str:
        return "2"

    @shared
    class Things(MethodView):
        def get(self) -> str:
            return "t"

    @shared
    class Others(MethodView):
        def get(self) -> str:
            return "o"

    app.add_url_rule("/things", view_func=Things.as_view("things"))
    app.add_url_rule("/others", view_func=Others.as_view("others"))
    sources = {r.rule: r.coverage.source for r in routes(app) if r.coverage is not None}
    prefix = "@cross_origin on "
    assert sources["/first"] == prefix + "first"
    assert sources["/second"] == prefix + "second"
    assert sources["/things"] == "@cross_origin on Things"
    assert sources["/others"] == "@cross_origin on Others"
    policies = {id(r.coverage.policy) for r in routes(app) if r.rule != "/static/<path:filename>"}
    assert len(policies) == 1
    client = app.test_client()
    with caplog.at_level(logging.DEBUG, logger="flask_crossorigin"):
        for path in ("/first", "/second", "/things", "/others"):
            client.get(path, headers={"Origin": A})
    covered = [r.getMessage().split("covered by ")[1].split(")")[0] for r in caplog.records]
    assert covered == [
        prefix + "first",
        prefix + "second",
        "@cross_origin on Things",
        "@cross_origin on Others",
    ]


def test_decorators_list_of_a_method_view_answers_preflights_without_extension() -> None:
    """SPEC 1: cross_origin in a MethodView's ``decorators`` list answers the view's
    preflights without the extension, although as_view resets provide_automatic_options."""

    class Items(MethodView):
        decorators = [cross_origin(origins=[A], methods=["GET", "PUT"])]

        def get(self) -> str:
            return "items"

        def put(self) -> str:
            return "put"

    app = Flask(__name__)
    app.add_url_rule("/items", view_func=Items.as_view("items"))
    client = app.test_client()
    response = client.options(
        "/items", headers={"Origin": A, "Access-Control-Request-Method": "PUT"}
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == A
    assert response.headers["Access-Control-Allow-Methods"] == "GET, PUT"
    assert client.put("/items", headers={"Origin": A}).headers["Access-Control-Allow-Origin"] == A
    # A plain OPTIONS still gets what Flask answers, with its Allow header.
    plain = client.options("/items")
    assert set(plain.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "PUT"}


def test_decorators_list_of_a_restx_resource_answers_preflights_without_extension() -> None:
    """SPEC 1: the same for a flask-restx Resource's ``decorators`` list."""
    restx = pytest.importorskip("flask_restx")
    app = Flask(__name__)
    api = restx.Api(app)

    @api.route("/things")
    class Things(restx.Resource):  # type: ignore[misc]
        decorators = [cross_origin(origins=[A])]

        def get(self) -> dict[str, int]:
            return {"things": 1}

    client = app.test_client()
    response = client.options(
        "/things", headers={"Origin": A, "Access-Control-Request-Method": "GET"}
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == A
    assert client.get("/things", headers={"Origin": A}).headers["Access-Control-Allow-Origin"] == A


def test_method_decorators_answer_preflights_with_the_extension() -> None:
    """SPEC 1: cross_origin in a Resource's ``method_decorators`` answers its preflights
    where the app has the extension (whatever paths the extension's own policy covers)."""
    restx = pytest.importorskip("flask_restx")
    app = Flask(__name__)
    CORS(app, origins=[B])
    api = restx.Api(app)

    @api.route("/things")
    class Things(restx.Resource):  # type: ignore[misc]
        method_decorators = [cross_origin(origins=[A])]

        def get(self) -> dict[str, int]:
            return {"things": 1}

    response = app.test_client().options(
        "/things", headers={"Origin": A, "Access-Control-Request-Method": "GET"}
    )
    assert response.headers["Access-Control-Allow-Origin"] == A


def test_decorated_preflight_without_extension_builds_no_default_options_response(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SPEC 7: a decorated view answers a preflight without first building Flask's default
    OPTIONS response (only a plain OPTIONS gets that)."""
    app = Flask(__name__)

    @app.route("/d")
    @cross_origin(origins=[A])
    def view() -> str:
        return "x"

    built: list[int] = []
    original = app.make_default_options_response

    def counting() -> Response:
        built.append(1)
        return original()

    monkeypatch.setattr(app, "make_default_options_response", counting)
    client = app.test_client()
    response = client.options("/d", headers={"Origin": A, "Access-Control-Request-Method": "GET"})
    assert response.headers["Access-Control-Allow-Origin"] == A
    assert built == []
    client.options("/d")
    assert built == [1]


def test_decorated_get_keeps_its_decision(monkeypatch: pytest.MonkeyPatch) -> None:
    """SPEC 7: a decorated view's requests from an origin seen before are answered from the
    policy's kept decisions, without deciding again."""
    from flask_crossorigin import decision

    app = Flask(__name__)

    @app.route("/d")
    @cross_origin(origins=[A])
    def view() -> str:
        return "x"

    client = app.test_client()
    client.get("/d", headers={"Origin": A})
    calls: list[str] = []
    original = decision._allow_origin

    def counting(*args: object, **kwargs: object) -> object:
        calls.append("decided")
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(decision, "_allow_origin", counting)
    for _ in range(3):
        assert client.get("/d", headers={"Origin": A}).headers["Access-Control-Allow-Origin"] == A
    assert calls == []


def test_decorated_method_of_a_class_view() -> None:
    """SPEC 1: the decorator on a method inside a class binds like a function."""

    class Items(MethodView):
        @cross_origin(origins=[A])
        def get(self) -> str:
            return f"items of {type(self).__name__}"

    app = Flask(__name__)
    app.add_url_rule("/items", view_func=Items.as_view("items"))
    response = app.test_client().get("/items", headers={"Origin": A})
    assert response.get_data(as_text=True) == "items of Items"
    assert response.headers["Access-Control-Allow-Origin"] == A
    assert Items.__dict__["get"].__get__(None, Items) is Items.__dict__["get"]


def test_a_view_error_without_the_extension_is_the_apps_own() -> None:
    """SPEC 4 (as flask-cors): without CORS(app), the view's errors go to Flask's own error
    handling, once, after the decorator: error handlers run once and the answer carries no
    CORS headers (CORS(app, resources={}) gives them, see the next test)."""
    app = Flask(__name__)
    calls: list[str] = []

    @app.errorhandler(ValueError)
    def handler(error: ValueError) -> tuple[str, int]:
        calls.append("handled")
        return "bad", 400

    @app.route("/handled")
    @cross_origin(origins=[A])
    def handled() -> str:
        raise ValueError()

    response = app.test_client().get("/handled", headers={"Origin": A})
    assert response.status_code == 400
    assert calls == ["handled"]
    assert "Access-Control-Allow-Origin" not in response.headers


def test_decorators_only_with_an_empty_resources_extension() -> None:
    """SPEC 1, 4: CORS(app, resources={}) covers no path but gives decorated views the CORS
    layer: their preflights skip the app's hooks and are judged by the serving view."""
    app = Flask(__name__)
    ran: list[str] = []

    @app.before_request
    def auth() -> None:
        ran.append(request.method)
        if "Authorization" not in request.headers:
            abort(401)

    @app.post("/z")
    def post_z() -> str:
        return "p"

    @app.get("/z")
    @cross_origin(origins=[A])
    def get_z() -> str:
        return "g"

    @app.get("/plain")
    def plain() -> str:
        return "plain"

    CORS(app, resources={})
    client = app.test_client()
    preflight = client.options("/z", headers={"Origin": A, "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == A
    assert ran == []
    response = client.get("/plain", headers={"Origin": A, "Authorization": "x"})
    assert "Access-Control-Allow-Origin" not in response.headers
    aborted = client.get("/z", headers={"Origin": A})  # the auth hook aborts with 401
    assert aborted.status_code == 401
    assert aborted.headers["Access-Control-Allow-Origin"] == A


def test_a_405_is_judged_by_the_same_route_in_every_process() -> None:
    """SPEC 4: a path with several views answers a 405 by one fixed route's policy, whatever
    the process's string hashing (the allowed methods come from a set)."""
    script = f"""
from flask import Flask
from flask_crossorigin import CORS, cross_origin
app = Flask("d"); CORS(app, origins=["https://b.example"])
@app.post("/z")
def zp(): return "p"
@app.get("/z")
@cross_origin(origins=[{A!r}])
def zg(): return "g"
r = app.test_client().put("/z", headers={{"Origin": {A!r}}})
print(r.status_code, r.headers.get("Access-Control-Allow-Origin"))
"""
    answers = set()
    for seed in ("1", "2", "3", "4", "5"):
        done = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        answers.add(done.stdout.strip())
    assert answers == {f"405 {A}"}


def test_a_decorated_view_does_not_keep_an_app_alive() -> None:
    """SPEC 1, 7: a decorated view registered on a fresh app per test (an app factory with a
    module-level blueprint) lets each app go once it is dropped, with or without the
    extension; the next app is still answered with its own policy."""
    import gc
    import weakref

    bp = Blueprint("api", __name__)

    @bp.route("/ping")
    @cross_origin(origins=[A])
    def ping() -> str:
        return "pong"

    for extension in (False, True):
        for origin in (A, "https://b.example"):
            app = Flask(__name__)
            if extension:
                CORS(app, resources={})
            app.register_blueprint(bp)
            response = app.test_client().get("/ping", headers={"Origin": origin})
            assert response.headers.get("Access-Control-Allow-Origin") == (
                A if origin == A else None
            )
            released = weakref.ref(app)
            del app, response
            gc.collect()
            assert released() is None


def test_cors_after_the_first_request_installs_nothing() -> None:
    """SPEC 1: ``CORS(app)`` on an app that has served a request fails as Flask's own setup
    methods do, and leaves nothing half-installed: the app answers as before, and a later
    attempt fails the same way."""
    app = Flask(__name__)

    @app.route("/items", methods=["GET", "PUT"])
    def items() -> str:
        return "ok"

    client = app.test_client()
    client.get("/items")
    dispatch = app.full_dispatch_request
    for _ in range(2):
        with pytest.raises(AssertionError, match="can no longer be called"):
            CORS(app, origins=[A])
    assert app.full_dispatch_request == dispatch
    assert "flask_crossorigin" not in app.extensions
    preflight = client.options(
        "/items", headers={"Origin": A, "Access-Control-Request-Method": "PUT"}
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_cors_again_after_the_first_request_changes_nothing() -> None:
    """SPEC 1: a second ``CORS(app)`` or ``init_app`` once the app has served a request fails
    as Flask's setup methods do (as with flask-cors), and the policy in force stays."""
    app = Flask(__name__)
    CORS(app, origins=[A])

    @app.route("/items")
    def items() -> str:
        return "ok"

    client = app.test_client()
    assert client.get("/items", headers={"Origin": A}).headers[ACAO_NAME] == A
    for again in (lambda: CORS(app, origins=[B_ORIGIN]), lambda: CORS().init_app(app)):
        with pytest.raises(AssertionError, match="can no longer be called"):
            again()
    assert client.get("/items", headers={"Origin": A}).headers[ACAO_NAME] == A
    assert ACAO_NAME not in client.get("/items", headers={"Origin": B_ORIGIN}).headers


def _credentials_with_star_view(app: Flask) -> None:
    @app.route("/v")
    @cross_origin(supports_credentials=True)
    def v() -> str:
        return "v"


def test_failed_cors_leaves_nothing_installed(caplog: pytest.LogCaptureFixture) -> None:
    """SPEC 2, 6: ``CORS(app)`` that fails on a decorated view (credentials with
    ``CORS_ORIGINS='*'``) installs nothing; the view then serves as a decorator alone does
    with a configuration problem: no CORS grant, one ERROR, never a 500."""
    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = "*"
    _credentials_with_star_view(app)
    dispatch = app.full_dispatch_request
    with pytest.raises(CORSConfigError):
        CORS(app, origins=[A])
    assert "flask_crossorigin" not in app.extensions
    assert not app.after_request_funcs.get(None)
    assert app.full_dispatch_request == dispatch
    client = app.test_client()
    for _ in range(2):
        response = client.get("/v", headers={"Origin": A})
        assert response.status_code == 200
        assert ACAO_NAME not in response.headers
    assert len([r for r in caplog.records if r.levelname == "ERROR"]) == 1


def test_a_refused_decorated_view_is_not_registered() -> None:
    """SPEC 2, 6: a decorated view whose options cannot be combined with ``app.config``,
    registered after ``CORS(app)``, raises before its route exists; the app serves on."""
    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = "*"
    CORS(app)
    with pytest.raises(CORSConfigError):
        _credentials_with_star_view(app)
    assert "/v" not in {rule.rule for rule in app.url_map.iter_rules()}
    client = app.test_client()
    assert client.get("/v", headers={"Origin": A}).status_code == 404
