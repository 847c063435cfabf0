"""Compatibility: the same scenarios against flask-cors 6.0.5 and flask-crossorigin.

Where SPEC does not deviate, the browser-visible outcome (would a browser let the page read
the response, and which headers may it read) must be identical. Where it does, the test
asserts our behaviour and names the deviation; docs/migration.rst lists each one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any, Callable

import pytest
from flask import Blueprint, Flask, abort, request

from .fetch_model import cors_check, exposed_headers, preflight_ok

A = "https://app.example.com"
B = "https://admin.example.com"
OTHER = "https://other.test"
LIBRARIES = ("flask-cors", "ours")
#: The reference: flask-cors's settings as of this release.
ORACLE_VERSION = "6.0.5"


def test_the_oracle_is_flask_cors_6_0_5() -> None:
    """SPEC 1: the comparisons below are against flask-cors 6.0.5, the reference."""
    assert version("flask-cors") == ORACLE_VERSION


@dataclass(frozen=True)
class BrowserRequest:
    method: str
    origin: str
    headers: Sequence[str] = ()
    credentials: bool = False
    path: str = "/api/items"

    @property
    def needs_preflight(self) -> bool:
        safelisted = {"accept", "accept-language", "content-language"}
        return self.method not in ("GET", "HEAD", "POST") or any(
            h.lower() not in safelisted for h in self.headers
        )


@dataclass(frozen=True)
class Outcome:
    allowed: bool
    exposed: frozenset[str] = frozenset()


def browser(app: Flask, req: BrowserRequest) -> Outcome:
    """What a browser decides for this request (preflight first when one is needed)."""
    client = app.test_client()
    if req.needs_preflight:
        sent = {"Origin": req.origin, "Access-Control-Request-Method": req.method}
        if req.headers:
            sent["Access-Control-Request-Headers"] = ",".join(
                sorted(h.lower() for h in req.headers)
            )
        pre = client.options(req.path, headers=sent)
        if not preflight_ok(
            pre.status_code, pre.headers, req.origin, req.method, req.headers, req.credentials
        ):
            return Outcome(False)
    headers = {"Origin": req.origin, **{h: "1" for h in req.headers}}
    actual = client.open(req.path, method=req.method, headers=headers)
    if not cors_check(actual.headers, req.origin, req.credentials):
        return Outcome(False)
    return Outcome(True, exposed_headers(actual.headers, req.credentials))


def api_app(
    library: str,
    wiring: str = "kwargs",
    options: dict[str, Any] | None = None,
    auth_hook: bool = False,
) -> Flask:
    """The same small API wired with either library in one of several ways."""
    options = dict(options or {})
    app = Flask("compat")

    if auth_hook:

        @app.before_request
        def require_token() -> None:
            if request.method != "GET" and request.headers.get("Authorization") != "1":
                abort(401)

    def items() -> tuple[dict[str, Any], int, dict[str, str]]:
        return {"items": []}, 200, {"X-Total-Count": "0", "X-Secret": "s"}

    if library == "ours":
        from flask_crossorigin import CORS, cross_origin
    else:
        from flask_cors import CORS, cross_origin  # type: ignore[no-redef]

    view: Callable[..., Any] = items
    if wiring == "decorator":
        view = cross_origin(**options)(items)
    app.add_url_rule("/api/items", "items", view, methods=["GET", "POST", "PUT", "DELETE"])
    if wiring == "kwargs":
        CORS(app, **options)
    elif wiring == "config":
        app.config.update({f"CORS_{k.upper()}": v for k, v in options.items()})
        CORS(app)
    elif wiring == "factory":
        cors = CORS()
        cors.init_app(app, **options)
    elif wiring == "resources":
        CORS(app, resources={r"/api/.*": options})
    return app


STANDARD_REQUESTS = {
    "simple GET": BrowserRequest("GET", A),
    "GET, other origin": BrowserRequest("GET", OTHER),
    "credentialed GET": BrowserRequest("GET", A, credentials=True),
    "PUT with X-Token": BrowserRequest("PUT", A, ("X-Token",)),
    "JSON POST": BrowserRequest("POST", A, ("Content-Type",)),
    "DELETE with Authorization, credentials": BrowserRequest(
        "DELETE", A, ("Authorization",), credentials=True
    ),
    "PUT from other origin": BrowserRequest("PUT", OTHER, ("X-Token",)),
}

SAME_OUTCOME_CONFIGS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "one origin": {"origins": A},
    "two origins, credentials": {"origins": [A, B], "supports_credentials": True},
    "send_wildcard": {"send_wildcard": True},
    "methods and headers": {
        "origins": [A],
        "methods": ["GET", "PUT"],
        "allow_headers": ["X-Token"],
        "expose_headers": ["X-Total-Count"],
    },
    "regex origin": {"origins": [r"https://.*\.example\.com"], "supports_credentials": True},
    "compiled regex": {"origins": re.compile(r"https://app\.example\.com")},
    "max_age": {"origins": [A], "max_age": 600, "expose_headers": "X-Total-Count"},
    "regex allow_headers": {"origins": [A], "allow_headers": [r"X-.*", "Content-Type"]},
}


@pytest.mark.parametrize("wiring", ["kwargs", "config", "factory", "resources", "decorator"])
@pytest.mark.parametrize("config_name", list(SAME_OUTCOME_CONFIGS))
def test_same_browser_outcome(wiring: str, config_name: str) -> None:
    """Where SPEC does not deviate, a browser sees the same outcome with both libraries."""
    options = SAME_OUTCOME_CONFIGS[config_name]
    apps = {lib: api_app(lib, wiring, options) for lib in LIBRARIES}
    for name, req in STANDARD_REQUESTS.items():
        outcomes = {lib: browser(app, req) for lib, app in apps.items()}
        assert outcomes["ours"] == outcomes["flask-cors"], name


def test_flask_restx_same_outcome() -> None:
    restx = pytest.importorskip("flask_restx")
    outcomes: dict[str, dict[str, Outcome]] = {}
    for lib in LIBRARIES:
        app = Flask("restx")
        api = restx.Api(app)

        @api.route("/api/items")
        class Items(restx.Resource):  # type: ignore[misc,name-defined]
            def get(self) -> tuple[dict[str, Any], int, dict[str, str]]:
                return {"items": []}, 200, {"X-Total-Count": "0"}

            def put(self) -> dict[str, Any]:
                restx.abort(400, "bad")
                return {}

        if lib == "ours":
            from flask_crossorigin import CORS
        else:
            from flask_cors import CORS  # type: ignore[no-redef]
        CORS(app, origins=[A], supports_credentials=True, expose_headers="X-Total-Count")
        outcomes[lib] = {n: browser(app, r) for n, r in STANDARD_REQUESTS.items()}
        outcomes[lib]["swagger"] = browser(app, BrowserRequest("GET", A, path="/swagger.json"))
        outcomes[lib]["404"] = browser(app, BrowserRequest("GET", A, path="/api/nothing"))
    assert outcomes["ours"] == outcomes["flask-cors"]
    assert outcomes["ours"]["swagger"].allowed and outcomes["ours"]["404"].allowed


@pytest.mark.parametrize("wiring", ["CORS(bp)", "init_app(bp)"])
def test_blueprint_resources_same_outcome(wiring: str) -> None:
    """SPEC 5: CORS(blueprint, resources=...) as flask-cors 6.0.5: patterns against the full
    path, only the blueprint's routes (inside and outside the patterns, inside and outside
    the blueprint)."""
    outcomes: dict[str, dict[str, Outcome]] = {}
    for lib in LIBRARIES:
        if lib == "ours":
            from flask_crossorigin import CORS
        else:
            from flask_cors import CORS  # type: ignore[no-redef]
        bp = Blueprint("api", __name__)
        bp.add_url_rule("/api/items", "items", lambda: "items", methods=["GET", "PUT"])
        bp.add_url_rule("/other", "other", lambda: "other")
        resources = {r"/v1/api/*": {"origins": [A], "supports_credentials": True}}
        if wiring == "CORS(bp)":
            CORS(bp, resources=resources, max_age=60)
        else:
            CORS(resources=resources).init_app(bp, max_age=60)
        app = Flask("bp")
        app.register_blueprint(bp, url_prefix="/v1")
        app.add_url_rule("/v1/api/outside", "outside", lambda: "outside")
        outcomes[lib] = {
            name: browser(app, BrowserRequest(method, origin, headers, credentials, path))
            for name, (method, origin, headers, credentials, path) in {
                "GET": ("GET", A, (), True, "/v1/api/items"),
                "PUT preflight": ("PUT", A, ("X-Token",), True, "/v1/api/items"),
                "other origin": ("GET", OTHER, (), False, "/v1/api/items"),
                "not matched": ("GET", A, (), False, "/v1/other"),
                "not the blueprint's": ("GET", A, (), False, "/v1/api/outside"),
            }.items()
        }
    assert outcomes["ours"] == outcomes["flask-cors"]
    assert outcomes["ours"]["PUT preflight"].allowed
    assert not outcomes["ours"]["not matched"].allowed
    assert not outcomes["ours"]["not the blueprint's"].allowed


# --- deviations ------------------------------------------------------------------------------


def outcomes_for(
    options: dict[str, Any], req: BrowserRequest, **kwargs: Any
) -> tuple[Outcome, Outcome]:
    theirs = browser(api_app("flask-cors", options=options, **kwargs), req)
    ours = browser(api_app("ours", options=options, **kwargs), req)
    return theirs, ours


def test_deviation_regex_origins_are_matched_in_full() -> None:
    """Deviation: flask-cors's re.match lets https://app.example.com.evil.test through."""
    req = BrowserRequest("GET", "https://app.example.com.evil.test", credentials=True)
    theirs, ours = outcomes_for(
        {"origins": r"https://.*\.example\.com", "supports_credentials": True}, req
    )
    assert theirs.allowed and not ours.allowed


