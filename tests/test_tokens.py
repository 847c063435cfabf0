"""SPEC 4: Access-Control-Request-Headers parsing is linear and bounded."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from flask_crossorigin.tokens import (
    MAX_REQUEST_HEADERS_COUNT,
    MAX_REQUEST_HEADERS_LENGTH,
    is_token,
    parse_request_headers,
)

names = st.from_regex(r"[A-Za-z0-9!#$%&'*+.^_`|~-]{1,20}", fullmatch=True)
ows = st.sampled_from(["", " ", "\t", "  "])


@given(st.lists(names, min_size=1, max_size=MAX_REQUEST_HEADERS_COUNT), ows, ows)
def test_round_trip(header_names: list[str], before: str, after: str) -> None:
    value = ",".join(f"{before}{n}{after}" for n in header_names)
    if len(value) > MAX_REQUEST_HEADERS_LENGTH:
        assert parse_request_headers(value) is None
    else:
        assert parse_request_headers(value) == tuple(n.lower() for n in header_names)


@given(st.text(max_size=200))
def test_any_text_parses_to_tokens_or_none(value: str) -> None:
    parsed = parse_request_headers(value)
    if parsed is not None:
        assert parsed and all(is_token(name) and name == name.lower() for name in parsed)
        assert len(parsed) <= MAX_REQUEST_HEADERS_COUNT


def test_bounds() -> None:
    assert parse_request_headers(",".join(["x"] * MAX_REQUEST_HEADERS_COUNT)) is not None
    assert parse_request_headers(",".join(["x"] * (MAX_REQUEST_HEADERS_COUNT + 1))) is None
    assert parse_request_headers("," * 1_000_000) is None
    assert parse_request_headers(" " * 1_000_000) is None
    assert parse_request_headers(",".join(["x-a"] * 100_000)) is None


def test_malformed() -> None:
    for value in ["", ",", "a,,b", "a b", "a,", "x-\r\ny", "a;b", "a\x00"]:
        assert parse_request_headers(value) is None, value
