"""Run an exported Cloudflare Worker under Node.js in front of a Flask app, for the tests.

:class:`NodeWorker` starts ``node worker_harness.mjs WORKER_FILE`` and speaks its line protocol:
each request goes to the Worker's ``fetch(request, env, ctx)``; when the Worker calls the global
``fetch`` (the upstream), the request is answered by the app's test client. Every read is
bounded in time; the process is stopped by :meth:`close`.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
from pathlib import Path
from typing import IO, Any, Optional
from urllib.parse import urlsplit

from flask import Flask

from flask_crossorigin.judge import Received, Sent

NODE = shutil.which("node")
HARNESS = Path(__file__).with_name("worker_harness.mjs")
BASE_URL = "http://api.test"
#: Longest wait for one line from Node, in seconds.
READ_TIMEOUT = 20.0


def app_send(app: Flask) -> Any:
    """``send`` for :func:`flask_crossorigin.judge.fetch`: the app alone, through its client."""
    client = app.test_client()

    def send(sent: Sent) -> Received:
        parts = urlsplit(sent.url)
        response = client.open(
            parts.path,
            query_string=parts.query,
            method=sent.method,
            headers=list(sent.headers),
            base_url=f"{parts.scheme}://{parts.netloc}",
        )
        return Received(response.status_code, tuple(response.headers.items()))

    return send


class NodeWorker:
    """The Worker in ``worker_file`` under Node.js, with ``app`` as its upstream."""

    def __init__(self, worker_file: Path, app: Flask) -> None:
        assert NODE is not None
        self.app = app
        self.client = app.test_client()
        self.upstream_calls = 0
        self.process = subprocess.Popen(
            [NODE, str(HARNESS), str(worker_file)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="latin-1",
        )

    def _write(self, message: dict[str, Any]) -> None:
        stdin: Optional[IO[str]] = self.process.stdin
        assert stdin is not None
        stdin.write(json.dumps(message) + "\n")
        stdin.flush()

    def _read(self) -> dict[str, Any]:
        stdout = self.process.stdout
        assert stdout is not None
        ready, _, _ = select.select([stdout], [], [], READ_TIMEOUT)
        line = stdout.readline() if ready else ""
        if not line:
            self.process.kill()
            _, errors = self.process.communicate(timeout=READ_TIMEOUT)
            raise RuntimeError(f"the Worker under Node.js stopped answering: {errors[-2000:]}")
        data: dict[str, Any] = json.loads(line)
        return data

    def send(self, sent: Sent) -> Received:
        """``send`` for :func:`flask_crossorigin.judge.fetch`, through the Worker."""
        self._write({"method": sent.method, "url": sent.url, "headers": list(sent.headers)})
        while True:
            message = self._read()
            if "response" in message:
                answer = message["response"]
                return Received(answer["status"], tuple(tuple(h) for h in answer["headers"]))
            upstream = message["upstream"]
            self.upstream_calls += 1
            parts = urlsplit(upstream["url"])
            response = self.client.open(
                parts.path,
                query_string=parts.query,
                method=upstream["method"],
                headers=[tuple(h) for h in upstream["headers"]],
                base_url=f"{parts.scheme}://{parts.netloc}",
            )
            self._write(
                {
                    "status": response.status_code,
                    "headers": [list(h) for h in response.headers.items()],
                    "body": response.get_data().decode("latin-1"),
                }
            )

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(timeout=READ_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=READ_TIMEOUT)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def node_available() -> bool:
    return NODE is not None and os.access(NODE, os.X_OK)
