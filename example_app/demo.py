"""Run the demo: the API on one port, the page on a second, the same page on a third.

Ports come from ``DEMO_API_PORT`` (5000), ``DEMO_PAGE_PORT`` (5001) and ``DEMO_OTHER_PORT``
(5002). The API allows the page's origin only; the third port shows a disallowed origin.
``FLASK_EXAMPLE_CORS_LIBRARY=flask-cors`` wires the API with flask-cors instead. Ctrl-C stops
all three servers.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from . import create_app
from .frontend import create_frontend

HOST = "127.0.0.1"


def serve(app: Flask, port: int) -> BaseWSGIServer:
    server = make_server(HOST, port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def port_from_env(name: str, default: int) -> int:
    raw = os.environ.get(name, str(default))
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        sys.exit(f"{name}={raw!r} is not a port number")
    return int(raw)


def main() -> None:
    api_port = port_from_env("DEMO_API_PORT", 5000)
    page_port = port_from_env("DEMO_PAGE_PORT", 5001)
    other_port = port_from_env("DEMO_OTHER_PORT", 5002)
    api_url = f"http://localhost:{api_port}"
    page_origin = f"http://localhost:{page_port}"
    other_origin = f"http://localhost:{other_port}"
    config: dict[str, Any] = {}
    if "FLASK_CORS_ORIGINS" not in os.environ:
        config["CORS_ORIGINS"] = [page_origin]
    api = create_app(config)
    library = api.config["EXAMPLE_CORS_LIBRARY"]
    servers: list[BaseWSGIServer] = []
    try:
        for app, port in (
            (api, api_port),
            (create_frontend(api_url, page_origin, library), page_port),
            (create_frontend(api_url, page_origin, library), other_port),
        ):
            servers.append(serve(app, port))
    except OSError as error:
        for server in servers:
            server.shutdown()
        sys.exit(f"cannot listen on {HOST}:{port} ({error}); set DEMO_*_PORT to free ports")
    for label, url in (
        (f"API, CORS by {library}:", f"{api_url}/api/docs  (Swagger UI)"),
        ("Demo page, allowed origin:", f"{page_origin}/"),
        ("Same page, disallowed origin:", f"{other_origin}/"),
    ):
        print(f"{label:<33}{url}")
    print(f"CORS_ORIGINS = {json.dumps(api.config['CORS_ORIGINS'])}")
    print("Press Ctrl-C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("\nStopping.")
    finally:
        for server in servers:
            server.shutdown()


if __name__ == "__main__":
    main()
