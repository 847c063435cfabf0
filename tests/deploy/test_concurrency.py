"""2,000 mixed requests to gunicorn (2 workers, gthread, 4 threads) from a bounded pool of
client threads: no errors, and every response's CORS headers belong to its own request.

Every request carries its own origin (``http://r<n>.a.test``), its own marker, and for
preflights its own header name, so an answer computed for another request, or for another
policy, cannot pass for this one.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Optional

import pytest

from .conftest import Gunicorn

pytestmark = pytest.mark.server

REQUESTS = 2000
CLIENT_THREADS = 16
TIME_LIMIT = 60.0
#: flask-cors's default ``methods``, which the app keeps.
ALL_METHODS = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"

#: kind -> (method, path, origin domain or None, expected grant)
KINDS = {
    "get": ("GET", "/echo", "a.test", True),
    "credentialed": ("GET", "/echo", "a.test", True),
    "refused": ("GET", "/echo", "evil.test", False),
    "no-origin": ("GET", "/echo", None, False),
    "preflight": ("OPTIONS", "/echo", "a.test", True),
    "refused-preflight": ("OPTIONS", "/echo", "b.test", False),
    "open": ("POST", "/open", "b.test", True),
    "open-preflight": ("OPTIONS", "/open", "b.test", True),
    "other-policy": ("GET", "/open", "a.test", False),
}


@dataclass(frozen=True)
class Case:
    number: int
    kind: str

    @property
    def method(self) -> str:
        return KINDS[self.kind][0]

    @property
    def path(self) -> str:
        return KINDS[self.kind][1]

    @property
    def origin(self) -> Optional[str]:
        domain = KINDS[self.kind][2]
        return f"http://r{self.number}.{domain}" if domain else None

    def request_headers(self) -> dict[str, str]:
        headers = {"X-Marker": str(self.number)}
        if self.origin:
            headers["Origin"] = self.origin
        if self.method == "OPTIONS":
            headers["Access-Control-Request-Method"] = "PUT"
            headers["Access-Control-Request-Headers"] = f"x-marker,x-req-{self.number}"
        if self.kind == "credentialed":
            headers["Cookie"] = f"session=s{self.number}"
        return headers

    def expected_cors(self) -> dict[str, str]:
        if not KINDS[self.kind][3] or self.origin is None:
            return {}
        expected = {"access-control-allow-origin": self.origin}
        if self.path == "/echo":
            expected["access-control-allow-credentials"] = "true"
        if self.method == "OPTIONS":
            expected["access-control-allow-methods"] = (
                "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"
            )
            expected["access-control-allow-headers"] = f"x-marker, x-req-{self.number}"
            if self.path == "/open":
                expected["access-control-max-age"] = "60"
        return expected


@pytest.fixture(scope="module")
def server() -> Iterator[Gunicorn]:
    upstream = Gunicorn("flask-crossorigin", workers=2, threads=4)
    try:
        yield upstream
    finally:
        upstream.stop()


class Client:
    """One keep-alive connection per client thread, all closed at the end."""

    def __init__(self, port: int, deadline: float) -> None:
        self.port = port
        self.deadline = deadline
        self.local = threading.local()
        self.opened: list[http.client.HTTPConnection] = []
        self.lock = threading.Lock()

    def connection(self) -> http.client.HTTPConnection:
        conn: Optional[http.client.HTTPConnection] = getattr(self.local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            self.local.conn = conn
            with self.lock:
                self.opened.append(conn)
        return conn

    def close(self) -> None:
        with self.lock:
            for conn in self.opened:
                conn.close()
            self.opened.clear()

    def run(self, case: Case) -> tuple[str, str]:
        """Send one request; return what is wrong with its answer ("" if nothing) and the
        gunicorn worker that answered."""
        if time.monotonic() > self.deadline:
            return f"{case}: not sent, past the time limit", ""
        conn = self.connection()
        try:
            conn.request(case.method, case.path, headers=case.request_headers())
            response = conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.local.conn = None
            conn.close()
            return f"{case}: {error!r}", ""
        worker = response.getheader("X-Worker", "")
        return self.check(case, response, body), worker

    @staticmethod
    def check(case: Case, response: http.client.HTTPResponse, body: bytes) -> str:
        if response.status != 200:
            return f"{case}: status {response.status}"
        got = {
            name.lower(): value
            for name, value in response.getheaders()
            if name.lower().startswith("access-control-")
        }
        if got != case.expected_cors():
            return f"{case}: CORS headers {got}"
        if case.origin is not None and response.getheader("Vary") != "Origin":
            return f"{case}: Vary {response.getheader('Vary')!r}"
        if case.method != "OPTIONS" and json.loads(body) != {"marker": str(case.number)}:
            return f"{case}: body {body!r}"
        return ""


def test_two_thousand_mixed_requests(server: Gunicorn) -> None:
    rng = random.Random(2026)
    cases = [Case(n, rng.choice(sorted(KINDS))) for n in range(REQUESTS)]
    started = time.monotonic()
    client = Client(server.port, started + TIME_LIMIT)
    pool = ThreadPoolExecutor(max_workers=CLIENT_THREADS)
    try:
        futures = [pool.submit(client.run, case) for case in cases]
        not_done = wait(futures, timeout=TIME_LIMIT).not_done
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        client.close()
    elapsed = time.monotonic() - started
    assert not not_done, f"{len(not_done)} requests unfinished after {TIME_LIMIT} s"
    results = [future.result() for future in futures]
    errors = [error for error, _ in results if error]
    workers = Counter(worker for _, worker in results)
    assert errors == [], errors[:10]
    counts = Counter(case.kind for case in cases)
    assert sum(counts.values()) == REQUESTS and set(counts) == set(KINDS)
    granted = sum(1 for case in cases if case.expected_cors())
    print(
        f"\n{REQUESTS} requests in {elapsed:.1f} s from {CLIENT_THREADS} client threads, "
        f"0 errors, {granted} granted, {REQUESTS - granted} refused or without Origin; "
        f"by kind: {dict(sorted(counts.items()))}; answers per gunicorn worker: "
        f"{sorted(workers.values(), reverse=True)}"
    )
