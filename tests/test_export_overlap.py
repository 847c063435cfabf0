"""The export model on rules that share paths (SPEC section 8): the app picks a policy by the
view it routes to, which depends on the method and on Werkzeug's order, so a layer in front
may give a path one policy only when every rule that can take it has that policy."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any, Optional

from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from flask_crossorigin import cross_origin
from flask_crossorigin.export.cli import export_group
from flask_crossorigin.export.model import LossReport, export_routes
from flask_crossorigin.export.nginx import parse, render


def _run(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(export_group, list(args))
    return result.exit_code, result.output


def split_methods_app() -> Flask:
    """``GET /items/special`` and ``POST /items/<name>`` with different origins: a ``POST``
    to ``/items/special`` is routed to the second view."""
    app = Flask("split", static_folder=None)

    @app.get("/items/special")
    @cross_origin(origins=["https://evil.example"])
    def special() -> str:
        return "special"

    @app.post("/items/<name>")
    @cross_origin(origins=["https://good.example"])
    def item(name: str) -> str:
        return name

    return app


def same_rule_app() -> Flask:
    """``GET /x`` with ``origins='*'`` and ``POST /x`` without CORS."""
    app = Flask("same", static_folder=None)

    @app.get("/x")
    @cross_origin(origins="*")
    def read() -> str:
        return "x"

    @app.post("/x")
    def write() -> str:
        return "x"

    return app


def catch_all_app() -> Flask:
    """``GET /public/<int:id>`` public, and a catch-all ``/<path:p>`` without CORS."""
    app = Flask("catch", static_folder=None)

    @app.get("/public/<int:item_id>")
    @cross_origin(origins="*")
    def public(item_id: int) -> str:
        return "public"

    @app.get("/<path:p>")
    def private(p: str) -> str:
        return "private"

    return app


def test_views_split_by_method_are_left_to_the_app() -> None:
    """SPEC 8 (edge item 1): a static rule and a variable rule on one path with different
    policies and methods: the static one is left to the app (a ``POST`` to its path goes to
    the other view), and nginx passes its path through before the variable rule's location,
    with no ``location = /items/special``."""
    model = export_routes(split_methods_app())
    assert [r.rule for r in model.routes] == ["/items/<name>"]
    left = {entry.rule: entry.why for entry in model.left_to_app}
    assert "/items/<name> (item) may take" in left["/items/special"]
    locations = list(parse(render(model, LossReport("nginx"), {})).locations)
    assert ("=", "/items/special") not in locations
    assert locations.index(("~", "^/items/special$")) < locations.index(("~", "^/items/[^/]+$"))


def test_methods_on_one_rule_text_with_different_policies_go_to_the_app() -> None:
    """SPEC 8 (edge item 1): ``GET /x`` public and ``POST /x`` without CORS: ``/x`` is not
    exported (the export would add ``*`` to the ``POST``)."""
    model = export_routes(same_rule_app())
    assert [r.rule for r in model.routes] == []
    assert ("=", "/x") not in parse(render(model, LossReport("nginx"), {})).locations
    status, output = _run(same_rule_app(), "cloudflare-worker")
    assert status == 0
    assert '"rule": "/x"' not in output


def test_a_static_rule_tried_first_with_every_method_keeps_its_location() -> None:
    """SPEC 8: a rule without variables that takes every method the variable rule on its path
    takes is tried first by Werkzeug for all of them: it stays exported, and the variable rule
    (whose other paths are its own) too, with the static path carved out first."""
    app = Flask("first", static_folder=None)

    @app.route("/items/special", methods=["GET", "POST"])
    @cross_origin(origins=["https://a.example"])
    def special() -> str:
        return "special"

    @app.post("/items/<name>")
    @cross_origin(origins=["https://b.example"])
    def item(name: str) -> str:
        return name

    model = export_routes(app)
    assert sorted(r.rule for r in model.routes) == ["/items/<name>", "/items/special"]


def test_nginx_sends_methods_no_view_takes_to_the_app() -> None:
    """SPEC 8 (edge item 1, a 405): a method no exported view on the path takes is handed to
    the app untouched (``return 419`` to ``@cors_app``, which hides nothing), so its 405 gets
    no grant the app would not give."""
    app = Flask("m", static_folder=None)

    @app.get("/x")
    @cross_origin(origins=["https://good.example"], supports_credentials=True)
    def x() -> str:
        return "x"

    text = render(export_routes(app), LossReport("nginx"), {})
    parsed = parse(text)
    assert parsed.maps["cors_route_1_other"] == (
        "$request_method",
        (("default", "1"), ("~^(?:GET|HEAD|OPTIONS)$", "0")),
    )
    location = parsed.locations[("=", "/x")]
    assert "if $cors_route_1_other" in location
    assert "  return 419" in location
    assert parsed.locations[("@cors_app",)] == ("proxy_pass http://127.0.0.1:5000",)
    assert "error_page 419 = @cors_app" in parsed.server


def test_prefix_patterns_see_a_catch_all() -> None:
    """SPEC 8 (edge item 2): ``/public/*`` (CloudFront) and ``--path /public/`` (API Gateway
    HTTP, S3) are refused when a catch-all without CORS may route paths under the prefix:
    the overlap is decided on the paths a rule matches, not on its text."""
    for args in (
        ("cloudfront",),
        ("cloudfront", "--path", "/public/*"),
        ("apigateway-http", "--path", "/public/"),
        ("s3", "--path", "/public/"),
    ):
        status, output = _run(catch_all_app(), *args)
        assert status == 2, (args, output)
        assert "/<path:p>" in output, args


def test_prefix_patterns_ignore_rules_whose_paths_cannot_start_there() -> None:
    """SPEC 8 (edge item 2): a rule of one segment (``/<name>``) cannot reach ``/public/``:
    the CloudFront behaviour is written."""
    app = Flask("seg", static_folder=None)

    @app.get("/public/<int:item_id>")
    @cross_origin(origins="*")
    def public(item_id: int) -> str:
        return "public"

    @app.get("/<name>")
    def private(name: str) -> str:
        return "private"

    status, output = _run(app, "cloudfront")
    assert status == 0, output
    patterns = [b["PathPattern"] for b in json.loads(output)["ResponseHeadersPolicies"]]
    assert patterns == ["/public/*"]


def test_rest_gateway_responses_skip_an_api_with_rules_left_to_the_app() -> None:
    """SPEC 8 (edge item 5): a gateway response serves every path of the REST API: with a rule
    the app leaves without CORS, no ``Access-Control-Allow-Origin`` is written there, and the
    loss report says why (exit 2)."""
    app = Flask("rest", static_folder=None)

    @app.get("/api/items")
    @cross_origin(origins="*")
    def items() -> str:
        return "items"

    @app.get("/admin")
    def admin() -> str:
        return "admin"

    status, output = _run(app, "apigateway-rest", "--accept-narrower")
    assert status == 0, output
    assert "/admin (admin) is left to the app" in output
    document = json.loads(output[output.index("{") :])
    responses = document["x-amazon-apigateway-gateway-responses"]
    assert responses["DEFAULT_4XX"]["responseParameters"] == {}
    assert _run(app, "apigateway-rest")[0] == 2


def test_rest_mock_skips_a_route_another_rule_may_route() -> None:
    """SPEC 8 (edge item 5): ``/items/<name>`` gets no ``OPTIONS`` mock when
    ``/items/special`` (left to the app) may take one of its paths: the mock would answer its
    preflights too."""
    status, output = _run(split_methods_app(), "apigateway-rest", "--accept-narrower")
    assert status == 0, output
    document = json.loads(output[output.index("{") :])
    assert document["paths"] == {}
    assert "/items/<name> (item): /items/special (special) may route some" in output


# --- the model against Werkzeug's own routing ---------------------------------------------

_SEGMENTS = ("a", "b", "<{v}>", "<int:{v}>", "<path:{v}>")
_METHODS = ("GET", "POST", "PUT", "DELETE")
_ORIGINS = {"A": "https://a.example", "B": "https://b.example"}
#: Every path of one to three segments over a small alphabet (the rules' own, and a number).
_PATHS = [
    "/" + "/".join(parts)
    for n in (1, 2, 3)
    for parts in itertools.product(("a", "b", "1"), repeat=n)
]

_rule = st.tuples(
    st.lists(st.sampled_from(_SEGMENTS), min_size=1, max_size=2),
    st.sets(st.sampled_from(_METHODS), min_size=1, max_size=2),
    st.sampled_from(("A", "B", None)),
)


def _random_app(
    rules: list[tuple[list[str], set[str], Optional[str]]],
) -> tuple[Flask, dict[str, Optional[str]]]:
    app = Flask("random", static_folder=None)
    label: dict[str, Optional[str]] = {}
    for index, (segments, methods, policy) in enumerate(rules):
        text = "/" + "/".join(s.format(v=f"v{i}") for i, s in enumerate(segments))

        def view(**_: object) -> str:
            return "ok"

        endpoint = f"e{index}"
        if policy is not None:
            view = cross_origin(origins=[_ORIGINS[policy]])(view)
        app.add_url_rule(text, endpoint, view, methods=sorted(methods))
        label[endpoint] = policy
    return app, label


@given(st.lists(_rule, min_size=1, max_size=4))
def test_exported_routes_get_one_policy_for_every_method(rules: list[Any]) -> None:
    """SPEC 8 (edge item 1), against Werkzeug as the oracle: for every exported route, every
    path of its pattern (but the paths of rules without variables tried first, which a layer
    gives their own answer) and every method, the view Werkzeug routes to has the route's
    policy, or none takes the method (a 405, which the layer hands to the app)."""
    app, label = _random_app(rules)
    model = export_routes(app)
    adapter = app.url_map.bind("localhost")
    static_paths = {r.rule for r in app.url_map.iter_rules() if "<" not in r.rule}
    for route in model.routes:
        pattern = route.path_regex or f"^{re.escape(route.rule)}$"
        for path in _PATHS:
            if not re.match(pattern, path):
                continue
            if route.path_regex is not None and path in static_paths:
                continue
            for method in _METHODS:
                try:
                    endpoint, _ = adapter.match(path, method)
                except MethodNotAllowed:
                    continue
                except HTTPException as error:  # a redirect or a 404: never on its paths
                    raise AssertionError((route.rule, path, method, error)) from None
                assert label[endpoint] == label[route.endpoint], (route.rule, path, method)


@given(st.lists(_rule, min_size=1, max_size=4), st.sampled_from(["/", "/a", "/a/", "/b/1/"]))
def test_reach_of_a_prefix_holds_every_rule_that_routes_under_it(
    rules: list[Any], prefix: str
) -> None:
    """SPEC 8 (edge item 2), against Werkzeug as the oracle: a rule that routes some path
    starting with ``prefix`` is among the rules the model says may reach it
    (:meth:`RuleShape.may_start_with`), and two rules routing one path share one (never proven
    apart by :meth:`RuleShape.may_share_a_path`)."""
    app, _ = _random_app(rules)
    model = export_routes(app)
    shapes = {s.endpoint: s for s in model.shapes}
    adapter = app.url_map.bind("localhost")
    for path in _PATHS:
        routed = set()
        for method in _METHODS:
            try:
                endpoint, _ = adapter.match(path, method)
            except HTTPException:
                continue
            routed.add(endpoint)
            if path.startswith(prefix):
                assert shapes[endpoint].may_start_with(prefix), (endpoint, path)
        for a, b in itertools.combinations(sorted(routed), 2):
            assert shapes[a].may_share_a_path(shapes[b]), (a, b, path)
