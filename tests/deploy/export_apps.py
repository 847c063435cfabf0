"""The apps whose policies are exported to nginx in the deployment tests, one per policy.

``EXPORT_POLICY`` names the policy gunicorn serves (``app`` below); the tests build the same
app in-process with :func:`create_app` for the verdict from the app alone.
"""

from __future__ import annotations

import os
import re

from flask import Blueprint, Flask, Response, jsonify, request

from flask_crossorigin import CORS, cross_origin

#: Every policy the tests export, in the order they run.
POLICIES = ("exact_credentials", "patterns_ports", "regexes", "per_resource", "public", "pna")
#: Origins each policy allows somewhere (the tests send them more often).
LISTED = {
    "exact_credentials": ("https://app.example.com", "http://localhost:3000"),
    "patterns_ports": (
        "https://a.example.com",
        "https://deep.a.example.com",
        "http://localhost:8080",
        "https://x.example.org:8443",
        "http://127.0.0.1:5173",
    ),
    "regexes": (
        "https://admin.example.com",
        "https://pr-12.preview.example.net",
        "http://localhost:3000",
    ),
    "per_resource": (
        "https://app.example.com",
        "https://other.example.com",
        "https://partner.example.com",
        "https://tool.example.com",
    ),
    "public": ("https://anyone.example", "null"),
    "pna": ("https://app.example.com",),
}


def _views(app: Flask, prefix: str) -> None:
    """The same routes under ``prefix``: a collection, an item, a trailing-slash rule."""

    def collection() -> Response:
        response = jsonify(method=request.method)
        response.headers["X-Total"] = "2"
        response.headers["Vary"] = "Accept-Encoding"
        return response

    def item(item_id: int) -> Response:
        if item_id == 404:
            return Response("gone", status=404)
        return jsonify(id=item_id)

    def folder() -> Response:
        return jsonify(folder=True)

    methods = ["GET", "POST", "PUT", "DELETE", "PATCH"]
    app.add_url_rule(f"{prefix}/items", f"{prefix}-items", collection, methods=methods)
    app.add_url_rule(f"{prefix}/items/<int:item_id>", f"{prefix}-item", item, methods=methods)
    app.add_url_rule(f"{prefix}/folder/", f"{prefix}-folder", folder)


def create_app(policy: str) -> Flask:
    app = Flask(f"export-{policy}")

    @app.get("/ready")
    def ready() -> str:
        return "ready"

    @app.get("/internal")
    def internal() -> str:
        return "not covered"

    _views(app, "/api")
    if policy == "exact_credentials":
        CORS(
            app,
            resources={r"/api/*": {}},
            origins=["https://app.example.com", "http://localhost:3000"],
            supports_credentials=True,
            expose_headers=["X-Total"],
            allow_headers=["Content-Type", "X-Token"],
            max_age=600,
        )
    elif policy == "patterns_ports":
        CORS(
            app,
            resources={r"/api/*": {}},
            origins=[
                "https://*.example.com",
                "http://localhost:*",
                "https://*.example.org:8443",
                "http://127.0.0.1:*",
            ],
            methods=["GET", "POST"],
            supports_credentials=True,
        )
    elif policy == "regexes":
        CORS(
            app,
            resources={r"/api/*": {}},
            origins=[
                r"https://(app|admin)\.example\.com",
                re.compile(r"https://[a-z0-9-]+\.preview\.example\.net"),
                r"http://localhost:[0-9]{4}",
            ],
            methods=["GET", "PUT", "DELETE"],
            allow_headers=["X-Token", "Content-Type"],
        )
    elif policy == "per_resource":
        _per_resource(app)
    elif policy == "public":
        CORS(app, resources={r"/api/*": {}}, send_wildcard=True, expose_headers=["X-Total"])
    elif policy == "admin_blog":
        _admin_blog(app)
    elif policy == "split_methods":
        _split_methods(app)
    elif policy == "pna":
        CORS(
            app,
            resources={r"/api/*": {}},
            origins=["https://app.example.com"],
            allow_private_network=True,
            supports_credentials=True,
            max_age=60,
        )
    else:
        raise LookupError(policy)
    return app


def _split_methods(app: Flask) -> None:
    """Views that share paths under different policies, one method each, and a view with one
    method (its 405s): the app's policy depends on the method (SPEC 8)."""

    @app.get("/items/special")
    @cross_origin(origins=["https://evil.example"])
    def special() -> str:
        return "special"

    @app.post("/items/<name>")
    @cross_origin(origins=["https://good.example"])
    def item(name: str) -> str:
        return name

    @app.get("/x")
    @cross_origin(origins="*")
    def read_x() -> str:
        return "x"

    @app.post("/x")
    def write_x() -> str:
        return "x"

    @app.get("/one")
    @cross_origin(origins=["https://good.example"], supports_credentials=True)
    def one() -> str:
        return "one"


def _per_resource(app: Flask) -> None:
    """App resources, a blueprint's own policy and a decorated view side by side."""
    bp = Blueprint("partners", __name__, url_prefix="/partners")

    @bp.route("/orders", methods=["GET", "POST"])
    def orders() -> Response:
        return jsonify(orders=[])

    @bp.get("/orders/<uuid:order_id>")
    def order(order_id: object) -> Response:
        return jsonify(order=str(order_id))

    CORS(bp, origins=["https://partner.example.com"], methods=["GET", "POST"])
    app.register_blueprint(bp)

    @app.route("/decorated", methods=["GET", "PUT"])
    @cross_origin(origins=["https://tool.example.com"], methods=["GET", "PUT"], max_age=30)
    def decorated() -> Response:
        return jsonify(decorated=True)

    CORS(
        app,
        resources={
            r"/api/items/*": {"origins": ["https://app.example.com"], "supports_credentials": True},
            r"/api/*": {"origins": ["https://other.example.com"], "allow_headers": ["X-Token"]},
        },
    )


#: The two origins of ``admin_blog``: the admin console's, and a blog's (SPEC 5 attack).
ADMIN = "https://admin.example.com"
BLOG = "https://blog.example.com"


def _admin_blog(app: Flask) -> None:
    """Admin views under ``/api/admin/`` for ADMIN only, the rest of ``/api`` for BLOG, with
    credentials: a path that the app routes to an admin view but that resolves elsewhere
    (``/api/admin/x%2F..%2F..%2Fpublic``) must never be granted to BLOG.
    ``EXPORT_BLOG_ORIGIN`` replaces BLOG (the browser test's page origin)."""
    blog = os.environ.get("EXPORT_BLOG_ORIGIN", BLOG)

    @app.route("/api/admin/<path:name>", methods=["GET", "PUT"])
    def admin(name: str) -> Response:
        return jsonify(admin=name, secret="s3cr3t")

    @app.route("/api/admin/users", methods=["GET", "PUT"])
    def admin_users() -> Response:
        return jsonify(users=["root"])

    @app.route("/api/public", methods=["GET", "PUT"])
    def public() -> Response:
        return jsonify(public=True)

    @app.route("/api/posts/<int:post_id>", methods=["GET", "PUT"])
    def post(post_id: int) -> Response:
        return jsonify(post=post_id)

    CORS(
        app,
        resources={r"/api/admin/.*": {"origins": [ADMIN]}, r"/api/.*": {"origins": [blog]}},
        supports_credentials=True,
        methods=["GET", "PUT"],
        allow_headers=["Content-Type"],
    )


app = create_app(os.environ.get("EXPORT_POLICY", "exact_credentials"))
