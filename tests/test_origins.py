"""SPEC section 3 (origins) and section 2 (origin entries that can never match)."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given
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


# --- one grammar for the strings in origins (SPEC 3) -----------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "shown"),
    [
        ("*", Kind.ANY, "*"),
        ("null", Kind.NULL, "null"),
        ("https://app.example.com", Kind.EXACT, "https://app.example.com"),
        ("https://app.example.com.", Kind.EXACT, "https://app.example.com."),
        ("http://127.0.0.1:5000", Kind.EXACT, "http://127.0.0.1:5000"),
        ("http://[::1]:90", Kind.EXACT, "http://[::1]:90"),
        ("http://[0:0::1]", Kind.EXACT, "http://[::1]"),
        ("http://[::FFFF:1.2.3.4]", Kind.EXACT, "http://[::ffff:102:304]"),
        ("chrome-extension://abcdefgh", Kind.EXACT, "chrome-extension://abcdefgh"),
        ("https://*.example.com", Kind.SUBDOMAIN, "https://*.example.com"),
        ("https://*.example.com:8443", Kind.SUBDOMAIN, "https://*.example.com:8443"),
        ("HTTPS://*.Example.com:*", Kind.SUBDOMAIN, "https://*.example.com:*"),
        ("http://localhost:*", Kind.ANY_PORT, "http://localhost:*"),
        ("http://[::1]:*", Kind.ANY_PORT, "http://[::1]:*"),
        (r"https://app\.example\.com", Kind.REGEX, r"https://app\.example\.com"),
        ("https://.*.example.com", Kind.REGEX, "https://.*.example.com"),
        ("https://[a-z]{1,10}.example.com", Kind.REGEX, "https://[a-z]{1,10}.example.com"),
        ("https://a+.example.com", Kind.REGEX, "https://a+.example.com"),
        ("https://(a|b).example.com", Kind.REGEX, "https://(a|b).example.com"),
    ],
)
def test_each_string_is_read_one_way(text: str, kind: Kind, shown: str) -> None:
    """SPEC 3: '*', null, exact origins (DNS, trailing dot, IPv4, bracketed IPv6), wildcard
    patterns and regexes (regex syntax other than '*' and '.') are told apart by their text."""
    problems = Problems()
    (entry,) = parse_entries("origins", text, problems)
    assert not problems.items
    assert (entry.kind, entry.text) == (kind, shown)


def test_subdomains_on_any_port() -> None:
    """SPEC 3: scheme://*.host:* is both patterns; flask-cors read it as a regex that lets
    https://aexample.com in and keeps https://a.example.com:8443 out."""
    m = matcher("https://*.example.com:*")
    assert m.match("https://a.example.com:8443") is Match.ALLOWED
    assert m.match("https://a.b.example.com") is Match.ALLOWED
    assert m.match("https://aexample.com") is Match.NOT_ALLOWED
    assert m.match("https://example.com:8443") is Match.NOT_ALLOWED
    assert m.match("http://a.example.com:8443") is Match.NOT_ALLOWED


