"""Example: a flask-restx API on one origin, called by a page on another.

``create_app()`` builds the API; ``example_app.frontend`` serves the page; ``python -m
example_app.demo`` (``make demo``) runs both.
"""

from __future__ import annotations

import os
from typing import Any, Optional

from flask import Flask, abort, request, session
from flask_restx import Api

from . import auth, db, public, todos

DEFAULT_PAGE_ORIGIN = "http://localhost:5001"


def create_app(
    config: Optional[dict[str, Any]] = None, cors_library: str = "flask-crossorigin"
) -> Flask:
    """The API. ``config`` overrides ``app.config``; environment variables prefixed ``FLASK_``
    (``FLASK_CORS_ORIGINS='["http://localhost:5001"]'``) override the defaults below.

    ``cors_library="flask-cors"`` wires the same app with flask-cors, for comparison.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="dev-only-secret-change-me",
        DATABASE=os.path.join(app.instance_path, "todos.sqlite"),
        SESSION_COOKIE_SAMESITE="Lax",
        RESTX_MASK_SWAGGER=False,
        # CORS for the API: the page's origin, with cookies.
        CORS_ORIGINS=[DEFAULT_PAGE_ORIGIN],
        CORS_SUPPORTS_CREDENTIALS=True,
        CORS_ALLOW_HEADERS=["Content-Type", "X-Client"],
        CORS_EXPOSE_HEADERS=["X-Total-Count"],
        CORS_MAX_AGE=600,
    )
    app.config.from_prefixed_env()
    app.config.update(config or {})
    os.makedirs(app.instance_path, exist_ok=True)
    db.init_app(app)

    @app.before_request
    def require_login_for_writes() -> None:
        """A typical auth hook: everything but reads and logging in needs a session.

        It does not special-case OPTIONS; flask-crossorigin answers preflights before it runs.
        """
        if not request.path.startswith("/api/todos") or request.method in ("GET", "HEAD"):
            return
        if "user" not in session:
            abort(401, "log in first")

    api = Api(
        app,
        version="1.0",
        title="Todo API",
        description="An example API called from another origin",
        prefix="/api",
        doc="/api/docs",
    )
    if cors_library == "flask-cors":
        from flask_cors import CORS, cross_origin
    else:
        from flask_crossorigin import CORS, cross_origin  # type: ignore[assignment]

    api.add_namespace(todos.ns)
    api.add_namespace(auth.ns)
    api.add_namespace(public.namespace(cross_origin, decorate_class=cors_library != "flask-cors"))
    public.register_ping(app, cross_origin)
    CORS(app, resources={r"/api/*": {}})
    return app
