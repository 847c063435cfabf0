"""A tiny raw HTTP server that answers each path with exactly the bytes a test scripted.

No framework in between: the status line and every header (duplicates, odd case, odd
whitespace) go out as written, so a browser and the judge see the same bytes.
"""

from __future__ import annotations

import socketserver
import threading
from dataclasses import dataclass, field
from typing import Optional

PAGE = b"<!doctype html><meta charset=utf-8><title>judge table</title><p>judge table"


@dataclass(frozen=True)
class Answer:
    """A scripted response: status line and header lines, sent as written."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    reason: str = "OK"
    #: Interim answers sent first, each a status line and its headers (``103 Early Hints``).
    interim: tuple[tuple[int, str, tuple[tuple[str, str], ...]], ...] = ()


@dataclass
class Script:
    """path -> (answer to OPTIONS, answer to any other method); requests seen, in order."""

    routes: dict[str, tuple[Optional[Answer], Answer]] = field(default_factory=dict)
    seen: list[tuple[str, str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, method: str, path: str, agent: str) -> Optional[Answer]:
        with self.lock:
            self.seen.append((agent, method, path))
        if path == "/page":
            return Answer(200, (("Content-Type", "text/html; charset=utf-8"),))
        route = self.routes.get(path)
        if route is None:
            return None
        preflight, actual = route
        return preflight if method == "OPTIONS" else actual

    def requests(self, agent: str, prefix: str) -> list[tuple[str, str]]:
        """(method, path) of the requests one client made to ``prefix`` and below, in order."""
        with self.lock:
            return [
                (m, p)
                for a, m, p in self.seen
                if a == agent and (p == prefix or p.startswith(prefix + "/"))
            ]


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        line = self.rfile.readline(8192).decode("latin-1")
        if not line:
            return
        method, path, _ = [*line.split(" "), "", ""][:3]
        agent = ""
        length = 0
        while True:
            header = self.rfile.readline(8192).decode("latin-1")
            if header in ("\r\n", "\n", ""):
                break
            name, _, value = header.partition(":")
            if name.strip().lower() == "user-agent":
                agent = "chromium" if "Chrome" in value else "judge"
            if name.strip().lower() == "content-length":
                length = int(value.strip() or 0)
        if length:
            self.rfile.read(length)
        script = self.server.script
        answer = script.answer(method, path, agent)
        if answer is None:
            answer = Answer(404, (), "Not Found")
        body = PAGE if path == "/page" else b"scripted"
        for status, reason, headers in answer.interim:
            head = [f"HTTP/1.1 {status} {reason}", *(f"{n}: {v}" for n, v in headers), "", ""]
            self.wfile.write("\r\n".join(head).encode("latin-1"))
        lines = [f"HTTP/1.1 {answer.status} {answer.reason}"]
        for name, value in answer.headers:
            lines.append(f"{name}: {value}")
        lines += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
        self.wfile.write("\r\n".join(lines).encode("latin-1") + body)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    script: Script


class ScriptedServer:
    """The scripted server on a loopback port, in a thread, until ``stop()``."""

    def __init__(self, script: Script) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.script = script
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
