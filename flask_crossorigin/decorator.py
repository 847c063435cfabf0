"""``@cross_origin``: a policy for one view, which wins over the extension's.

It decorates a view function (sync or ``async def``), a ``MethodView`` class, or a
flask-restx ``Resource`` class, and may be listed in ``Resource.method_decorators``. Keywords
are checked at decoration time; the policy is compiled once per app (defaults <
``app.config`` < keywords) on first use.
"""

from __future__ import annotations

import copy
import functools
import inspect
import logging
import os
import sys
import threading
import weakref
from collections.abc import Mapping
from typing import Any, Callable, Optional, TypeVar, cast

from flask import Flask, Response

from .configure import Coverage, single_policy
from .errors import CORSConfigError, Problems
from .options import parse_layer
from .respond import DONE, current_app_object, current_request, write

F = TypeVar("F", bound=Callable[..., Any])

logger = logging.getLogger("flask_crossorigin")

#: Attribute that carries the decorator on a decorated view function.
MARKER = "__flask_crossorigin__"


class CrossOrigin:
    """The object ``cross_origin(...)`` returns: a decorator that knows its policy."""

    def __init__(self, options: Mapping[str, Any]) -> None:
        problems = Problems()
        self.options = parse_layer(
            options, problems, where="cross_origin(...)", allow_resources=False
        )
        problems.raise_if_any()
        #: The key of this decorator's compiled policies in each app's table, shared with the
        #: copies made for classes (one compiled policy per app and decorator).
        self.key = object()
        #: The class this decorator was put on (a copy is made for each class), else ``None``.
        self.target: Optional[str] = None

    def coverage_for(self, app: Flask, view: Optional[str] = None) -> Coverage:
        """This decorator's policy for ``app`` (compiled on first use, then kept in the app),
        said to come from ``@cross_origin on <view>``.

        Raises :class:`~flask_crossorigin.CORSConfigError` when the options cannot be combined
        with ``app.config`` (SPEC section 2).
        """
        compiled = _compiled(app)
        coverage = compiled.get(self.key)
        if coverage is None:
            layers = [("@cross_origin(...)", self.options)]
            where = _where(view or self.target or "a view")
            coverage = single_policy(app.config, layers, where)
            compiled[self.key] = coverage
        if view is None or coverage.source == _where(view):
            return coverage
        return Coverage(coverage.policy, _where(view))

    def serving_coverage(self, app: Flask, view: str) -> Optional[Coverage]:
        """:meth:`coverage_for` on the request path: a configuration problem is logged once,
        at ERROR with its fix, and the view then serves without a CORS grant (``None``)."""
        try:
            return self.coverage_for(app, view)
        except CORSConfigError as error:
            _compiled(app).setdefault(self.key, None)
            with _log_lock:
                logged = _logged(app)
                first = self.key not in logged
                logged.add(self.key)
            if first:
                logger.error(
                    "@cross_origin on %s is not applied, this view answers without CORS "
                    "headers: %s",
                    view,
                    error,
                )
            return None

    def __call__(self, view: F) -> F:
        if isinstance(view, type):
            return cast(F, self._decorate_class(view))
        return self._decorate_function(view)

    def _decorate_class(self, cls: type) -> type:
        """Add this decorator to the class's ``decorators``, which ``as_view`` applies.

        The wrapped view asks Flask for ``OPTIONS`` through ``required_methods``; the class's
        own ``methods`` stay as they are (flask-restx's Swagger reads them).
        """
        # A copy that knows the class's name (as_view hides it from the view function), with
        # the same options and compiled policies.
        bound = copy.copy(self)
        bound.target = cls.__name__
        # A subclass's policy replaces the one it inherits: one view, one policy.
        inherited = getattr(cls, "decorators", ())
        decorators = [d for d in inherited if not isinstance(d, CrossOrigin)]
        cls.decorators = [*decorators, bound]  # type: ignore[attr-defined]
        if self.options.get("automatic_options", True) is not False:
            cls.provide_automatic_options = False  # type: ignore[attr-defined]
        return cls

    def _decorate_function(self, view: F) -> F:
        # Stacked on another @cross_origin, this one replaces it rather than wrapping it.
        while isinstance(getattr(view, MARKER, None), CrossOrigin) and hasattr(view, "__wrapped__"):
            view = view.__wrapped__
        return cast(F, CrossOriginView(self, view))


