"""SPEC 8 in a real browser: headless Chromium on a page of another origin calls the app
through nginx serving ``flask cors export nginx``'s file; each fetch succeeds or fails as the
judge says it does on the app alone.

The app is :mod:`tests.deploy.export_apps` with the ``patterns_ports`` policy
(``http://localhost:*`` and others, credentials, GET and POST); the page is served from
``http://localhost:PORT``, the API through nginx on ``http://127.0.0.1:PORT``. The
``admin_blog`` app, with the page as the blog, shows that a page cannot read an admin view
through a path nginx resolves to one of the blog's routes (SPEC 5).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from flask_crossorigin.introspect import run_check
from flask_crossorigin.judge import CORSRequest
from tests.deploy.conftest import free_port, require_nginx
from tests.deploy.export_apps import create_app
from tests.deploy.test_export_nginx import ExportNginx, Upstream, export

from .conftest import Server

pytestmark = [pytest.mark.browser, pytest.mark.server]

POLICY = "patterns_ports"

#: (path, method, headers the page sets): simple, preflighted, refused and uncovered fetches.
FETCHES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("/api/items", "GET", ()),
    ("/api/items/7", "GET", ()),
    ("/api/items", "POST", (("X-Token", "1"),)),
    ("/api/items", "PUT", ()),
    ("/api/items/404", "GET", ()),
    ("/internal", "GET", ()),
)


@pytest.fixture(scope="module")
def behind_nginx() -> Iterator[str]:
    """The base URL of nginx serving the export in front of gunicorn."""
    require_nginx()
    upstream = Upstream(POLICY)
    prefix = Path(tempfile.mkdtemp(prefix="nginx-chromium-"))
    try:
        port = free_port()
        run = export(
            POLICY,
            "--listen", f"127.0.0.1:{port}",
            "--upstream", f"http://127.0.0.1:{upstream.port}",
            "-o", str(prefix / "cors.conf"),
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        proxy = ExportNginx(prefix, port)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            proxy.stop()
    finally:
        upstream.stop()
        shutil.rmtree(prefix, ignore_errors=True)


@pytest.fixture(scope="module")
def page() -> Iterator[str]:
    """An empty page on ``http://localhost:PORT``, the origin the fetches come from."""
    app = Flask("page")
    app.add_url_rule("/", "index", lambda: "<!doctype html><title>page</title><main></main>")
    server = Server(app)
    try:
        yield server.url
    finally:
        server.stop()


def test_chromium_through_nginx_agrees_with_the_app(
    driver: Any, behind_nginx: str, page: str
) -> None:
    """SPEC 8: each fetch's outcome in Chromium, through nginx, is the judge's verdict on the
    app alone (credentials included)."""
    driver.get(page + "/")
    app = create_app(POLICY)
    outcomes = {}
    for path, method, headers in FETCHES:
        script = (
            "const done = arguments[arguments.length - 1];"
            f"fetch({json.dumps(behind_nginx + path)}, {{method: {json.dumps(method)},"
            f" headers: {json.dumps(dict(headers))}, credentials: 'include'}})"
            ".then(r => done('ok ' + r.status), e => done('error ' + e));"
        )
        seen = driver.execute_async_script(script)
        expected = run_check(
            app, path, CORSRequest(page, method, headers, credentials=True)
        ).outcome.allowed
        outcomes[(method, path)] = (seen, expected)
        assert seen.startswith("ok") == expected, (method, path, seen)
    # The table reaches both verdicts, and the allowed 404 is read as a 404.
    assert {expected for _, expected in outcomes.values()} == {True, False}
    assert outcomes[("GET", "/api/items/404")][0] == "ok 404"


#: Fetches a page on the blog's origin makes: its own route, then admin views reached through
#: paths nginx resolves to a blog route (SPEC 5). Chromium sends ``%2F..`` as written.
ATTACK_FETCHES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("/api/public", "GET", ()),
    ("/api/public", "PUT", (("Content-Type", "application/json"),)),
    ("/api/admin/x%2F..%2F..%2Fpublic", "GET", ()),
    ("/api/admin/x%2F..%2F..%2Fpublic", "PUT", (("Content-Type", "application/json"),)),
    ("/api/admin/x%2f..%2f..%2fposts%2f1", "GET", ()),
)


@pytest.fixture(scope="module")
def admin_blog_behind_nginx(page: str) -> Iterator[str]:
    """The ``admin_blog`` app, with the page's origin as the blog's, behind its export."""
    require_nginx()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EXPORT_BLOG_ORIGIN", page)
        upstream = Upstream("admin_blog")
        prefix = Path(tempfile.mkdtemp(prefix="nginx-chromium-"))
        try:
            port = free_port()
            run = export(
                "admin_blog",
                "--listen", f"127.0.0.1:{port}",
                "--upstream", f"http://127.0.0.1:{upstream.port}",
                "-o", str(prefix / "cors.conf"),
            )  # fmt: skip
            assert run.returncode == 0, run.stderr
            proxy = ExportNginx(prefix, port)
            try:
                yield f"http://127.0.0.1:{port}"
            finally:
                proxy.stop()
        finally:
            upstream.stop()
            shutil.rmtree(prefix, ignore_errors=True)


def test_chromium_cannot_reach_an_admin_view_through_a_blog_location(
    driver: Any, admin_blog_behind_nginx: str, page: str
) -> None:
    """SPEC 5 and 8: a credentialed fetch from the blog's page reads the blog's route through
    nginx, and fails for ``/api/admin/x%2F..%2F..%2Fpublic`` (nginx's ``/api/public``, the
    app's admin view), preflighted or not."""
    driver.get(page + "/")
    seen = {}
    for path, method, headers in ATTACK_FETCHES:
        script = (
            "const done = arguments[arguments.length - 1];"
            f"fetch({json.dumps(admin_blog_behind_nginx + path)}, {{method: {json.dumps(method)},"
            f" headers: {json.dumps(dict(headers))}, credentials: 'include'}})"
            ".then(r => r.text().then(t => done('ok ' + r.status + ' ' + t)),"
            " e => done('error ' + e));"
        )
        seen[(method, path)] = driver.execute_async_script(script)
    assert seen[("GET", "/api/public")].startswith("ok 200"), seen
    assert seen[("PUT", "/api/public")].startswith("ok 200"), seen
    attacks = {key: value for key, value in seen.items() if key[1].startswith("/api/admin/")}
    assert len(attacks) == 3
    assert all(value.startswith("error") for value in attacks.values()), attacks
