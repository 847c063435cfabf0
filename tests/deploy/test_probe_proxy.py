"""SPEC 6: ``probe`` names what the layer in front of the app changed, behind a real nginx.

The app (flask-crossorigin under gunicorn) is right on its own; nginx then adds a second
``Access-Control-Allow-Origin`` on one location, and caches without keying on ``Origin`` on
another. ``python -m flask_crossorigin probe`` runs as a user runs it, in a subprocess.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.server

A = "http://a.test"
B = "http://b.test"


def probe(url: str, *args: str) -> tuple[int, str]:
    run = subprocess.run(
        [sys.executable, "-m", "flask_crossorigin", "probe", url, *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert run.stderr == ""
    return run.returncode, run.stdout


def test_the_app_alone_is_right(probed_proxy: tuple[int, int]) -> None:
    """SPEC 6: straight to gunicorn: allowed, Vary: Origin, no problem."""
    _, upstream = probed_proxy
    code, out = probe(f"http://127.0.0.1:{upstream}/single/direct", "--origin", A)
    assert code == 0, out
    assert "    Access-Control-Allow-Origin: http://a.test\n    Vary: Origin\n" in out
    assert "Problem" not in out


def test_probe_names_the_second_allow_origin_nginx_adds(probed_proxy: tuple[int, int]) -> None:
    """SPEC 6: nginx's add_header doubles the grant: blocked, and the duplicate named."""
    port, _ = probed_proxy
    code, out = probe(f"http://127.0.0.1:{port}/doubled/x", "--origin", A)
    assert code == 1
    assert "    Access-Control-Allow-Origin: http://a.test\n" in out
    assert "    Access-Control-Allow-Origin: *\n" in out
    assert "FAILS (allow-origin-multiple)" in out
    assert "BLOCKED" in out
    assert (
        "Problem (duplicate-header): Access-Control-Allow-Origin is sent 2 times "
        "('http://a.test', '*') (Server: nginx"
    ) in out
    assert "two layers add it, the app and a proxy, gateway or CDN in front of it" in out


def test_probe_names_an_answer_the_cache_served_to_another_origin(
    probed_proxy: tuple[int, int],
) -> None:
    """SPEC 6: the cache ignores Vary: the second origin gets the first origin's grant."""
    port, _ = probed_proxy
    code, out = probe(f"http://127.0.0.1:{port}/cached/x", "--origin", A, "--other-origin", B)
    assert code == 1
    assert "ALLOWED" in out  # the first origin is served right...
    assert "Then as http://b.test, to compare:" in out
    assert (
        "Problem (cached-for-another-origin): the answer to http://b.test's request carries "
        "Access-Control-Allow-Origin: http://a.test (X-Cache-Status: HIT): a cache served"
    ) in out
