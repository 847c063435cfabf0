"""SPEC 4: requests and responses, through Flask's test client."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, Response, abort, request
from werkzeug.datastructures import Headers

from flask_crossorigin import CORS, cross_origin

from .conftest import build_app

A = "https://a.example"
B = "https://b.example"


def preflight(
    app: Flask, path: str = "/api/items", origin: str = A, method: str = "PUT", **headers: str
) -> Response:
    # Set the WSGI environ directly: a test client refuses CR/LF in headers, a raw socket does not.
    environ = {"HTTP_ORIGIN": origin, "HTTP_ACCESS_CONTROL_REQUEST_METHOD": method}
    environ.update({"HTTP_" + k.upper(): v for k, v in headers.items()})
    return app.test_client().options(path, environ_overrides=environ)


def cors_headers(response: Response) -> dict[str, str]:
    return {k: v for k, v in response.headers if k.startswith("Access-Control-")}


def test_plain_options_goes_to_the_app() -> None:
    """SPEC 4: OPTIONS without ACRM is not a preflight."""
    app = build_app(origins=[A])
    seen: list[str] = []

    @app.before_request
    def hook() -> None:
        seen.append(request.method)

    response = app.test_client().options("/api/items", headers={"Origin": A})
    assert seen == ["OPTIONS"]
    assert "Allow" in response.headers
    assert response.headers["Access-Control-Allow-Origin"] == A
    assert "Access-Control-Allow-Methods" not in response.headers


def test_preflight_answered_before_auth_hooks_and_decorators() -> None:
    """SPEC 4: browsers never send credentials on a preflight; auth must not refuse it."""
    app = build_app(origins=[A], supports_credentials=True)
    calls: list[str] = []

    @app.before_request
    def require_login() -> Any:
        calls.append(request.method)
        if "Authorization" not in request.headers:
            abort(401)
        return None

    response = preflight(app, Access_Control_Request_Headers="authorization")
    assert response.status_code == 200
    assert calls == []
    assert response.headers["Access-Control-Allow-Origin"] == A
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert response.headers["Access-Control-Allow-Headers"] == "authorization"
    actual = app.test_client().put("/api/items", headers={"Origin": A})
    assert actual.status_code == 401
    assert actual.headers["Access-Control-Allow-Origin"] == A


def test_preflight_answered_before_blueprint_hooks_and_url_value_preprocessors() -> None:
    """The hooks registered before or after CORS(app), on the app or on a blueprint, and the
    URL value preprocessors that run before them, never see a covered preflight; they see
    every other request."""
    from flask import Blueprint

    seen: list[str] = []
    app = Flask(__name__)
    app.before_request(lambda: seen.append("app hook before init"))
    CORS(app, origins=[A])
    bp = Blueprint("bp", __name__)
    bp.before_request(lambda: seen.append("blueprint hook"))
    bp.url_value_preprocessor(lambda endpoint, values: seen.append("url values"))

    @bp.route("/things/<int:n>", methods=["GET", "PUT"])
    def thing(n: int) -> str:
        return str(n)

    app.register_blueprint(bp)
    app.before_request(lambda: seen.append("app hook after init"))
    answer = preflight(app, "/things/1")
    assert (answer.status_code, answer.headers["Access-Control-Allow-Origin"]) == (200, A)
    assert seen == []
    actual = app.test_client().options("/things/1", headers={"Origin": A})  # not a preflight
    assert actual.status_code == 200
    assert seen == ["url values", "app hook before init", "app hook after init", "blueprint hook"]


def test_unknown_path_keeps_its_404_with_cors_headers() -> None:
    app = build_app(origins=[A])
    response = preflight(app, "/nowhere")
    assert response.status_code == 404
    assert response.headers["Access-Control-Allow-Origin"] == A
    get = app.test_client().get("/nowhere", headers={"Origin": A})
    assert get.status_code == 404 and get.headers["Access-Control-Allow-Origin"] == A


def test_granted_preflight_headers() -> None:
    """SPEC 4: 2xx, ACAO, ACAC, ACAM, ACAH, ACMA, Vary: Origin."""
    app = build_app(origins=[A, B], supports_credentials=True, max_age=600)
    response = preflight(app, Access_Control_Request_Headers="content-type,x-token")
    assert response.status_code == 200
    assert cors_headers(response) == {
        "Access-Control-Allow-Origin": A,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Allow-Methods": "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT",
        "Access-Control-Max-Age": "600",
        "Access-Control-Allow-Headers": "content-type, x-token",
    }
    assert response.headers["Vary"] == "Origin"


def test_no_max_age_without_option() -> None:
    assert "Access-Control-Max-Age" not in preflight(build_app(origins=[A])).headers


@pytest.mark.parametrize(
    ("options", "kwargs"),
    [
        ({"origins": [A]}, {"origin": B}),
        ({"origins": [A], "methods": ["GET", "POST"]}, {"method": "PUT"}),
        ({"origins": [A], "methods": ["GET", "PATCH"]}, {"method": "patch"}),
        ({"origins": [A], "methods": ["POST"]}, {"method": "POS"}),
        ({"origins": [A], "allow_headers": ["X-Ok"]}, {"Access_Control_Request_Headers": "x-no"}),
        ({"origins": [A], "allow_headers": ["X-Ok"]}, {"Access_Control_Request_Headers": "x-ok,b"}),
        ({"origins": [A]}, {"Access_Control_Request_Headers": "," * 100_000}),
        ({"origins": [A]}, {"Access_Control_Request_Private_Network": "true"}),
        ({"origins": [A]}, {"origin": "https://a.example\r\nX-Injected: 1"}),
        ({"origins": [A]}, {"origin": "null"}),
    ],
)
def test_refused_preflight_carries_nothing(options: dict[str, Any], kwargs: dict[str, str]) -> None:
    """SPEC 4: a refused preflight: no Access-Control-Allow-*, no Max-Age; learns nothing."""
    app = build_app(max_age=600, supports_credentials=True, **options)
    response = preflight(app, **kwargs)
    assert response.status_code < 500
    assert cors_headers(response) == {}
    assert response.headers["Vary"] == "Origin"


def test_method_membership_is_case_sensitive_after_upper_casing_config() -> None:
    """SPEC 4: methods are upper-cased in config, compared case-sensitively."""
    app = build_app(origins=[A], methods=["get", "patch"])
    assert preflight(app, method="PATCH").headers["Access-Control-Allow-Origin"] == A
    assert "Access-Control-Allow-Origin" not in preflight(app, method="patch").headers


def test_allow_headers_star_echoes_names_never_a_literal_star() -> None:
    """SPEC 4: '*' echoes the requested names as the client spelled them, so Authorization
    and credentials work."""
    app = build_app(origins=[A], supports_credentials=True)
    response = preflight(app, Access_Control_Request_Headers="Authorization, X-Token")
    assert response.headers["Access-Control-Allow-Headers"] == "Authorization, X-Token"


def test_allow_headers_regex_full_match_case_insensitive() -> None:
    app = build_app(origins=[A], allow_headers=["Content-Type", r"X-App-.*"])
    ok = preflight(app, Access_Control_Request_Headers="content-type,x-app-id")
    assert ok.headers["Access-Control-Allow-Headers"] == "content-type, x-app-id"
    bad = preflight(app, Access_Control_Request_Headers="y-x-app-id")
    assert "Access-Control-Allow-Headers" not in bad.headers


def test_private_network() -> None:
    """SPEC 4: ACAPN true only when ACRPN is true and the option is on."""
    on = build_app(origins=[A], allow_private_network=True)
    response = preflight(on, Access_Control_Request_Private_Network="true")
    assert response.headers["Access-Control-Allow-Private-Network"] == "true"
    plain = preflight(on)
    assert "Access-Control-Allow-Private-Network" not in plain.headers
    off = build_app(origins=[A])
    assert cors_headers(preflight(off, Access_Control_Request_Private_Network="true")) == {}


def test_actual_request_headers() -> None:
    """SPEC 4: actual request from a granted origin: ACAO, ACAC, ACEH."""
    app = build_app(origins=[A], supports_credentials=True, expose_headers=["X-Total-Count"])
    response = app.test_client().get("/api/items", headers={"Origin": A})
    assert cors_headers(response) == {
        "Access-Control-Allow-Origin": A,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": "X-Total-Count",
    }


def test_expose_star_with_credentials_lists_the_response_headers() -> None:
    """SPEC 4: expose_headers='*' with credentials lists the response's own header names."""
    app = build_app(origins=[A], supports_credentials=True, expose_headers="*")

    @app.after_request
    def add(response: Response) -> Response:
        response.headers["X-Total-Count"] = "3"
        response.headers["Set-Cookie"] = "a=b"
        return response

    response = app.test_client().get("/api/items", headers={"Origin": A})
    assert response.headers["Access-Control-Expose-Headers"] == "X-Total-Count"
    public = build_app(origins=[A], expose_headers="*")
    response = public.test_client().get("/api/items", headers={"Origin": A})
    assert response.headers["Access-Control-Expose-Headers"] == "*"


