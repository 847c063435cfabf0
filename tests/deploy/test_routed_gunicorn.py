"""Under real gunicorn (which decodes ``%2F`` in the path before the app sees it): the
resource policy comes from the path the view was routed on (SPEC 5), and a covered preflight
runs none of the app's code, so a ``g.db.close()`` teardown cannot fail it (SPEC 4)."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from typing import Optional

import pytest

from .conftest import Gunicorn
from .routed_app import ADMIN, BLOG

pytestmark = pytest.mark.server

#: What a page on the blog sends: browsers keep %2F as it is.
ATTACK = "/api/admin/x%2F..%2F..%2Fpublic"


@pytest.fixture(scope="module")
def server() -> Iterator[Gunicorn]:
    upstream = Gunicorn("flask-crossorigin", target="tests.deploy.routed_app:app")
    try:
        yield upstream
    finally:
        upstream.stop()


def send(
    server: Gunicorn, method: str, path: str, origin: str, request_method: Optional[str] = None
) -> tuple[int, bytes, http.client.HTTPMessage]:
    headers = {"Origin": origin}
    if request_method is not None:
        headers["Access-Control-Request-Method"] = request_method
        headers["Access-Control-Request-Headers"] = "content-type"
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read(), response.headers
    finally:
        conn.close()


def test_attack_path_reaches_the_admin_view_without_the_blogs_grant(server: Gunicorn) -> None:
    """SPEC 5: gunicorn routes the attack path to the admin view; no grant comes with it."""
    status, body, headers = send(server, "GET", ATTACK, BLOG)
    assert status == 200 and body == b"admin secrets", server.output()
    assert headers["Access-Control-Allow-Origin"] is None
    assert headers["Access-Control-Allow-Credentials"] is None
    assert headers["Vary"] == "Origin"


@pytest.mark.parametrize("origin", [BLOG, ADMIN])
def test_attack_preflight_is_answered_without_a_grant(server: Gunicorn, origin: str) -> None:
    """SPEC 4 and 5: the attack's preflight: 200, no grant, no 500 from the teardown."""
    status, _, headers = send(server, "OPTIONS", ATTACK, origin, "PUT")
    assert status == 200, server.output()
    assert headers["Access-Control-Allow-Origin"] is None
    assert headers["Access-Control-Allow-Methods"] is None


def test_granted_preflight_runs_no_teardown(server: Gunicorn) -> None:
    """SPEC 4: a covered preflight is answered with its grant; the teardown that closes what
    before_request opened does not run for it (it would raise: a 500)."""
    for path, origin in (("/api/public", BLOG), ("/api/admin/users", ADMIN)):
        status, _, headers = send(server, "OPTIONS", path, origin, "PUT")
        assert status == 200, server.output()
        assert headers["Access-Control-Allow-Origin"] == origin
        assert headers["Access-Control-Allow-Credentials"] == "true"
        # The actual request runs the hooks and the teardown, and keeps its grant.
        status, _, headers = send(server, "PUT", path, origin)
        assert status == 200
        assert headers["Access-Control-Allow-Origin"] == origin
