"""SPEC 3, "Regex and pattern safety": the origin proof decides over a regex's whole language
which sites it lets in; public suffixes are never a domain the user owns; a string with two
'*' is refused as a pattern; in-label wildcards."""

from __future__ import annotations

import logging
import re
from typing import Any, Optional

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from flask_crossorigin import CORS, CORSConfigError
from flask_crossorigin.origins import split_origin
from flask_crossorigin.proof import prove
from flask_crossorigin.suffixes import registrable_domain

FLAGS = re.IGNORECASE | re.ASCII


def _app() -> Flask:
    app = Flask("proof")
    app.add_url_rule("/", "index", lambda: "x")
    return app


def _verdict(regex: str):  # type: ignore[no-untyped-def]
    return prove(
        re.compile(regex, FLAGS),
        lambda host: split_origin(f"http://{host}") is not None,
        lambda origin: split_origin(origin) is not None,
    )


def _refusal(**options: object) -> str:
    with pytest.raises(CORSConfigError) as raised:
        CORS(_app(), supports_credentials=True, **options)  # type: ignore[arg-type]
    return str(raised.value)


# Entries a sampled audit accepted with credentials, each with a stranger it lets in. The
# stranger named by the proof is checked to be matched and to be a real site, not this one.
REFUSED = [
    r"http://(localhost|\d+\.\d+\.\d+\.\d+):3000",
    r"http://[0-9.]+:3000",
    r"http://\[[0-9a-f:]+\]:3000",
    r"https://\d+\.\d+\.\d+\.\d+:8443",
    r"https://[1-9]+example\.com",
    r"https://[a-m]+\.com",
    r"http://\d+\.0\.0\.1",
    r"https://[a-z0-9-]+\.herokuapp\.com",
    r"https://(dev|staging)?\.?example\.com",
    r"https://(www.)?example\.com",
    r"https://.*example\.com",
    r"https://example\.[a-z]{2,3}",
]

ACCEPTED = [
    r"https://([a-z0-9-]+\.)*example\.com",
    r"https://(www|app)\.example\.com",
    r"https://[a-z0-9-]+\.example\.com(:\d+)?",
    r"http://localhost(:\d+)?",
    r"http://127\.0\.0\.1:\d+",
    r"http://\[::1\]:\d+",
    r"https?://(www\.)?example\.(com|co\.uk)",
    r"https://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*example\.com",
    r"https://pr-\d+\.preview\.example\.com",
    r"https://[a-z0-9-]+\.example\.github\.io",
    r"http://(localhost|127\.0\.0\.1):\d+",
]


@pytest.mark.parametrize("regex", REFUSED)
def test_a_regex_that_lets_a_stranger_in_is_refused_with_a_real_one(regex: str) -> None:
    """SPEC 3: with credentials, a regex that matches an origin neither written out nor under
    a domain written out that one owner can hold is refused; the stranger named is matched by
    the regex, parses as an origin, and has a registrable domain (or is an address) nobody in
    the regex wrote."""
    message = _refusal(origins=regex)
    assert "not proven" in message
    stranger = re.search(r"it would let in '([^']+)'", message)
    assert stranger is not None, message
    origin = stranger.group(1)
    assert re.fullmatch(regex, origin, FLAGS)
    parts = split_origin(origin)
    assert parts is not None
    host = parts[1]
    if not host.startswith("[") and not host.replace(".", "").isdigit():
        domain = registrable_domain(host)
        assert domain is not None, origin
        assert domain not in ("example.com",), origin