def test_exactly_one_acao() -> None:
    """SPEC 3: ACAO carries exactly one value."""
    app = build_app(origins=[A, B])
    response = app.test_client().get("/api/items", headers={"Origin": B})
    assert response.headers.getlist("Access-Control-Allow-Origin") == [B]


def test_send_wildcard() -> None:
    app = build_app(send_wildcard=True)
    response = app.test_client().get("/api/items", headers={"Origin": A})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Vary" not in response.headers


def test_any_origin_reflects_without_send_wildcard() -> None:
    app = build_app()
    response = app.test_client().get("/api/items", headers={"Origin": A})
    assert response.headers["Access-Control-Allow-Origin"] == A
    assert response.headers["Vary"] == "Origin"


def test_malformed_origin_never_reflected_never_500() -> None:
    """SPEC 3: malformed Origin: no grant, never a 500; a public policy reflects only a safe
    token (visible ASCII, no comma, at most 512 bytes)."""
    for app in (build_app(), build_app(origins=[A, "https://a.com"])):
        client = app.test_client()
        for origin in ["https://a.com, https://b.com", "x" * 10_000, "a b", "a\u00e9"]:
            response = client.get("/api/items", headers={"Origin": origin})
            assert response.status_code == 200
            assert "Access-Control-Allow-Origin" not in response.headers
    response = build_app(origins=[A]).test_client().get("/api/items", headers={"Origin": A + "/"})
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, "*"),
        ({"origins": [A]}, A),
        ({"origins": [A, B]}, None),
        ({"origins": [r"https://.*\.example"]}, None),
        ({"origins": [A], "supports_credentials": True}, A),
        ({"always_send": False}, None),
    ],
)
def test_always_send_without_origin(options: dict[str, Any], expected: str | None) -> None:
    """SPEC 4: no Origin + always_send: ACAO only when the same for every origin; no list."""
    app = build_app(**options)
    response = app.test_client().get("/api/items")
    assert response.headers.getlist("Access-Control-Allow-Origin") == (
        [expected] if expected else []
    )


