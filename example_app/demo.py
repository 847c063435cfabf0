"""Run the demo: the API on one port, the page on a second, the same page on a third.

Ports come from ``DEMO_API_PORT`` (5000), ``DEMO_PAGE_PORT`` (5001) and ``DEMO_OTHER_PORT``
(5002). The API allows the page's origin only; the third port shows a disallowed origin.
``FLASK_EXAMPLE_CORS_LIBRARY=flask-cors`` wires the API with flask-cors instead. Ctrl-C stops
all three servers.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from . import create_app
from .frontend import create_frontend, effective_origins

HOST = "127.0.0.1"


PORT_VARIABLES = ("DEMO_API_PORT", "DEMO_PAGE_PORT", "DEMO_OTHER_PORT")


def listen(port: int, variable: str) -> socket.socket:
    """A listening socket on ``port``, or exit with the demo's own hint if it is busy (the
    server is then handed the socket, so Werkzeug never meets a busy port itself)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
        sock.listen(128)
    except OSError as error:
        sock.close()
        others = " ".join(f"{name}={free}" for name, free in zip(PORT_VARIABLES, free_ports()))
        sys.exit(
            f"make demo: cannot listen on {HOST}:{port} ({variable}): {error.strerror}.\n"
            f"Stop the program using it, or choose other ports, e.g.: {others} make demo"
        )
    return sock


def free_ports() -> list[int]:
    """As many ports free on :data:`HOST` right now as the demo needs (the system picks
    them), for the hint on a busy port."""
    socks = []
    try:
        for _ in PORT_VARIABLES:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            socks.append(sock)
            sock.bind((HOST, 0))
        return [sock.getsockname()[1] for sock in socks]
    finally:
        for sock in socks:
            sock.close()


def serve(app: Flask, sock: socket.socket) -> BaseWSGIServer:
    port = sock.getsockname()[1]
    server = make_server(HOST, port, app, threaded=True, fd=sock.fileno())
    sock.close()  # the server holds its own duplicate of the socket
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def port_from_env(name: str, default: int) -> int:
    raw = os.environ.get(name, str(default))
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        sys.exit(f"{name}={raw!r} is not a port number")
    return int(raw)


def main() -> None:
    api_port, page_port, other_port = (
        port_from_env(name, default) for name, default in zip(PORT_VARIABLES, (5000, 5001, 5002))
    )
    sockets = [
        listen(port, name) for port, name in zip((api_port, page_port, other_port), PORT_VARIABLES)
    ]
    api_url = f"http://localhost:{api_port}"
    page_origin = f"http://localhost:{page_port}"
    other_origin = f"http://localhost:{other_port}"
    config: dict[str, Any] = {}
    if "FLASK_CORS_ORIGINS" not in os.environ:
        config["CORS_ORIGINS"] = [page_origin]
    api = create_app(config)
    library = api.config["EXAMPLE_CORS_LIBRARY"]
    policy = effective_origins(api, (page_origin, other_origin))
    apps = (
        api,
        create_frontend(api_url, page_origin, library, policy),
        create_frontend(api_url, page_origin, library, policy),
    )
    servers = [serve(app, sock) for app, sock in zip(apps, sockets)]
    for label, url in (
        (f"API, CORS by {library}:", f"{api_url}/api/docs  (Swagger UI)"),
        ("Demo page, allowed origin:", f"{page_origin}/"),
        ("Same page, disallowed origin:", f"{other_origin}/"),
    ):
        print(f"{label:<33}{url}")
    print(f"origins = {json.dumps(policy['value'])}  (set by {policy['source']})")
    if not policy["allows"][page_origin]:
        print(
            f"Note: {page_origin}, the demo page, is not in these origins: its rows for the "
            "API are blocked (unset FLASK_CORS_ORIGINS, or add the page's origin to it)."
        )
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
