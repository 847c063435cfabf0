"""SPEC 2 and 7: compiled pieces are shared by every policy built from the same setting.

One origin matcher and one header allow-list per distinct setting, whatever the number of
resources, blueprints and decorated views using it; decisions stay per policy.
"""

from __future__ import annotations

import gc
import re
import sys
import threading
from typing import Any

from flask import Blueprint, Flask

from flask_crossorigin import CORS, cross_origin
from flask_crossorigin.configure import single_policy
from flask_crossorigin.extension import STATE_KEY
from flask_crossorigin.policy import Policy, SharedPieces, _allow_lists, _matchers

ORIGINS = [f"https://app{i}.example.com" for i in range(50)]


def _policies(app: Flask) -> list[Policy]:
    return [rule.coverage.policy for rule in app.extensions[STATE_KEY].rules]


def test_resources_over_the_same_origins_share_one_matcher() -> None:
    """SPEC 2: a thousand resources compile the origins once."""
    app = Flask(__name__)
    CORS(
        app,
        origins=ORIGINS,
        allow_headers=["Content-Type", re.compile("X-.*")],
        resources=[rf"/api/r{i}/*" for i in range(1000)],
    )
    policies = _policies(app)
    assert len(policies) == 1000
    assert len({id(p.origins) for p in policies}) == 1
    assert len({id(p.allow_headers) for p in policies}) == 1
    # The decisions stay per policy.
    assert len({id(p.answers) for p in policies}) == 1000


def test_equal_settings_written_twice_share_one_matcher() -> None:
    """SPEC 2: sharing goes by the value, not by the list object the user wrote."""
    app = Flask(__name__)
    CORS(
        app,
        resources={
            "/a/*": {"origins": list(ORIGINS)},
            "/b/*": {"origins": list(ORIGINS)},
            "/c/*": {"origins": ["https://other.example.com"]},
        },
    )
    by_key = {rule.key: rule.coverage.policy for rule in app.extensions[STATE_KEY].rules}
    assert by_key["/a/*"].origins is by_key["/b/*"].origins
    assert by_key["/c/*"].origins is not by_key["/a/*"].origins


def test_decorated_views_and_blueprints_share_with_the_extension() -> None:
    """SPEC 2: @cross_origin and CORS(blueprint) reuse the matcher of an equal setting."""
    app = Flask(__name__)
    blueprint = Blueprint("bp", __name__)

    @blueprint.route("/bp")
    def in_blueprint() -> str:
        return "bp"

    CORS(blueprint, origins=list(ORIGINS))
    app.register_blueprint(blueprint)
    views = []
    for i in range(20):

        @cross_origin(origins=list(ORIGINS))
        def view() -> str:
            return "ok"

        app.add_url_rule(f"/v{i}", f"v{i}", view)
        views.append(f"v{i}")
    CORS(app, origins=list(ORIGINS))
    state = app.extensions[STATE_KEY]
    matchers = {id(state.covering_endpoint(e).policy.origins) for e in views}  # type: ignore[union-attr]
    matchers.add(id(state.blueprints["bp"].policy.origins))
    matchers.add(id(_policies(app)[0].origins))
    assert len(matchers) == 1
    # Each decorated view still answers on its own policy.
    client = app.test_client()
    response = client.get("/v3", headers={"Origin": ORIGINS[7]})
    assert response.headers["Access-Control-Allow-Origin"] == ORIGINS[7]
    refused = client.get("/bp", headers={"Origin": "https://evil.example.net"})
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_a_shared_matcher_gives_each_resource_its_own_answer() -> None:
    """SPEC 4: sharing the matcher changes no answer: other options stay per resource."""
    app = Flask(__name__)
    app.add_url_rule("/a/x", "a", lambda: "a")
    app.add_url_rule("/b/x", "b", lambda: "b")
    CORS(
        app,
        origins=ORIGINS[:3],
        resources={"/a/*": {"supports_credentials": True}, "/b/*": {"expose_headers": ["X-B"]}},
    )
    client = app.test_client()
    a = client.get("/a/x", headers={"Origin": ORIGINS[1]})
    b = client.get("/b/x", headers={"Origin": ORIGINS[1]})
    assert a.headers["Access-Control-Allow-Credentials"] == "true"
    assert "Access-Control-Expose-Headers" not in a.headers
    assert b.headers["Access-Control-Expose-Headers"] == "X-B"
    assert "Access-Control-Allow-Credentials" not in b.headers


ONLY_HERE = "https://only-here.example.com"


def _build_and_drop() -> None:
    app = Flask(__name__)
    CORS(app, origins=[ONLY_HERE], allow_headers=["X-Only-Here"], resources=["/x/*", "/y/*"])
    assert any(e.text == ONLY_HERE for m in _matchers._by_value.values() for e in m.entries)
    assert any("x-only-here" in a.names for a in _allow_lists._by_value.values())


def test_pieces_live_only_as_long_as_a_policy_uses_them() -> None:
    """SPEC 7: the shared table holds weak references; a dropped app leaves nothing behind,
    not even the parsed values remembered by identity."""
    _build_and_drop()
    gc.collect()
    assert not any(e.text == ONLY_HERE for m in _matchers._by_value.values() for e in m.entries)
    assert not any("x-only-here" in a.names for a in _allow_lists._by_value.values())
    remembered = [value for value, _ in _matchers._recent.values()]
    assert not any(e.text == ONLY_HERE for value in remembered for e in value)


def test_identity_table_is_bounded() -> None:
    """SPEC 7: the table of recently seen values never holds more than its bound."""

    class Piece:
        def __init__(self, value: tuple[int, ...]) -> None:
            self.value = value

    pieces: SharedPieces[tuple[int, ...], Piece] = SharedPieces(Piece)
    kept = [pieces.get((i,)) for i in range(SharedPieces.RECENT_LIMIT * 3)]
    assert len(pieces._recent) <= SharedPieces.RECENT_LIMIT
    assert len(pieces) == len(kept)


class _Unhashable:
    """A callable origin check that defines equality and so has no hash."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Unhashable)

    __hash__ = None  # type: ignore[assignment]

    def __call__(self, origin: str) -> bool:
        return origin.endswith(".example.org")


def test_an_unhashable_callable_origin_still_compiles() -> None:
    """SPEC 3: a callable that cannot be hashed is compiled on its own, and works."""
    app = Flask(__name__)
    app.add_url_rule("/a", "a", lambda: "a")
    CORS(app, origins=[_Unhashable()], resources=["/a", "/b"])
    response = app.test_client().get("/a", headers={"Origin": "https://x.example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://x.example.org"


def test_one_matcher_when_threads_compile_the_same_setting() -> None:
    """SPEC 7: eight threads compiling equal settings at once end with one shared matcher."""
    app = Flask(__name__)
    seen: list[Any] = []
    errors: list[BaseException] = []
    origins = [f"https://threads{i}.example.com" for i in range(200)]

    def work() -> None:
        try:
            for _ in range(20):
                layers = [("CORS(...)", {})]
                app.config["CORS_ORIGINS"] = origins
                seen.append(single_policy(app.config, layers, "test").policy.origins)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(before)
    assert not errors
    assert len(seen) == 160
    assert len({id(m) for m in seen}) == 1
