"""SPEC section 3 (origins) and section 2 (origin entries that can never match)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flask_crossorigin.errors import CORSConfigError, Problems
from flask_crossorigin.origins import (
    MAX_ORIGIN_LENGTH,
    Kind,
    Match,
    OriginMatcher,
    parse_entries,
    split_origin,
)


def matcher(*entries: object) -> OriginMatcher:
    problems = Problems()
    parsed = parse_entries("origins", list(entries), problems)
    problems.raise_if_any()
    return OriginMatcher(parsed)


def problems_for(value: object) -> list[str]:
    problems = Problems()
    parse_entries("origins", value, problems)
    return [str(p) for p in problems.items]


labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
# The last label starts with a letter: a numeric one makes the host an IPv4 address.
last_labels = st.from_regex(r"[a-z]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
hosts = st.builds(
    lambda head, last: ".".join([*head, last]), st.lists(labels, max_size=3), last_labels
)
ports = st.one_of(st.just(""), st.integers(1, 65535).map(str))
schemes = st.sampled_from(["http", "https", "app", "chrome-extension"])


DEFAULT_PORTS = {"http": "80", "https": "443"}


@st.composite
def origins(draw: st.DrawFn) -> str:
    """A serialized origin as a browser sends it: never with its scheme's default port."""
    scheme = draw(schemes)
    port = draw(ports.filter(lambda p: p != DEFAULT_PORTS.get(scheme)))
    return f"{scheme}://{draw(hosts)}" + (f":{port}" if port else "")


@given(origins())
def test_well_formed_origins_split(origin: str) -> None:
    """SPEC 3: a serialized origin scheme://host[:port] is well-formed."""
    parts = split_origin(origin)
    assert parts is not None
    scheme, host, port = parts
    assert origin == f"{scheme}://{host}" + (f":{port}" if port else "")


@given(origins(), st.sampled_from(["\r", "\n", "\x00", " ", ",", "/", "/path", "?q", "#f", "@"]))
def test_origin_with_extra_characters_is_malformed(origin: str, extra: str) -> None:
    """SPEC 3: CR/LF, NUL, spaces, commas, paths are never well-formed."""
    assert split_origin(origin + extra) is None
    assert matcher("*").match(origin + extra) is Match.MALFORMED


def test_over_long_origin_is_malformed() -> None:
    """SPEC 3: bounded length; a 10 kB Origin is refused."""
    long = "https://" + "a" * (MAX_ORIGIN_LENGTH) + ".com"
    assert matcher("*").match(long) is Match.MALFORMED
    assert matcher("*").match("https://" + "a" * 10_000) is Match.MALFORMED


@given(origins())
def test_exact_entry_matches_itself_case_insensitively(origin: str) -> None:
    """SPEC 3: exact origins are case-insensitive."""
    m = matcher(origin.upper())
    assert m.match(origin) is Match.ALLOWED
    assert m.match(origin.upper()) is Match.ALLOWED


@given(origins(), origins())
def test_exact_entry_matches_nothing_else(allowed: str, other: str) -> None:
    m = matcher(allowed)
    expected = Match.ALLOWED if other.lower() == allowed.lower() else Match.NOT_ALLOWED
    assert m.match(other) is expected


@given(st.lists(hosts, min_size=1, max_size=3), hosts, st.sampled_from(["http", "https"]))
def test_subdomain_pattern(subdomains: list[str], domain: str, scheme: str) -> None:
    """SPEC 3: https://*.example.com matches one or more labels, never the apex."""
    m = matcher(f"{scheme}://*.{domain}.test")
    sub = ".".join(subdomains)
    assert m.match(f"{scheme}://{sub}.{domain}.test") is Match.ALLOWED
    assert m.match(f"{scheme}://{domain}.test") is Match.NOT_ALLOWED
    other = "https" if scheme == "http" else "http"
    assert m.match(f"{other}://{sub}.{domain}.test") is Match.NOT_ALLOWED
    assert m.match(f"{scheme}://{sub}.{domain}.test:8443") is Match.NOT_ALLOWED
    assert m.match(f"{scheme}://{sub}{domain}.test") is Match.NOT_ALLOWED


def test_subdomain_pattern_is_not_a_suffix_match() -> None:
    m = matcher("https://*.example.com")
    assert m.match("https://evilexample.com") is Match.NOT_ALLOWED
    assert m.match("https://a.example.com.evil.net") is Match.NOT_ALLOWED
    assert m.match("https://a.b.example.com") is Match.ALLOWED


def test_subdomain_pattern_with_port() -> None:
    m = matcher("https://*.example.com:8443")
    assert m.match("https://a.example.com:8443") is Match.ALLOWED
    assert m.match("https://a.example.com") is Match.NOT_ALLOWED


@given(ports)
def test_any_port_pattern(port: str) -> None:
    """SPEC 3: http://localhost:* matches any port, and only that scheme and host."""
    m = matcher("http://localhost:*")
    suffix = f":{port}" if port else ""
    assert m.match(f"http://localhost{suffix}") is Match.ALLOWED
    assert m.match(f"https://localhost{suffix}") is Match.NOT_ALLOWED
    assert m.match(f"http://127.0.0.1{suffix}") is Match.NOT_ALLOWED


@given(origins(), st.text(alphabet="abcdefghijklmnopqrstuvwxyz.:/-", min_size=1, max_size=20))
def test_regex_never_grants_what_it_does_not_fully_match(origin: str, suffix: str) -> None:
    """SPEC 3: a regex entry is matched in full (flask-cors matches a prefix)."""
    pattern = re.escape(origin)
    m = matcher(re.compile(pattern))
    assert m.match(origin) is Match.ALLOWED
    candidate = origin + suffix
    if split_origin(candidate) is not None:
        assert m.match(candidate) is Match.NOT_ALLOWED


