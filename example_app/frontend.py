"""The front end: one static page, served on another origin than the API.

It knows nothing of CORS; it serves ``frontend/index.html``, ``app.js`` and a ``config.js``
that tells the page where the API is and which origin the API allows.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask, Response, send_from_directory

STATIC = Path(__file__).parent / "frontend"


def create_frontend(api_url: str, allowed_origin: str) -> Flask:
    page = Flask(__name__, static_folder=None)

    @page.get("/")
    def index() -> Response:
        return send_from_directory(STATIC, "index.html")

    @page.get("/app.js")
    def script() -> Response:
        return send_from_directory(STATIC, "app.js")

    @page.get("/config.js")
    def config() -> Response:
        settings = json.dumps({"api": api_url, "allowedOrigin": allowed_origin})
        return Response(f"window.DEMO = {settings};\n", mimetype="text/javascript")

    return page
