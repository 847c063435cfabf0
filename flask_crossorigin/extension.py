"""The ``CORS`` extension: compile the configuration at ``init_app``, then answer requests.

A request's path through this module:

1. The extension wraps the app's WSGI callable, innermost (inside ``ProxyFix`` and other
   middlewares, whenever they were applied). A preflight on a covered route is answered there,
   before Flask pushes its contexts: none of the app's code runs for it, no signal, URL value
   preprocessor, ``before_request``, ``after_request`` or teardown function (SPEC section 4;
   an auth hook never sees it, browsers send no credentials on a preflight). The route that
   judges it is the one the actual request will reach: the URL matched with
   ``Access-Control-Request-Method``, through a strict-slash redirect, with the URL adapter
   Flask itself would build, chosen without running the app's URL converters or callable
   ``redirect_to`` (:mod:`.routing`); a route that needs them goes to the app, and its
   preflight is answered in ``full_dispatch_request``, before the request hooks. Every other
   request passes through at the cost of a few comparisons. The first request also checks
   that the ``CORS_*`` keys are still those the policies were compiled from, and compiles
   them again if not, or if they could not be copied (SPEC section 2).
2. ``after_request``: every other response of a covered route gets its CORS headers, unless a
   view already set ``Access-Control-Allow-Origin``. With ``intercept_exceptions``, the app's
   exception handlers add them as soon as they make an error response.
3. ``add_url_rule`` is wrapped too, so that a decorated view is checked as it is registered.

What covers a request, most specific first: ``@cross_origin`` on its view, then a blueprint's
``CORS(bp)`` policy, then the first matching entry of ``resources``.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Callable, Optional, Union
from urllib.parse import unquote, urlsplit

from flask import Blueprint, Flask, Request, Response
from flask.blueprints import BlueprintSetupState
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, MapAdapter, RequestRedirect
from werkzeug.wrappers import Response as BaseResponse

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

from .configure import Coverage, Layer, ResourceRule, resource_rules, single_policy
from .decorator import COMPILED_KEY, find_cross_origin, view_label
from .errors import CORSConfigError, Problems
from .logsafe import loggable
from .options import parse_layer
from .resources import PathRouter
from .respond import DONE, EXPOSE, current_request, expose_own_headers, exposing, write
from .routing import NeedsApp, matching_map, rules_added, with_map

logger = logging.getLogger("flask_crossorigin")

EXTENSION_KEY = "cors"
STATE_KEY = "flask_crossorigin"
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
        owner = f"blueprint {app.name!r}" if isinstance(app, Blueprint) else None
        self._options: Mapping[str, Any] = _checked(options, "CORS(...)", owner)
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Union[Flask, Blueprint], **options: Any) -> None:
        """Compile the configuration for ``app`` and register the hooks.

        The first call on an app registers an ``after_request`` hook, which adds the CORS
        headers to every response of a covered route, and wraps the app's WSGI callable
        (``app.wsgi_app``, inside any middleware already around it), so that a covered
        preflight is answered by this extension alone, before Flask pushes its contexts: no
        signal, URL value preprocessor, ``before_request``, ``after_request`` or teardown
        function or view runs for it (SPEC section 4). It also wraps the app's exception
        handlers (``intercept_exceptions``) and ``add_url_rule`` (a decorated view registered
        later is checked as it is registered, and raises
        :class:`~flask_crossorigin.CORSConfigError` before its route exists). A later call
        adds its resources, ahead of the earlier ones.

        The ``CORS_*`` keys of ``app.config`` are read now, and again when the app serves its
        first request: a change in between is taken into account (every policy, the
        decorators' included, is compiled again from the configuration of that moment; a
        problem then raises :class:`~flask_crossorigin.CORSConfigError` from that request
        and every one after it, SPEC section 2).

        Raises :class:`~flask_crossorigin.CORSConfigError` for a bad configuration, and Flask's
        ``AssertionError`` once the app has served a request, as Flask's own setup methods
        do; either way nothing of this call is installed.

        ``app`` may be a :class:`~flask.Blueprint`: its policy then covers the blueprint's
        routes wherever it is registered, and wins over the app's.
        """
        layers: list[Layer] = [("CORS(...)", self._options)]
        if options:
            owner = f"blueprint {app.name!r}" if isinstance(app, Blueprint) else None
            layers.append(("init_app(...)", _checked(options, "init_app(...)", owner)))
        if isinstance(app, Blueprint):
            app.record(lambda setup: _register_blueprint(setup, layers))
            return
        rules = resource_rules(app.config, layers)
        # As Flask's own setup methods do: after the app has served a request, refused with
        # Flask's AssertionError, before anything changes.
        check_setup = getattr(app, "_check_setup_finished", None)
        if check_setup is not None:
            check_setup("init_app")
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

    def origin_allowed(
        self,
        origin: Optional[str],
        environ: Optional[Mapping[str, Any]] = None,
        *,
        path: str = "/",
        app: Optional[Flask] = None,
    ) -> bool:
        """Whether the app's policy for ``path`` grants a request from ``origin``.

        The same answer as a ``GET`` to ``path`` with ``Origin: origin`` gets: the policy
        that covers the path (``@cross_origin`` on its view, a blueprint's, then
        ``resources``), asked with :func:`~flask_crossorigin.decision.decide_actual`. Made to
        share one allow-list with code that is not a Flask view, such as Flask-SocketIO's
        ``cors_allowed_origins`` (which calls it with the origin and the WSGI ``environ``;
        ``environ`` is accepted for that and not used) or a WebSocket handshake.

        ``origin`` is the ``Origin`` header's value; ``None`` (no ``Origin``: not a CORS
        request) gives ``False``. ``path`` defaults to ``/``. ``app`` defaults to the current
        app; outside an app context (Flask-SocketIO checks origins outside it) pass it, e.g.
        ``functools.partial(cors.origin_allowed, app=app, path="/socket.io/")``.

        Returns ``False`` when no policy covers the path or the origin is refused
        (an origin callable that raises included). Raises :class:`RuntimeError` with no
        ``app`` outside an app context, and :class:`ValueError` when this extension was never
        initialised on the app.
        """
        del environ
        if app is None:
            from flask import current_app, has_app_context

            if not has_app_context():
                raise RuntimeError(
                    "origin_allowed needs an app outside an app context: pass app=your_app"
                )
            app = current_app._get_current_object()  # type: ignore[attr-defined]
        assert app is not None
        if origin is None:
            return False
        state = app.extensions.get(STATE_KEY)
        if not isinstance(state, AppState):
            raise ValueError(
                f"CORS was not initialised on app {app.name!r}: call CORS(app) or init_app(app)"
            )
        from .decision import Reason, decide_actual
        from .introspect import endpoint_for

        found = state.covering(endpoint_for(app, path, "GET"), path)
        if found is None:
            return False
        return decide_actual(found.policy, origin).reason is Reason.ALLOWED


def _checked(
    options: Mapping[str, Any], where: str, owner: Optional[str] = None
) -> Mapping[str, Any]:
    """Check and parse keywords now, so a typo fails where it was written; ``owner`` names a
    blueprint in the error."""
    problems = Problems()
    parsed = parse_layer(options, problems, where=where)
    problems.raise_if_any(owner)
    return parsed


def _register_blueprint(setup: BlueprintSetupState, layers: list[Layer]) -> None:
    """Compile ``CORS(bp)`` / ``init_app(bp)`` when the blueprint is registered on an app.

    Without ``resources`` the policy covers every route of the blueprint. With ``resources``
    (SPEC 5, as flask-cors 6.0.5), each pattern is matched against the full request path and
    covers only the blueprint's routes; a route of the blueprint that no pattern matches falls
    through to the enclosing blueprints and the app. The app's ``CORS_*`` keys do not apply
    (as in flask-cors 6.0.5): the blueprint's keywords over the defaults. Each value's source
    names the blueprint (``CORS(blueprint 'api')``). Raises
    :class:`~flask_crossorigin.CORSConfigError`.
    """
    name = f"{setup.name_prefix}.{setup.name}".lstrip(".")
    app = setup.app
    assert isinstance(app, Flask)
    owner = f"blueprint {name!r}"
    labelled: list[Layer] = [(source.replace("(...)", f"({owner})"), v) for source, v in layers]
    state = AppState.of(app)
    # As flask-cors 6.0.5 does (SPEC 5): a blueprint has no config of its own, and the app's
    # CORS_* keys do not apply to its policy; its keywords over the built-in defaults.
    if any("resources" in values for _, values in layers):
        rules = resource_rules({}, labelled, owner=f"{owner} ")
        state.blueprint_resources[name] = PathRouter(
            [(r.pattern, r.coverage) for r in rules], conflict=refusing_coverage()
        )
        state.blueprints.pop(name, None)
    else:
        state.blueprints[name] = single_policy({}, labelled, owner)
        state.blueprint_resources.pop(name, None)
    from .cli import cors_cli  # the CLI is built on this module

    if cors_cli.name not in app.cli.commands:
        app.cli.add_command(cors_cli)


def _no_origin(origin: str) -> bool:
    """The origins of :func:`refusing_coverage`: none."""
    return False


#: Where the refusing policy's answers come from, in logs and the CLI.
DOT_SEGMENTS = "no resource: the path's '.'/'..' segments resolve under another resource"
_refusing: list[Coverage] = []


def refusing_coverage() -> Coverage:
    """The policy of a path whose ``.``/``..`` segments resolve under another resource than the
    path as routed (SPEC section 5): covered, and refused. Every origin is refused (no
    ``Access-Control-Allow-*``, ``Vary: Origin``), a preflight is answered by the extension
    without a grant, and no other resource, blueprint or app policy is asked."""
    if not _refusing:
        layers: list[Layer] = [("resources", _checked({"origins": _no_origin}, "resources"))]
        _refusing.append(single_policy({}, layers, DOT_SEGMENTS))
    return _refusing[0]


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
        self.router: PathRouter[Coverage] = PathRouter((), conflict=refusing_coverage())
        self.blueprints: dict[str, Coverage] = {}
        #: Blueprints given ``resources``: their patterns, matched against the request path.
        self.blueprint_resources: dict[str, PathRouter[Coverage]] = {}
        #: The decorator's or blueprint's policy by endpoint. Only endpoints of the app's own
        #: view functions are kept, so it holds at most one entry per view, whatever is sent.
        self._by_endpoint: dict[str, Optional[Coverage]] = {}
        #: The keyword layers of each ``init_app``, latest first (to compile them again).
        self.inits: list[list[Layer]] = []
        #: The ``CORS_*`` keys the policies were last compiled from, and whether the first
        #: request must compile them again whatever the keys are then: some policy was
        #: compiled from other values than another, or the keys could not be copied
        #: faithfully (SPEC section 2). (``None``: no policy has read them yet.)
        self.config_seen: Optional[dict[str, Any]] = None
        self.config_mixed = False
        #: Set once the first request has checked the ``CORS_*`` keys.
        self.checked = False
        self._check_lock = threading.Lock()
        #: The app's URL map, its counter of added rules and the count when the map the
        #: WSGI wrapper matches preflights with (:mod:`.routing`) was made, and that map;
        #: replaced whole, never changed in place.
        self._matching: tuple[Optional[Map], list[int], int, Optional[Map]] = (None, [], -1, None)

    @classmethod
    def of(cls, app: Flask) -> AppState:
        state = app.extensions.get(STATE_KEY)
        if isinstance(state, AppState):
            return state
        state = cls(app)
        # The views registered before the extension came: checked first, as later ones are
        # as they are registered, so that a CORSConfigError leaves nothing installed.
        for view in list(app.view_functions.values()):
            state.check_view(view)
        state._install()
        app.extensions[STATE_KEY] = state
        return state

    def add_rules(self, rules: tuple[ResourceRule, ...], layers: list[Layer]) -> None:
        """A later ``init_app`` on the same app: its resources come first."""
        self.inits.insert(0, layers)
        self._set_rules(rules + self.rules)
        self.layers = layers
        self.config_read()

    def _set_rules(self, rules: tuple[ResourceRule, ...]) -> None:
        self.rules = rules
        self.router = PathRouter(
            [(r.pattern, r.coverage) for r in self.rules], conflict=refusing_coverage()
        )
        self._by_endpoint.clear()

    def config_read(self) -> None:
        """Remember the ``CORS_*`` keys a policy was just compiled from."""
        seen = _cors_keys(self.app.config)
        if seen is None:
            # A value that cannot be copied (an object holding a lock, say) may be changed in
            # place before the first request without a comparison seeing it.
            self.config_mixed = True
            seen = {}
        elif self.config_seen is not None and not _same(seen, self.config_seen):
            self.config_mixed = True
        self.config_seen = seen

    def first_request(self) -> None:
        """At the app's first request: when the ``CORS_*`` keys are not those every policy
        was compiled from, compile the extension's and the decorators' policies again from
        the current ones, so that no grant comes from a configuration that is no longer
        the app's (SPEC section 2). Raises :class:`~flask_crossorigin.CORSConfigError` (and
        leaves the check to the next request) when the current configuration is bad.
        Exact under threads: the other first requests wait for it."""
        with self._check_lock:
            if self.checked:
                return
            seen = self.config_seen
            now = _cors_keys(self.app.config)
            if self.config_mixed or (seen is not None and not _same(now, seen)):
                self.recompile()
            self.checked = True

    def recompile(self) -> None:
        """Compile every policy of the app again from its current ``app.config``."""
        config = self.app.config
        rules: tuple[ResourceRule, ...] = ()
        for layers in self.inits:
            rules += resource_rules(config, layers)
        compiled = self.app.extensions.get(COMPILED_KEY)
        if compiled is not None:
            compiled.clear()
        self._set_rules(rules)
        self.config_seen, self.config_mixed = None, False
        self.compile_views()
        self.config_read()
        if self.inits and logger.isEnabledFor(logging.DEBUG):
            logger.debug("CORS configuration of app %s compiled again", self.app.name)

    def compile_views(self) -> None:
        """Compile the decorator policies of the views registered so far, so that their
        mistakes fail now; views registered later are checked as they are registered."""
        for endpoint in list(self.app.view_functions):
            self.covering_endpoint(endpoint)

    def check_view(self, view: Callable[..., Any]) -> None:
        """Compile the ``@cross_origin`` policy of a view being registered: a bad combination
        (with ``app.config`` too) raises :class:`~flask_crossorigin.CORSConfigError` now."""
        decorator = find_cross_origin(view)
        if decorator is not None:
            decorator.coverage_for(self.app, view_label(view))
            self.config_read()
        self._by_endpoint.clear()

    def covering_endpoint(self, endpoint: str) -> Optional[Coverage]:
        """The decorator's or a blueprint's policy for an endpoint, if any (memoised).

        Raises :class:`~flask_crossorigin.CORSConfigError` for a decorated view whose options
        cannot be combined with ``app.config``.
        """
        found = self._by_endpoint.get(endpoint, _MISSING)
        if found is _MISSING:
            found = self._endpoint_coverage(endpoint)
            if endpoint in self.app.view_functions:
                self._by_endpoint[endpoint] = found
        return found  # type: ignore[no-any-return]

    def covering(self, endpoint: Optional[str], path: str) -> Optional[Coverage]:
        if endpoint is not None:
            found = self.covering_endpoint(endpoint)
            if found is None and self.blueprint_resources:
                found = _blueprint_resource_match(self, endpoint, path)
            if found is not None:
                return found
        return self.router.universal or self.router.match(path)

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

    # --- which route serves a request ----------------------------------------------------

    def serving(self, req: Request, method: str) -> tuple[Optional[str], str]:
        """The endpoint of the route that serves ``method`` on the request's URL, and the
        path it serves (SPEC section 4).

        A redirect (strict slashes) is followed once: its target route serves. A path that a
        route has, only not for ``method``, gives that route (its 405 is that route's). An
        unknown path gives no endpoint, and so does a URL whose converter or ``redirect_to``
        (the app's code) raises something else than Werkzeug's routing exceptions: Flask
        cannot route it either (the app's error handling answers it).
        """
        adapter = _url_adapter()
        if adapter is None:
            return None, req.path
        try:
            return _serving(adapter, req.path, method)
        except Exception:
            return None, req.path

    def request_coverage(self, req: Request) -> Optional[Coverage]:
        """The policy covering the response to the current request, if any."""
        rule = req.url_rule
        environ = req.environ
        if (
            environ.get("REQUEST_METHOD") == "OPTIONS"
            and "HTTP_ORIGIN" in environ
            and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ
        ):
            # A preflight is judged by the route of the request it asks about.
            endpoint, path = self.serving(req, environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"])
            return self.covering(endpoint, path)
        if rule is not None:
            coverage = self._by_endpoint.get(rule.endpoint, _MISSING)
            if coverage is _MISSING:
                coverage = self.covering_endpoint(rule.endpoint)
            if coverage is None and self.blueprint_resources:
                coverage = _blueprint_resource_match(self, rule.endpoint, req.path)
            if coverage is not None:
                return coverage  # type: ignore[no-any-return]
            return self.router.universal or self.router.match(req.path)
        if isinstance(req.routing_exception, (RequestRedirect, MethodNotAllowed)):
            # A redirect is answered with its target route's policy; a 405 with the policy of
            # the route whose path it is, as any other method would be.
            endpoint, path = self.serving(req, req.method)
            return self.covering(endpoint, path)
        return self.router.universal or self.router.match(req.path)

    # --- hooks ----------------------------------------------------------------------------

    def _install(self) -> None:
        app = self.app
        # Registering the hook comes first: after the app has served a request, Flask refuses
        # it (AssertionError), and then nothing else of the extension is installed either
        # (init_app checks that before it comes here; CORS(bp) relies on this).
        app.after_request(_after_request_hook(self))
        app.full_dispatch_request = _preflights_first(  # type: ignore[method-assign]
            app.full_dispatch_request, self.answer_preflight
        )
        _wrap_innermost(app, self)
        for name in ("handle_user_exception", "handle_exception"):
            setattr(app, name, _intercepting(getattr(app, name), self))
        app.add_url_rule = _checking_views(app.add_url_rule, self)  # type: ignore[method-assign]

    def answer_environ(self, environ: WSGIEnvironment, method: str) -> Optional[Response]:
        """The answer to a preflight (``environ`` has ``Origin``, ``method`` is its
        ``Access-Control-Request-Method``) on a covered route, before Flask pushes its
        contexts; ``None`` for the app to answer the request (SPEC section 4).

        The URL adapter is the one Flask builds for the request (``SERVER_NAME``, subdomain
        and host matching, ``TRUSTED_HOSTS``); a request it cannot bind, an unknown path and
        a route whose policy has ``automatic_options`` off go to the app, marked as seen
        (:data:`SEEN`). The route is chosen without running the app's code
        (:mod:`.routing`): when the answer needs it (a URL converter of the app's own, a
        callable ``redirect_to``), the request goes to the app unmarked, which routes it in
        its contexts, and :meth:`answer_preflight` answers it there.
        """
        app = self.app
        req = app.request_class(environ, populate_request=False, shallow=True)
        try:
            adapter = app.create_url_adapter(req)
        except HTTPException:  # an untrusted host: Flask's own answer
            environ[SEEN] = True
            return None
        if adapter is None:
            environ[SEEN] = True
            return None
        try:
            endpoint, path = _serving(self.matching_adapter(adapter), req.path, method)
        except NeedsApp:
            return None
        if endpoint is None:
            environ[SEEN] = True
            return None
        coverage = self.covering(endpoint, path)
        if coverage is None or not coverage.policy.automatic_options:
            environ[SEEN] = True
            return None
        response = app.response_class(status=200)
        write(coverage.policy, response, coverage.source, environ, app)
        return response

    def matching_adapter(self, adapter: MapAdapter) -> MapAdapter:
        """``adapter`` with a URL map whose matching runs none of the app's code
        (:func:`.routing.matching_map`), made again when the app's map gains rules;
        ``adapter`` is changed: it must be bound for this request alone.
        Raises :class:`.routing.NeedsApp` when no such map can be made."""
        url_map = adapter.map
        made_for, added, count, matching = self._matching
        if made_for is not url_map or added[0] != count:
            added = rules_added(url_map)
            count = added[0]  # before the map is read: a rule added meanwhile counts
            matching = matching_map(url_map)
            self._matching = (url_map, added, count, matching)
        return adapter if matching is None else with_map(adapter, matching)

    def answer_preflight(self, req: Request) -> Optional[Response]:
        """The answer to a covered preflight that the WSGI wrapper has not seen (a request
        dispatched without ``app.wsgi_app``), or ``None`` for the app to answer it.

        Called before the app's ``request_started`` signal, URL value preprocessors,
        ``before_request`` hooks and view; the answer skips the ``after_request`` hooks too.
        Teardown functions run then: only :meth:`answer_environ` spares them.
        """
        environ = req.environ
        if (
            SEEN in environ
            or "HTTP_ORIGIN" not in environ
            or isinstance(req.routing_exception, NotFound)
        ):
            return None
        method = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
        if method is None:
            return None
        endpoint, path = self.serving(req, method)
        coverage = self.covering(endpoint, path)
        if coverage is None or not coverage.policy.automatic_options:
            return None
        response = self.app.response_class(status=200)
        write(coverage.policy, response, coverage.source, environ, self.app)
        return response


#: The ``environ`` key set once the WSGI wrapper has looked at a preflight (and left it to
#: the app): ``full_dispatch_request`` does not look again.
SEEN = "flask_crossorigin.preflight_seen"


def _serving(adapter: MapAdapter, path: str, method: str) -> tuple[Optional[str], str]:
    """:meth:`AppState.serving` with a bound URL adapter and the path it routes."""
    try:
        rule, _ = adapter.match(method=method, return_rule=True)
        return str(rule.endpoint), path
    except RequestRedirect as redirect:
        path = _redirect_path(redirect.new_url, adapter.script_name)
        try:
            rule, _ = adapter.match(path_info=path, method=method, return_rule=True)
            return str(rule.endpoint), path
        except MethodNotAllowed as error:
            return _any_endpoint(adapter, error, path), path
        except HTTPException:
            return None, path
    except MethodNotAllowed as error:
        return _any_endpoint(adapter, error, None), path
    except HTTPException:
        return None, path


def _cors_keys(config: Mapping[str, Any]) -> Optional[dict[str, Any]]:
    """A deep copy of the ``CORS_*`` keys of ``config`` (a list changed in place is a
    change), or ``None`` when a value cannot be copied: a copy kept as it is would not see
    it changed in place."""
    keys = {name: value for name, value in config.items() if name.startswith("CORS_")}
    try:
        return copy.deepcopy(keys)
    except Exception:
        return None


def _same(now: Optional[Mapping[str, Any]], then: Optional[Mapping[str, Any]]) -> bool:
    """Whether two copies of the ``CORS_*`` keys are equal (unsure, or keys that could not be
    copied, count as a change)."""
    if now is None or then is None:
        return False
    try:
        return bool(now == then)
    except Exception:
        return False


def _is_app_itself(wsgi: object, app: Flask) -> bool:
    """Whether ``wsgi`` is ``app``'s own ``wsgi_app`` method, bound to ``app``."""
    return getattr(wsgi, "__self__", None) is app and getattr(wsgi, "__func__", None) is getattr(
        type(app).wsgi_app, "__func__", type(app).wsgi_app
    )


def _wrap_innermost(app: Flask, state: AppState) -> None:
    """Put the preflight answerer around ``app``'s own ``wsgi_app``, inside the middlewares
    already applied to it.

    Middlewares are usually applied as ``app.wsgi_app = ProxyFix(app.wsgi_app)``, before or
    after ``CORS(app)``; Werkzeug's (``ProxyFix``, ``DispatcherMiddleware``'s default app,
    ``SharedDataMiddleware``, ``ProxyMiddleware``, ``LintMiddleware``) keep the app they
    wrap as ``.app``. Following that chain, the answerer goes innermost, so that it sees the
    environ as Flask will (the host, scheme and prefix ``ProxyFix`` sets) whichever order
    they were applied in. A chain it cannot follow: the answerer goes outermost, and a
    middleware applied before ``CORS(app)`` that changes the environ should then be applied
    after it instead (the security and proxies pages say so).
    """
    holder: object = app
    attr = "wsgi_app"
    current: object = app.wsgi_app
    seen: set[int] = set()
    while not _is_app_itself(current, app):
        inner = getattr(current, "app", None)
        if inner is None or id(current) in seen or not callable(inner):
            holder, attr, current = app, "wsgi_app", app.wsgi_app
            break
        seen.add(id(current))
        holder, attr, current = current, "app", inner
    setattr(holder, attr, _answering_preflights(current, state))  # type: ignore[arg-type]


def _answering_preflights(wsgi_app: WSGIApplication, state: AppState) -> WSGIApplication:
    """The WSGI callable that answers covered preflights before ``wsgi_app`` (the app's own)
    runs: Flask pushes no context, sends no signal, runs no hook, view or teardown function
    for them (SPEC section 4). The app's first request checks the ``CORS_*`` keys first
    (SPEC section 2)."""

    def answering_preflights(
        environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        if not state.checked:
            state.first_request()
        if environ.get("REQUEST_METHOD") == "OPTIONS" and "HTTP_ORIGIN" in environ:
            method = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
            if method is not None:
                answer = state.answer_environ(environ, method)
                if answer is not None:
                    return answer(environ, start_response)
        return wsgi_app(environ, start_response)

    answering_preflights.__wrapped__ = wsgi_app  # type: ignore[attr-defined]
    return answering_preflights


def _after_request_hook(state: AppState) -> Callable[[Response], Response]:
    """The extension's ``after_request`` hook for ``state``'s app: every response of a covered
    route gets its CORS headers, unless a view already set ``Access-Control-Allow-Origin``.

    A plain function rather than a bound method: Flask asks every hook whether it is a
    coroutine function on every request, and a function answers sooner.
    """
    by_endpoint = state._by_endpoint
    blueprint_resources = state.blueprint_resources
    app = state.app

    def after_request(response: Response) -> Response:
        req = current_request()
        environ = req.environ
        done: object = environ.get(DONE)
        if done is response:  # a decorated view's response, or an error's
            return response
        rule = req.url_rule
        if rule is not None and req.method != "OPTIONS":
            # The common case (what request_coverage does for it, without the call).
            coverage = by_endpoint.get(rule.endpoint, _MISSING)
            if coverage is _MISSING:
                coverage = state.covering_endpoint(rule.endpoint)
            if coverage is None and blueprint_resources:
                coverage = _blueprint_resource_match(state, rule.endpoint, req.path)
            if coverage is None:
                coverage = state.router.universal or state.router.match(req.path)
                if coverage is None:
                    return response
        else:
            coverage = state.request_coverage(req)
            if coverage is None:
                return response
        write(coverage.policy, response, coverage.source, environ, app)
        return response

    return after_request


def _url_adapter() -> Optional[MapAdapter]:
    """The URL adapter Flask bound for the current request (``None`` if it could not bind
    one, when ``SERVER_NAME`` does not match the request's host)."""
    adapter = getattr(request_ctx, "url_adapter", None)
    return adapter if isinstance(adapter, MapAdapter) else None


def _redirect_path(new_url: str, script_name: str) -> str:
    """The path, inside the app, that a routing redirect points to."""
    path = urlsplit(new_url).path
    prefix = script_name.rstrip("/")
    if prefix and path.startswith(prefix):
        path = path[len(prefix) :]
    return unquote(path) or "/"


def _any_endpoint(
    adapter: MapAdapter, error: MethodNotAllowed, path: Optional[str]
) -> Optional[str]:
    """The endpoint of a route that matched a request's path but not its method."""
    # Sorted: the methods come from a set, whose order varies between processes, and the
    # answer must not (a 405 is answered by the same route's policy in every worker).
    for method in sorted(error.valid_methods or ()):
        try:
            rule, _ = adapter.match(path_info=path, method=method, return_rule=True)
        except HTTPException:
            continue
        return str(rule.endpoint)
    return None


def _preflights_first(
    dispatch: Callable[[], Response], answer: Callable[[Request], Optional[Response]]
) -> Callable[[], Response]:
    """Wrap an app's ``full_dispatch_request``.

    A covered preflight is answered before the app's ``request_started`` signal, URL value
    preprocessors and ``before_request`` hooks, and no ``after_request`` hook sees the answer.
    Every other request is dispatched as usual; with ``expose_headers='*'`` and credentials,
    the header names are listed again once every ``after_request`` hook has run.
    """

    def full_dispatch_request() -> Response:
        req = current_request()
        environ = req.environ
        if environ.get("REQUEST_METHOD") == "OPTIONS":
            answered = answer(req)
            if answered is not None:
                return answered
        response = dispatch()
        if exposing[0] and environ.get(EXPOSE) is response:
            expose_own_headers(response.headers)
        return response

    return full_dispatch_request


def _intercepting(
    handler: Callable[[Exception], Any], state: AppState
) -> Callable[[Exception], Any]:
    """Wrap one of the app's exception handlers: with ``intercept_exceptions`` (the default),
    the error response gets the CORS headers as soon as it is made, as flask-cors does.

    Without it, error responses still get them from the ``after_request`` hook, as with
    flask-cors (SPEC section 4); only a response that no ``after_request`` hook finishes (an
    ``after_request`` hook that raised) goes without.
    """

    def intercept(error: Exception) -> Any:
        answer = handler(error)
        req = current_request()
        exposed: object = req.environ.get(EXPOSE)
        if exposed is answer and isinstance(answer, BaseResponse):
            # An unhandled error's response, finished by the after_request hooks: list the
            # header names they added (expose_headers='*' with credentials).
            expose_own_headers(answer.headers)
        coverage = state.request_coverage(req)
        if coverage is None or not coverage.policy.intercept_exceptions:
            return answer
        app = state.app
        response = app.make_response(answer)
        if req.environ.get(DONE) is not response:
            write(coverage.policy, response, coverage.source, req.environ, app)
        return response

    return intercept


def _checking_views(add_url_rule: Callable[..., None], state: AppState) -> Callable[..., None]:
    """Wrap an app's ``add_url_rule``: a decorated view is checked as it is registered (routes
    and blueprints registered after ``CORS(app)`` included), SPEC section 6."""

    def checked(
        rule: str,
        endpoint: Optional[str] = None,
        view_func: Optional[Callable[..., Any]] = None,
        provide_automatic_options: Optional[bool] = None,
        **options: Any,
    ) -> None:
        if view_func is not None:
            # Before the route exists: a CORSConfigError leaves the app as it was.
            try:
                state.check_view(view_func)
            except CORSConfigError as error:
                name = endpoint or getattr(view_func, "__name__", "?")
                raise error.within(f"view {name!r} (rule {rule!r})") from None
        add_url_rule(rule, endpoint, view_func, provide_automatic_options, **options)

    return checked