def test_regex_string_is_full_and_case_insensitive() -> None:
    m = matcher(r"https://.*\.example\.com")
    assert m.match("https://app.example.com") is Match.ALLOWED
    assert m.match("HTTPS://APP.EXAMPLE.COM") is Match.ALLOWED
    assert m.match("https://app.example.com.evil.net") is Match.NOT_ALLOWED


def test_many_regexes_are_combined_and_still_exact() -> None:
    """SPEC 5/7: patterns are compiled once; 1,000 of them behave like each one."""
    m = matcher(*[rf"https://app{i}\.example\.com" for i in range(1000)])
    assert m.match("https://app999.example.com") is Match.ALLOWED
    assert m.match("https://app1000.example.com") is Match.NOT_ALLOWED
    # The memo answers the same the second time.
    assert m.match("https://app999.example.com") is Match.ALLOWED


def test_regexes_with_groups_are_tried_one_by_one() -> None:
    m = matcher(r"https://(?P<n>a)\.com", r"https://(?P<n>b)\.com")
    assert m.match("https://b.com") is Match.ALLOWED
    assert m.match("https://c.com") is Match.NOT_ALLOWED


def test_null_only_when_listed_or_any() -> None:
    """SPEC 3: null is granted only when listed, or under '*'."""
    assert matcher("https://a.com").match("null") is Match.NOT_ALLOWED
    assert matcher("https://a.com", "null").match("null") is Match.ALLOWED
    assert matcher("*").match("null") is Match.ALLOWED
    assert matcher(r"https://.*").match("null") is Match.NOT_ALLOWED


def test_callable_entries_run_last_and_only_for_well_formed_origins() -> None:
    seen: list[str] = []

    def allow(origin: str) -> bool:
        seen.append(origin)
        return origin.endswith(".partner.test")

    m = matcher("https://a.com", allow)
    assert m.match("https://a.com") is Match.ALLOWED
    assert m.match("https://x.partner.test") is Match.ALLOWED
    assert m.match("https://x.other.test") is Match.NOT_ALLOWED
    assert m.match("https://bad origin") is Match.MALFORMED
    assert seen == ["https://x.partner.test", "https://x.other.test"]


def test_callable_that_raises_refuses() -> None:
    def broken(origin: str) -> bool:
        raise RuntimeError("database down")

    m = matcher(broken)
    assert m.match("https://a.com") is Match.CHECK_FAILED


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("https://app.example.com/", "trailing slash"),
        ("https://app.example.com/api", "has a path"),
        ("app.example.com", "has no scheme"),
        ("https://app.example.com:443", "default port 443"),
        ("http://app.example.com:80", "default port 80"),
        ("https://a.com,https://b.com", "several origins in one string"),
        ("https://a.com https://b.com", "whitespace"),
        ('["https://a.com"]', "JSON list"),
        ("https://*.com", "top-level domain"),
        ("https://user@a.com", "user name"),
        ("https://a.com:99999", "outside 1-65535"),
        ("(unclosed", "not a valid regular expression"),
        ("*.example.com", "write 'https://*.example.com'"),
        (42, "has type int"),
        ([], "is empty"),
    ],
)
def test_entries_that_can_never_match_are_errors(value: object, message: str) -> None:
    """SPEC 2: an origin that can never match a browser's Origin header is refused."""
    found = problems_for(value)
    assert len(found) == 1
    assert message in found[0]


def test_error_names_the_fix() -> None:
    (message,) = problems_for("https://app.example.com/")
    assert message == (
        "origins 'https://app.example.com/': has a trailing slash, so it can never match "
        "a browser's Origin header (write 'https://app.example.com')"
    )


def test_upper_case_is_normalised_not_refused() -> None:
    """SPEC 2: upper-case scheme or host is normalised."""
    problems = Problems()
    (entry,) = parse_entries("origins", "HTTPS://App.Example.COM", problems)
    assert not problems.items
    assert entry.kind is Kind.EXACT and entry.text == "https://app.example.com"


def test_all_problems_reported_at_once() -> None:
    problems = Problems()
    parse_entries("origins", ["https://a.com/", "b.com", "https://ok.com"], problems)
    with pytest.raises(CORSConfigError) as info:
        problems.raise_if_any()
    assert len(info.value.problems) == 2
    assert "origins[0]" in str(info.value) and "origins[1]" in str(info.value)


def test_regex_verdicts_are_bounded_across_matchers() -> None:
    """Many matchers (one per resource) facing a stream of new origins keep no more regex
    verdicts in all than the one bound."""
    from flask_crossorigin.origins import REGEX_VERDICTS_LIMIT

    matchers = [matcher(r"https://.*\.example\.com") for _ in range(10)]
    for i in range(2 * REGEX_VERDICTS_LIMIT):
        assert matchers[i % 10].match(f"https://h{i}.example.com") is Match.ALLOWED
        assert matchers[i % 10].match(f"https://h{i}.example.org") is Match.NOT_ALLOWED
    assert 0 < sum(len(m._memo) for m in matchers) <= REGEX_VERDICTS_LIMIT


def test_shared_bound() -> None:
    from flask_crossorigin.memo import SharedBound

    bound = SharedBound(5)
    first: dict[str, int] = {}
    second: dict[str, int] = {}
    for i in range(5):
        bound.keep(first if i % 2 else second, f"k{i}", i)
    assert len(first) + len(second) == 5 and bound.count == 5
    bound.keep(first, "new", 9)
    assert (first, second, bound.count) == ({"new": 9}, {}, 1)
