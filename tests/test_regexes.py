"""User regexes: compiled safely, audited by witnesses built from their own parse tree, and
refused when they can backtrack exponentially on a value a client sends."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from flask_crossorigin import CORS, CORSConfigError, cross_origin
from flask_crossorigin.regexes import (
    MARKER,
    backtracking_hazard,
    compile_user_regex,
    top_level_alternatives,
    witnesses,
)

# Regexes a developer writes meaning one site (or its subdomains) that let a stranger in, and
# the origin a stranger could use.
LETS_STRANGERS_IN = [
    (r"http://localhost.*", "http://localhost.evil.com"),
    (r"https://example.*", "https://example.attacker.com"),
    (r"https://myapp.*", "https://myapp.evil.com"),
    (r"https://.*example.*", "https://evil-example.net"),
    (r"https://a.*.com", "https://attacker.com"),
    (r"https://www\.example\.com|https://app.example\.com", "https://appxexample.com"),
    (r"https://app\.example\.com|https://.*partner\.io", "https://evilpartner.io"),
    (r"https://(www|app)\.example\.(com|.*)", "https://www.example.evil"),
    (r"https://example\.com.*", "https://example.com.evil.net"),
    (r"https://.*example\.com", "https://evilexample.com"),
    (r"https://(www.)?example\.com", "https://wwwxexample.com"),
    (r"https://(app|www).example\.com", "https://appxexample.com"),
    (r"https://(.*-)?example\.com", "https://evil-example.com"),
    (r"https://([a-z]+-)?example\.com", "https://evil-example.com"),
    (r"https://(dev|staging)?\.?example\.com", "https://devexample.com"),
    (r"https://example\.[a-z]+", "https://example.evil"),
    (r"https://(www|api)\.example\.[a-z]{2,6}", "https://www.example.io"),
    (r"http://\d+\.\d+\.\d+\.\d+(:\d+)?", "http://203.0.113.5"),
    (r"https?://(\d{1,3}\.){3}\d{1,3}:\d+", "http://203.0.113.5:8080"),
    (r"http://\[[0-9a-f:]+\]:\d+", "http://[2001:db8::1]:8080"),
    (
        "|".join(re.escape(f"https://t{i}.example.com") for i in range(70))
        + r"|https://staging.example\.com",
        "https://stagingxexample.com",
    ),
    (
        r"https://(www\.)?example\.(" + "|".join(f"c{i}" for i in range(40)) + "|[a-z]+)",
        "https://example.evil",
    ),
]

# Regexes that only let in the sites they name.
MEANT = [
    r"https://.*\.example\.com",
    r"https://[a-z0-9-]+\.example\.com",
    r"http://localhost:\d+",
    r"https://([a-z0-9-]+\.)*example\.com",
    r"https://example\.(com|org)",
    r"https?://(app|www)\.example\.com(:\d+)?",
    r"http://127\.0\.0\.1:\d{4,5}",
    r"https://([a-z]+\.)?example\.com",
    r"http://\[::1\]:\d+",
    r"https://([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+example\.com",
    r"https://([a-z0-9]+(-[a-z0-9]+)*\.)*example\.com",
    r"https://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*example\.com",
    r"https://pr-\d+\.preview\.example\.com",
    r"https?://(www\.)?example\.(com|co\.uk)",
    r"http://(localhost|127\.0\.0\.1):\d+",
    r"http://192\.168\.\d{1,3}\.\d{1,3}:\d+",
    "|".join(re.escape(f"https://t{i}.example.com") for i in range(300)),
]


def _app() -> Flask:
    app = Flask("regexes")
    app.add_url_rule("/", "index", lambda: "x")
    return app


@pytest.mark.parametrize(("pattern", "stranger"), LETS_STRANGERS_IN)
def test_the_audit_refuses_a_regex_that_lets_a_stranger_in(pattern: str, stranger: str) -> None:
    """SPEC 3: with credentials, a regex granting a site derived from its own text (a dotless
    host, any branch of an alternation) is a configuration error naming that site."""
    compiled = re.compile(pattern, re.IGNORECASE | re.ASCII)
    assert compiled.fullmatch(stranger), "the case itself: the stranger is let in"
    with pytest.raises(CORSConfigError) as raised:
        CORS(_app(), origins=pattern, supports_credentials=True)
    message = str(raised.value)
    assert "would let in" in message or "allows every origin" in message


@pytest.mark.parametrize(("pattern", "stranger"), LETS_STRANGERS_IN)
def test_the_audit_warns_without_credentials(
    pattern: str, stranger: str, caplog: pytest.LogCaptureFixture
) -> None:
    """SPEC 3: without credentials the same regex is a WARNING at init_app."""
    del stranger
    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"):
        CORS(_app(), origins=pattern)
    assert any(r.levelno == logging.WARNING for r in caplog.records)


@pytest.mark.parametrize("pattern", MEANT)
def test_the_audit_accepts_regexes_that_name_their_sites(pattern: str) -> None:
    """SPEC 3: the audit refuses nothing that only lets in the sites it names."""
    CORS(_app(), origins=pattern, supports_credentials=True)


def test_a_witness_names_the_made_up_site_where_anything_goes() -> None:
    """SPEC 3: witnesses put the made-up site where a regex lets anything in."""
    found = witnesses(re.compile(r"https://example.*"))
    assert f"https://example.{MARKER}.invalid" in found
    assert all(w.startswith("https://example") for w in found)


# --- the re module refuses it -----------------------------------------------------------


HUGE = "{99999999999}"


@pytest.mark.parametrize(
    "options",
    [
        {"origins": f"https://a{HUGE}"},
        {"allow_headers": f"x{HUGE}"},
        {"resources": {f"/a{HUGE}": {}}},
    ],
    ids=["origins", "allow_headers", "resources"],
)
def test_every_way_re_refuses_a_pattern_is_a_configuration_error(
    options: dict[str, Any],
) -> None:
    """SPEC 2: OverflowError and friends become CORSConfigError, never a raw exception."""
    with pytest.raises(CORSConfigError) as raised:
        CORS(_app(), **options)
    assert "is not a valid regular expression" in str(raised.value)


def test_the_decorator_refuses_it_at_decoration() -> None:
    """SPEC 2: the decorator's keywords are checked when it is applied."""
    with pytest.raises(CORSConfigError):
        cross_origin(origins=f"https://a{HUGE}")


