"""User regexes: compiled safely, proven (origins) over their whole language, and matched in
linear time: what the linear-time engine cannot take is refused at configuration."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from flask import Flask

from flask_crossorigin import CORS, CORSConfigError, cross_origin
from flask_crossorigin.engine import translate
from flask_crossorigin.regexes import compile_user_regex

# Regexes a developer writes meaning one site (or its subdomains) that let a stranger in, and
# the origin a stranger could use.
LETS_STRANGERS_IN = [
    (r"http://localhost.*", "http://localhost.evil.com"),
    (r"https://example.*", "https://example.attacker.com"),
    (r"https://myapp.*", "https://myapp.evil.com"),
    (r"https://.*example.+", "https://evil-example.net"),
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
    # Addresses are not proven as a class: anyone on the network can hold one.
    (r"http://192\.168\.\d{1,3}\.\d{1,3}:\d+", "http://192.168.1.1:3000"),
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
    assert "not proven" in message or "allows every origin" in message


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


# --- exponential backtracking is gone: every regex runs in linear time ---------------------


NESTED = [
    r"https://([a-z0-9]+-?)+\.example\.com",
    r"(a+)+",
    r"(x+x+)+y",
    r"(\w+\s?)*",
    r"(.+\.)*example\.com",
    r"((ab)*)+",
    r"https://([a-z0-9]+-?){1,63}\.example\.com",
    r"https://(a|aa)+\.example\.com",
    r"/api/([^/]+/?){1,50}x",
    "https://" + "[a-z]?" * 40 + r"example\.com",
]


@pytest.mark.parametrize("pattern", NESTED)
def test_nested_repetitions_have_a_linear_time_translation(pattern: str) -> None:
    """SPEC 5: regexes that make Python's backtracking engine take exponential time are
    translated for the linear-time engine, which alone matches request values."""
    assert isinstance(translate(re.compile(pattern), whole=True), str)
    assert isinstance(translate(re.compile(pattern), whole=False), str)


@pytest.mark.parametrize(
    "options",
    [
        {"origins": [re.compile(r"https://(a+)+\.example\.com")], "supports_credentials": True},
        {"allow_headers": r"x-(x+x+)+y"},
        {"resources": {r"/api/(\w+\s?)*$": {}}},
    ],
    ids=["compiled origin", "allow_headers", "resources"],
)
def test_nested_repetitions_are_accepted_wherever_a_client_value_meets_them(
    options: dict[str, Any],
) -> None:
    """SPEC 5: Origin, request header names and paths are matched in linear time, so a regex
    is no longer refused for the time Python's engine would take."""
    CORS(_app(), **options)


def test_the_audit_warns_once_for_resources_sharing_a_setting(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """SPEC 3: a hundred resources over one sloppy regex give one warning, not a hundred."""
    resources = {f"/r{i}/.*": {} for i in range(100)}
    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"):
        CORS(_app(), origins=r"https://.*example\.com", resources=resources)
    warnings = [r for r in caplog.records if "not proven" in r.getMessage()]
    assert len(warnings) == 1


def test_a_regex_nested_too_deep_for_the_audit_is_still_checked() -> None:
    """SPEC 2: a valid regex nested hundreds deep gives no raw RecursionError."""
    deep = "https://" + "(" * 300 + "a" + ")?" * 300 + r"\.example\.com"
    CORS(_app(), origins=[deep])


def test_a_verbose_regex_comment_is_not_read_as_a_path() -> None:
    """SPEC 2: a comment in a re.VERBOSE origin regex is not part of what it matches."""
    verbose = re.compile(r"https://(www\.)?example\.com  # see https://wiki/cors", re.X)
    CORS(_app(), origins=[verbose], supports_credentials=True)
