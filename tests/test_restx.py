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
