"""The front end: one static page, served on another origin than the API.

It knows nothing of CORS; it serves ``frontend/index.html``, ``app.js`` and a ``config.js``
that tells the page where the API is, which origin the API allows and which library the API
uses.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask, Response, send_from_directory

STATIC = Path(__file__).parent / "frontend"


def create_frontend(
    api_url: str, allowed_origin: str, cors_library: str = "flask-crossorigin"
) -> Flask:
    page = Flask(__name__, static_folder=None)

    @page.get("/")
    def index() -> Response:
        return send_from_directory(STATIC, "index.html")

    @page.get("/app.js")
    def script() -> Response:
        return send_from_directory(STATIC, "app.js")

    @page.get("/config.js")
    def config() -> Response:
        settings = {"api": api_url, "allowedOrigin": allowed_origin, "library": cors_library}
        return Response(f"window.DEMO = {json.dumps(settings)};\n", mimetype="text/javascript")

    return page
