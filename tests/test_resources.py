"""SPEC 5: resources (paths) — matching, precedence, decoding, dot segments."""

from __future__ import annotations

import posixpath
import re
import sys
import threading
import time
from typing import Optional, Union

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from flask_crossorigin import resources
from flask_crossorigin.memo import SharedBound
from flask_crossorigin.resources import (
    PathRouter,
    precedence,
    remove_dot_segments,
)

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
        ("/api/v1/x/../special", None),
        ("/api/v1/x/../other", "api-v1"),
        ("/api/v1/./x", "api-v1"),
        ("/api/v1/../x", None),
    ],
)
def test_precedence_most_specific_first(path: str, expected: Optional[str]) -> None:
    """SPEC 5: literal paths, then more '/' segments, then longer patterns; case-sensitive;
    on the path as routed, and a path whose dot segments resolve under another resource gets
    no resource."""
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


def test_memo_is_bounded_across_routers(monkeypatch: pytest.MonkeyPatch) -> None:
    """SPEC 7: all routers' path tables together (the app's and each blueprint's) hold at most
    PATHS_LIMIT paths; a path too long to keep is looked up every time."""
    monkeypatch.setattr(resources, "_paths_bound", SharedBound(50))
    routers: list[PathRouter[str]] = [
        PathRouter([(re.compile(f"/r{n}.*"), str(n))]) for n in range(5)
    ]
    for i in range(200):
        for n, router in enumerate(routers):
            assert router.match(f"/r{n}/{i}") == str(n)
            assert sum(len(r._memo) for r in routers) <= 50
    long_path = "/r0/" + "x" * resources.MAX_KEPT_PATH_LENGTH
    assert routers[0].match(long_path) == "0"
    assert long_path not in routers[0]._memo


def test_percent_encoded_dot_segments_that_leave_their_resource_get_no_grant() -> None:
    """SPEC 5: /public/%2E%2E/secret, routed to the public view, resolves under /secret:
    neither resource's grant."""
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


# --- the regex index: same answers as trying the ordered list one by one ---------------------

# Atoms of a resource regex; each may take one quantifier. Together they cover literal
# characters (escaped or not), dots, character classes (``]`` first is literal), groups with
# alternatives, and anchors, which is what the literal-prefix scan has to read right.
_ATOMS = st.sampled_from(
    ["/", "a", "b", "-", r"\.", r"\/", ".", "[ab]", "[^a]", "[]a]", r"[\]/]", "(a|/)", "(?:b|/a)"]
)
_QUANTIFIER = st.sampled_from(["", "", "*", "+", "?", "{1,2}", "*?"])
_BRANCH = st.lists(st.tuples(_ATOMS, _QUANTIFIER).map("".join), min_size=1, max_size=6).map("".join)


@st.composite
def resource_regexes(draw: st.DrawFn) -> re.Pattern[str]:
    branches = draw(st.lists(_BRANCH, min_size=1, max_size=2))
    text = draw(st.sampled_from(["", "^", "(?i)"])) + "|".join(branches)
    text += draw(st.sampled_from(["", "", "$"]))
    return re.compile(text, draw(st.sampled_from([0, 0, re.IGNORECASE])))


_PATHS = st.text(alphabet="/ab.-A]", max_size=8).map(lambda rest: "/" + rest)
_RULES = st.lists(
    st.one_of(resource_regexes(), st.text(alphabet="/ab", max_size=4).map(lambda t: "/" + t)),
    max_size=12,
)


def one_by_one(rules: list[Union[str, re.Pattern[str]]], path: str) -> Optional[int]:
    """SPEC 5 as written: literal paths first, then regexes in precedence order, first wins
    (``sorted`` is stable, so equal keys keep the order given), on the path as it is; a path
    whose resolved form (:func:`remove_dot_segments` has its own tests above) falls under
    another rule, or none, gets none."""
    found = _first_rule(rules, path)
    if found != _first_rule(rules, remove_dot_segments(path)):
        return None
    return found


