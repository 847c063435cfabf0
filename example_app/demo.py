"""``make demo``: the API on one port, the page on a second, the same page on a third.

Ports come from ``DEMO_API_PORT`` (5000), ``DEMO_PAGE_PORT`` (5001) and ``DEMO_OTHER_PORT``
(5002). The API allows the page's origin only; the third port shows a disallowed origin.
Ctrl-C stops all three.
"""

from __future__ import annotations

import json
import os
import threading

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from . import create_app
from .frontend import create_frontend

HOST = "127.0.0.1"


def serve(app: Flask, port: int) -> BaseWSGIServer:
    server = make_server(HOST, port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    api_port = int(os.environ.get("DEMO_API_PORT", "5000"))
    page_port = int(os.environ.get("DEMO_PAGE_PORT", "5001"))
    other_port = int(os.environ.get("DEMO_OTHER_PORT", "5002"))
    api_url = f"http://localhost:{api_port}"
    page_origin = f"http://localhost:{page_port}"
    config = {}
    if "FLASK_CORS_ORIGINS" not in os.environ:
        config["CORS_ORIGINS"] = [page_origin]
    api = create_app(config)
    servers = [
        serve(api, api_port),
        serve(create_frontend(api_url, page_origin), page_port),
        serve(create_frontend(api_url, page_origin), other_port),
    ]
    print(f"API:                      {api_url}/api/docs  (Swagger UI)")
    print(f"Demo page (allowed):      {page_origin}/")
    print(f"Demo page (not allowed):  http://localhost:{other_port}/")
    print(f"CORS_ORIGINS = {json.dumps(api.config['CORS_ORIGINS'])}")
    print("Press Ctrl-C to stop.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("\nStopping.")
    finally:
        for server in servers:
            server.shutdown()


if __name__ == "__main__":
    main()
