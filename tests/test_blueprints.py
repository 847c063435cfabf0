"""Blueprint-scoped policies: CORS(bp) covers the blueprint's routes wherever it is registered.

Precedence: decorator > blueprint > resources > app.
"""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask, abort, request

from flask_crossorigin import CORS, CORSConfigError, coverage, cross_origin

A = "https://a.example"
B = "https://b.example"
C = "https://c.example"


def make_blueprint() -> Blueprint:
    bp = Blueprint("partner", __name__)

    @bp.route("/data", methods=["GET", "PUT"])
    def data() -> str:
        return "data"

    @bp.route("/special")
    @cross_origin(origins=[C])
    def special() -> str:
        return "special"

    return bp


def acao(app: Flask, path: str, origin: str) -> str | None:
    return (
        app.test_client()
        .get(path, headers={"Origin": origin})
        .headers.get("Access-Control-Allow-Origin")
    )


def test_blueprint_policy_wins_over_app_and_decorator_wins_over_blueprint() -> None:
    bp = make_blueprint()
    CORS(bp, origins=[B], max_age=30)
    app = Flask(__name__)
    app.register_blueprint(bp, url_prefix="/partner")
    app.add_url_rule("/api/x", "x", lambda: "x")
    CORS(app, resources={r"/.*": {"origins": [A]}})

    assert acao(app, "/partner/data", B) == B
    assert acao(app, "/partner/data", A) is None
    assert acao(app, "/partner/special", C) == C
    assert acao(app, "/partner/special", B) is None
    assert acao(app, "/api/x", A) == A
    found = coverage(app, "/partner/data")
    assert found is not None and found.source == "blueprint 'partner'"


def test_blueprint_registered_twice_and_before_the_app_extension() -> None:
    bp = make_blueprint()
    cors = CORS()
    cors.init_app(bp, origins=[B])
    app = Flask(__name__)
    app.register_blueprint(bp, url_prefix="/v1")
    app.register_blueprint(bp, url_prefix="/v2", name="partner_v2")
    for prefix in ("/v1", "/v2"):
        assert acao(app, f"{prefix}/data", B) == B
        assert acao(app, f"{prefix}/data", A) is None


