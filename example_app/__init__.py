"""Example: a flask-restx API on one origin, called by a page on another.

``create_app()`` builds the API; ``example_app.frontend`` serves the page; ``python -m
example_app.demo`` runs both.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Optional

from flask import Flask, abort, request, session
from flask_restx import Api

from . import auth, db, public, todos

DEFAULT_PAGE_ORIGIN = "http://localhost:5001"
LIBRARIES = ("flask-crossorigin", "flask-cors")


def create_app(
    config: Optional[Mapping[str, Any]] = None, cors_library: Optional[str] = None
) -> Flask:
    """The API.

    Settings, later ones winning: the defaults below, environment variables prefixed
    ``FLASK_`` (``FLASK_CORS_ORIGINS='["http://localhost:5001"]'``), then ``config``.

    ``cors_library="flask-cors"`` (or ``EXAMPLE_CORS_LIBRARY``) wires the same app with
    flask-cors instead, for comparison.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="dev-only-secret-change-me",
        DATABASE=os.path.join(app.instance_path, "todos.sqlite"),
        SESSION_COOKIE_SAMESITE="Lax",
        RESTX_MASK_SWAGGER=False,
        ERROR_404_HELP=False,
        EXAMPLE_CORS_LIBRARY="flask-crossorigin",
        # CORS for the API: the page's origin, with cookies.
        CORS_ORIGINS=[DEFAULT_PAGE_ORIGIN],
        CORS_SUPPORTS_CREDENTIALS=True,
        CORS_ALLOW_HEADERS=["Content-Type", "X-Client"],
        CORS_EXPOSE_HEADERS=["X-Total-Count"],
        CORS_MAX_AGE=600,
    )
    app.config.from_prefixed_env()
    app.config.update(config or {})
    library = cors_library or app.config["EXAMPLE_CORS_LIBRARY"]
    if library not in LIBRARIES:
        raise ValueError(f"cors_library must be one of {LIBRARIES}, not {library!r}")
    app.config["EXAMPLE_CORS_LIBRARY"] = library
    os.makedirs(os.path.dirname(os.path.abspath(app.config["DATABASE"])), exist_ok=True)
    db.init_app(app)

    @app.before_request
    def require_login_for_writes() -> None:
        """A typical auth hook: under ``/api/todos`` everything but reads needs a session.

        Like most such hooks it does not special-case ``OPTIONS``; flask-crossorigin answers
        preflights before it runs.
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
    api.add_namespace(todos.ns)
    api.add_namespace(auth.ns)
    if library == "flask-cors":
        import flask_cors

        # flask-cors's decorator cannot decorate a class: it goes in method_decorators.
        api.add_namespace(public.namespace(flask_cors.cross_origin, decorate_class=False))
        public.register_ping(app, flask_cors.cross_origin)
        flask_cors.CORS(app, resources={r"/api/*": {}})
    else:
        import flask_crossorigin

        api.add_namespace(public.namespace(flask_crossorigin.cross_origin))
        public.register_ping(app, flask_crossorigin.cross_origin)
        flask_crossorigin.CORS(app, resources={r"/api/*": {}})
    return app
