"""Choosing the route of a preflight without running the app's code.

The WSGI wrapper answers a covered preflight before Flask pushes its contexts (SPEC section 4),
so it matches the URL itself. Werkzeug's matching runs code of the app on the way: the
``to_python`` of the URL converters of the route it chooses, a callable ``redirect_to``, and
the ``to_url`` of converters when it builds a redirect. Code of the app expects the app
context (``current_app``, a database session) and must not run for a preflight at all.

Werkzeug (2.3 to 3.1) chooses the route from the path alone, then converts its values: a
converter that refuses a value (``ValidationError``) makes the URL a 404 or 405, it never
sends matching on to another route. :func:`matching_map` gives a copy of the app's URL map in
which every converter of the app's own and every callable ``redirect_to`` raises
:class:`NeedsApp` instead of running; Werkzeug's own converters are kept (they are the
library's code, and their ``ValidationError`` routes as it does in Flask). Matching with that
copy chooses the route Flask would; when the route needs the app's code to know the answer,
:class:`NeedsApp` says so and the preflight is handed to the app, which routes it in its
contexts as it routes any request (the extension then answers it before the hooks run).

The copy shares everything else with the app's map (host matching, ``strict_slashes``,
``merge_slashes``, default redirects). It is made only for a map that has a route of that
kind (otherwise the app's own map is used as it is), and made again when a rule is added
(:func:`rules_added`).
"""

from __future__ import annotations

import copy
from typing import Any, Optional

from werkzeug.routing import BaseConverter, Map, MapAdapter, Rule

__all__ = ["NeedsApp", "matching_map", "rules_added", "with_map"]


class NeedsApp(Exception):
    """Matching the request would run code of the app: a URL converter of its own or a
    callable ``redirect_to``; the request goes to the app."""


def _raise_needs_app(*args: Any, **kwargs: Any) -> Any:
    raise NeedsApp()


class _StandIn(BaseConverter):
    """Takes the place of one of the app's converters: raises :class:`NeedsApp` instead of
    converting. Its ``regex`` and ``weight`` are never read (the path matching is the app's
    map's own, shared)."""

    def to_python(self, value: str) -> Any:
        raise NeedsApp()

    def to_url(self, value: Any) -> str:
        raise NeedsApp()


def _is_werkzeug_code(function: object) -> bool:
    return str(getattr(function, "__module__", "")).startswith("werkzeug.")


def _apps_own(converter: BaseConverter) -> bool:
    """Whether a converter runs code of the app: a class that is not Werkzeug's, or one of
    Werkzeug's with a method or number conversion of the app's."""
    kind = type(converter)
    if not (_is_werkzeug_code(kind.to_python) and _is_werkzeug_code(kind.to_url)):
        return True
    number = getattr(converter, "num_convert", None)
    return number is not None and number not in (int, float)


def _runs_apps_code(rule: Rule) -> bool:
    redirect = rule.redirect_to
    if redirect is not None and not isinstance(redirect, str):
        return True
    return any(_apps_own(converter) for converter in rule._converters.values())


def _twin(rule: Rule, url_map: Map) -> Rule:
    """A copy of ``rule`` for :func:`matching_map`: the app's converters and a callable
    ``redirect_to`` raise :class:`NeedsApp`."""
    twin = copy.copy(rule)
    twin._converters = {
        name: _StandIn(url_map) if _apps_own(converter) else converter
        for name, converter in rule._converters.items()
    }
    if rule.redirect_to is not None and not isinstance(rule.redirect_to, str):
        twin.redirect_to = _raise_needs_app
    if any(isinstance(c, _StandIn) for c in twin._converters.values()):
        # Building a URL (a default redirect) would call the converters' to_url, through
        # the builder compiled for the original rule.
        twin.build = _raise_needs_app  # type: ignore[method-assign]
    return twin


def _copy_state(state: Any, twins: dict[int, Rule]) -> Any:
    """A copy of a state of Werkzeug's ``StateMachineMatcher``, in the same order, with the
    twins in place of their rules."""
    new = copy.copy(state)
    new.rules = [twins.get(id(rule), rule) for rule in state.rules]
    new.static = {part: _copy_state(next_, twins) for part, next_ in state.static.items()}
    new.dynamic = [(part, _copy_state(next_, twins)) for part, next_ in state.dynamic]
    return new


#: The attribute of a URL map that holds :func:`rules_added`'s counter.
_COUNTER = "_flask_crossorigin_rules_added"


def rules_added(url_map: Map) -> list[int]:
    """A counter of the rules added to ``url_map`` from the first call on (``[n]``, the
    same list for the same map), so that the result of :func:`matching_map` is made again
    when the map changes, at the cost of one comparison per preflight. The map's ``add``
    method is wrapped, on that map alone, to count."""
    counter: Optional[list[int]] = url_map.__dict__.get(_COUNTER)
    if counter is None:
        found: list[int] = [0]
        add = url_map.add

        def counting_add(rulefactory: Any) -> None:
            found[0] += 1
            add(rulefactory)

        url_map.add = counting_add  # type: ignore[method-assign]
        url_map.__dict__[_COUNTER] = counter = found
    return counter


def matching_map(url_map: Map) -> Optional[Map]:
    """A copy of ``url_map`` whose matching runs none of the app's code (raises
    :class:`NeedsApp` where it would), or ``None`` when matching with ``url_map`` itself
    runs none (no converter of the app's own, no callable ``redirect_to``).

    Raises :class:`NeedsApp` when the map is not built as Werkzeug 2.3 to 3.1 build it (its
    matcher's states cannot be copied): every preflight then goes to the app.
    """
    url_map.update()
    twins = {
        id(rule): _twin(rule, url_map) for rule in url_map.iter_rules() if _runs_apps_code(rule)
    }
    if not twins:
        return None
    matcher = getattr(url_map, "_matcher", None)
    root = getattr(matcher, "_root", None)
    if root is None or not all(hasattr(root, name) for name in ("rules", "static", "dynamic")):
        raise NeedsApp()
    shadow = copy.copy(url_map)
    shadow_matcher = copy.copy(matcher)
    shadow_matcher._root = _copy_state(root, twins)  # type: ignore[union-attr]
    shadow._matcher = shadow_matcher  # type: ignore[assignment]
    shadow._rules_by_endpoint = {
        endpoint: [twins.get(id(rule), rule) for rule in rules]
        for endpoint, rules in url_map._rules_by_endpoint.items()
    }
    shadow._remap = False
    shadow._remap_lock = url_map.lock_class()
    return shadow


def with_map(adapter: MapAdapter, url_map: Map) -> MapAdapter:
    """``adapter`` with ``url_map`` in place of its map: ``adapter`` itself, changed (the
    caller's own, bound for one request and used by nothing else)."""
    adapter.map = url_map
    return adapter
