"""SPEC 5: the resource policy and the view come from the same path, the one Werkzeug routes.

A path with ``.`` or ``..`` segments is routed as it is (Werkzeug never resolves them, and
gunicorn decodes ``%2F`` before the app sees the path); it gets a grant only when it falls
under the same resource routed as it is and resolved. Otherwise it is covered and refused:
no ``Access-Control-Allow-*``, ``Vary: Origin``, a preflight answered without a grant, and no
500.
"""

from __future__ import annotations

from typing import Any, Optional

import pytest
from flask import Blueprint, Flask

from flask_crossorigin import CORS

ADMIN = "https://admin.example"
BLOG = "https://blog.example"
RESOURCES = {r"/api/admin/.*": {"origins": [ADMIN]}, r"/api/.*": {"origins": [BLOG]}}
#: What gunicorn hands the app for ``/api/admin/x%2F..%2F..%2Fpublic``: %2F decoded.
ATTACK = "/api/admin/x/../../public"


def admin_app(blueprint: bool = False) -> tuple[Flask, list[str]]:
    """The attack's app: an admin route that takes any path under it, credentials on."""
    served: list[str] = []
    app = Flask(__name__)
    target: Any = Blueprint("admin", __name__) if blueprint else app

    @target.route("/api/admin/<path:p>", methods=["GET", "PUT"])
    def admin(p: str) -> str:
        served.append(p)
        return "admin secrets"

    @target.route("/api/public", methods=["GET", "PUT"])
    def public() -> str:
        return "public"

    if blueprint:
        CORS(target, resources=RESOURCES, supports_credentials=True)
        app.register_blueprint(target)
    else:
        CORS(app, resources=RESOURCES, supports_credentials=True)
    return app, served


def get(app: Flask, path: str, origin: str) -> Any:
    """A GET whose PATH_INFO is ``path`` exactly, dot segments and all (as a server gives)."""
    return app.test_client().get("/", environ_overrides={"PATH_INFO": path, "HTTP_ORIGIN": origin})


def preflight(app: Flask, path: str, origin: str, method: str = "PUT") -> Any:
    return app.test_client().options(
        "/",
        environ_overrides={
            "PATH_INFO": path,
            "HTTP_ORIGIN": origin,
            "HTTP_ACCESS_CONTROL_REQUEST_METHOD": method,
        },
    )


def acao(response: Any) -> Optional[str]:
    value: Optional[str] = response.headers.get("Access-Control-Allow-Origin")
    return value


@pytest.mark.parametrize("blueprint", [False, True], ids=["app", "blueprint"])
def test_dot_segments_do_not_carry_another_resources_grant(blueprint: bool) -> None:
    """SPEC 5: the admin view answers the attack path; the blog's grant must not come with
    it (today's main judged the resolved /api/public and granted BLOG)."""
    app, served = admin_app(blueprint)
    response = get(app, ATTACK, BLOG)
    assert served == ["x/../../public"]  # the admin view did answer
    assert response.status_code == 200
    assert acao(response) is None
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert response.headers["Vary"] == "Origin"
    # Nor the admin's: the path resolves outside the admin resource.
    assert acao(get(app, ATTACK, ADMIN)) is None


@pytest.mark.parametrize("blueprint", [False, True], ids=["app", "blueprint"])
@pytest.mark.parametrize("origin", [BLOG, ADMIN])
def test_dot_segments_preflight_answered_without_a_grant(blueprint: bool, origin: str) -> None:
    """SPEC 4 and 5: the preflight for the attack path is covered, answered by the extension
    (not a 500, not the view), and grants nothing."""
    app, served = admin_app(blueprint)
    response = preflight(app, ATTACK, origin)
    assert response.status_code == 200
    assert served == []
    assert not [h for h, _ in response.headers if h.startswith("Access-Control-Allow")]
    assert "Access-Control-Max-Age" not in response.headers


@pytest.mark.parametrize(
    ("path", "origin", "granted"),
    [
        ("/api/admin/a/./b", ADMIN, True),  # resolves to /api/admin/a/b: same resource
        ("/api/admin/a/../b", ADMIN, True),  # /api/admin/b: same resource
        ("/api/admin/a/../b", BLOG, False),
        ("/api/admin/a/b", ADMIN, True),
        ("/api/admin/a/b", BLOG, False),
        ("/api/public", BLOG, True),
        ("/api/admin/../public", BLOG, False),  # the admin view, resolving to /api/public
    ],
)
def test_dot_segments_within_one_resource_keep_its_grant(
    path: str, origin: str, granted: bool
) -> None:
    """SPEC 5: a path whose segments resolve under the same resource is judged by it."""
    app, _ = admin_app()
    response = get(app, path, origin)
    assert response.status_code in (200, 404)
    assert (acao(response) == origin) is granted


def test_routed_as_it_is_not_as_resolved() -> None:
    """SPEC 5: the raw path picks the resource; /public/./x stays under /public/.*."""
    app = Flask(__name__)
    app.add_url_rule("/public/<path:rest>", "public", lambda rest: rest)
    CORS(app, resources={r"/public/.*": {"origins": "*"}, "/x": {"origins": [ADMIN]}})
    assert acao(get(app, "/public/./y", BLOG)) == BLOG
    # /public/../x is routed to the public view but resolves to the literal /x.
    assert acao(get(app, "/public/../x", BLOG)) is None