def test_deviation_credentials_with_any_origin_is_refused() -> None:
    """Deviation: flask-cors reflects every origin with credentials; we refuse the config."""
    from flask_crossorigin import CORSConfigError

    req = BrowserRequest("GET", "https://attacker.test", credentials=True)
    theirs = browser(api_app("flask-cors", options={"supports_credentials": True}), req)
    assert theirs.allowed
    with pytest.raises(CORSConfigError):
        api_app("ours", options={"supports_credentials": True})


def test_deviation_null_with_credentials_is_refused() -> None:
    from flask_crossorigin import CORSConfigError

    options = {"origins": [A, "null"], "supports_credentials": True}
    assert browser(api_app("flask-cors", options=options), BrowserRequest("GET", "null", (), True))
    with pytest.raises(CORSConfigError, match="opaque origin"):
        api_app("ours", options=options)


def test_deviation_origins_that_can_never_match_are_errors() -> None:
    """Deviation: flask-cors silently never matches 'https://app.example.com/'."""
    from flask_crossorigin import CORSConfigError

    req = BrowserRequest("GET", A)
    assert not browser(api_app("flask-cors", options={"origins": A + "/"}), req).allowed
    with pytest.raises(CORSConfigError, match="trailing slash"):
        api_app("ours", options={"origins": A + "/"})