@pytest.mark.parametrize("regex", REFUSED)
def test_the_same_finding_is_a_warning_without_credentials(
    regex: str, caplog: pytest.LogCaptureFixture
) -> None:
    """SPEC 3: without credentials the proof's finding is a WARNING at init_app, with the
    stranger and the rewrite."""
    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"):
        CORS(_app(), origins=regex)
    assert any("not proven" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("regex", ACCEPTED)
def test_natural_safe_regexes_are_proven(regex: str) -> None:
    """SPEC 3: regexes whose every origin is an exact host written or under a domain written
    out (not a public suffix) are accepted with credentials."""
    assert _verdict(regex).proven
    CORS(_app(), origins=regex, supports_credentials=True)


@pytest.mark.parametrize(
    ("regex", "why"),
    [
        (r"https://(?=.*example).*", "lookahead"),
        (r"https://(?!evil).*\.example\.com", "lookahead"),
        (r"https://([a-z]+)\.\1\.com", "backreference"),
        (r"https://(a)?(?(1)b|c)\.example\.com", "conditional"),
    ],
)
def test_what_cannot_be_represented_is_refused(regex: str, why: str) -> None:
    """SPEC 3 and 5: lookarounds, backreferences and conditionals cannot be matched in linear
    time nor proven: refused, with the reason and a rewrite, with or without credentials."""
    assert why in _refusal(origins=regex)
    with pytest.raises(CORSConfigError):
        CORS(_app(), origins=regex)


def test_any_origin_check_uses_the_proof() -> None:
    """SPEC 2: credentials with a regex that matches every origin of a scheme is the
    any-origin refusal, however the regex spells it."""
    for regex in (r"https://.*", r"https?://[^/]+", r"https://[a-z0-9_.-]+"):
        assert _verdict(regex).matches_any, regex
        assert "allows every origin" in _refusal(origins=regex)
    assert not _verdict(r"https://.*\.example\.com").matches_any


@pytest.mark.parametrize(
    "pattern",
    ["https://*.vercel.app", "https://*.github.io", "https://*.co.uk", "https://*.herokuapp.com"],
)
def test_subdomains_of_a_public_suffix_are_refused_with_credentials(
    pattern: str, caplog: pytest.LogCaptureFixture
) -> None:
    """SPEC 3: anyone can register a name under a public suffix (Public Suffix List): refused
    with credentials, a WARNING without."""
    message = _refusal(origins=pattern)
    assert "public suffix" in message
    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"):
        CORS(_app(), origins=pattern)
    assert any("public suffix" in r.getMessage() for r in caplog.records)


def test_a_domain_under_a_public_suffix_is_owned() -> None:
    """SPEC 3: 'my-app.github.io' is one owner's, so its subdomains may send credentials."""
    CORS(_app(), origins="https://*.my-app.github.io", supports_credentials=True)


@pytest.mark.parametrize(
    ("pattern", "stranger"),
    [
        ("https://*.*.example.com", "https://evilexample.com"),
        ("https://*.example.*", "https://example.com.evil.com"),
    ],
)
def test_two_stars_are_refused_as_a_pattern(pattern: str, stranger: str) -> None:
    """SPEC 3: a string with two '*' is refused as a pattern, never read as a regex (as a
    regex it lets the stranger in)."""
    assert re.fullmatch(pattern, stranger, FLAGS)
    with pytest.raises(CORSConfigError) as raised:
        CORS(_app(), origins=pattern)
    assert "never read as a regex" in str(raised.value)


# --- in-label wildcards -------------------------------------------------------------------


def _grant(app: Flask, origin: str) -> str | None:
    response = app.test_client().get("/", headers={"Origin": origin})
    return response.headers.get("Access-Control-Allow-Origin")


def test_an_in_label_wildcard_matches_one_label_with_its_prefix_and_suffix() -> None:
    """Issue item: 'https://dashboard-staging-*-nhost.example.com' is one DNS label with a
    fixed prefix and suffix, under example.com, accepted with credentials."""
    app = _app()
    CORS(app, origins="https://dashboard-staging-*-nhost.example.com", supports_credentials=True)
    ok = "https://dashboard-staging-pr-42-nhost.example.com"
    assert _grant(app, ok) == ok
    for stranger in (
        "https://dashboard-staging--nhost.example.com",
        "https://dashboard-staging-a.b-nhost.example.com",
        "https://x.dashboard-staging-a-nhost.example.com",
        "https://dashboard-staging-a-nhost.example.com.evil.com",
        "http://dashboard-staging-a-nhost.example.com",
        "https://dashboard-staging-a-nhostxexample.com",
    ):
        assert _grant(app, stranger) is None, stranger


@given(st.from_regex(r"[a-z0-9-]{0,5}", fullmatch=True))
def test_an_in_label_wildcard_answers_like_its_regex(middle: str) -> None:
    """Issue item: the look-up gives the answers of the regex 'prefix[^.]+suffix' under the
    domain (one or more characters, never a dot)."""
    app = _app()
    CORS(app, origins=["https://pr-*-web.example.com:*"])
    origin = f"https://pr-{middle}-web.example.com:8443"
    expected = re.fullmatch(r"https://pr-[^.]+-web\.example\.com:8443", origin) is not None
    expected = expected and split_origin(origin) is not None
    assert (_grant(app, origin) == origin) == expected


@pytest.mark.parametrize("pattern", ["https://app-*.github.io", "https://pr-*.vercel.app"])
def test_an_in_label_wildcard_under_a_public_suffix_is_refused_with_credentials(
    pattern: str,
) -> None:
    """Issue item: in-label wildcards follow the same credential rules."""
    assert "public suffix" in _refusal(origins=pattern)


# --- the proof against sampled matches ----------------------------------------------------

_HOST_PIECES = st.sampled_from(
    [
        "[a-z]+",
        r"[a-z0-9-]+\.",
        r"(www|app)\.",
        r"([a-z0-9-]+\.)*",
        ".*",
        r"\.",
        ".",
        "example",
        r"example\.com",
        r"\.com",
        r"\.co\.uk",
        r"herokuapp\.com",
        r"(\.[a-z]+)?",
        "x?",
        r"\d+",
        "localhost",
    ]
)


@st.composite
def origin_regexes(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["https://", "http://", "https?://"]))
    host = "".join(draw(st.lists(_HOST_PIECES, min_size=1, max_size=4)))
    return scheme + host + draw(st.sampled_from(["", r"(:\d+)?", ":3000"]))