def test_ipv6_and_trailing_dot_origins_match_themselves() -> None:
    """SPEC 3: a bracketed IPv6 literal is an exact origin; a trailing-dot host is distinct."""
    m = matcher("http://[::1]:90", "https://example.com.")
    assert m.match("http://[::1]:90") is Match.ALLOWED
    assert m.match("http://[::2]:90") is Match.NOT_ALLOWED
    assert m.match("https://example.com.") is Match.ALLOWED
    assert m.match("https://example.com") is Match.NOT_ALLOWED
    assert matcher("http://[::1]:*").match("http://[::1]:5173") is Match.ALLOWED
    assert matcher("https://*.example.com").match("https://a.example.com.") is Match.NOT_ALLOWED


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("https://*example.com", "'https://*.example.com'"),
        ("*.example.com", "'https://*.example.com'"),
        ("https://a*.example.com/", "'https://*.example.com'"),
        ("https://*.example.com/", "'https://*.example.com'"),
        ("https://**.example.com", "'https://*.example.com'"),
        ("http://localhost:8*", "'http://localhost:*'"),
        ("https://*", "write '*'"),
        ("*://app.example.com", "['https://app.example.com', 'http://app.example.com']"),
    ],
)
def test_other_strings_with_a_star_show_the_pattern_meant(text: str, meant: str) -> None:
    """SPEC 3: a string with '*' and no other regex syntax is a wildcard pattern or an error
    that shows the pattern the user probably meant (never silently a regex)."""
    (message,) = problems_for(text)
    assert "uses '*' outside the patterns" in message
    assert meant in message


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("file://", "whose pages browsers send as 'Origin: null'"),
        ("file:///home/me/index.html", "whose pages browsers send as 'Origin: null'"),
        ("http://127.0.0.1.1", "neither a DNS name nor an IPv4 address"),
        ("http://127.1", "write it as browsers send it: 'http://127.0.0.1'"),
        ("http://[1.2]", "not an IPv6 address"),
        ("http://[::1%eth0]", "not an IPv6 address"),
        ("http://::1", "write http://[::1]"),
        ("https://bücher.example", "'https://xn--bcher-kva.example'"),
        ("https://a_b!.example", "not a DNS name"),
        ("https://" + "a" * 64 + ".example", "not a DNS name"),
        ("https://a.com:0", "outside 1-65535"),
        ("https://a.com:65536", "outside 1-65535"),
        ("https://a.com:08080", "write 'https://a.com:8080'"),
        ("https://*.1.2.3.4", "before an IP address"),
        ("https://*.com:*", "top-level domain"),
        (r"https://a\.example\.com/.*", "requires a path or a trailing slash"),
        (r"https://a\.example\.com/", "requires a path or a trailing slash"),
        (b"https://a.com", "write a str: 'https://a.com'"),
        ([b"https://a.com"], "write a str: 'https://a.com'"),
        (re.compile(rb"https://a\.com"), "is a bytes pattern"),
        ("(?u)https://a", "not a valid regular expression"),
    ],
)
def test_entries_outside_the_grammar_are_errors(value: object, message: str) -> None:
    """SPEC 2: opaque schemes, hosts that are neither DNS names nor IP literals, ports outside
    1-65535, regexes that require a path, bytes: each a problem with value and fix."""
    found = problems_for(value)
    assert len(found) == 1, found
    assert message in found[0]


def test_a_legitimate_regex_is_not_a_comma_list() -> None:
    """SPEC 2: [a-z]{1,10} holds a comma, and is a regex."""
    m = matcher(r"https://[a-z]{1,10}\.example\.com")
    assert m.match("https://abc.example.com") is Match.ALLOWED
    assert m.match("https://abcdefghijk.example.com") is Match.NOT_ALLOWED


# --- regexes keep their own flags; the combined matcher is exact (SPEC 3) --------------------


def test_regexes_with_inline_flags_are_not_joined() -> None:
    """SPEC 3: (?i) starts its own regex only; joined, it was a raw re.error."""
    m = matcher(r"(?i)https://a\.test", r"https://b\d\.test")
    assert m.match("https://a.test") is Match.ALLOWED
    assert m.match("https://b1.test") is Match.ALLOWED
    assert m.match("https://b.test") is Match.NOT_ALLOWED


def test_verbose_regexes_keep_their_meaning() -> None:
    """SPEC 3: a VERBOSE comment must not swallow the next entry: joined, these two let in
    https://a.test, which neither allows alone."""
    first = re.compile(r"https://a  # the apex only", re.VERBOSE)
    second = re.compile("\n\\.test", re.VERBOSE)
    m = matcher(first, second)
    assert m.match("https://a") is Match.ALLOWED
    assert m.match("https://a.test") is Match.NOT_ALLOWED