def test_deviation_preflight_answered_before_auth_hooks() -> None:
    """Deviation: flask-cors lets a before_request auth hook refuse the preflight (401)."""
    req = BrowserRequest("PUT", A, ("Authorization",), credentials=True)
    options = {"origins": [A], "supports_credentials": True}
    theirs, ours = outcomes_for(options, req, auth_hook=True)
    assert not theirs.allowed and ours.allowed


def test_deviation_comma_separated_allow_headers_string() -> None:
    """Deviation: 'X-Token, Content-Type' is two names here, one impossible name there."""
    req = BrowserRequest("PUT", A, ("X-Token",))
    theirs, ours = outcomes_for({"origins": [A], "allow_headers": "X-Token, Content-Type"}, req)
    assert not theirs.allowed and ours.allowed


def test_deviation_expose_star_with_credentials() -> None:
    """Deviation: '*' means nothing to a credentialed request; we list the real names."""
    req = BrowserRequest("GET", A, credentials=True)
    options = {"origins": [A], "supports_credentials": True, "expose_headers": "*"}
    theirs, ours = outcomes_for(options, req)
    assert theirs.allowed and ours.allowed
    assert "x-total-count" not in theirs.exposed
    assert {"x-total-count", "x-secret"} <= ours.exposed


def test_deviation_refused_preflight_sends_nothing() -> None:
    """Deviation (not browser-visible): flask-cors sends ACAO on a refused preflight."""
    theirs = api_app("flask-cors", options={"origins": [A], "methods": ["GET"]})
    ours = api_app("ours", options={"origins": [A], "methods": ["GET"]})
    headers = {"Origin": A, "Access-Control-Request-Method": "DELETE"}
    assert (
        "Access-Control-Allow-Origin"
        in theirs.test_client().options("/api/items", headers=headers).headers
    )
    assert (
        "Access-Control-Allow-Origin"
        not in ours.test_client().options("/api/items", headers=headers).headers
    )


