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


def test_blueprint_reads_app_config_and_reports_errors_at_registration() -> None:
    bp = make_blueprint()
    CORS(bp, supports_credentials=True)
    app = Flask(__name__)
    with pytest.raises(CORSConfigError, match="supports_credentials"):
        app.register_blueprint(bp)

    bp2 = make_blueprint()
    CORS(bp2)
    app2 = Flask(__name__)
    app2.config["CORS_ORIGINS"] = [B]
    app2.register_blueprint(bp2)
    assert acao(app2, "/data", B) == B
    assert acao(app2, "/data", A) is None


def test_resources_on_a_blueprint_is_an_error() -> None:
    bp = make_blueprint()
    CORS(bp, resources={"/x": {}})
    with pytest.raises(CORSConfigError, match="resources does not apply to a blueprint"):
        Flask(__name__).register_blueprint(bp)
