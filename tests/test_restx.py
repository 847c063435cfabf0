"""flask-restx without a browser: namespaces, abort, validation errors, swagger.json,
``@cross_origin`` on a Resource class and in ``Resource.method_decorators``."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from flask_crossorigin import CORS, cross_origin

restx = pytest.importorskip("flask_restx")

A = "https://app.example"
P = "https://public.example"


def make_api(**options: Any) -> Flask:
    app = Flask("restx_app")
    api = restx.Api(app, prefix="/api", doc="/api/docs")
    ns = restx.Namespace("items")
    item = ns.model("Item", {"name": restx.fields.String(required=True)})

    @ns.route("/")
    class Items(restx.Resource):  # type: ignore[misc,name-defined]
        @ns.marshal_list_with(item)
        def get(self) -> list[dict[str, str]]:
            return [{"name": "a"}]

        @ns.expect(item, validate=True)
        def post(self) -> tuple[dict[str, str], int]:
            return {"name": "created"}, 201

    @ns.route("/<int:item_id>")
    class Item(restx.Resource):  # type: ignore[misc,name-defined]
        def get(self, item_id: int) -> dict[str, int]:
            restx.abort(404, "no such item")
            return {}

    @ns.route("/decorated")
    @cross_origin(origins=[P], max_age=60, supports_credentials=False)
    class Decorated(restx.Resource):  # type: ignore[misc,name-defined]
        def get(self) -> dict[str, str]:
            return {"decorated": "yes"}

        def put(self) -> dict[str, str]:
            return {"put": "yes"}

    class ViaMethodDecorators(restx.Resource):  # type: ignore[misc,name-defined]
        method_decorators = [cross_origin(origins=[P], supports_credentials=False)]

        def get(self) -> dict[str, str]:
            return {"method_decorators": "yes"}

    ns.add_resource(ViaMethodDecorators, "/method-decorated")
    api.add_namespace(ns)
    CORS(app, **options)
    return app


@pytest.fixture
def app() -> Flask:
    return make_api(origins=[A], supports_credentials=True)


def get(app: Flask, path: str, origin: str = A) -> Any:
    return app.test_client().get(path, headers={"Origin": origin})


def test_resources_get_headers(app: Flask) -> None:
    response = get(app, "/api/items/")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == A
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


def test_abort_and_404_keep_headers(app: Flask) -> None:
    for path, status in (("/api/items/7", 404), ("/api/nothing", 404)):
        response = get(app, path)
        assert response.status_code == status
        assert response.headers["Access-Control-Allow-Origin"] == A


def test_validation_error_keeps_headers(app: Flask) -> None:
    response = app.test_client().post("/api/items/", json={}, headers={"Origin": A})
    assert response.status_code == 400
    assert "name" in response.get_json()["errors"]
    assert response.headers["Access-Control-Allow-Origin"] == A


def test_swagger_json_and_docs(app: Flask) -> None:
    spec = get(app, "/api/swagger.json")
    assert spec.status_code == 200
    assert spec.headers["Access-Control-Allow-Origin"] == A
    assert "/items/decorated" in spec.get_json()["paths"]
    assert "options" not in spec.get_json()["paths"]["/items/decorated"]


def test_decorated_resource_class_wins_and_answers_its_preflight(app: Flask) -> None:
    assert get(app, "/api/items/decorated", P).headers["Access-Control-Allow-Origin"] == P
    assert "Access-Control-Allow-Origin" not in get(app, "/api/items/decorated", A).headers
    response = app.test_client().options(
        "/api/items/decorated", headers={"Origin": P, "Access-Control-Request-Method": "PUT"}
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Max-Age"] == "60"
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_method_decorators(app: Flask) -> None:
    assert get(app, "/api/items/method-decorated", P).headers["Access-Control-Allow-Origin"] == P
    response = app.test_client().options(
        "/api/items/method-decorated",
        headers={"Origin": P, "Access-Control-Request-Method": "GET"},
    )
    assert response.headers["Access-Control-Allow-Origin"] == P


def test_resources_option_with_restx() -> None:
    app = make_api(resources={r"/api/.*": {"origins": [A]}})
    assert get(app, "/api/items/").headers["Access-Control-Allow-Origin"] == A
    assert get(app, "/api/docs").headers["Access-Control-Allow-Origin"] == A
    assert get(app, "/api/swagger.json").headers["Access-Control-Allow-Origin"] == A


def test_example_app_end_to_end(tmp_path: Any) -> None:
    from example_app import create_app

    app = create_app({"DATABASE": str(tmp_path / "t.sqlite"), "TESTING": True})
    client = app.test_client()
    origin = "http://localhost:5001"
    pre = client.options(
        "/api/todos/1",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "content-type,x-client",
        },
    )
    assert pre.status_code == 200 and pre.headers["Access-Control-Max-Age"] == "600"
    login = client.post(
        "/api/auth/login", json={"username": "ada", "password": "demo"}, headers={"Origin": origin}
    )
    assert login.headers["Access-Control-Allow-Credentials"] == "true"
    created = client.post("/api/todos/", json={"title": "t"}, headers={"Origin": origin})
    assert created.status_code == 201
    listed = client.get("/api/todos/", headers={"Origin": origin})
    assert listed.headers["X-Total-Count"] == "1"
    assert listed.headers["Access-Control-Expose-Headers"] == "X-Total-Count"


def test_marshal_with_and_expect_validation_error_keeps_headers() -> None:
    app = Flask("restx_validation")
    api = restx.Api(app)
    model = api.model("Thing", {"size": restx.fields.Integer(required=True)})

    @api.route("/things")
    class Things(restx.Resource):  # type: ignore[misc,name-defined]
        @api.expect(model, validate=True)
        @api.marshal_with(model, code=201)
        def post(self) -> tuple[dict[str, int], int]:
            return {"size": 1}, 201

    CORS(app, origins=[A])
    client = app.test_client()
    bad = client.post("/things", json={"size": "big"}, headers={"Origin": A})
    assert bad.status_code == 400
    assert "size" in bad.get_json()["errors"]
    assert bad.headers["Access-Control-Allow-Origin"] == A
    good = client.post("/things", json={"size": 3}, headers={"Origin": A})
    assert good.status_code == 201 and good.get_json() == {"size": 1}
    assert good.headers["Access-Control-Allow-Origin"] == A


def test_api_errorhandler_response_keeps_headers() -> None:
    app = Flask("restx_errorhandler")
    api = restx.Api(app)

    @api.errorhandler(LookupError)
    def not_here(error: LookupError) -> tuple[dict[str, str], int]:
        return {"message": "looked, found nothing"}, 410

    @api.route("/gone")
    class Gone(restx.Resource):  # type: ignore[misc,name-defined]
        def get(self) -> dict[str, str]:
            raise LookupError("gone")

    CORS(app, origins=[A])
    response = app.test_client().get("/gone", headers={"Origin": A})
    assert response.status_code == 410
    assert response.headers["Access-Control-Allow-Origin"] == A


def test_decorated_resource_preflight_is_answered_before_auth_hooks() -> None:
    app = make_api(origins=[A], supports_credentials=True)

    @app.before_request
    def require_token() -> Any:
        from flask import abort, request

        if "Authorization" not in request.headers:
            abort(401)
        return None

    client = app.test_client()
    preflight = client.options(
        "/api/items/decorated",
        headers={
            "Origin": P,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == P
    # The actual request meets the hook, and the refusal keeps the Resource's headers.
    refused = client.put("/api/items/decorated", headers={"Origin": P})
    assert refused.status_code == 401
    assert refused.headers["Access-Control-Allow-Origin"] == P
    allowed = client.put("/api/items/decorated", headers={"Origin": P, "Authorization": "x"})
    assert allowed.status_code == 200 and allowed.get_json() == {"put": "yes"}


def test_decorated_resource_abort_keeps_its_own_policy() -> None:
    app = Flask("restx_decorated_abort")
    api = restx.Api(app)

    @api.route("/only-public/<int:n>")
    @cross_origin(origins="*", supports_credentials=False)
    class OnlyPublic(restx.Resource):  # type: ignore[misc,name-defined]
        def get(self, n: int) -> dict[str, int]:
            if n > 1:
                restx.abort(404, "too big")
            return {"n": n}

    CORS(app, origins=[A], supports_credentials=True)
    response = app.test_client().get("/only-public/5", headers={"Origin": P})
    assert response.status_code == 404
    assert response.headers["Access-Control-Allow-Origin"] == P
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_method_decorators_as_a_dict_and_refused_headers() -> None:
    app = Flask("restx_method_dict")
    api = restx.Api(app)

    @api.route("/per-method")
    class PerMethod(restx.Resource):  # type: ignore[misc,name-defined]
        method_decorators = {
            "get": [cross_origin(origins=[P], allow_headers=["X-Only"], max_age=30)]
        }

        def get(self) -> dict[str, str]:
            return {"per": "method"}

    CORS(app, origins=[A])
    client = app.test_client()

    def preflight(header: str) -> Any:
        return client.options(
            "/per-method",
            headers={
                "Origin": P,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": header,
            },
        )

    granted = preflight("x-only")
    assert granted.headers["Access-Control-Allow-Origin"] == P
    assert granted.headers["Access-Control-Max-Age"] == "30"
    refused = preflight("x-other")
    assert not [k for k, _ in refused.headers.items() if k.startswith("Access-Control-Allow")]
    assert "Access-Control-Max-Age" not in refused.headers
    assert (
        client.get("/per-method", headers={"Origin": P}).headers["Access-Control-Allow-Origin"] == P
    )


def test_example_app_reads_cors_settings_from_the_environment(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from example_app import create_app

    monkeypatch.setenv("FLASK_CORS_ORIGINS", '["http://localhost:7001"]')
    app = create_app({"DATABASE": str(tmp_path / "env.sqlite")})
    assert app.config["CORS_ORIGINS"] == ["http://localhost:7001"]
    client = app.test_client()
    allowed = client.get("/api/todos/", headers={"Origin": "http://localhost:7001"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "http://localhost:7001"
    refused = client.get("/api/todos/", headers={"Origin": "http://localhost:5001"})
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_example_app_with_flask_cors_and_a_wrong_library(tmp_path: Any) -> None:
    from example_app import create_app

    app = create_app({"DATABASE": str(tmp_path / "fc.sqlite")}, cors_library="flask-cors")
    assert "cors" not in app.extensions  # flask-crossorigin registers itself there
    response = app.test_client().get("/api/todos/", headers={"Origin": "http://localhost:5001"})
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:5001"
    with pytest.raises(ValueError, match="cors_library"):
        create_app({"DATABASE": str(tmp_path / "x.sqlite")}, cors_library="flask_cors")


def test_example_app_errors_and_public_endpoints(tmp_path: Any) -> None:
    from example_app import create_app

    app = create_app({"DATABASE": str(tmp_path / "e.sqlite")})
    client = app.test_client()
    origin = {"Origin": "http://localhost:5001"}
    bad = client.get("/api/todos/?done=maybe", headers=origin)
    assert bad.status_code == 400 and "done must be" in bad.get_json()["message"]
    assert bad.headers["Access-Control-Allow-Credentials"] == "true"
    assert client.get("/api/todos/?done=false", headers=origin).headers["X-Total-Count"] == "0"
    unauthorised = client.post("/api/todos/", json={"title": "x"}, headers=origin)
    assert unauthorised.status_code == 401
    assert unauthorised.headers["Access-Control-Allow-Origin"] == origin["Origin"]
    anyone = {"Origin": "https://anyone.example"}
    for path in ("/api/public/stats", "/public/ping"):
        response = client.get(path, headers=anyone)
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == anyone["Origin"]
        assert "Access-Control-Allow-Credentials" not in response.headers
    spec = client.get("/api/swagger.json").get_json()
    assert {"/todos/", "/todos/{todo_id}", "/auth/login", "/public/stats"} <= set(spec["paths"])


def test_decorated_subclass_of_a_decorated_resource_uses_one_policy() -> None:
    app = Flask("restx_subclass")
    api = restx.Api(app)
    parent_origin, child_origin = "https://parent.example", "https://child.example"

    @cross_origin(origins=[parent_origin])
    class Base(restx.Resource):  # type: ignore[misc,name-defined]
        def get(self) -> dict[str, str]:
            return {"from": "base"}

    @cross_origin(origins=[child_origin])
    class Child(Base):  # type: ignore[misc,valid-type]
        def get(self) -> dict[str, str]:
            return {"from": "child"}

    api.add_resource(Child, "/child")
    CORS(app)
    client = app.test_client()
    preflight = client.options(
        "/child", headers={"Origin": child_origin, "Access-Control-Request-Method": "GET"}
    )
    assert preflight.headers.get("Access-Control-Allow-Origin") == child_origin
    # The browser sends the request only after that preflight; the answer must agree with it.
    actual = client.get("/child", headers={"Origin": child_origin})
    assert actual.headers.get("Access-Control-Allow-Origin") == child_origin
    assert (
        "Access-Control-Allow-Origin"
        not in client.get("/child", headers={"Origin": parent_origin}).headers
    )
