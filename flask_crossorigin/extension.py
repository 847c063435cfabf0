"""The ``CORS`` extension: compile the configuration at ``init_app``, then two hooks.

A request's path through this module:

1. Before the app's ``before_request`` hooks (the extension wraps ``app.preprocess_request``,
   which runs them): a preflight on a covered route is answered here, before any auth hook or
   view decorator can refuse it (browsers never send credentials on a preflight). Every other
   request passes through at the cost of one comparison.
2. ``after_request``: every other response of a covered route gets its CORS headers, unless a
   view already set ``Access-Control-Allow-Origin``.

What covers a request, most specific first: ``@cross_origin`` on its view, then a blueprint's
``CORS(bp)`` policy, then the first matching entry of ``resources``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Callable, Optional, Union

from flask import Blueprint, Flask, Request, Response, request
from flask.blueprints import BlueprintSetupState
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from .configure import Coverage, Layer, ResourceRule, resource_rules, single_policy
from .decorator import find_cross_origin, view_label
from .errors import Problems
from .logsafe import loggable
from .options import parse_layer
from .resources import PathRouter
from .respond import (
    DONE,
    LINES_DIRECT,
    VARY_ORIGIN,
    apply,
    current_request,
    is_preflight,
    log_grant,
    log_refusal,
)

logger = logging.getLogger("flask_crossorigin")

EXTENSION_KEY = "cors"
STATE_KEY = "flask_crossorigin"
_ERROR_FLAG = "flask_crossorigin.error"
_MISSING: Any = object()


class CORS:
    """Cross-origin resource sharing for a Flask app or blueprint.

    ``CORS(app, **options)`` or, in an app factory, ``cors = CORS(**options)`` then
    ``cors.init_app(app, **options)``. The options are those of the option reference
    (``origins``, ``methods``, ``supports_credentials``...). Keywords are checked here;
    the whole configuration, ``app.config["CORS_*"]`` included, is checked at ``init_app``,
    which raises :class:`~flask_crossorigin.CORSConfigError` naming every problem.

    One object may serve several apps; it keeps no per-app state.
    """

    def __init__(self, app: Union[Flask, Blueprint, None] = None, **options: Any) -> None:
        self._options: Mapping[str, Any] = _checked(options, "CORS(...)")
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Union[Flask, Blueprint], **options: Any) -> None:
        """Compile the configuration for ``app`` and register the hooks.

        The first call on an app registers an ``after_request`` hook, which adds the CORS
        headers to every response of a covered route, and wraps ``app.preprocess_request``,
        so that a covered preflight is answered before the app's URL value preprocessors and
        ``before_request`` hooks (an auth hook never sees it). A later call adds its
        resources, ahead of the earlier ones.

        ``app`` may be a :class:`~flask.Blueprint`: its policy then covers the blueprint's
        routes wherever it is registered, and wins over the app's.
        """
        layers: list[Layer] = [("CORS(...)", self._options)]
        if options:
            layers.append(("init_app(...)", _checked(options, "init_app(...)")))
        if isinstance(app, Blueprint):
            app.record(lambda setup: _register_blueprint(setup, layers))
            return
        rules = resource_rules(app.config, layers)
        state = AppState.of(app)
        state.add_rules(rules, layers)
        state.compile_views()
        app.extensions[EXTENSION_KEY] = self
        from .cli import cors_cli  # the CLI is built on this module

        if cors_cli.name not in app.cli.commands:
            app.cli.add_command(cors_cli)
        if logger.isEnabledFor(logging.DEBUG):
            for rule in rules:
                logger.debug("CORS resource %s on app %s", loggable(rule.key), app.name)


def _checked(options: Mapping[str, Any], where: str) -> Mapping[str, Any]:
    """Check and parse keywords now, so a typo fails where it was written."""
    problems = Problems()
    parsed = parse_layer(options, problems, where=where)
    problems.raise_if_any()
    return parsed


def _register_blueprint(setup: BlueprintSetupState, layers: list[Layer]) -> None:
    """Compile ``CORS(bp)`` / ``init_app(bp)`` when the blueprint is registered on an app.

    Without ``resources`` the policy covers every route of the blueprint. With ``resources``
    (SPEC 5, as flask-cors 6.0.5), each pattern is matched against the full request path and
    covers only the blueprint's routes; a route of the blueprint that no pattern matches falls
    through to the enclosing blueprints and the app. Each value's source names the blueprint
    (``CORS(blueprint 'api')``). Raises :class:`~flask_crossorigin.CORSConfigError`.
    """
    name = f"{setup.name_prefix}.{setup.name}".lstrip(".")
    app = setup.app
    assert isinstance(app, Flask)
    owner = f"blueprint {name!r}"
    labelled: list[Layer] = [(source.replace("(...)", f"({owner})"), v) for source, v in layers]
    state = AppState.of(app)
    if any("resources" in values for _, values in layers):
        rules = resource_rules(app.config, labelled, owner=f"{owner} ")
        state.blueprint_resources[name] = PathRouter([(r.pattern, r.coverage) for r in rules])
        state.blueprints.pop(name, None)
    else:
        state.blueprints[name] = single_policy(app.config, labelled, owner)
        state.blueprint_resources.pop(name, None)
    from .cli import cors_cli  # the CLI is built on this module

    if cors_cli.name not in app.cli.commands:
        app.cli.add_command(cors_cli)


def _blueprint_resource_match(state: AppState, endpoint: str, path: str) -> Optional[Coverage]:
    """The policy of a blueprint's ``resources`` for a path served by ``endpoint``: the
    innermost blueprint first; a blueprint without ``resources`` covers every path."""
    names = endpoint.split(".")[:-1]
    while names:
        name = ".".join(names)
        router = state.blueprint_resources.get(name)
        if router is not None:
            found = router.match(path)
            if found is not None:
                return found
        else:
            whole = state.blueprints.get(name)
            if whole is not None:
                return whole
        names.pop()
    return None


class AppState:
    """What one app's hooks need: resource routers, blueprint policies, and memos.

    Stored in ``app.extensions["flask_crossorigin"]``; created with the hooks on first use.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.rules: tuple[ResourceRule, ...] = ()
        #: The keyword layers of the latest ``init_app`` (for ``flask cors config``).
        self.layers: list[Layer] = []
        self.router: PathRouter[Coverage] = PathRouter(())
        self.blueprints: dict[str, Coverage] = {}
        #: Blueprints given ``resources``: their patterns, matched against the request path.
        self.blueprint_resources: dict[str, PathRouter[Coverage]] = {}
        self._by_endpoint: dict[str, Optional[Coverage]] = {}

    @classmethod
    def of(cls, app: Flask) -> AppState:
        state = app.extensions.get(STATE_KEY)
        if isinstance(state, AppState):
            return state
        state = cls(app)
        app.extensions[STATE_KEY] = state
        state._install()
        return state

    def add_rules(self, rules: tuple[ResourceRule, ...], layers: list[Layer]) -> None:
        """A later ``init_app`` on the same app: its resources come first."""
        self.rules = rules + self.rules
        self.layers = layers
        self.router = PathRouter([(r.pattern, r.coverage) for r in self.rules])
        self._by_endpoint.clear()

    def compile_views(self) -> None:
        """Compile the decorator policies of the views registered so far, so that their
        mistakes fail now; views registered later are compiled on first use."""
        for endpoint in list(self.app.view_functions):
            self.covering_endpoint(endpoint)

    def covering_endpoint(self, endpoint: str) -> Optional[Coverage]:
        """The decorator's or a blueprint's policy for an endpoint, if any (memoised)."""
        found = self._by_endpoint.get(endpoint, _MISSING)
        if found is _MISSING:
            found = self._endpoint_coverage(endpoint)
            self._by_endpoint[endpoint] = found
        return found  # type: ignore[no-any-return]

    def covering(self, endpoint: Optional[str], path: str) -> Optional[Coverage]:
        if endpoint is not None:
            found = self.covering_endpoint(endpoint)
            if found is None and self.blueprint_resources:
                found = _blueprint_resource_match(self, endpoint, path)
            if found is not None:
                return found
        return self.router.match(path)

    def _endpoint_coverage(self, endpoint: str) -> Optional[Coverage]:
        view = self.app.view_functions.get(endpoint)
        if view is not None:
            decorator = find_cross_origin(view)
            if decorator is not None:
                return decorator.coverage_for(self.app, view_label(view))
        if self.blueprints or self.blueprint_resources:
            names = endpoint.split(".")[:-1]
            while names:
                if ".".join(names) in self.blueprint_resources:
                    return None  # depends on the path: _blueprint_resource_match
                found = self.blueprints.get(".".join(names))
                if found is not None:
                    return found
                names.pop()
        return None

    def _endpoint_of(self, req: Request, error: MethodNotAllowed) -> Optional[str]:
        """The endpoint of the route that matched a request's path but not its method."""
        adapter = self.app.create_url_adapter(req)
        method = next(iter(error.valid_methods or ()), None)
        if adapter is None or method is None:
            return None
        try:
            rule, _ = adapter.match(method=method, return_rule=True)
        except HTTPException:
            return None
        return str(rule.endpoint)

    # --- hooks ----------------------------------------------------------------------------

    def _install(self) -> None:
        app = self.app
        app.preprocess_request = _preflights_first(  # type: ignore[method-assign]
            app.preprocess_request, self.answer_preflight
        )
        app.after_request(self.after_request)
        for name in ("handle_user_exception", "handle_exception"):
            setattr(app, name, _flag_errors(getattr(app, name)))

    def answer_preflight(self) -> Optional[Response]:
        """Answer a preflight on a covered route, before the app's ``before_request`` hooks."""
        req = current_request()
        if not is_preflight(req.environ) or isinstance(req.routing_exception, NotFound):
            return None
        rule = req.url_rule
        coverage = self.covering(rule.endpoint if rule is not None else None, req.path)
        if coverage is None or not coverage.policy.automatic_options:
            return None
        response = self.app.response_class(status=200)
        apply(coverage.policy, response, coverage.source)
        return response

    def after_request(self, response: Response) -> Response:
        """Add the CORS headers to a response of a covered route (``after_request`` hook)."""
        req = current_request()
        environ = req.environ
        done: object = environ.get(DONE)
        if done is response:  # a preflight answer, or a decorated view's response
            return response
        # Is Access-Control-Allow-Origin there (a view set it, so the response is left alone),
        # and is Vary there (to merge with)? Only names of the right length are lowered.
        headers = response.headers
        has_vary = False
        direct = type(headers) is Headers and LINES_DIRECT
        for name, _ in headers._list if direct else headers:
            size = len(name)
            if size == 4:
                if name.lower() == "vary":
                    has_vary = True
            elif size == 27 and name.lower() == "access-control-allow-origin":
                return response
        rule = req.url_rule
        coverage = None
        if rule is not None:
            coverage = self._by_endpoint.get(rule.endpoint, _MISSING)
            if coverage is _MISSING:
                coverage = self.covering_endpoint(rule.endpoint)
            if coverage is None and self.blueprint_resources:
                coverage = _blueprint_resource_match(self, rule.endpoint, req.path)
        elif isinstance(req.routing_exception, MethodNotAllowed):
            # A 405: the path is a route's, only not for this method. The route's policy
            # answers, as it would for any other method (and as `flask cors` says).
            endpoint = self._endpoint_of(req, req.routing_exception)
            if endpoint is not None:
                coverage = self.covering(endpoint, req.path)
        if coverage is None:
            coverage = self.router.universal or self.router.match(req.path)
            if coverage is None:
                return response
        policy = coverage.policy
        if not policy.intercept_exceptions and environ.get(_ERROR_FLAG):
            return response
        origin = environ.get("HTTP_ORIGIN")
        decision = policy.answers.get(origin)
        if (
            decision is None
            or not direct
            or has_vary
            or decision.expose_response_headers
            or (origin is not None and environ.get("REQUEST_METHOD") == "OPTIONS")
        ):
            apply(policy, response, coverage.source, environ, has_vary, self.app)
            return response
        # The common case, written out: a request that is not a preflight, from an origin the
        # policy has answered before, on a response without Vary. What apply() would do.
        if decision.headers:
            headers._list.extend(decision.headers)
        if decision.vary_origin:
            headers._list.append(VARY_ORIGIN)
        if decision.refused:
            if self.app.config["DEBUG"] or logger.isEnabledFor(logging.DEBUG):
                log_refusal(decision, policy, origin, coverage.source)
        elif logger.isEnabledFor(logging.DEBUG):
            log_grant(decision, environ, origin)
        return response


def _preflights_first(
    preprocess: Callable[[], Any], answer: Callable[[], Optional[Response]]
) -> Callable[[], Any]:
    """Wrap an app's ``preprocess_request`` so that a covered preflight is answered before the
    app's URL value preprocessors and ``before_request`` hooks run."""

    def preprocess_request() -> Any:
        if current_request().environ.get("REQUEST_METHOD") == "OPTIONS":
            response = answer()
            if response is not None:
                return response
        return preprocess()

    return preprocess_request


def _flag_errors(handler: Callable[[Exception], Any]) -> Callable[[Exception], Any]:
    """Wrap an app's exception handler to mark the request as answered by an error."""

    def flagged(error: Exception) -> Any:
        request.environ[_ERROR_FLAG] = True
        return handler(error)

    return flagged