class CrossOriginView:
    """A view function wrapped by ``@cross_origin``: it answers the view's preflights and
    writes the CORS headers onto its responses (SPEC sections 1 and 4).

    A callable object rather than a closure, so that it keeps Flask's ``OPTIONS`` when
    ``MethodView.as_view`` applies it from a class's ``decorators`` list and then sets
    ``provide_automatic_options`` from the class: with ``automatic_options`` on, that
    attribute stays ``False`` (Flask would otherwise answer preflights before the view runs).
    """

    def __init__(self, decorator: CrossOrigin, view: Callable[..., Any]) -> None:
        functools.update_wrapper(self, view)
        self._decorator = decorator
        self._view = view
        self._label = decorator.target or view_label(view)
        self._where = _where(self._label)
        #: The app this view served last (a weak reference: a view must not keep an app
        #: alive) and its policy there, one tuple so that a thread never pairs one app with
        #: another's policy.
        self._last: tuple[Callable[[], Optional[Flask]], Optional[Coverage]] = (_no_app, None)
        self._automatic = decorator.options.get("automatic_options", True) is not False
        self._async = inspect.iscoroutinefunction(view)
        setattr(self, MARKER, decorator)
        if self._automatic:
            required = set(getattr(view, "required_methods", ()))
            self.required_methods = {*required, "OPTIONS"}
            self.provide_automatic_options = False

    @property
    def provide_automatic_options(self) -> Optional[bool]:
        """Whether Flask answers ``OPTIONS`` for this view: never with ``automatic_options``.

        Stored in the instance's ``__dict__`` too, so that ``functools.wraps`` around this
        view (flask-restx does that) copies it."""
        value: Optional[bool] = self.__dict__.get("provide_automatic_options")
        return value

    @provide_automatic_options.setter
    def provide_automatic_options(self, value: Optional[bool]) -> None:
        self.__dict__["provide_automatic_options"] = False if self._automatic else value

    def __call__(self, *args: Any, **kwargs: Any) -> Response:
        app = current_app_object()
        last = self._last
        coverage = last[1] if last[0]() is app else self._coverage(app)
        environ = current_request().environ
        if coverage is None:  # a configuration problem, logged once
            return app.make_response(self._call(app, args, kwargs))
        policy = coverage.policy
        if policy.automatic_options and environ.get("REQUEST_METHOD") == "OPTIONS":
            if "HTTP_ORIGIN" in environ and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ:
                response = app.response_class(status=200)
            else:  # a plain OPTIONS: what Flask would answer
                response = app.make_default_options_response()
        else:
            response = app.make_response(self._call(app, args, kwargs))
        if environ.get(DONE) is not response:
            write(policy, response, self._where, environ, app)
        return response

    def _coverage(self, app: Flask) -> Optional[Coverage]:
        """This view's policy in ``app``, compiled on first use, and remembered as the last
        app's."""
        compiled = app.extensions.get(COMPILED_KEY)
        coverage = compiled.get(self._decorator.key, _MISSING) if compiled is not None else _MISSING
        if coverage is _MISSING:
            coverage = self._decorator.serving_coverage(app, self._label)
        self._last = (weakref.ref(app), coverage)
        return coverage  # type: ignore[no-any-return]

    def _call(self, app: Flask, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if self._async:
            return app.ensure_sync(self._view)(*args, **kwargs)
        return self._view(*args, **kwargs)

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        """As a method (``method_decorators``), bind like a function."""
        if instance is None:
            return self
        return functools.partial(self, instance)


#: ``app.extensions`` key of the decorators' compiled policies in that app (``None``: the
#: options cannot be combined with ``app.config``; logged once).
COMPILED_KEY = "flask_crossorigin.views"
_LOGGED_KEY = "flask_crossorigin.views_logged"
#: Makes "logged once" exact when several threads meet the same problem at once.
_log_lock = threading.Lock()
_MISSING: Any = object()


def _no_app() -> None:
    """What :attr:`CrossOriginView._last` holds before the view has served: no app."""
    return None


def _compiled(app: Flask) -> dict[object, Optional[Coverage]]:
    table: Optional[dict[object, Optional[Coverage]]] = app.extensions.get(COMPILED_KEY)
    if table is None:
        table = app.extensions.setdefault(COMPILED_KEY, {})
    return table


def _logged(app: Flask) -> set[object]:
    logged: set[object] = app.extensions.setdefault(_LOGGED_KEY, set())
    return logged


def cross_origin(**options: Any) -> CrossOrigin:
    """Give one view its own CORS policy; see the option reference for the keywords.

    ``resources`` does not apply here. Raises :class:`~flask_crossorigin.CORSConfigError`
    at decoration time for an unknown keyword or a bad value, naming the line of the call.
    """
    try:
        return CrossOrigin(options)
    except CORSConfigError as error:
        caller = sys._getframe(1)
        where = f"cross_origin(...) at {os.path.basename(caller.f_code.co_filename)}:"
        raise error.within(f"{where}{caller.f_lineno}") from None


def view_label(view: Callable[..., Any]) -> str:
    """How logs and the CLI name a view: its class for a class-based view, else its qualified
    name without the enclosing functions (``ping``, not ``register_ping.<locals>.ping``)."""
    cls = getattr(view, "view_class", None)
    if isinstance(cls, type):
        return cls.__name__
    name = str(getattr(view, "__qualname__", None) or getattr(view, "__name__", "view"))
    return name.rpartition("<locals>.")[2]


def _where(label: str) -> str:
    return f"@cross_origin on {label}"


def find_cross_origin(view: Callable[..., Any]) -> Optional[CrossOrigin]:
    """The decorator on a view function, on its class, or in its ``method_decorators``."""
    found = getattr(view, MARKER, None)
    if isinstance(found, CrossOrigin):
        return found
    cls = getattr(view, "view_class", None)
    method_decorators = getattr(cls, "method_decorators", None)
    if isinstance(method_decorators, Mapping):
        candidates = [d for ds in method_decorators.values() for d in ds]
    else:
        candidates = list(method_decorators or ())
    return next((d for d in candidates if isinstance(d, CrossOrigin)), None)