def test_a_bad_regex_from_app_config_never_gives_a_500(caplog: pytest.LogCaptureFixture) -> None:
    """SPEC 6: without the extension, a problem only app.config reveals is logged at ERROR and
    the view serves without a grant."""
    app = Flask("config_regex")
    app.config["CORS_ORIGINS"] = f"https://a{HUGE}"

    @app.route("/d")
    @cross_origin()
    def view() -> str:
        return "d"

    with caplog.at_level(logging.ERROR, logger="flask_crossorigin"):
        response = app.test_client().get("/d", headers={"Origin": "https://x.com"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    assert any("is not a valid regular expression" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("text", ["(", f"a{HUGE}", "a(?i)b", "(" * 2000 + ")" * 2000])
def test_compile_user_regex_returns_the_reason(text: str) -> None:
    """SPEC 2: every refusal of the re module, as a sentence."""
    assert isinstance(compile_user_regex(text), str)


# --- exponential backtracking -----------------------------------------------------------


HAZARDS = [
    r"https://([a-z0-9]+-?)+\.example\.com",
    r"(a+)+",
    r"(x+x+)+y",
    r"(\w+\s?)*",
    r"(.+\.)*example\.com",
    r"((ab)*)+",
    r"https://([a-z0-9]+-?){1,63}\.example\.com",
    r"https://(\w+){1,10}\.example\.com",
    r"https://(a|aa)+\.example\.com",
    r"/api/([^/]+/?){1,50}x",
    "https://" + "[a-z]?" * 40 + r"example\.com",
]
SAFE = [
    r"https://([a-z0-9-]+\.)*example\.com",
    r"(\d{1,3}\.){3}\d{1,3}",
    r"x-[a-z0-9-]+",
    r"/api/.*",
    r"(?:/[a-z]+)*/items",
    r"(a|b)+",
    r"(foo|bar)+",
    r"https://([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+example\.com",
    r"(\d{1,3}\.){3}",
]


@pytest.mark.parametrize("pattern", HAZARDS)
def test_nested_repetitions_without_a_separator_are_hazards(pattern: str) -> None:
    """SPEC 2: a repetition nested in an unbounded one, nothing telling iterations apart."""
    assert backtracking_hazard(re.compile(pattern))


@pytest.mark.parametrize("pattern", SAFE)
def test_repetitions_with_a_separator_are_safe(pattern: str) -> None:
    """SPEC 2: each iteration ends at a character the inner repetition cannot take."""
    assert not backtracking_hazard(re.compile(pattern))


@pytest.mark.parametrize(
    "options",
    [
        {"origins": r"https://([a-z0-9]+-?)+\.example\.com"},
        {"origins": [re.compile(r"https://(a+)+\.example\.com")]},
        {"allow_headers": r"x-(x+x+)+y"},
        {"resources": {r"/api/(\w+\s?)*$": {}}},
    ],
    ids=["origins", "compiled origin", "allow_headers", "resources"],
)
def test_a_hazard_is_refused_wherever_a_client_value_meets_it(options: dict[str, Any]) -> None:
    """SPEC 2: Origin, request header names and paths are the client's: no regex may take
    exponential time on them."""
    with pytest.raises(CORSConfigError) as raised:
        CORS(_app(), **options)
    assert "can backtrack exponentially" in str(raised.value)


# --- alternatives -------------------------------------------------------------------------


def test_top_level_alternatives() -> None:
    """SPEC 3: only the ``|`` outside groups and classes split a regex."""
    assert top_level_alternatives(r"a|b(c|d)|[|]|\|e") == ["a", "b(c|d)", "[|]", r"\|e"]


_PIECES = st.sampled_from(["a", r"\.", "(b|c)", "[|x]", r"\|", "(?:d|e)", "[]|]", ".*"])


@given(st.lists(st.lists(_PIECES, min_size=1, max_size=4).map("".join), min_size=1, max_size=4))
def test_top_level_alternatives_gives_back_each_branch(branches: list[str]) -> None:
    """SPEC 3: branches with no top-level ``|`` of their own come back as they were joined."""
    text = "|".join(branches)
    assert top_level_alternatives(text) == branches


def test_the_audit_warns_once_for_resources_sharing_a_setting(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """SPEC 3: a hundred resources over one sloppy regex give one warning, not a hundred."""
    resources = {f"/r{i}/.*": {} for i in range(100)}
    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"):
        CORS(_app(), origins=r"https://.*example\.com", resources=resources)
    warnings = [r for r in caplog.records if "would let in" in r.getMessage()]
    assert len(warnings) == 1


def test_a_regex_nested_too_deep_for_the_audit_is_still_checked() -> None:
    """SPEC 2: a valid regex nested hundreds deep gives no raw RecursionError."""
    deep = "https://" + "(" * 300 + "a" + ")?" * 300 + r"\.example\.com"
    CORS(_app(), origins=[deep])


def test_a_verbose_regex_comment_is_not_read_as_a_path() -> None:
    """SPEC 2: a comment in a re.VERBOSE origin regex is not part of what it matches."""
    verbose = re.compile(r"https://(www\.)?example\.com  # see https://wiki/cors", re.X)
    CORS(_app(), origins=[verbose], supports_credentials=True)
