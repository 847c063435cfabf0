"""SPEC 7: what is kept per distinct request value is bounded in count and in size.

The memos (decisions, regex verdicts, path verdicts) and the debug-mode warning keys are fed
request values of 64 KB, the size a client can send in one header or path; what they keep
is measured key by key.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from flask_crossorigin import CORS, respond
from flask_crossorigin import decision as decision_module
from flask_crossorigin import origins as origins_module
from flask_crossorigin import resources as resources_module

HUGE = 64 * 1024
#: What one warning key may hold at most: three values, each cut with a digest.
KEY_LIMIT = 3 * (respond.WARNED_VALUE_LENGTH + 1 + 32)


@pytest.fixture(autouse=True)
def fresh_warnings() -> Iterator[None]:
    respond._warned.clear()
    yield
    respond._warned.clear()


def _size(key: Any) -> int:
    if isinstance(key, str):
        return len(key)
    if isinstance(key, tuple):
        return sum(_size(part) for part in key)
    return 0


def _debug_app() -> Flask:
    app = Flask(__name__)
    app.debug = True
    CORS(
        app,
        origins=["https://a.example", r"https://[a-z0-9-]+\.preview\.example"],
        resources={r"/api/.*": {}, "/static": {}},
    )

    @app.route("/api/<path:rest>")
    def api(rest: str) -> str:
        return rest

    return app


def test_warning_keys_keep_bounded_values(caplog: pytest.LogCaptureFixture) -> None:
    """SPEC 7: 1,100 refused requests with distinct 64 KB origins (and 64 KB paths no
    route matches): the warning keys stay at 1,024 and each holds at most KEY_LIMIT
    characters, where they kept the whole values (67 MB for 1,024 keys)."""
    client = _debug_app().test_client()
    with caplog.at_level(logging.CRITICAL, logger="flask_crossorigin"):
        for i in range(1100):
            origin = f"https://{i}-" + "x" * HUGE
            client.get(f"/api/{i}", headers={"Origin": origin})
            if i % 10 == 0:
                client.get(f"/api/{i}/" + "p" * HUGE, headers={"Origin": "https://b.example"})
    assert 0 < len(respond._warned) <= respond._WARNED_LIMIT
    assert max(_size(key) for key in respond._warned) <= KEY_LIMIT
    assert sum(_size(key) for key in respond._warned) <= respond._WARNED_LIMIT * KEY_LIMIT


def test_long_values_that_differ_at_the_end_are_told_apart(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """SPEC 7: a cut value keeps a digest of the whole, so two origins that differ only
    after the cut still get a warning each, and the same origin only one."""
    client = _debug_app().test_client()
    base = "https://" + "y" * HUGE
    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"):
        for origin in (base + "1", base + "2", base + "1"):
            client.get("/api/x", headers={"Origin": origin})
    warned = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 2


def _kept_keys() -> list[Any]:
    tables = [
        *decision_module._answers_bound._tables.values(),
        *origins_module._verdicts_bound._tables.values(),
        *resources_module._paths_bound._tables.values(),
    ]
    return [key for table in list(tables) for key in list(table)]


def test_every_memo_keeps_bounded_keys() -> None:
    """SPEC 7: decisions, preflight decisions, regex verdicts and path verdicts never keep a
    request value longer than their bounds, however long the values sent."""
    client = _debug_app().test_client()
    logging.getLogger("flask_crossorigin").disabled = True
    try:
        for i in range(200):
            long_origin = f"https://{i}.preview.example" + "z" * HUGE
            client.get(f"/api/{i}", headers={"Origin": long_origin})
            client.get(f"/api/{i}" + "q" * HUGE, headers={"Origin": "https://a.example"})
            client.options(
                "/api/x",
                headers={
                    "Origin": f"https://p{i}.preview.example",
                    "Access-Control-Request-Method": "GET",
                    "Access-Control-Request-Headers": "x-" + "h" * HUGE,
                },
            )
    finally:
        logging.getLogger("flask_crossorigin").disabled = False
    keys = _kept_keys()
    assert keys
    limit = max(
        origins_module.MAX_ORIGIN_LENGTH,
        decision_module.MAX_PREFLIGHT_KEY_LENGTH,
        resources_module.MAX_KEPT_PATH_LENGTH,
    )
    assert max(_size(key) for key in keys) <= limit
