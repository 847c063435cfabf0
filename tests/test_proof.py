"""SPEC 3, "Regex and pattern safety": the origin proof decides over a regex's whole language
which sites it lets in; public suffixes are never a domain the user owns; a string with two
'*' is refused as a pattern; in-label wildcards."""

from __future__ import annotations

import logging
import re

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