def test_deviation_vary_origin_on_single_origin_and_refusals() -> None:
    """Deviation (cache-visible): flask-cors omits Vary: Origin for a single origin."""
    for origin in (A, OTHER, None):
        headers = {"Origin": origin} if origin else {}
        theirs = (
            api_app("flask-cors", options={"origins": A})
            .test_client()
            .get("/api/items", headers=headers)
        )
        ours = (
            api_app("ours", options={"origins": A}).test_client().get("/api/items", headers=headers)
        )
        assert "Origin" not in theirs.headers.get("Vary", "")
        assert ours.headers["Vary"] == "Origin"


def test_deviation_always_send_only_with_a_single_answer() -> None:
    """Deviation: without Origin, flask-cors sends the first of the configured origins."""
    theirs = api_app("flask-cors", options={"origins": [A, B]}).test_client().get("/api/items")
    ours = api_app("ours", options={"origins": [A, B]}).test_client().get("/api/items")
    assert theirs.headers.getlist("Access-Control-Allow-Origin") == [B]
    assert ours.headers.getlist("Access-Control-Allow-Origin") == []


def test_deviation_malformed_origin_not_reflected() -> None:
    """Deviation (not browser-visible): flask-cors reflects any Origin under '*'."""
    bad = "https://a.test, https://b.test"
    theirs = api_app("flask-cors").test_client().get("/api/items", headers={"Origin": bad})
    ours = api_app("ours").test_client().get("/api/items", headers={"Origin": bad})
    assert theirs.headers["Access-Control-Allow-Origin"] == bad
    assert "Access-Control-Allow-Origin" not in ours.headers


def test_deviation_method_membership_not_substring() -> None:
    """Deviation (not browser-visible): flask-cors tests 'POS' in 'POST'."""
    headers = {"Origin": A, "Access-Control-Request-Method": "POS"}
    options = {"origins": [A], "methods": ["POST"]}
    theirs = (
        api_app("flask-cors", options=options).test_client().options("/api/items", headers=headers)
    )
    ours = api_app("ours", options=options).test_client().options("/api/items", headers=headers)
    assert theirs.headers.get("Access-Control-Allow-Methods") == "POST"
    assert "Access-Control-Allow-Methods" not in ours.headers


def test_deviation_unknown_keyword_is_an_error() -> None:
    """Deviation: flask-cors logs a warning for CORS(app, origin=...) and allows everything."""
    from flask_crossorigin import CORSConfigError

    req = BrowserRequest("GET", OTHER)
    assert browser(api_app("flask-cors", options={"origin": A}), req).allowed
    with pytest.raises(CORSConfigError, match="did you mean 'origins'"):
        api_app("ours", options={"origin": A})


def test_deviation_paths_decoded_once() -> None:
    """Deviation: flask-cors decodes request.path a second time (percent-encoded '%25')."""
    results = {}
    for lib in LIBRARIES:
        if lib == "ours":
            from flask_crossorigin import CORS
        else:
            from flask_cors import CORS  # type: ignore[no-redef]
        app = Flask("paths")
        app.add_url_rule("/files/<path:name>", "files", lambda name: name)
        CORS(app, resources={"/files/secret": {"origins": "*"}})
        response = app.test_client().get("/files/%2573ecret", headers={"Origin": OTHER})
        results[lib] = "Access-Control-Allow-Origin" in response.headers
    assert results == {"flask-cors": True, "ours": False}