@settings(max_examples=40, deadline=None)
@given(origin_regexes(), st.data())
def test_every_origin_a_proven_regex_matches_is_safe(regex: str, data: st.DataObject) -> None:
    """SPEC 3: when the proof accepts a regex, every well-formed origin it matches (sampled
    here from the regex itself) has a host written out in it, or lies at or under a domain
    written out in it that is not a public suffix; when it refuses, the stranger it names is
    matched and well-formed."""
    verdict = _verdict(regex)
    compiled = re.compile(regex, FLAGS)
    if not verdict.proven:
        if verdict.stranger:
            assert compiled.fullmatch(verdict.stranger)
            assert split_origin(verdict.stranger) is not None
        return
    for _ in range(5):
        value = data.draw(st.from_regex(compiled, fullmatch=True)).lower()
        parts = split_origin(value)
        if parts is None or compiled.fullmatch(value) is None:
            continue
        host = parts[1].rstrip(".")
        exact = {h.rstrip(".") for h in verdict.exact_hosts}
        assert host in exact or any(
            host == d.rstrip(".") or host.endswith("." + d.rstrip(".")) for d in verdict.domains
        ), (regex, value, verdict)
        assert all(is_owned(d) for d in verdict.domains)


def is_owned(domain: str) -> bool:
    from flask_crossorigin.suffixes import is_owned_domain

    return is_owned_domain(domain)


# --- public suffixes below a domain written out -------------------------------------------


@pytest.mark.parametrize(
    ("entry", "stranger"),
    [
        ("https://*.amazonaws.com", "https://stranger.s3.amazonaws.com"),
        ("https://*.windows.net", "https://stranger.web.core.windows.net"),
        (r"https://[a-z0-9.-]+\.amazonaws\.com", "https://stranger.s3.amazonaws.com"),
        (r"https://([a-z0-9-]+\.)*windows\.net", "https://stranger.web.core.windows.net"),
        (r"https://[a-z0-9-]+\.core\.windows\.net", "https://web.core.windows.net"),
    ],
)
def test_a_public_suffix_below_a_domain_written_is_not_owned(entry: str, stranger: str) -> None:
    """SPEC 3: 'amazonaws.com' is one owner's, but the list has public suffixes below it
    ('s3.amazonaws.com'), where anyone can register a name: with credentials, an entry that
    reaches below them is refused, naming a real stranger there and the suffix."""
    message = _refusal(origins=entry)
    assert f"it would let in {stranger!r}" in message, message
    assert "public suffix" in message
    suffix = stranger.partition("://")[2].replace("stranger.", "")
    assert f"your-app.{suffix}" in message
    app = _app()
    CORS(app, origins=entry)
    assert _grant(app, stranger) == stranger  # without credentials: a warning, as before


@pytest.mark.parametrize(
    "entry",
    [
        "https://*.my-bucket.s3.amazonaws.com",
        r"https://(api|www)\.amazonaws\.com",
        r"https://app-[0-9]+\.amazonaws\.com",
        "https://app-*.amazonaws.com",
    ],
)
def test_what_stays_out_of_the_public_suffixes_below_is_accepted(entry: str) -> None:
    """SPEC 3: under a domain with public suffixes below it, an entry whose every host
    provably stays out of all of them is accepted with credentials."""
    CORS(_app(), origins=entry, supports_credentials=True)


