"""Preflights end to end: answered by nginx with the exported policy, or by the app.

gunicorn serves the benchmark app (flask-crossorigin, policy ``one``) on loopback; nginx from a
temporary prefix serves ``flask cors export nginx``'s file for that app in front of it, and a
second nginx server block proxies every request to the app untouched (nginx without the
export). The same bounded keep-alive load (:func:`bench.e2e.burst`) sends one granted preflight
to each, rounds interleaved. A preflight answered by the export never reaches Python.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import e2e
from . import scenarios as sc

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
#: The unprivileged account nginx runs as when the benchmark runs as root.
NOBODY = (65534, 65534)
SETUPS = (
    ("app", "the app (gunicorn), no nginx"),
    ("proxy", "nginx proxying to the app"),
    ("export", "nginx with the export (answers itself)"),
)

CONF = """
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/client_temp;
    proxy_temp_path {prefix}/proxy_temp;
    fastcgi_temp_path {prefix}/fastcgi_temp;
    uwsgi_temp_path {prefix}/uwsgi_temp;
    scgi_temp_path {prefix}/scgi_temp;
    upstream app {{
        server 127.0.0.1:{upstream};
        keepalive 8;
    }}
    server {{
        listen 127.0.0.1:{proxy};
        location / {{
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}
    include {prefix}/cors.conf;
}}
"""


def available() -> bool:
    return os.access(NGINX, os.X_OK)


def _run_as() -> dict[str, Any]:
    if os.geteuid() != 0:
        return {}
    return {"user": NOBODY[0], "group": NOBODY[1], "extra_groups": []}


def _wait(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            e2e._check(port, "/api/items", {"Origin": "https://app.example.com"}, "x")
            return
        except (OSError, RuntimeError):
            time.sleep(0.05)
    raise RuntimeError(f"nothing answered on 127.0.0.1:{port} within {timeout} s")


def run(settings: e2e.Settings, progress: Any = lambda _: None) -> dict[str, Any]:
    """Requests per second of one granted preflight through each setup (median of rounds)."""
    policy = sc.policies(settings.scale)["one"]
    headers = {
        "Origin": policy.allowed_origin,
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "content-type",
    }
    progress("[edge] preflights: nginx with the export vs the app")
    server = e2e.Server("flask-crossorigin", "one", settings.connections, settings.scale)
    prefix = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
    nginx = None
    try:
        server.wait_ready()
        ports = {"app": server.port, "proxy": e2e._free_port(), "export": e2e._free_port()}
        env = dict(os.environ, BENCH_LIBRARY="flask-crossorigin", BENCH_POLICY="one")
        env["BENCH_SCALE"] = str(settings.scale)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(e2e.ROOT), env.get("PYTHONPATH")]))
        exported = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "bench.serve:app", "cors", "export",
             "nginx", "--listen", f"127.0.0.1:{ports['export']}",
             "--upstream", f"http://127.0.0.1:{server.port}", "-o", str(prefix / "cors.conf")],
            cwd=e2e.ROOT, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        if exported.returncode != 0:
            raise RuntimeError(f"flask cors export nginx failed: {exported.stderr}")
        for kind in ("client", "proxy", "fastcgi", "uwsgi", "scgi"):
            (prefix / f"{kind}_temp").mkdir()
        conf = CONF.format(prefix=prefix, upstream=server.port, proxy=ports["proxy"])
        (prefix / "nginx.conf").write_text(conf)
        if os.geteuid() == 0:
            for path in (prefix, *prefix.iterdir()):
                os.chown(path, *NOBODY)
        command = [NGINX, "-p", str(prefix), "-c", "nginx.conf", "-e", "error.log"]
        nginx = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, **_run_as(),
        )  # fmt: skip
        for port in ports.values():
            _wait(port)
        rps: dict[str, list[float]] = {key: [] for key, _ in SETUPS}
        p50: dict[str, list[float]] = {key: [] for key, _ in SETUPS}
        for key, _ in SETUPS:
            e2e.burst(ports[key], policy.path, headers, settings, settings.warmup, "OPTIONS")
        for round_number in range(settings.rounds):
            order = SETUPS[round_number % 3 :] + SETUPS[: round_number % 3]
            for key, _ in order:
                wall, lat, _failed = e2e.burst(
                    ports[key], policy.path, headers, settings, settings.requests, "OPTIONS"
                )
                rps[key].append(len(lat) / wall if wall > 0 else 0.0)
                p50[key].extend(lat)
        rows = []
        for key, label in SETUPS:
            ordered = sorted(p50[key])
            rows.append(
                {
                    "setup": key,
                    "label": label,
                    "rps_median": round(statistics.median(rps[key]), 1),
                    "rps_rounds": [round(r, 1) for r in rps[key]],
                    "p50_ms": round(ordered[len(ordered) // 2] * 1e3, 3) if ordered else None,
                }
            )
        return {"policy": policy.label, "path": policy.path, "rows": rows}
    finally:
        if nginx is not None and nginx.poll() is None:
            subprocess.run([*command, "-s", "quit"], capture_output=True, timeout=20, **_run_as())
            try:
                nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                nginx.kill()
                nginx.wait(timeout=5)
        server.stop()
        shutil.rmtree(prefix, ignore_errors=True)


def rows(edge: dict[str, Any]) -> list[tuple[str, ...]]:
    """Table rows: setup, requests per second (median of rounds), median latency."""
    app = next(r["rps_median"] for r in edge["rows"] if r["setup"] == "app")
    return [
        (
            r["label"],
            f"{r['rps_median']:,.0f}",
            f"{r['rps_median'] / app:.1f}x" if app else "n/a",
            "n/a" if r["p50_ms"] is None else f"{r['p50_ms']:.3f}",
        )
        for r in edge["rows"]
    ]


HEADER = ("preflight answered by", "requests/s", "vs the app", "p50 ms")
