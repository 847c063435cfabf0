"""The scenario grid: policies, request kinds, and one small app per library.

Every policy is given to flask-cors and to flask-crossorigin as the same keyword arguments, so
both libraries are configured identically. Regular expressions are written so that both accept
them (flask-cors matches them from the start of the origin, flask-crossorigin in full).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from flask import Flask
from werkzeug.test import EnvironBuilder

LIBRARIES = ("flask", "flask-cors", "flask-crossorigin")
#: The libraries that add CORS (``flask`` is the baseline).
CORS_LIBRARIES = LIBRARIES[1:]

REFUSED_ORIGIN = "https://evil.example.net"
PATH = "/api/items"
#: The route of the never-seen path series: one resource, then a new item on every request.
ITEM_ROUTE = "/api/v1/r<int:number>/items/<int:item>"


def exact_origins(count: int) -> list[str]:
    return [f"https://app{i}.example.com" for i in range(count)]


def regex_origins(count: int) -> list[str]:
    return [rf"https://team{i}\.app\d+\.example\.com" for i in range(count)]


@dataclass(frozen=True)
class Policy:
    """One configuration, given as the same keywords to both libraries."""

    key: str
    label: str
    options: Mapping[str, Any]
    #: An origin the policy allows: the middle entry, so flask-cors scans half its list.
    allowed_origin: str
    path: str = PATH


def _count(n: int) -> str:
    return f"{n:,}"


def policies(scale: float = 1.0) -> dict[str, Policy]:
    """The policies of the grid; ``scale`` shrinks every count (for a smoke run)."""

    def n(count: int) -> int:
        return max(2, round(count * scale))

    exact_1k = exact_origins(n(1000))
    exact_10k = exact_origins(n(10_000))
    regexes = regex_origins(n(1000))
    resources = n(100)
    one = "https://app.example.com"
    found = [
        Policy("one", "1 origin", {"origins": [one]}, one),
        Policy(
            "exact-1k",
            f"{_count(len(exact_1k))} exact origins",
            {"origins": exact_1k},
            exact_1k[len(exact_1k) // 2],
        ),
        Policy(
            "exact-10k",
            f"{_count(len(exact_10k))} exact origins",
            {"origins": exact_10k},
            exact_10k[len(exact_10k) // 2],
        ),
        Policy(
            "regex-1k",
            f"{_count(len(regexes))} regex origins",
            {"origins": regexes},
            f"https://team{len(regexes) // 2}.app7.example.com",
        ),
        Policy(
            "resources-100",
            f"{resources} resources, {_count(len(exact_1k))} origins",
            {"resources": {rf"/api/v1/r{i}/*": {"origins": exact_1k} for i in range(resources)}},
            exact_1k[len(exact_1k) // 2],
            path=f"/api/v1/r{resources // 2}/items",
        ),
    ]
    return {p.key: p for p in found}


POLICIES = policies()


@dataclass(frozen=True)
class Kind:
    """A kind of request, and what both libraries must answer to it."""

    key: str
    label: str
    method: str = "GET"
    origin: Optional[str] = None  # "allowed", "refused" or None
    headers: Mapping[str, str] = field(default_factory=dict)
    credentials: bool = False
    #: Whether the answer must carry ``Access-Control-Allow-Origin`` (``None``: either; with
    #: ``always_send``, the default, a policy of one origin names it even without ``Origin``).
    granted: Optional[bool] = False


KINDS = {
    k.key: k
    for k in (
        Kind("allowed", "simple GET, allowed origin", origin="allowed", granted=True),
        Kind("no-origin", "GET without Origin", granted=None),
        Kind("refused", "GET, refused origin", origin="refused"),
        Kind(
            "preflight",
            "preflight",
            method="OPTIONS",
            origin="allowed",
            headers={
                "Access-Control-Request-Method": "PUT",
                "Access-Control-Request-Headers": "Content-Type, X-Requested-With",
            },
            granted=True,
        ),
        Kind(
            "credentialed",
            "credentialed GET",
            origin="allowed",
            headers={"Cookie": "session=abc123"},
            credentials=True,
            granted=True,
        ),
    )
}


def library_options(policy: Policy, kind: Kind) -> dict[str, Any]:
    options = dict(policy.options)
    if kind.credentials:
        # flask-crossorigin refuses credentials with '*': every policy lists its origins.
        options["supports_credentials"] = True
    return options


def create_app(library: str, options: Mapping[str, Any], *, item_route: bool = False) -> Flask:
    """A minimal app with the two routes the scenarios request, wired with ``library``
    (``item_route`` adds :data:`ITEM_ROUTE`, for the never-seen path series)."""
    app = Flask("bench_app")

    @app.route(PATH, methods=["GET", "PUT"])
    def items() -> str:
        return "ok"

    @app.route("/api/v1/r<int:number>/items", methods=["GET", "PUT"])
    def resource_items(number: int) -> str:
        return "ok"

    if item_route:
        app.add_url_rule(ITEM_ROUTE, "item", lambda number, item: "ok", methods=["GET", "PUT"])

    if library == "flask-cors":
        from flask_cors import CORS as FlaskCORS

        FlaskCORS(app, **options)
    elif library == "flask-crossorigin":
        from flask_crossorigin import CORS

        CORS(app, **options)
    elif library != "flask":
        raise ValueError(f"unknown library {library!r}")
    return app


def create_decorated_app(options: Mapping[str, Any]) -> Flask:
    """The app of :func:`create_app`, with flask-crossorigin's ``@cross_origin(**options)`` on
    the view at :data:`PATH` instead of the extension."""
    from flask_crossorigin import cross_origin

    app = Flask("bench_app")

    @app.route(PATH, methods=["GET", "PUT"])
    @cross_origin(**options)
    def items() -> str:
        return "ok"

    return app


def request_headers(policy: Policy, kind: Kind, origin: Optional[str] = None) -> dict[str, str]:
    headers = dict(kind.headers)
    if kind.origin == "allowed":
        headers["Origin"] = origin or policy.allowed_origin
    elif kind.origin == "refused":
        headers["Origin"] = REFUSED_ORIGIN
    return headers


def environ(
    policy: Policy, kind: Kind, origin: Optional[str] = None, path: Optional[str] = None
) -> dict[str, Any]:
    builder = EnvironBuilder(
        path=path or policy.path, method=kind.method, headers=request_headers(policy, kind, origin)
    )
    try:
        return builder.get_environ()
    finally:
        builder.close()


def _start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
    return None


Call = Callable[[], None]


def wsgi_call(app: Flask, environs: list[dict[str, Any]]) -> Call:
    """One request through ``app.wsgi_app`` as a server makes it: a fresh environ, the body
    iterated and closed. With several environs, each call takes the next one."""
    wsgi_app = app.wsgi_app
    start_response = _start_response
    if len(environs) == 1:
        template = environs[0]

        def call() -> None:
            body = wsgi_app(template.copy(), start_response)
            for _ in body:
                pass
            body.close()  # type: ignore[attr-defined]

        return call
    state = {"i": 0}
    count = len(environs)

    def call_next() -> None:
        i = state["i"]
        state["i"] = (i + 1) % count
        body = wsgi_app(environs[i].copy(), start_response)
        for _ in body:
            pass
        body.close()  # type: ignore[attr-defined]

    return call_next


def answer(app: Flask, env: Mapping[str, Any]) -> tuple[int, dict[str, str]]:
    """The status and headers ``app`` sends for one request (to check a scenario)."""
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"] = int(status.split()[0])
        seen["headers"] = {k.lower(): v for k, v in headers}

    body = app.wsgi_app(dict(env), start_response)
    for _ in body:
        pass
    body.close()  # type: ignore[attr-defined]
    return seen["status"], seen["headers"]