@pytest.mark.parametrize("origin", [A, "https://refused.example", None, "not an origin"], ids=str)
def test_vary_on_every_response_of_a_covered_resource(origin: str | None) -> None:
    """SPEC 4: Vary: Origin on refused origins and requests without Origin too."""
    app = build_app(origins=[A])
    headers = {"Origin": origin} if origin else {}
    response = app.test_client().get("/api/items", headers=headers)
    assert response.headers["Vary"] == "Origin"


def test_vary_header_false_leaves_vary_alone() -> None:
    app = build_app(origins=[A], vary_header=False)
    response = app.test_client().get("/api/items", headers={"Origin": A})
    assert "Vary" not in response.headers


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        (["Accept-Encoding"], "Accept-Encoding, Origin"),
        (["Origin"], "Origin"),
        (["origin, Cookie"], "origin, Cookie"),
        (["*"], "*"),
        (["Accept", "Cookie"], "Accept, Cookie, Origin"),
    ],
)
def test_vary_is_merged(existing: list[str], expected: str) -> None:
    """SPEC 4: merge with existing Vary values, no duplicates, keep Vary: *."""
    app = Flask(__name__)

    @app.route("/v")
    def view() -> Response:
        response = Response("x")
        for value in existing:
            response.headers.add("Vary", value)
        return response

    CORS(app, origins=[A])
    response = app.test_client().get("/v", headers={"Origin": A})
    assert response.headers.getlist("Vary") == [expected]


