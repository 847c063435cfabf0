"""``make demo``'s runner starts the API and both pages, and stops on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .browser.conftest import free_port


def test_demo_starts_serves_and_stops(tmp_path: Path) -> None:
    ports = {name: str(free_port()) for name in ("API", "PAGE", "OTHER")}
    env = {**os.environ, **{f"DEMO_{name}_PORT": port for name, port in ports.items()}}
    env["FLASK_DATABASE"] = str(tmp_path / "todos.sqlite")
    process = subprocess.Popen(
        [sys.executable, "-m", "example_app.demo"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(5)]
        assert "Press Ctrl-C to stop." in lines[-1], lines
        assert f"http://localhost:{ports['PAGE']}/" in "".join(lines)
        origins = f'origins = ["http://localhost:{ports["PAGE"]}"]  (set by CORS_ORIGINS)\n'
        assert origins in lines, lines
        request = urllib.request.Request(
            f"http://127.0.0.1:{ports['API']}/api/todos/",
            headers={"Origin": f"http://localhost:{ports['PAGE']}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers["Access-Control-Allow-Origin"] == (
                f"http://localhost:{ports['PAGE']}"
            )
        with urllib.request.urlopen(f"http://127.0.0.1:{ports['OTHER']}/", timeout=10) as page:
            assert b"flask-crossorigin demo" in page.read()
        process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 10
        while process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process.returncode == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def test_demo_on_a_busy_port_gives_its_own_hint() -> None:
    """A busy port ends with the demo's hint (which variable, how to change it), exit 1."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = str(busy.getsockname()[1])
        env = {**os.environ, "DEMO_API_PORT": str(free_port()), "DEMO_PAGE_PORT": port}
        env["DEMO_OTHER_PORT"] = str(free_port())
        result = subprocess.run(
            [sys.executable, "-m", "example_app.demo"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port} (DEMO_PAGE_PORT)" in result.stderr
    hint = re.search(
        r"DEMO_API_PORT=(\d+) DEMO_PAGE_PORT=(\d+) DEMO_OTHER_PORT=(\d+) make demo", result.stderr
    )
    assert hint is not None, result.stderr
    suggested = {int(p) for p in hint.groups()}
    assert len(suggested) == 3 and int(port) not in suggested  # free ports, never the busy one
    assert "Traceback" not in result.stderr
    assert "is in use by another program" not in result.stderr  # Werkzeug's own message
