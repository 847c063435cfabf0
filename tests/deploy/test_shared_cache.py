"""Behind a real shared cache (nginx proxy_cache), a cached response never reaches the wrong
origin. SPEC 4 predicts the difference: flask-cors leaves out ``Vary: Origin`` for a
single-origin policy and on refused and no-Origin responses, so nginx serves one origin's
answer to another; flask-crossorigin sends ``Vary: Origin`` on all of them.
"""

from __future__ import annotations

import pytest

from .conftest import get

pytestmark = pytest.mark.server

A = "http://a.test"
B = "http://b.test"
REFUSED = "http://evil.test"


def fetch(cached_app: tuple[str, int], path: str, origin: str | None) -> tuple[str | None, str]:
    """GET through nginx: the Access-Control-Allow-Origin received and nginx's cache status."""
    library, port = cached_app
    status, headers, _ = get(port, path, {"Origin": origin} if origin else {})
    assert status == 200
    if library == "flask-crossorigin":
        # Every answer of a covered resource says that it depends on the Origin.
        assert headers.get("Vary") == "Origin", headers
    return headers.get("Access-Control-Allow-Origin"), headers["X-Cache-Status"]


def test_origin_a_then_origin_b(cached_app: tuple[str, int]) -> None:
    library, _ = cached_app
    assert fetch(cached_app, "/single/ab", A) == (A, "MISS")
    acao, cache = fetch(cached_app, "/single/ab", B)
    if library == "flask-cors":
        assert (acao, cache) == (A, "HIT")  # B is served A's answer
    else:
        assert (acao, cache) == (None, "MISS")
    # With several origins flask-cors does send Vary: Origin, and both are right.
    assert fetch(cached_app, "/multi/ab", A) == (A, "MISS")
    assert fetch(cached_app, "/multi/ab", B) == (B, "MISS")


def test_refused_origin_first_then_allowed(cached_app: tuple[str, int]) -> None:
    library, _ = cached_app
    for path in ("/single/refused-first", "/multi/refused-first"):
        assert fetch(cached_app, path, REFUSED)[0] is None
        acao, cache = fetch(cached_app, path, A)
        if library == "flask-cors":
            assert (acao, cache) == (None, "HIT")  # the allowed origin is locked out
        else:
            assert (acao, cache) == (A, "MISS")


def test_no_origin_first_then_an_origin(cached_app: tuple[str, int]) -> None:
    library, _ = cached_app
    path = "/single/no-origin-first"
    assert fetch(cached_app, path, None)[0] == A  # always_send, one exact origin
    acao, cache = fetch(cached_app, path, B)
    if library == "flask-cors":
        assert (acao, cache) == (A, "HIT")
    else:
        assert (acao, cache) == (None, "MISS")
    # The same origin again is a cache hit for both: Vary does not disable caching.
    assert fetch(cached_app, path, B)[1] == "HIT"
