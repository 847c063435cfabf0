"""The front end: one static page, served on another origin than the API.

It knows nothing of CORS; it serves ``frontend/index.html``, ``app.js`` and a ``config.js``
that tells the page where the API is, which library the API uses, and the API's effective
``origins`` for its ``/api/*`` routes: the value, where it was set, and which origins it
allows. The page says whether its own origin is among them from that, not from a guess.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Optional

from flask import Flask, Response, send_from_directory

STATIC = Path(__file__).parent / "frontend"
#: A route under the API's ``resources`` whose policy the page reports.
API_PATH = "/api/todos/"


def effective_origins(api: Flask, origins: Iterable[str]) -> dict[str, Any]:
    """The API's ``origins`` for :data:`API_PATH` as the library applies them.

    ``value`` as the policy shows it, ``source`` where it was set (an environment variable
    named when the value came from one), and ``allows``: for each of ``origins``, whether a
    credentialed request from it is granted.
    """
    library = api.config["EXAMPLE_CORS_LIBRARY"]
    if library == "flask-crossorigin":
        from flask_crossorigin.explain import option_values
        from flask_crossorigin.introspect import coverage, simulate

        found = coverage(api, API_PATH)
        assert found is not None, f"{API_PATH} is covered by the API's resources"
        value, source = option_values(found.policy)["origins"]
        allows = {o: simulate(api, API_PATH, o, credentials=True).allowed for o in origins}
    else:  # flask-cors reads CORS_ORIGINS as given: a list of exact origins here
        value, source = api.config["CORS_ORIGINS"], "CORS_ORIGINS"
        listed = [value] if isinstance(value, str) else list(value)
        allows = {o: o in listed or "*" in listed for o in origins}
    if source == "CORS_ORIGINS" and "FLASK_CORS_ORIGINS" in os.environ:
        source = "CORS_ORIGINS, from FLASK_CORS_ORIGINS in the environment"
    return {"value": value, "source": source, "allows": allows}


def create_frontend(
    api_url: str,
    allowed_origin: str,
    cors_library: str = "flask-crossorigin",
    policy: Optional[dict[str, Any]] = None,
) -> Flask:
    """The page's app. ``policy`` is :func:`effective_origins`'s answer; without it, only
    ``allowed_origin`` is taken as allowed."""
    page = Flask(__name__, static_folder=None)
    if policy is None:
        policy = {
            "value": [allowed_origin],
            "source": "CORS_ORIGINS",
            "allows": {allowed_origin: True},
        }

    @page.get("/")
    def index() -> Response:
        return send_from_directory(STATIC, "index.html")

    @page.get("/app.js")
    def script() -> Response:
        return send_from_directory(STATIC, "app.js")

    @page.get("/config.js")
    def config() -> Response:
        settings = {
            "api": api_url,
            "allowedOrigin": allowed_origin,
            "library": cors_library,
            "origins": policy,
        }
        return Response(f"window.DEMO = {json.dumps(settings)};\n", mimetype="text/javascript")

    return page