def test_blueprint_preflight_answered_before_app_hooks() -> None:
    bp = make_blueprint()
    CORS(bp, origins=[B], supports_credentials=True)
    app = Flask(__name__)

    @app.before_request
    def auth() -> None:
        if request.method != "GET":
            abort(401)

    app.register_blueprint(bp, url_prefix="/p")
    response = app.test_client().options(
        "/p/data", headers={"Origin": B, "Access-Control-Request-Method": "PUT"}
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


def test_nested_blueprints_innermost_policy_wins() -> None:
    parent = Blueprint("parent", __name__)
    child = Blueprint("child", __name__)

    @child.route("/c")
    def c() -> str:
        return "c"

    @parent.route("/p")
    def p() -> str:
        return "p"

    CORS(parent, origins=[A])
    CORS(child, origins=[B])
    parent.register_blueprint(child, url_prefix="/child")
    app = Flask(__name__)
    app.register_blueprint(parent, url_prefix="/parent")
    assert acao(app, "/parent/p", A) == A
    assert acao(app, "/parent/child/c", B) == B
    assert acao(app, "/parent/child/c", A) is None


def test_blueprint_errors_keep_their_cors_headers() -> None:
    bp = Blueprint("bp", __name__)

    @bp.route("/fail")
    def fail() -> str:
        abort(409)

    CORS(bp, origins=[B])
    app = Flask(__name__)
    app.register_blueprint(bp)
    response = app.test_client().get("/fail", headers={"Origin": B})
    assert response.status_code == 409
    assert response.headers["Access-Control-Allow-Origin"] == B


def test_blueprint_reports_errors_at_registration() -> None:
    """SPEC 2: a blueprint's bad policy fails when the blueprint is registered."""
    bp = make_blueprint()
    CORS(bp, supports_credentials=True)
    app = Flask(__name__)
    with pytest.raises(CORSConfigError, match="supports_credentials"):
        app.register_blueprint(bp)


@pytest.mark.parametrize("with_resources", [False, True])
def test_app_config_keys_do_not_apply_to_a_blueprint(with_resources: bool) -> None:
    """SPEC 5, as flask-cors 6.0.5: the app's CORS_* keys do not apply to CORS(bp), with or
    without resources (a public blueprint stays public after the switch), while the app's
    own policy takes them."""
    bp = make_blueprint()
    CORS(bp, resources={"/data": {}}) if with_resources else CORS(bp)
    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = [B]
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True
    app.config["CORS_EXPOSE_HEADERS"] = ["X-Total"]
    CORS(app)

    @app.route("/own")
    def own() -> str:
        return "own"

    app.register_blueprint(bp)
    response = app.test_client().get("/data", headers={"Origin": A})
    assert response.headers["Access-Control-Allow-Origin"] == A
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Access-Control-Expose-Headers" not in response.headers
    assert acao(app, "/own", A) is None
    assert acao(app, "/own", B) == B


def test_blueprint_config_keys_match_flask_cors() -> None:
    """SPEC 5: the same blueprint and app config under flask-cors 6.0.5 grants A too, with
    no credentials: the app's keys are not read there either."""
    flask_cors = pytest.importorskip("flask_cors")
    bp = Blueprint("partner", __name__)
    bp.add_url_rule("/data", "data", lambda: "data")
    flask_cors.CORS(bp)
    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = [B]
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True
    app.register_blueprint(bp)
    response = app.test_client().get("/data", headers={"Origin": A})
    assert response.headers["Access-Control-Allow-Origin"] == A
    assert "Access-Control-Allow-Credentials" not in response.headers


def api_blueprint(name: str = "api") -> Blueprint:
    bp = Blueprint(name, __name__)

    @bp.route("/api/v1/ping", methods=["GET", "PUT"])
    def ping() -> str:
        return "pong"

    @bp.route("/api/v1/<item>")
    def item(item: str) -> str:
        return item

    @bp.route("/no_cors")
    def no_cors() -> str:
        return "no cors here"

    return bp


def test_blueprint_resources_match_the_full_path_and_cover_only_its_routes() -> None:
    """SPEC 5: CORS(bp, resources=...) as flask-cors 6.0.5: patterns against the full path."""
    bp = api_blueprint()
    CORS(bp, resources={r"/api/*": {"origins": A}})
    app = Flask(__name__)
    app.register_blueprint(bp)

    @app.route("/api/outside")
    def outside() -> str:
        return "not the blueprint's"

    assert acao(app, "/api/v1/ping", A) == A
    assert acao(app, "/api/v1/ping", B) is None
    assert acao(app, "/no_cors", A) is None  # the blueprint's, but no pattern matches
    assert acao(app, "/api/outside", A) is None  # the pattern matches, not the blueprint's
    found = coverage(app, "/api/v1/ping")
    assert found is not None and found.source == "blueprint 'api' resources['/api/*']"
    assert coverage(app, "/no_cors") is None


def test_blueprint_resources_see_the_url_prefix() -> None:
    """SPEC 5: the full request path, url_prefix included, is what the patterns see."""
    bp = api_blueprint()
    CORS(bp, resources={r"/v2/api/*": {"origins": A}})
    app = Flask(__name__)
    app.register_blueprint(bp, url_prefix="/v2")
    assert acao(app, "/v2/api/v1/ping", A) == A
    bp_plain = api_blueprint("plain")
    CORS(bp_plain, resources={r"/api/*": {"origins": A}})
    app2 = Flask(__name__)
    app2.register_blueprint(bp_plain, url_prefix="/v2")
    assert acao(app2, "/v2/api/v1/ping", A) is None


def test_blueprint_init_app_with_resources_and_precedence() -> None:
    """SPEC 1 and 5: init_app(bp) works; a resource's own options win over the keywords,
    the most specific pattern first, and a path-dependent match per request."""
    bp = api_blueprint()
    cors = CORS(resources={r"/api/*": {"origins": B}, "/api/v1/special": {"origins": C}})
    cors.init_app(bp, max_age=60)
    app = Flask(__name__)
    app.register_blueprint(bp)
    client = app.test_client()
    preflight = client.options(
        "/api/v1/ping", headers={"Origin": B, "Access-Control-Request-Method": "PUT"}
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == B
    assert preflight.headers["Access-Control-Max-Age"] == "60"
    # Two paths of one route (/api/v1/<item>), two resources.
    assert acao(app, "/api/v1/special", C) == C
    assert acao(app, "/api/v1/special", B) is None
    assert acao(app, "/api/v1/other", B) == B


def test_blueprint_resources_fall_through_to_the_app_and_outer_blueprints() -> None:
    """SPEC 5: a blueprint route no pattern matches is covered as if the blueprint had no
    CORS (flask-cors: the app's hook still runs); the innermost blueprint is asked first."""
    parent = Blueprint("parent", __name__)
    child = api_blueprint("child")
    CORS(child, resources={r"/parent/api/*": {"origins": B}})
    CORS(parent, origins=[C])
    parent.register_blueprint(child)
    app = Flask(__name__)
    app.register_blueprint(parent, url_prefix="/parent")
    assert acao(app, "/parent/api/v1/ping", B) == B
    assert acao(app, "/parent/no_cors", C) == C  # the enclosing blueprint's policy
    assert acao(app, "/parent/no_cors", B) is None

    bp = api_blueprint()
    CORS(bp, resources={r"/api/*": {"origins": B}})
    app2 = Flask(__name__)
    app2.register_blueprint(bp)
    CORS(app2, origins=[A])
    assert acao(app2, "/no_cors", A) == A
    assert acao(app2, "/api/v1/ping", B) == B
    assert acao(app2, "/api/v1/ping", A) is None


def test_blueprint_resources_405_and_errors_keep_the_resource_policy() -> None:
    """SPEC 4 and 5: a 405 on a blueprint resource path gets that resource's headers."""
    bp = api_blueprint()
    CORS(bp, resources={r"/api/*": {"origins": A}})
    app = Flask(__name__)
    app.register_blueprint(bp)
    response = app.test_client().delete("/api/v1/ping", headers={"Origin": A})
    assert response.status_code == 405
    assert response.headers["Access-Control-Allow-Origin"] == A


def test_blueprint_resources_errors_show_values_as_written() -> None:
    """SPEC 2: a bad blueprint resource fails at registration, naming what the user wrote."""
    bp = api_blueprint()
    CORS(bp, resources={r"/api/*": {"origins": "*"}}, supports_credentials=True)
    with pytest.raises(CORSConfigError) as info:
        Flask(__name__).register_blueprint(bp)
    message = str(info.value)
    assert "origins (from blueprint 'api' resources['/api/*']) '*'" in message
    assert "supports_credentials is on (from CORS(blueprint 'api'))" in message
    for internal in ("Resource(", "OriginEntry(", "Kind."):
        assert internal not in message
