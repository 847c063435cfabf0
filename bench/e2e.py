"""End to end: gunicorn on loopback, a bounded keep-alive load generator, three libraries.

One gunicorn (one worker process, ``gthread`` worker, keep-alive) per library is started on
127.0.0.1; the load generator is a pool of Python threads, each with its own
``http.client`` keep-alive connection. Rounds are interleaved like the in-process grid; each
burst is bounded both in requests and in seconds.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import scenarios as sc

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Settings:
    rounds: int = 3
    #: Each burst stops at whichever comes first.
    requests: int = 4000
    seconds: float = 2.0
    connections: int = 4
    warmup: int = 200
    policies: tuple[str, ...] = ("one", "resources-100")
    #: Shrinks the policies (see ``scenarios.policies``).
    scale: float = 1.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _gunicorn_command(port: int, threads: int) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "1",
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--keep-alive",
        "30",
        "--bind",
        f"{HOST}:{port}",
        "--log-level",
        "warning",
    ]
    from gunicorn.config import KNOWN_SETTINGS

    if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS):
        command.append("--no-control-socket")
    return [*command, "bench.serve:app"]


class Server:
    def __init__(self, library: str, policy: str, threads: int, scale: float) -> None:
        self.library = library
        self.port = _free_port()
        env = dict(os.environ, BENCH_LIBRARY=library, BENCH_POLICY=policy, BENCH_SCALE=str(scale))
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            _gunicorn_command(self.port, threads),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"gunicorn ({self.library}) exited: {err[-2000:]}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/api/items")
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"gunicorn ({self.library}) did not answer within {timeout} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stderr:
            self.process.stderr.close()


@contextlib.contextmanager
def servers(policy: str, threads: int, scale: float) -> Iterator[dict[str, Server]]:
    started: dict[str, Server] = {}
    try:
        for library in sc.LIBRARIES:
            started[library] = Server(library, policy, threads, scale)
        for server in started.values():
            server.wait_ready()
        yield started
    finally:
        for server in started.values():
            server.stop()


def burst(
    port: int,
    path: str,
    headers: dict[str, str],
    settings: Settings,
    count: int,
    method: str = "GET",
) -> tuple[float, list[float], int]:
    """Send up to ``count`` requests (and for at most ``settings.seconds``); return the wall
    time, the latencies in seconds, and the number of failed requests."""
    lock = threading.Lock()
    remaining = [count]
    latencies: list[float] = []
    errors = [0]
    deadline = time.perf_counter() + settings.seconds

    def worker() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        mine: list[float] = []
        try:
            while True:
                with lock:
                    if remaining[0] <= 0:
                        break
                    remaining[0] -= 1
                start = time.perf_counter()
                if start > deadline:
                    break
                try:
                    conn.request(method, path, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    ok = response.status == 200
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=10)
                    ok = False
                if ok:
                    mine.append(time.perf_counter() - start)
                else:
                    with lock:
                        errors[0] += 1
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(settings.connections)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - began, latencies, errors[0]


def _percentile(ordered: Sequence[float], q: float) -> float:
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def run_policy(policy_key: str, settings: Settings) -> dict[str, Any]:
    policy = sc.policies(settings.scale)[policy_key]
    kind = sc.KINDS["allowed"]
    headers = sc.request_headers(policy, kind)
    rps: dict[str, list[float]] = {lib: [] for lib in sc.LIBRARIES}
    latencies: dict[str, list[float]] = {lib: [] for lib in sc.LIBRARIES}
    errors = dict.fromkeys(sc.LIBRARIES, 0)
    with servers(policy_key, settings.connections, settings.scale) as running:
        for library, server in running.items():
            burst(server.port, policy.path, headers, settings, settings.warmup)
            _check(server.port, policy.path, headers, library)
        for round_number in range(settings.rounds):
            shift = round_number % len(sc.LIBRARIES)
            for library in sc.LIBRARIES[shift:] + sc.LIBRARIES[:shift]:
                port = running[library].port
                wall, lat, failed = burst(port, policy.path, headers, settings, settings.requests)
                rps[library].append(len(lat) / wall if wall > 0 else 0.0)
                latencies[library].extend(lat)
                errors[library] += failed
    out: dict[str, Any] = {
        "policy": policy.key,
        "policy_label": policy.label,
        "kind": kind.key,
        "label": f"{policy.label}: {kind.label}",
        "libraries": {},
    }
    for library in sc.LIBRARIES:
        ordered = sorted(latencies[library])
        out["libraries"][library] = {
            "requests": len(ordered),
            "errors": errors[library],
            "rps_median": round(statistics.median(rps[library]), 1),
            "rps_rounds": [round(r, 1) for r in rps[library]],
            "latency_ms": {f"p{q}": round(_percentile(ordered, q) * 1e3, 3) for q in (50, 90, 99)},
        }
    return out


def _check(port: int, path: str, headers: dict[str, str], library: str) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        acao = response.getheader("Access-Control-Allow-Origin")
    finally:
        conn.close()
    if response.status != 200 or (acao is None) != (library == "flask"):
        raise RuntimeError(f"end-to-end check failed for {library}: {response.status} {acao!r}")


def run(settings: Settings, progress: Any = lambda _: None) -> list[dict[str, Any]]:
    results = []
    for policy_key in settings.policies:
        label = sc.policies(settings.scale)[policy_key].label
        progress(f"[end to end] {label} through gunicorn")
        results.append(run_policy(policy_key, settings))
    return results
