"""The app gunicorn serves in the deployment tests, wired with the library named by
``CORS_LIBRARY`` (``flask-crossorigin``, the default, or ``flask-cors``)."""

from __future__ import annotations

import os

from flask import Flask, Response, jsonify, request

ALLOWED = "http://a.test"
ALSO_ALLOWED = "http://b.test"


def create_app(library: str) -> Flask:
    app = Flask("deployed")

    @app.get("/single/<name>")
    @app.get("/multi/<name>")
    def data(name: str) -> Response:
        response = jsonify(name=name)
        response.headers["Cache-Control"] = "public, max-age=60"
        return response

    @app.route("/echo", methods=["GET", "POST", "PUT"])
    @app.route("/open", methods=["GET", "POST", "PUT"])
    def echo() -> Response:
        # The request's own marker comes back, so a client can tell its answer from another's.
        response = jsonify(marker=request.headers.get("X-Marker", ""))
        response.headers["X-Worker"] = str(os.getpid())
        return response

    resources = {
        "/single/*": {"origins": [ALLOWED]},
        "/multi/*": {"origins": [ALLOWED, ALSO_ALLOWED]},
        "/echo": {"origins": ["http://*.a.test"], "supports_credentials": True},
        "/open": {"origins": ["http://*.b.test"], "max_age": 60},
    }
    if library == "flask-cors":
        from flask_cors import CORS as FlaskCORS

        resources["/echo"]["origins"] = [r"http://.*\.a\.test"]
        resources["/open"]["origins"] = [r"http://.*\.b\.test"]
        FlaskCORS(app, resources=resources)
    else:
        from flask_crossorigin import CORS

        CORS(app, resources=resources)
    return app


app = create_app(os.environ.get("CORS_LIBRARY", "flask-crossorigin"))