_LABELS = ["x", "s3", "compute", "us-east-1", "execute-api", "elb", "blob", "core", "web", "z13"]


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["amazonaws.com", "windows.net", "core.windows.net", "example.com"]),
    st.lists(st.sampled_from(_LABELS), max_size=3),
    st.booleans(),
    st.data(),
)
def test_the_safe_hosts_agree_with_the_list_one_by_one(
    domain: str, labels: list[str], on_rule: bool, data: st.DataObject
) -> None:
    """SPEC 3: a host under a domain written out is safe exactly when the list gives it the
    domain's registrable domain (no public suffix between them), checked one by one against
    the publicsuffixlist package."""
    from flask_crossorigin.proof import _Hosts
    from flask_crossorigin.suffixes import rules_below

    base = domain
    rules = rules_below(domain)
    if on_rule and rules:
        base = data.draw(st.sampled_from(rules))[0]
    host = ".".join([*labels, base])
    hosts = _Hosts((), (domain,))
    state = hosts.start
    for char in host:
        state = hosts.step(state, char)
    assert hosts.accepts(state) == (registrable_domain(host) == registrable_domain(domain)), host


# --- what counts as written out --------------------------------------------------------------

# Regexes that spell a host only across an optional part, an empty alternative or a
# repetition count, with the stranger each one lets in.
SPLIT = [
    (r"https://example\.com?", "https://example.co"),
    (r"https://app\.example\.com?", "https://app.example.co"),
    (r"https://([\w-]+\.)*example\.com?", "https://evil.example.co"),
    (r"https://([a-z0-9-]+\.)?example\.com?", "https://evil.example.co"),
    (r"https://example\.co(m)?", "https://example.co"),
    (r"https://(dev|)(\.|)example\.com", "https://devexample.com"),
    (r"https://(www\.)?ex(ample|)\.com", "https://ex.com"),
    (r"https://(www\.)?ex(ample)?\.com", "https://ex.com"),
    (r"https://(www\.)?exa{1,2}mple\.com", "https://exaample.com"),
    (r"https://(www\.)?ex{2}ample\.com", "https://exxample.com"),
    (r"https://(dev)?example\.com", "https://devexample.com"),
    (r"https://example\.co(?:m|)", "https://example.co"),
    (r"https://example\.co(?:|m)", "https://example.co"),
    (r"https://example\.co(?i:m|)", "https://example.co"),
    (r"https://example\.co(?P<tld>m|)", "https://example.co"),
    (r"(?x) https://example\.co (?: m | )", "https://example.co"),
]


@pytest.mark.parametrize(("regex", "stranger"), SPLIT)
def test_a_host_spelt_across_optional_parts_is_not_written(regex: str, stranger: str) -> None:
    """SPEC 3: a host or domain counts as written out only as one run of literals that crosses
    no optional part, empty alternative or repetition count, and that ends where the host must
    end, whatever the spelling: refused with credentials, naming a real stranger it matches
    and a rewrite."""
    assert re.fullmatch(regex, stranger, FLAGS)
    message = _refusal(origins=regex)
    assert "not proven" in message
    named = re.search(r"it would let in '([^']+)'", message)
    assert named is not None, message
    assert re.fullmatch(regex, named.group(1), FLAGS)
    assert split_origin(named.group(1)) is not None
    assert "in one piece" in message or "anchor the subdomains" in message, message
    app = _app()
    CORS(app, origins=regex)
    assert _grant(app, stranger) == stranger


@pytest.mark.parametrize(
    ("source", "spelt"),
    [
        (r"a(b|)", True),
        (r"a(|b)", True),
        (r"a||b", True),
        (r"a|", True),
        (r"|a", True),
        (r"a()", True),
        (r"(?i)|a", True),
        (r"(?i:b|)", True),
        (r"(?P<x>|b)", True),
        (r"(?x) ( | a)", True),
        (r"(?#c)a|b", True),
        (r"a|b", False),
        (r"(a)|(b)", False),
        (r"(?:a)|b", False),
        (r"(?i)a|b", False),
        (r"[|)]a|b", False),
        (r"[]|]a|b", False),
        (r"\|a|\(b", False),
    ],
)
def test_an_empty_alternative_is_told_from_a_factored_prefix(source: str, spelt: bool) -> None:
    """SPEC 3: 're' parses 'example\\.com|example\\.co' as 'example\\.co(?:m|)'; only an
    empty alternative the source spells (or may spell) is read as an optional part."""
    from flask_crossorigin.proof import _spells_empty_alternative

    assert _spells_empty_alternative(source, re.compile(source).flags) is spelt


