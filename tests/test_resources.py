"""SPEC 5: resources (paths) — matching, precedence, decoding, dot segments."""

from __future__ import annotations

import posixpath
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flask_crossorigin.resources import PathRouter, remove_dot_segments

from .conftest import build_app

segments = st.lists(
    st.one_of(
        st.sampled_from([".", "..", ""]), st.from_regex(r"[A-Za-z0-9_%+-]{1,6}", fullmatch=True)
    ),
    max_size=8,
)


@given(segments)
def test_remove_dot_segments_leaves_no_dot_segments(parts: list[str]) -> None:
    path = "/" + "/".join(parts)
    resolved = remove_dot_segments(path)
    assert resolved.startswith("/")
    assert not any(s in (".", "..") for s in resolved.split("/"))
    # Same answer as posixpath for the directory part (posixpath also folds '//').
    assert posixpath.normpath(resolved) == posixpath.normpath(path) or "//" in path


def test_remove_dot_segments_examples() -> None:
    assert remove_dot_segments("/public/../secret") == "/secret"
    assert remove_dot_segments("/a/./b/") == "/a/b/"
    assert remove_dot_segments("/a/b/..") == "/a/"
    assert remove_dot_segments("/../../x") == "/x"
    assert remove_dot_segments("/file.txt") == "/file.txt"


def router() -> PathRouter[str]:
    return PathRouter(
        [
            (re.compile(r".*"), "everything"),
            (re.compile(r"/api/.*"), "api"),
            (re.compile(r"/api/v1/.*"), "api-v1"),
            ("/api/v1/special", "literal"),
            (re.compile(r"/api/v1/spec.*"), "api-v1-spec"),
        ]
    )


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/special", "literal"),
        ("/api/v1/specials", "api-v1-spec"),
        ("/api/v1/other", "api-v1"),
        ("/api/x", "api"),
        ("/other", "everything"),
        ("/API/x", "everything"),
        ("/api/v1/x/../special", "literal"),
    ],
)
def test_precedence_most_specific_first(path: str, expected: str) -> None:
    """SPEC 5: literal paths, then more '/' segments, then longer patterns; case-sensitive."""
    assert router().match(path) == expected


@given(st.lists(st.from_regex(r"/[a-z]{1,5}(/[a-z]{1,5}){0,3}", fullmatch=True), max_size=6))
def test_literal_paths_match_exactly(paths: list[str]) -> None:
    r: PathRouter[str] = PathRouter([(p, p) for p in paths])
    for p in paths:
        assert r.match(p) == p
        assert r.match(p + "x") == (p + "x" if p + "x" in paths else None)


@given(st.from_regex(r"/[a-z]{1,8}", fullmatch=True), st.text(max_size=20))
def test_regex_prefix_semantics(prefix: str, rest: str) -> None:
    """SPEC 5: flask-cors's prefix semantics: r'/api/.*' covers every path under /api/."""
    r: PathRouter[str] = PathRouter([(re.compile(re.escape(prefix) + "/.*"), "hit")])
    path = prefix + "/" + rest.replace("/", "")
    assert r.match(path) == "hit"
    assert r.match("/0" + path) is None


def test_memo_is_bounded() -> None:
    r: PathRouter[str] = PathRouter([(re.compile("/a.*"), "a")])
    for i in range(PathRouter._MEMO_LIMIT * 2):
        r.match(f"/a{i}")
    assert len(r._memo) <= PathRouter._MEMO_LIMIT


def test_percent_encoded_dot_segments_are_judged_resolved() -> None:
    """SPEC 5: /public/%2E%2E/secret is judged as /secret."""
    app = build_app(
        resources={"/public/*": {"origins": "*"}, "/secret": {"origins": ["https://ok.test"]}}
    )
    app.add_url_rule("/public/<path:rest>", "public", lambda rest: "public")
    response = app.test_client().get(
        "/public/%2E%2E/secret", headers={"Origin": "https://evil.test"}
    )
    assert "Access-Control-Allow-Origin" not in response.headers


def test_path_is_not_decoded_twice() -> None:
    """SPEC 5: request.path as Werkzeug decoded it (flask-cors decodes it again)."""
    app = build_app(resources={"/api/items": {"origins": "*"}})
    app.add_url_rule("/api/<path:rest>", "rest", lambda rest: rest)
    client = app.test_client()
    # %2561 decodes once to %61; decoding again would give 'a' and match /api/items.
    response = client.get("/api/items%2561", headers={"Origin": "https://x.test"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    ok = client.get("/api/items", headers={"Origin": "https://x.test"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://x.test"


def test_plus_is_not_a_space() -> None:
    """SPEC 5: '+' in a path stays '+' (it is not form encoding)."""
    app = build_app(resources={"/api/a b": {"origins": "*"}})
    app.add_url_rule("/api/<path:rest>", "rest", lambda rest: rest)
    response = app.test_client().get("/api/a+b", headers={"Origin": "https://x.test"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_paths_are_case_sensitive() -> None:
    app = build_app(resources={"/api/*": {"origins": "*"}})
    app.add_url_rule("/API/items", "upper", lambda: "x")
    response = app.test_client().get("/API/items", headers={"Origin": "https://x.test"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_star_covers_every_path() -> None:
    app = build_app(resources="*")
    response = app.test_client().get("/public/info", headers={"Origin": "https://x.test"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://x.test"


def test_resource_list_and_regex_object() -> None:
    app = build_app(resources=[r"/api/.*", re.compile(r"/public/.*")])
    client = app.test_client()
    for path in ("/api/items", "/public/info"):
        assert client.get(path, headers={"Origin": "https://x.test"}).headers[
            "Access-Control-Allow-Origin"
        ]


@given(
    st.sampled_from([r"/*", r".*", r"/.*", r"/api/*", r"/api/.*", r"/v[0-9]+/.*"]),
    segments,
)
def test_universal_value_is_the_answer_for_every_path(pattern: str, parts: list[str]) -> None:
    """A router whose first rule matches every path answers every path with its value."""
    # The second rule sorts after the first (fewer "/"), so the first is tried first.
    router = PathRouter([(re.compile(pattern), "first"), (re.compile(r"q"), "second")])
    path = "/" + "/".join(parts)
    if router.universal is not None:
        assert router.universal == "first"
        assert router.match(path) == "first"
    assert (router.universal is not None) is (pattern in (r"/*", r".*", r"/.*"))
    # A rule with more "/" sorts first: then no single rule answers for every path.
    assert PathRouter([(re.compile(pattern), 1), (re.compile(r"/a/b/.*"), 2)]).universal is None