def test_case_is_folded_in_ascii_only() -> None:
    """SPEC 3: case-insensitive in ASCII only: the Kelvin sign is no 'k', the long s no 's'."""
    assert matcher(re.compile("https://\u212aelvin\\.test")).match("https://kelvin.test") is (
        Match.NOT_ALLOWED
    )
    assert matcher("https://\u017fite\\.test").match("https://site.test") is Match.NOT_ALLOWED
    assert matcher(r"https://SITE\.test").match("https://site.test") is Match.ALLOWED


_PIECES = st.sampled_from(
    ["a", "b", "A", ".", r"\.", "[ab]", "a*", "b?", "(a|b)", "(?:ab)", "a|b", "#", " ", "\n", "$"]
)
_FLAG_SETS = st.sampled_from(
    [0, re.IGNORECASE, re.VERBOSE, re.IGNORECASE | re.VERBOSE, re.MULTILINE, re.DOTALL]
)
_PREFIXES = st.sampled_from(["", "", "(?i)", "(?x)", "(?s)"])


@st.composite
def regexes(draw: st.DrawFn) -> re.Pattern[str]:
    """Small regexes with varied flags, inline flags, groups, comments and alternations. Every
    piece is balanced and a global inline flag only ever starts the text, so each draw
    compiles: nothing is filtered out."""
    text = draw(_PREFIXES) + "".join(draw(st.lists(_PIECES, min_size=1, max_size=5)))
    return re.compile(text, draw(_FLAG_SETS))


@given(st.lists(regexes(), min_size=1, max_size=6), st.text(alphabet="abAB. #\n", max_size=6))
def test_combined_matcher_answers_like_each_regex_alone(
    patterns: list[re.Pattern[str]], value: str
) -> None:
    """SPEC 3: any speed-up gives exactly the answers of matching each entry alone (regexes
    the linear-time engine cannot take, such as '$' before more of the regex, are refused at
    configuration: tests/test_engine.py)."""
    from flask_crossorigin.engine import translate
    from flask_crossorigin.patterns import any_fullmatch

    assume(all(isinstance(translate(p, whole=True), str) for p in patterns))

    combined = any_fullmatch(patterns)
    assert combined is not None
    assert combined(value) == any(p.fullmatch(value) is not None for p in patterns)


# --- the origin proof (SPEC 3) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("regex", "grants"),
    [
        (r"https://.*", "https://x.ax"),
        (r"https://[a-z0-9.-]+", "https://x.ax"),
        (r"https://.*example\.com", "https://xexample.com"),
        (r"https://.*-example\.com", "https://x-example.com"),
        (r"https://example\.com.*", "https://example.com.ax"),
        (r"https://app.example.com(:\d+)?", "https://appxexample.com"),
        (r"https?://.*\.com", "http://x.com"),
        (r"http://.*", "http://x.ax"),
        (r"https://.*.example.com", "https://xexample.com"),
    ],
)
def test_the_proof_names_the_shortest_stranger_a_regex_lets_in(regex: str, grants: str) -> None:
    """SPEC 3: the stranger named is the shortest origin the regex matches whose host is
    neither written out in it nor under a domain written out in it, with a real top-level
    domain (so that a real site could be it), and a fix comes with it."""
    problems = Problems()
    (entry,) = parse_entries("origins", regex, problems)
    assert entry.grants == grants
    assert re.fullmatch(regex, grants, re.IGNORECASE | re.ASCII)
    assert split_origin(grants) is not None
    assert not entry.proven
    assert entry.fix


@pytest.mark.parametrize(
    "regex",
    [
        r"https://.*\.example\.com",
        r"https://[a-z0-9-]+\.example\.com",
        r"https://(www\.)?example\.com",
        r"https://app\.example\.com(:\d+)?",
        r"https://pr-\d+\.preview\.example\.com",
        r"http://localhost:\d+",
    ],
)
def test_audit_lets_careful_regexes_be(regex: str) -> None:
    """SPEC 3: a regex that anchors and escapes its host grants no probe."""
    problems = Problems()
    (entry,) = parse_entries("origins", regex, problems)
    assert (entry.grants, entry.matches_any) == ("", False)