def test_response_with_acao_is_left_alone() -> None:
    """SPEC 4: a response that already carries ACAO (set by the view) is left alone."""
    app = Flask(__name__)

    @app.route("/own")
    def own() -> Response:
        return Response("x", headers={"Access-Control-Allow-Origin": "https://mine.example"})

    CORS(app, origins=[A], expose_headers="X-A")
    response = app.test_client().get("/own", headers={"Origin": A})
    assert cors_headers(response) == {"Access-Control-Allow-Origin": "https://mine.example"}


@pytest.mark.parametrize("path", ["/nowhere", "/boom", "/api/items/abc"])
def test_error_responses_get_cors_headers(path: str) -> None:
    """SPEC 4: 404, 405, 500 and abort() get CORS headers when intercept_exceptions is on."""
    app = build_app(origins=[A])
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get(path, headers={"Origin": A})
    assert response.status_code >= 400
    assert response.headers["Access-Control-Allow-Origin"] == A


def test_405_gets_cors_headers() -> None:
    app = build_app(origins=[A])
    response = app.test_client().delete("/public/info", headers={"Origin": A})
    assert response.status_code == 405
    assert response.headers["Access-Control-Allow-Origin"] == A


def test_abort_and_error_handler_get_cors_headers() -> None:
    app = build_app(origins=[A])

    @app.route("/denied")
    def denied() -> str:
        abort(403)

    @app.errorhandler(403)
    def forbidden(error: Exception) -> tuple[dict[str, str], int]:
        return {"error": "forbidden"}, 403

    response = app.test_client().get("/denied", headers={"Origin": A})
    assert response.status_code == 403
    assert response.headers["Access-Control-Allow-Origin"] == A


def test_uncovered_paths_get_nothing() -> None:
    app = build_app(resources={r"/api/.*": {"origins": [A]}})
    response = app.test_client().get("/public/info", headers={"Origin": A})
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Vary" not in response.headers


def test_automatic_options_false_lets_the_app_answer_preflights() -> None:
    app = build_app(origins=[A], automatic_options=False)
    seen: list[str] = []

    @app.before_request
    def hook() -> None:
        seen.append(request.method)

    response = preflight(app)
    assert seen == ["OPTIONS"]
    assert response.headers["Access-Control-Allow-Origin"] == A
    assert "Access-Control-Allow-Methods" in response.headers


def test_header_injection_in_request_headers_is_never_echoed() -> None:
    app = build_app(origins=[A])
    response = preflight(app, Access_Control_Request_Headers="x-a\r\nSet-Cookie: a=b")
    assert "Access-Control-Allow-Headers" not in response.headers
    assert "Set-Cookie" not in response.headers


def test_init_app_twice_later_resources_first() -> None:
    app = build_app(resources={r"/api/.*": {"origins": [A]}})
    CORS(app, resources={r"/api/.*": {"origins": [B]}})
    client = app.test_client()
    response = client.get("/api/items", headers={"Origin": B})
    assert response.headers["Access-Control-Allow-Origin"] == B


@pytest.mark.parametrize(
    "value",
    ["," * 1_000_000, " " * 1_000_000, "\t" * 5000, ",".join(f"x-h{i}" for i in range(100_000))],
    ids=["1 MB of commas", "1 MB of spaces", "5,000 tabs", "100,000 names"],
)
def test_hostile_request_headers_are_refused(value: str) -> None:
    """SPEC 4: over the length or count bound the preflight is refused, blank or not."""
    app = build_app(origins=[A], allow_headers="*")
    response = preflight(app, Access_Control_Request_Headers=value)
    assert response.status_code == 200
    assert cors_headers(response) == {}


def test_short_blank_request_headers_mean_none() -> None:
    app = build_app(origins=[A])
    response = preflight(app, Access_Control_Request_Headers="  ")
    assert response.headers["Access-Control-Allow-Origin"] == A
    assert "Access-Control-Allow-Headers" not in response.headers