def _first_rule(rules: list[Union[str, re.Pattern[str]]], path: str) -> Optional[int]:
    ordered = sorted(enumerate(rules), key=lambda rule: precedence(rule[1]))
    for index, pattern in ordered:
        if isinstance(pattern, str) and pattern == path:
            return index
    for index, pattern in ordered:
        if isinstance(pattern, re.Pattern) and pattern.match(path) is not None:
            return index
    return None


@given(_RULES, st.lists(_PATHS, min_size=1, max_size=8))
# A longer prefix's group matched first; a shorter prefix's group then matched with a worse rank.
@example([re.compile("/"), re.compile("/*a"), re.compile(".")], ["/"])
def test_regex_index_gives_the_one_by_one_answer(
    rules: list[Union[str, re.Pattern[str]]], paths: list[str]
) -> None:
    """SPEC 5: the precedence is unchanged by matching every regex in one set."""
    router: PathRouter[int] = PathRouter([(p, i) for i, p in enumerate(rules)])
    for path in paths:
        assert router.match(path) == one_by_one(rules, path), path


def test_regexes_with_groups_and_flags_keep_their_meaning() -> None:
    """SPEC 5: regexes with groups, inline flags or comments keep their meaning (and their
    order) when matched together by the linear-time engine."""
    router: PathRouter[str] = PathRouter(
        [
            (re.compile(r"/x/(a)a"), "group"),
            (re.compile(r"/x/(?P<n>b)b"), "named"),
            (re.compile(r"/x/(?i:c)"), "scoped-flag"),
            (re.compile(r"/x/ d  # a comment", re.VERBOSE), "verbose"),
            (re.compile(r"/x/e.*"), "e"),
            (re.compile(r"/x/f.*"), "f"),
        ]
    )
    assert router.match("/x/aa") == "group"
    assert router.match("/x/ab") is None
    assert router.match("/x/bb") == "named"
    assert router.match("/x/C") == "scoped-flag"
    assert router.match("/x/d") == "verbose"
    assert router.match("/x/eee") == "e"
    assert router.match("/x/f") == "f"


def test_memo_holds_its_bound_exactly_under_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """SPEC 7: the per-path memo never holds more than its bound, whatever the threads do."""
    limit = 16
    monkeypatch.setattr(resources, "_paths_bound", SharedBound(limit))

    largest = [0]

    class Watched(dict):  # type: ignore[type-arg]
        """The memo's table, recording its largest size; its ``len`` lets another thread run,
        which widens the window between checking the size and inserting."""

        def __len__(self) -> int:
            size = super().__len__()
            time.sleep(0)
            return size

        def __setitem__(self, key: object, value: object) -> None:
            super().__setitem__(key, value)
            largest[0] = max(largest[0], super().__len__())

    router: PathRouter[str] = PathRouter([(re.compile("/a.*"), "a")])
    router._memo = Watched()
    errors: list[BaseException] = []

    def work(start: int) -> None:
        try:
            for i in range(start, start + 1000):
                assert router.match(f"/a{i}") == "a"
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work, args=(n * 10_000,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(before)
    assert not errors
    assert largest[0] == limit
    assert dict.__len__(router._memo) <= limit


def test_a_new_path_is_matched_by_one_pass_over_all_regexes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SPEC 5 and 7: under 1,000 regex resources a new path is one pass of the linear-time
    engine over all of them, not 1,000 tries: its cost does not grow with their number."""
    from flask_crossorigin import engine

    passes: list[str] = []
    matching = engine.LinearSet.matching

    def counting(self: engine.LinearSet, value: str) -> list[int]:
        passes.append(value)
        return matching(self, value)

    monkeypatch.setattr(engine.LinearSet, "matching", counting)
    router: PathRouter[int] = PathRouter([(re.compile(rf"/api/v1/r{i}/*"), i) for i in range(1000)])
    assert router.match("/api/v1/r500/items/7") == 500
    # "/api/v1/r5" and "/api/v1/r50" also hold a regex that matches, but of lower rank.
    assert passes == ["/api/v1/r500/items/7"]
    passes.clear()
    assert router.match("/other/path") is None
    assert passes == ["/other/path"]
