"""The app gunicorn serves in the routed-path and teardown tests: an admin resource and a
blog-wide one, credentials on, and the common per-request database handle that
``before_request`` opens and ``teardown_appcontext`` closes (SPEC sections 4 and 5)."""

from __future__ import annotations

from typing import Optional

from flask import Flask, g

from flask_crossorigin import CORS

ADMIN = "http://admin.test"
BLOG = "http://blog.test"


class Connection:
    """Stands for a database connection."""

    def close(self) -> None:
        """Nothing to close."""


def create_app() -> Flask:
    app = Flask("routed")
    CORS(
        app,
        resources={r"/api/admin/.*": {"origins": [ADMIN]}, r"/api/.*": {"origins": [BLOG]}},
        supports_credentials=True,
    )

    @app.before_request
    def connect() -> None:
        g.db = Connection()

    @app.teardown_appcontext
    def close(error: Optional[BaseException]) -> None:
        g.db.close()  # fails when connect() did not run

    @app.route("/ready")
    def ready() -> str:
        return "ready"

    @app.route("/api/admin/<path:p>", methods=["GET", "PUT"])
    def admin(p: str) -> str:
        return "admin secrets"

    @app.route("/api/public", methods=["GET", "PUT"])
    def public() -> str:
        return "public"

    return app


app = create_app()