def test_public_wildcard_answers_every_request_alike() -> None:
    """SPEC 3 and 4: a public policy with send_wildcard answers every request with '*', a
    malformed Origin too (nothing is at stake, '*' repeats nothing), shared without Vary."""
    app = build_app(send_wildcard=True)
    client = app.test_client()
    for origin in [A, "https://a.example/path", "www.example.com", "a, b"]:
        response = client.get("/api/items", headers={"Origin": origin})
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Vary" not in response.headers
    pre = preflight(app, origin="https://a.example, https://b.example")
    assert pre.headers["Access-Control-Allow-Origin"] == "*"
    assert "Vary" not in pre.headers


def _all_answers(app: Flask) -> list[tuple[int, list[tuple[str, str]]]]:
    client = app.test_client()
    answers = []
    for origin in (A, B, None, "not an origin"):
        headers = {"Origin": origin} if origin else {}
        for path in ("/api/items", "/nowhere"):
            response = client.get(path, headers=headers)
            answers.append((response.status_code, list(response.headers)))
    answers.append((preflight(app).status_code, list(preflight(app).headers)))
    return answers


def test_header_lines_without_the_direct_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Should Werkzeug's Headers stop keeping its lines in a list, the public methods give the
    same answers, line for line."""
    from flask_crossorigin import respond

    assert respond.LINES_DIRECT  # the supported Werkzeug releases: the direct path is tested
    options: dict[str, Any] = {"origins": [A], "expose_headers": ["X-A"], "max_age": 60}
    direct = _all_answers(build_app(**options))
    monkeypatch.setattr(respond, "LINES_DIRECT", False)
    assert _all_answers(build_app(**options)) == direct


class _OwnHeaders(Headers):
    """A Headers subclass: the extension goes through its methods."""

    added: list[str] = []

    def add(self, key: str, value: Any, /, **kwargs: Any) -> None:
        self.added.append(key)
        super().add(key, value, **kwargs)


def test_response_class_with_its_own_headers_class() -> None:
    app = Flask(__name__)

    @app.route("/own-headers")
    def view() -> Response:
        response = Response("x")
        response.headers = _OwnHeaders(response.headers)
        response.headers.add("Vary", "Cookie")
        return response

    CORS(app, origins=[A])
    _OwnHeaders.added.clear()
    response = app.test_client().get("/own-headers", headers={"Origin": A})
    assert response.headers["Access-Control-Allow-Origin"] == A
    assert response.headers["Vary"] == "Cookie, Origin"
    assert "Access-Control-Allow-Origin" in _OwnHeaders.added


@pytest.mark.parametrize(
    ("resources", "universal"),
    [
        (None, True),
        ("/*", True),
        (r"/.*", True),
        (r".*", True),
        (r"/api/*", False),
        ({"/api/items": {}}, False),
        ({r"/*": {}, "/api/items": {"origins": [B]}}, False),
    ],
    ids=str,
)
def test_resources_that_cover_every_path(resources: Any, universal: bool) -> None:
    """A resource that matches every path spares the path look-up; the answers are the same."""
    options: dict[str, Any] = {"origins": [A]}
    if resources is not None:
        options["resources"] = resources
    app = build_app(**options)
    router = app.extensions["flask_crossorigin"].router
    assert (router.universal is not None) is universal
    paths = ("/api/items", "/public/info", "/nowhere", "/api/items/../items", "/")
    if universal:
        assert all(router.match(path) is router.universal for path in paths)
    else:
        assert any(router.match(path) is not router.match("/api/items") for path in paths)


def test_a_response_is_answered_once() -> None:
    """The decorator's response, and a preflight answer, are not written again by the hook."""
    app = build_app(origins=[A])

    @app.route("/decorated")
    @cross_origin(origins=[B])
    def decorated() -> str:
        return "x"

    client = app.test_client()
    response = client.get("/decorated", headers={"Origin": B})
    assert response.headers.getlist("Access-Control-Allow-Origin") == [B]
    assert response.headers.getlist("Vary") == ["Origin"]
    answer = preflight(app)
    assert answer.headers.getlist("Access-Control-Allow-Origin") == [A]
    assert answer.headers.getlist("Vary") == ["Origin"]
