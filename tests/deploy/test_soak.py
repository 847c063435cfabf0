"""SPEC 7: memory stays flat under a stream of never-seen origins and paths, through gunicorn.

One gunicorn worker (gthread, 8 threads) on loopback; 16 client threads on keep-alive
connections send requests that each carry an origin nobody sent before (so every memo sees a
new key every request) to paths that are mostly new too. After a warm-up that fills every memo
past its bound, the worker's resident memory is read from ``/proc``; after as many requests
again, it must not have grown by more than a few MiB. Bounded in requests and in time.
"""

from __future__ import annotations

import http.client
import itertools
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .conftest import Gunicorn

pytestmark = pytest.mark.server

#: Requests per phase. Each phase alone passes every memo's bound (4,096 entries) twice.
PHASE = 12_000
CLIENT_THREADS = 16
TIME_LIMIT = 120.0
#: How much the worker may grow between the two readings: allocator noise, not a memo.
GROWTH_LIMIT_KIB = 3 * 1024


@pytest.fixture(scope="module")
def server() -> Iterator[Gunicorn]:
    if not Path("/proc/self/status").exists():
        pytest.skip("the soak reads resident memory from /proc")
    upstream = Gunicorn("flask-crossorigin", workers=1, threads=8)
    try:
        yield upstream
    finally:
        upstream.stop()


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for process {pid}")


class Client:
    """Keep-alive connections, one per client thread, sending numbered requests."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.local = threading.local()
        self.numbers = itertools.count()
        self.lock = threading.Lock()
        self.worker = 0
        self.failures: list[str] = []

    def connection(self) -> http.client.HTTPConnection:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            self.local.conn = conn
        return conn

    def send(self, number: int) -> None:
        origin = f"http://s{number}.a.test"
        if number % 3 == 0:
            method, path = "OPTIONS", "/echo"
            headers = {"Origin": origin, "Access-Control-Request-Method": "PUT"}
        elif number % 3 == 1:
            method, path, headers = "GET", "/echo", {"Origin": origin}
        else:
            method, path, headers = "GET", f"/single/n{number}", {"Origin": origin}
        for attempt in range(2):
            conn = self.connection()
            try:
                conn.request(method, path, headers=headers)
                response = conn.getresponse()
                response.read()
                break
            except (OSError, http.client.HTTPException):
                conn.close()
                self.local.conn = None
                if attempt:
                    raise
        granted = response.getheader("Access-Control-Allow-Origin")
        expected = origin if path == "/echo" else None
        if response.status != 200 or granted != expected:
            with self.lock:
                self.failures.append(f"{method} {path} {origin}: {response.status} {granted}")
        worker = response.getheader("X-Worker")
        if worker:
            self.worker = int(worker)

    def phase(self, count: int, deadline: float) -> None:
        def run(_: int) -> None:
            try:
                while time.monotonic() < deadline:
                    number = next(self.numbers)
                    if number >= self.limit:
                        return
                    self.send(number)
            finally:
                conn = getattr(self.local, "conn", None)
                if conn is not None:
                    conn.close()
                    self.local.conn = None

        self.limit = next(self.numbers) + count
        with ThreadPoolExecutor(CLIENT_THREADS) as pool:
            list(pool.map(run, range(CLIENT_THREADS)))
        assert time.monotonic() < deadline, "the soak ran out of time"


def test_memory_stays_flat_under_new_origins_and_paths(server: Gunicorn) -> None:
    """SPEC 7: after every memo is full, as many requests again with never-seen origins and
    paths leave the worker's resident memory flat (within a few MiB)."""
    deadline = time.monotonic() + TIME_LIMIT
    client = Client(server.port)
    client.phase(PHASE, deadline)
    assert client.worker, "the app names its worker in X-Worker"
    before = resident_kib(client.worker)
    client.phase(PHASE, deadline)
    after = resident_kib(client.worker)
    assert not client.failures, client.failures[:5]
    assert after - before <= GROWTH_LIMIT_KIB, (before, after)
