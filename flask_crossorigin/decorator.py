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
import weakref
from collections.abc import Mapping
from typing import Any, Callable, Optional, TypeVar, cast

from flask import Flask, Response, current_app, request

from .configure import Coverage, single_policy
from .errors import Problems
from .options import parse_layer
from .policy import ACAO
from .respond import DONE, apply

F = TypeVar("F", bound=Callable[..., Any])

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
        # One compiled policy per app, shared by every view this decorator (or a copy made for
        # a class) is on.
        self._coverage: weakref.WeakKeyDictionary[Flask, Coverage] = weakref.WeakKeyDictionary()
        #: The class this decorator was put on (a copy is made for each class), else ``None``.
        self.target: Optional[str] = None

    def coverage_for(self, app: Flask, view: Optional[str] = None) -> Coverage:
        """This decorator's policy for ``app`` (compiled on first use, then memoised), said to
        come from ``@cross_origin on <view>``."""
        coverage = self._coverage.get(app)
        if coverage is None:
            layers = [("@cross_origin(...)", self.options)]
            where = _where(view or self.target or "a view")
            coverage = single_policy(app.config, layers, where)
            self._coverage[app] = coverage
        if view is None or coverage.source == _where(view):
            return coverage
        return Coverage(coverage.policy, _where(view))

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
        where = _where(self.target or view_label(view))
        automatic = self.options.get("automatic_options", True) is not False
        is_async = inspect.iscoroutinefunction(view)

        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
            policy = self.coverage_for(app).policy
            if policy.automatic_options and request.method == "OPTIONS":
                response = app.make_default_options_response()
            else:
                called = app.ensure_sync(view) if is_async else view
                response = app.make_response(called(*args, **kwargs))
            environ = request.environ
            if environ.get(DONE) is not response and ACAO not in response.headers:
                apply(policy, response, where, environ, app=app)
            return response

        setattr(wrapper, MARKER, self)
        if automatic:
            required = set(getattr(view, "required_methods", ()))
            wrapper.required_methods = {*required, "OPTIONS"}  # type: ignore[attr-defined]
            wrapper.provide_automatic_options = False  # type: ignore[attr-defined]
        return cast(F, wrapper)


def cross_origin(**options: Any) -> CrossOrigin:
    """Give one view its own CORS policy; see the option reference for the keywords.

    ``resources`` does not apply here. Raises :class:`~flask_crossorigin.CORSConfigError`
    at decoration time for an unknown keyword or a bad value.
    """
    return CrossOrigin(options)


def view_label(view: Callable[..., Any]) -> str:
    """How logs and the CLI name a view: its class for a class-based view, else its name."""
    cls = getattr(view, "view_class", None)
    if isinstance(cls, type):
        return cls.__name__
    return str(getattr(view, "__qualname__", None) or getattr(view, "__name__", "view"))


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