def test_an_empty_alternative_reads_as_an_optional_part() -> None:
    """SPEC 3: 'ex(ample|)' and 'ex(ample)?' are one language and get one verdict."""
    for one, other in [
        (r"https://(www\.)?ex(ample|)\.com", r"https://(www\.)?ex(ample)?\.com"),
        (r"https://(dev\.|)example\.com", r"https://(dev\.)?example\.com"),
        (r"https://(www\.)?exa{1,2}mple\.com", r"https://(www\.)?exa(a)?mple\.com"),
    ]:
        assert _verdict(one).proven == _verdict(other).proven
        assert _verdict(one).stranger == _verdict(other).stranger


@pytest.mark.parametrize(
    "regex",
    [
        r"https://(dev\.|)example\.com",
        r"https://example\.com(\.)?",
        r"https://(www\.)?example\.(com|org)",
        r"https://app\.example\.com|https://example\.co",
        r"https://[a-z]+\.(example|sample)\.com",
        r"https://example\.com|https://example\.co",
        r"https://(?:app\.example\.com|app\.example\.com\.au)",
        r"(?i)https://example\.com|https://example\.co",
    ],
)
def test_hosts_written_out_whole_are_accepted(regex: str) -> None:
    """SPEC 3: alternatives that are each written out, optional parts before a domain and a
    trailing dot keep the domain written out."""
    assert _verdict(regex).proven, regex


# A small grammar of host parts: literals, '.', a class, and the parts that can be left out
# or repeated. Each node is (kind, value): 'lit' text, 'cls' source, 'alt' list of sequences
# (an empty one makes it optional), 'opt' a sequence, 'rep' (sequence, low, high).
_WORDS = ["example", "ex", "ample", "com", "co", "m", "dev", "app", "uk", "s3", "amazonaws"]


@st.composite
def _sequences(draw: st.DrawFn, depth: int = 2) -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for _ in range(draw(st.integers(1, 4))):
        kinds = ["lit", "lit", "dot", "cls"] + (["alt", "opt", "rep"] if depth else [])
        kind = draw(st.sampled_from(kinds))
        if kind == "lit":
            items.append(("lit", draw(st.sampled_from(_WORDS))))
        elif kind == "dot":
            items.append(("lit", "."))
        elif kind == "cls":
            items.append(("cls", draw(st.sampled_from(["[a-z0-9-]+", "[a-z]"]))))
        elif kind == "alt":
            branches = draw(st.lists(_sequences(depth - 1), min_size=1, max_size=2))
            items.append(("alt", branches + ([[]] if draw(st.booleans()) else [])))
        elif kind == "opt":
            items.append(("opt", draw(_sequences(depth - 1))))
        else:
            low, high = draw(st.sampled_from([(0, 1), (1, 2), (2, 2), (0, None), (1, None)]))
            items.append(("rep", (draw(_sequences(depth - 1)), low, high)))
    return items


def _source(items: list[tuple[str, Any]]) -> str:
    parts: list[str] = []
    for kind, value in items:
        if kind == "lit":
            parts.append(re.escape(value))
        elif kind == "cls":
            parts.append(value)
        elif kind == "alt":
            parts.append("(?:" + "|".join(_source(b) for b in value) + ")")
        elif kind == "opt":
            parts.append(f"(?:{_source(value)})?")
        else:
            body, low, high = value
            parts.append(f"(?:{_source(body)}){{{low},{'' if high is None else high}}}")
    return "".join(parts)


def _trailing_dot(kind: str, value: Any) -> bool:
    """The part matches an empty string or one ``.``, and nothing else."""
    dot = [("lit", ".")]
    if kind == "opt":
        return bool(value == dot)
    if kind == "rep":
        return bool(value == (dot, 0, 1))
    if kind == "alt":
        return [] in value and all(b in ([], dot) for b in value)
    return False


