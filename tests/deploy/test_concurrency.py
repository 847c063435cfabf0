"""2,000 mixed requests to gunicorn (2 workers, gthread, 4 threads) from a bounded pool of
client threads: no errors, and every response's CORS headers belong to its own request."""

from __future__ import annotations

import http.client
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from .conftest import Gunicorn

pytestmark = pytest.mark.server

REQUESTS = 2000
CLIENT_THREADS = 16
TIME_LIMIT = 60.0


@dataclass(frozen=True)
class Case:
    number: int
    kind: str  # "get", "refused", "no-origin", "preflight", "credentialed"

    @property
    def origin(self) -> str | None:
        if self.kind == "no-origin":
            return None
        if self.kind == "refused":
            return f"http://r{self.number}.evil.test"
        return f"http://r{self.number}.a.test"  # unique per request, allowed by the pattern


@pytest.fixture(scope="module")
def server() -> Iterator[Gunicorn]:
    upstream = Gunicorn("flask-crossorigin", workers=2, threads=4)
    try:
        yield upstream
    finally:
        upstream.stop()


_local = threading.local()
_opened: list[http.client.HTTPConnection] = []
_opened_lock = threading.Lock()


def connection(port: int) -> http.client.HTTPConnection:
    """One keep-alive connection per client thread."""
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        _local.conn = conn
        with _opened_lock:
            _opened.append(conn)
    return conn


def run(port: int, case: Case) -> str:
    """Send one request; return "" when its answer is right, or what is wrong with it."""
    headers = {"X-Marker": str(case.number)}
    if case.origin:
        headers["Origin"] = case.origin
    method = "GET"
    if case.kind == "preflight":
        method = "OPTIONS"
        headers["Access-Control-Request-Method"] = "PUT"
        headers["Access-Control-Request-Headers"] = f"x-marker,x-req-{case.number}"
    if case.kind == "credentialed":
        headers["Cookie"] = f"session=s{case.number}"
    conn = connection(port)
    try:
        conn.request(method, "/echo", headers=headers)
        response = conn.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException) as error:
        _local.conn = None
        conn.close()
        return f"{case}: {error!r}"
    if response.status != 200:
        return f"{case}: status {response.status}"
    acao = response.getheader("Access-Control-Allow-Origin")
    expected_acao = None if case.kind in ("refused", "no-origin") else case.origin
    if acao != expected_acao:
        return f"{case}: ACAO {acao!r}"
    acac = response.getheader("Access-Control-Allow-Credentials")
    if acac != ("true" if expected_acao else None):
        return f"{case}: ACAC {acac!r}"
    if case.kind == "preflight":
        allowed = response.getheader("Access-Control-Allow-Headers")
        if allowed != f"x-marker, x-req-{case.number}":
            return f"{case}: ACAH {allowed!r}"
    elif f'"marker":"{case.number}"' not in body.decode():
        return f"{case}: body {body!r}"
    if case.kind != "no-origin" and response.getheader("Vary") != "Origin":
        return f"{case}: Vary {response.getheader('Vary')!r}"
    return ""


def test_two_thousand_mixed_requests(server: Gunicorn) -> None:
    rng = random.Random(2026)
    kinds = ["get", "refused", "no-origin", "preflight", "credentialed"]
    cases = [Case(n, rng.choice(kinds)) for n in range(REQUESTS)]
    started = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=CLIENT_THREADS) as pool:
            results = list(pool.map(lambda case: run(server.port, case), cases, timeout=TIME_LIMIT))
    finally:
        with _opened_lock:
            for conn in _opened:
                conn.close()
            _opened.clear()
    elapsed = time.monotonic() - started
    errors = [r for r in results if r]
    assert errors == [], errors[:10]
    counts = Counter(case.kind for case in cases)
    assert sum(counts.values()) == REQUESTS and set(counts) == set(kinds)
    assert elapsed < TIME_LIMIT
    print(f"\n{REQUESTS} requests in {elapsed:.1f} s, 0 errors, by kind: {dict(counts)}")
