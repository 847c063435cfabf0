"""SPEC 4: Access-Control-Request-Headers parsing is linear, bounded, and ignores empty
elements (RFC 9110 section 5.6.1)."""

from __future__ import annotations

from typing import Optional

from hypothesis import given
from hypothesis import strategies as st

from flask_crossorigin.tokens import (
    MAX_REQUEST_HEADERS_COUNT,
    MAX_REQUEST_HEADERS_LENGTH,
    TOKEN,
    is_token,
    parse_request_headers,
)

names = st.from_regex(r"[A-Za-z0-9!#$%&'*+.^_`|~-]{1,20}", fullmatch=True)
ows = st.sampled_from(["", " ", "\t", "  "])


def oracle(value: str) -> Optional[tuple[str, ...]]:
    """RFC 9110 5.6.1 read plainly: split on commas, trim OWS, drop empty elements; every
    other element a token; first spelling of each name (case-insensitively) kept."""
    if len(value) > MAX_REQUEST_HEADERS_LENGTH:
        return None
    elements = [e.strip(" \t") for e in value.split(",")]
    elements = [e for e in elements if e]
    if len(elements) > MAX_REQUEST_HEADERS_COUNT or not all(TOKEN.fullmatch(e) for e in elements):
        return None
    kept: dict[str, str] = {}
    for e in elements:
        kept.setdefault(e.lower(), e)
    return tuple(kept.values())


@given(st.lists(names, min_size=1, max_size=MAX_REQUEST_HEADERS_COUNT), ows, ows)
def test_round_trip(header_names: list[str], before: str, after: str) -> None:
    """SPEC 4: names come back as spelled, duplicates (any case) dropped."""
    value = ",".join(f"{before}{n}{after}" for n in header_names)
    first_spelling: dict[str, str] = {}
    for n in header_names:
        first_spelling.setdefault(n.lower(), n)
    expected = tuple(first_spelling.values())
    if len(value) > MAX_REQUEST_HEADERS_LENGTH:
        assert parse_request_headers(value) is None
    else:
        assert parse_request_headers(value) == expected


@given(st.lists(st.one_of(names, st.sampled_from(["", " ", "\t", " a b", "x;y"])), max_size=80))
def test_agrees_with_the_plain_reading(elements: list[str]) -> None:
    """SPEC 4: the parser gives exactly the plain reading of RFC 9110 5.6.1."""
    value = ",".join(elements)
    assert parse_request_headers(value) == oracle(value)


@given(st.text(max_size=200))
def test_any_text_parses_to_tokens_or_none(value: str) -> None:
    """SPEC 4: whatever is sent, the answer is tokens (or None), within the bound."""
    parsed = parse_request_headers(value)
    assert parsed == oracle(value)
    if parsed is not None:
        assert all(is_token(name) for name in parsed)
        assert len(parsed) <= MAX_REQUEST_HEADERS_COUNT


def test_empty_elements_are_ignored() -> None:
    """SPEC 4: proxies that join header lines produce empty elements; they mean nothing."""
    assert parse_request_headers("x-foo,") == ("x-foo",)
    assert parse_request_headers(",,authorization,,") == ("authorization",)
    assert parse_request_headers(" X-Foo ,\t, x-foo, Authorization") == ("X-Foo", "Authorization")
    assert parse_request_headers("") == ()
    assert parse_request_headers(" , ,") == ()


def test_bounds() -> None:
    """SPEC 4: more than the bound of names, or a value over the length bound, is refused."""
    assert parse_request_headers(",".join(["x"] * MAX_REQUEST_HEADERS_COUNT)) == ("x",)
    assert parse_request_headers(",".join(["x"] * (MAX_REQUEST_HEADERS_COUNT + 1))) is None
    assert parse_request_headers("," * 1_000_000) is None
    assert parse_request_headers(" " * 1_000_000) is None
    assert parse_request_headers(",".join(["x-a"] * 100_000)) is None


def test_malformed() -> None:
    """SPEC 4: an element that is not a token refuses the whole value."""
    for value in ["a b", "x-\r\ny", "a;b", "a\x00", "x-é"]:
        assert parse_request_headers(value) is None, value