def _tails(items: list[tuple[str, Any]], at_end: bool) -> tuple[Optional[set[str]], set[str]]:
    """The literal runs that end where ``items`` end and cross no optional part, empty
    alternative or repetition: ``(runs that reach back to the start, or None; runs that
    begin inside)``. A run inside a part that can be left out counts only at the host's end."""
    whole: Optional[set[str]] = {""}
    inside: set[str] = set()
    for kind, value in reversed(items):
        assert whole is not None
        if kind == "lit":
            whole = {value + w for w in whole}
            continue
        last = at_end and whole == {""}
        if last and _trailing_dot(kind, value):
            # The host may end with one dot (a trailing dot is a distinct, valid host).
            whole = {"", "."}
            continue
        if kind == "alt" and [] not in value:
            reached: set[str] = set()
            for branch in value:
                b_whole, b_inside = _tails(branch, last)
                inside |= {b + w for b in b_inside for w in whole}
                reached |= {b + w for b in b_whole or () for w in whole}
            if all(_tails(b, last)[0] is not None for b in value):
                whole = reached
                continue
            inside |= reached
        elif last and kind in ("alt", "opt", "rep"):
            bodies = value if kind == "alt" else [value if kind == "opt" else value[0]]
            for body in bodies:
                b_whole, b_inside = _tails(body, True)
                inside |= b_inside | (b_whole or set())
        inside |= whole - {""}
        return None, inside
    return whole, inside


@settings(max_examples=60, deadline=None)
@given(_sequences(), st.sampled_from(["", r"(:\d+)?"]), st.data())
def test_a_proven_regex_only_matches_domains_written_in_one_piece(
    items: list[tuple[str, Any]], port: str, data: st.DataObject
) -> None:
    """SPEC 3: when the proof accepts a regex of a small grammar, every origin sampled from it
    has a host written out whole, or a registrable domain (Public Suffix List) that ends a
    run of literals the grammar's tree makes mandatory: never one spelt across an optional
    part, an empty alternative or a repetition count, nor one below a public suffix."""
    regex = "https://" + _source(items) + port
    if not _verdict(regex).proven:
        return
    whole, inside = _tails(items, True)
    runs = inside | (whole or set())
    compiled = re.compile(regex, FLAGS)
    for _ in range(5):
        value = data.draw(st.from_regex(compiled, fullmatch=True)).lower()
        parts = split_origin(value)
        if parts is None or compiled.fullmatch(value) is None:
            continue
        host = parts[1]
        domain = registrable_domain(host)
        assert host in runs or (
            domain is not None and any(r == domain or r.endswith("." + domain) for r in runs)
        ), (regex, value, runs)


# --- a host spelt by joining two alternations ------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "stranger"),
    [
        (r"https://([a-z0-9-]+\.)*(?:example|acme)\.(?:io|com)", "acme.io"),
        (r"https://[a-z]+\.(?:ev|ab)(?:il|cd)\.com", "https://x.abcd.com"),
        (r"https://(?:my|your)-(?:api\.herokuapp|site\.example)\.com", "herokuapp.com"),
        (r"http://(?:10\.0|52\.1)\.(?:0\.1|2\.3):3000", "http://10.0.2.3:3000"),
    ],
)
def test_two_alternations_joined_write_no_host(entry: str, stranger: str) -> None:
    """SPEC 3: a host or domain that exists only as a pairing of two alternations' branches
    was not written out literally: refused with credentials, naming a stranger."""
    with pytest.raises(CORSConfigError) as raised:
        CORS(Flask("t"), origins=[entry], supports_credentials=True)
    assert "two alternations" in str(raised.value)
    assert stranger in str(raised.value)


@pytest.mark.parametrize(
    "entry",
    [
        r"https://(www|app)\.example\.com",
        r"https://([a-z0-9-]+\.)*example\.(com|org)",
        r"https://(www|api)\.(example|acme)\.com",
        r"https://(app|www)\.example\.(com|org)",
        r"https://example\.com|https://example\.co",
        r"https://a(pp|pi)\.example\.com",
    ],
)
def test_one_alternation_inside_a_written_domain_is_accepted(entry: str) -> None:
    """SPEC 3: one alternation may stand before or inside the domain a run writes out
    (``example\\.(com|org)`` writes ``example.com`` and ``example.org``)."""
    CORS(Flask("t"), origins=[entry], supports_credentials=True)


def test_a_regex_too_large_to_analyse_is_not_proven() -> None:
    """SPEC 2, 3: the analysis is bounded (a regex whose automaton would take gigabytes is
    "too large to analyse", refused with credentials), never a raw MemoryError."""
    entry = r"https://[a-z]{0,12}x[a-z]{0,12}\.example\.com"
    with pytest.raises(CORSConfigError) as raised:
        CORS(Flask("t"), origins=[entry], supports_credentials=True)
    assert "too large to analyse" in str(raised.value)
