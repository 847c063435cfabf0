"""SPEC 5: every configured regex is matched in time linear in the request value, by RE2, with
exactly the answers of Python's ``re``; what RE2 cannot match is refused at configuration."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from hypothesis import assume, example, given
from hypothesis import strategies as st

from flask_crossorigin import CORS, CORSConfigError, engine
from flask_crossorigin.engine import LinearSet, Unsupported, translate

# Pieces of regexes: literals (with case), classes, categories, anchors, groups, repeats.
_PIECES = st.sampled_from(
    [
        "a",
        "B",
        "k",
        "-",
        ".",
        r"\.",
        "[a-c]",
        "[^a]",
        r"\d",
        r"\w",
        r"\s",
        r"\W",
        "[\\w-]",
        "é",
        "\u017f",
        "a*",
        "b+",
        "(a|b)",
        "(?:ab)?",
        "a{1,3}",
        ".*",
        "(?i:k)",
        "(?-i:a)",
        "\n",
        "/",
    ]
)
_PREFIXES = st.sampled_from(["", "", "^", r"\A", "(?i)", "(?s)", "(?m)^"])
_SUFFIXES = st.sampled_from(["", "", "$", r"\Z"])
_FLAGS = st.sampled_from(
    [0, re.IGNORECASE, re.ASCII, re.IGNORECASE | re.ASCII, re.DOTALL, re.MULTILINE]
)
_VALUES = st.text(alphabet="abkBK-./é\u017f\u212a0 \n_", max_size=8)


@st.composite
def python_regexes(draw: st.DrawFn) -> re.Pattern[str]:
    text = draw(_PREFIXES) + "".join(draw(st.lists(_PIECES, min_size=1, max_size=5)))
    text += draw(_SUFFIXES)
    return re.compile(text, draw(_FLAGS))


@given(python_regexes(), _VALUES)
@example(re.compile("a$"), "a\n")
@example(re.compile("k", re.IGNORECASE), "\u212a")
@example(re.compile("k", re.IGNORECASE | re.ASCII), "\u212a")
@example(re.compile(r"\w+"), "é")
@example(re.compile(r"\w+", re.ASCII), "é")
@example(re.compile(".", re.DOTALL), "\n")
@example(re.compile("(?m)^a$"), "a\n")
def test_the_engine_answers_like_python_re(pattern: re.Pattern[str], value: str) -> None:
    """SPEC 3 and 5: full matches (origins, header names) and matches from the start
    (resources, flask-cors's prefix semantics) give exactly ``re``'s answers, flags and all."""
    for whole, expected in (
        (True, pattern.fullmatch(value) is not None),
        (False, pattern.match(value) is not None),
    ):
        source = translate(pattern, whole)
        assert isinstance(source, str), source
        assert LinearSet([source], whole).any(value) == expected, (source, whole)


@given(st.lists(python_regexes(), min_size=1, max_size=5), _VALUES)
def test_a_set_gives_the_indices_of_those_that_match(
    patterns: list[re.Pattern[str]], value: str
) -> None:
    """SPEC 5: matched together, each regex keeps its own flags and answer."""
    sources = [translate(p, whole=False) for p in patterns]
    assume(all(isinstance(s, str) for s in sources))
    linear = LinearSet([s for s in sources if isinstance(s, str)], whole=False)
    expected = [i for i, p in enumerate(patterns) if p.match(value) is not None]
    assert linear.matching(value) == expected


@pytest.mark.parametrize(
    ("regex", "reason"),
    [
        (r"/api/(?=x).*", "lookahead"),
        (r"/api/(?<!x)y", "lookahead or lookbehind"),
        (r"/(a)\1", "backreference"),
        (r"/(a)?(?(1)b|c)", "conditional"),
        (r"/a$/b", "'$' before more"),
        (r"/a{1001}", "more than 1000"),
        (r"\bapi", r"\b"),
    ],
)
def test_what_rE2_cannot_match_is_unsupported(regex: str, reason: str) -> None:
    """SPEC 5: the reason names the construct, and a rewrite comes with it."""
    found = translate(re.compile(regex), whole=False)
    assert isinstance(found, Unsupported)
    assert reason in found.reason
    assert found.fix


@pytest.mark.parametrize(
    "options",
    [
        {"resources": {r"/api/(?=x).*": {}}},
        {"allow_headers": [r"x-(?!forbidden).*"]},
        {"origins": [re.compile(r"https://(a)\1\.example\.com")]},
    ],
    ids=["resources", "allow_headers", "origins"],
)
def test_unsupported_regexes_are_refused_at_configuration(options: dict[str, Any]) -> None:
    """SPEC 2 and 5: a CORSConfigError naming the option and the rewrite, never a raw error."""
    with pytest.raises(CORSConfigError) as raised:
        CORS(Flask("engine"), **options)
    message = str(raised.value)
    assert "linear in their length" in message
    assert next(iter(options)) in message


def test_a_repeat_count_rE2_refuses_is_a_configuration_error() -> None:
    """SPEC 2 and 5: nested counts RE2 will not compile are refused with a rewrite."""
    with pytest.raises(CORSConfigError, match="too large to match in linear time"):
        CORS(Flask("engine"), resources={r"/(?:a{0,100}){0,100}": {}})


def test_the_slow_examples_run_on_the_linear_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """SPEC 5: the resource regex and the allow_headers regex that took Python's engine 10.8 s
    and 17 s per request are matched by the linear-time engine only: the Python regexes are
    never asked (every value goes through the engine's sets), and the request is answered
    (cost figures: bench/run.py, 'linear')."""
    app = Flask("engine")

    @app.route("/api/<path:rest>", methods=["GET", "OPTIONS"])
    def view(rest: str) -> str:
        return rest

    sets: list[str] = []
    matching, any_ = LinearSet.matching, LinearSet.any

    def counting_matching(self: LinearSet, value: str) -> list[int]:
        sets.append(value)
        return matching(self, value)

    def counting_any(self: LinearSet, value: str) -> bool:
        sets.append(value)
        return any_(self, value)

    monkeypatch.setattr(LinearSet, "matching", counting_matching)
    monkeypatch.setattr(LinearSet, "any", counting_any)
    CORS(app, resources={r"/api/.*/.*/.*/export": {"allow_headers": [r"x-.*-.*-.*-id"]}})
    path = "/api/" + "a/" * 2000 + "export"
    header = "x-" + "a-" * 1000 + "x"
    response = app.test_client().options(
        path,
        headers={
            "Origin": "https://a.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": header,
        },
    )
    assert response.status_code < 500
    assert "Access-Control-Allow-Headers" not in response.headers
    assert path in sets
    assert header in sets


def test_a_lone_surrogate_matches_nothing() -> None:
    """The engine's one documented edge: a value no WSGI server produces."""
    source = translate(re.compile(".*"), whole=True)
    assert isinstance(source, str)
    assert not LinearSet([source], whole=True).any("\ud800")


def test_character_sets_are_worked_out_by_python() -> None:
    """SPEC 3: case folding is Python's: 'k' with IGNORECASE takes the Kelvin sign, with
    IGNORECASE and ASCII it does not."""
    assert (0x212A, 0x212A) in engine.char_ranges(r"\U0000006b", re.IGNORECASE)
    assert (0x212A, 0x212A) not in engine.char_ranges(r"\U0000006b", re.IGNORECASE | re.ASCII)


def test_unicode_part_of_an_ascii_regex_is_refused() -> None:
    """SPEC 5: ``(?u:...)`` inside an ASCII regex (origins are compiled ASCII,
    case-insensitive) has Unicode case folding (``\\u212a`` matches ``k``) that the linear-time
    translation does not keep: refused rather than answered otherwise than Python would."""
    from flask import Flask

    from flask_crossorigin import CORS, CORSConfigError

    with pytest.raises(CORSConfigError, match=r"\(\?u:\.\.\.\)"):
        CORS(Flask("t"), origins=[re.compile(r"https://(?u:\u212a)ick\.com", re.I | re.A)])