# --- well-formed request origins (SPEC 3) ------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:65536",
        "http://localhost:0",
        "http://localhost:08080",
        "https://\u212aelvin.test",
        "https://\u017fite.test",
        "https://bücher.example",
        "http://1.2.3.4.5",
        "http://127.1",
        "http://256.0.0.1",
        "http://[::1",
        "http://[1.2]",
        "http://[::FFFF:1.2.3.4]",
        "http://[0:0::1]",
        "https://" + "a" * 64 + ".test",
        "www.example.com",
    ],
)
def test_only_well_formed_origins_are_matched(origin: str) -> None:
    """SPEC 3: ASCII, port 1-65535, valid IP literals as browsers serialize them; anything
    else is malformed for exact, pattern, regex and callable entries alike."""
    seen: list[str] = []

    def record(value: str) -> bool:
        seen.append(value)
        return True

    m = matcher("http://localhost:*", "https://*.a.test", r"https?://.*\.(test|example)", record)
    assert split_origin(origin) is None
    assert m.match(origin) is Match.MALFORMED
    assert seen == []


def entry_allows_alone(text: str, origin: str) -> bool:
    """One wildcard or exact entry, read plainly from its text."""
    scheme, _, authority = origin.partition("://")
    host, _, port = authority.partition(":")
    e_scheme, _, e_authority = text.partition("://")
    e_host, _, e_port = e_authority.partition(":")
    if e_scheme != scheme or e_port not in ("*", port):
        return False
    if e_host.startswith("*."):
        return host.endswith(e_host[1:]) and len(host) > len(e_host) - 1
    return e_host == host


wildcard_entries = st.builds(
    lambda sub, host, port: ("*." if sub else "") + host + port,
    st.booleans(),
    st.sampled_from(["a.test", "b.a.test", "localhost", "a.test."]),
    st.sampled_from(["", ":*", ":8080"]),
).map(lambda rest: "https://" + rest)
request_origins = st.builds(
    lambda label, host, port: f"https://{label}{host}{port}",
    st.sampled_from(["", "x.", "y.x.", "b.", "xb."]),
    st.sampled_from(["a.test", "b.a.test", "localhost", "a.test.", "ba.test"]),
    st.sampled_from(["", ":8080", ":9"]),
)


@given(st.lists(wildcard_entries, min_size=1, max_size=5), request_origins)
def test_pattern_look_ups_answer_like_each_entry_alone(entries: list[str], origin: str) -> None:
    """SPEC 3: the set look-ups per label give exactly the answers of each entry alone."""
    m = matcher(*entries)
    expected = any(entry_allows_alone(e, origin) for e in entries)
    assert (m.match(origin) is Match.ALLOWED) is expected


@pytest.mark.parametrize(
    ("written", "serialized"),
    [
        ("0:0:0:0:0:0:0:0", "::"),
        ("1:0:0:0:0:0:0:0", "1::"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:0db8:0:1:0:0:0:1", "2001:db8:0:1::1"),
        ("2001:DB8::1:0:1", "2001:db8::1:0:1"),
        ("1:2:3:4:5:6:0:8", "1:2:3:4:5:6:0:8"),
        ("::ffff:1.2.3.4", "::ffff:102:304"),
    ],
)
def test_ipv6_hosts_are_written_as_browsers_serialize_them(written: str, serialized: str) -> None:
    """SPEC 3: an IPv6 entry is normalised to the URL standard's serialization (the first
    longest run of two or more zero groups as '::', no embedded IPv4), which a browser sends."""
    (entry,) = parse_entries("origins", f"http://[{written}]:8080", Problems())
    assert entry.text == f"http://[{serialized}]:8080"
    assert matcher(f"http://[{written}]:8080").match(entry.text) is Match.ALLOWED
