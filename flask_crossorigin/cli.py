"""``flask cors``: see the effective policies and ask why a browser says no.

``init_app`` registers the group on ``app.cli``. Every answer comes from the core's own
introspection (:func:`~flask_crossorigin.introspect.routes`,
:func:`~flask_crossorigin.introspect.simulate`) and :mod:`~flask_crossorigin.explain`; the rules
are never written down a second time here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Optional

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .configure import Coverage, effective_settings
from .decision import Decision
from .errors import CORSConfigError
from .explain import display, fix, option_values
from .extension import STATE_KEY, AppState
from .introspect import Route, Simulation, UnknownPath, routes, simulate
from .origins import is_well_formed
from .tokens import is_token


class CORSGroup(AppGroup):
    """The ``flask cors`` group: a configuration error, whether raised while the app loads or
    while a command compiles a view's policy, is printed with its fixes and exits with
    status 2, without a traceback (SPEC 6)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CORSConfigError as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(USAGE_ERROR)


cors_cli = CORSGroup("cors", help="Inspect the CORS policies of this app.")

#: Exit status of ``flask cors check`` for a request the browser would block.
BLOCKED = 1
#: Exit status for a usage error (Click's own convention).
USAGE_ERROR = 2

_ROUTE_OPTIONS = (
    "origins",
    "methods",
    "allow_headers",
    "expose_headers",
    "supports_credentials",
    "max_age",
    "allow_private_network",
)


def _app() -> Flask:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    return app


def _route_data(route: Route) -> dict[str, Any]:
    data: dict[str, Any] = {
        "rule": route.rule,
        "endpoint": route.endpoint,
        "methods": list(route.methods),
        "covered_by": route.coverage.source if route.coverage else None,
    }
    if route.coverage is not None:
        values = option_values(route.coverage.policy)
        data["options"] = {
            name: {"value": values[name][0], "source": values[name][1]} for name in _ROUTE_OPTIONS
        }
    return data


def _format(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value else "(none)"
    if value is None:
        return "(none)"
    return str(value)


def _option_lines(values: dict[str, tuple[Any, str]], names: Iterable[str]) -> list[str]:
    names = list(names)
    width = max(len(n) for n in names)
    return [f"    {n:<{width}}  {_format(values[n][0])}  [{values[n][1]}]" for n in names]


@cors_cli.command("routes")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def routes_command(as_json: bool) -> None:
    """Every URL rule with its effective CORS policy and where each value comes from."""
    found = routes(_app())
    if as_json:
        click.echo(json.dumps([_route_data(r) for r in found], indent=2))
        return
    for route in found:
        methods = ", ".join(m for m in route.methods if m not in ("HEAD", "OPTIONS"))
        if route.coverage is None:
            click.echo(f"{route.rule}  [{methods}]  not covered: no CORS headers")
            continue
        click.echo(f"{route.rule}  [{methods}]  covered by {route.coverage.source}")
        values = option_values(route.coverage.policy)
        for line in _option_lines(values, _ROUTE_OPTIONS):
            click.echo(line)


@cors_cli.command("config")
def config_command() -> None:
    """Each policy the app uses: every option's value and the source that set it."""
    app = _app()
    state = app.extensions.get(STATE_KEY)
    click.echo(
        "Precedence, lowest first: default < CORS_* config < CORS(...) < init_app(...) "
        "< a resource's own options"
    )
    if not isinstance(state, AppState):
        settings, sources = effective_settings(app.config, [])
        click.echo("No CORS(app) on this app; @cross_origin views start from these values:")
        values = {
            name: (display(value), sources[name])
            for name, value in settings.items()
            if name != "resources"
        }
        for line in _option_lines(values, values):
            click.echo(line)
        return
    settings, sources = effective_settings(app.config, state.layers)
    keys = ", ".join(repr(rule.key) for rule in state.rules) or "(none)"
    click.echo(f"resources  {keys}  [{sources['resources']}]")
    policies: list[tuple[str, Coverage]] = [
        (f"Resource {rule.key!r} (paths it matches)", rule.coverage) for rule in state.rules
    ]
    for name in sorted(state.blueprints):
        policies.append((f"Blueprint {name!r} (all its routes)", state.blueprints[name]))
    for name in sorted(state.blueprint_resources):
        for pattern, found in state.blueprint_resources[name].rules:
            shown = pattern if isinstance(pattern, str) else pattern.pattern
            title = f"Blueprint {name!r} resource {shown!r} (its routes whose path matches)"
            policies.append((title, found))
    for title, found in policies:
        click.echo(f"{title}:")
        values = option_values(found.policy)
        for line in _option_lines(values, values):
            click.echo(line)
    click.echo("Views with @cross_origin have their own policy: see 'flask cors routes'.")


def _headers_block(title: str, decision: Decision) -> list[str]:
    lines = [f"{title}: {decision.reason.value}"]
    if decision.headers:
        lines += [f"    {name}: {value}" for name, value in decision.headers]
    else:
        lines.append("    (no Access-Control-* headers)")
    if decision.vary_origin:
        lines.append("    Vary: Origin")
    return lines


def _report(result: Simulation, path: str, method: str) -> list[str]:
    lines = []
    source = result.coverage.source if result.coverage else "nothing"
    lines.append(f"Covered by: {source}")
    if result.preflight is not None:
        lines += _headers_block(f"Preflight OPTIONS {path}", result.preflight)
    if result.actual is not None:
        lines += _headers_block(f"Request {method} {path}", result.actual)
    if result.allowed:
        lines.append("ALLOWED: the browser lets the page read the response.")
        return lines
    assert result.reason is not None
    policy = result.coverage.policy if result.coverage else None
    lines.append("BLOCKED: the browser hides the response from the page.")
    lines.append(f"Reason: {result.reason.explain(result.detail)} ({result.reason.value})")
    lines.append(f"Fix: {fix(result.reason, policy)}")
    return lines


@cors_cli.command("check")
@click.argument("path")
@click.option("--origin", required=True, help="The page's origin, e.g. https://app.example.com")
@click.option("--method", default="GET", show_default=True, help="The request's method.")
@click.option("--header", "headers", multiple=True, help="A request header the page sets.")
@click.option("--credentials", is_flag=True, help="The page sends cookies (credentials).")
@click.option("--private-network", is_flag=True, help="A public page calls a private address.")
def check_command(
    path: str,
    origin: str,
    method: str,
    headers: tuple[str, ...],
    credentials: bool,
    private_network: bool,
) -> None:
    """Simulate a browser's cross-origin request to PATH, preflight included.

    Exit status: 0 allowed, 1 blocked, 2 usage error.
    """
    problem = _argument_problem(path, origin, method, headers)
    if problem is not None:
        raise click.UsageError(problem)
    method = method.upper() if method.upper() in _NORMALISED_METHODS else method
    flags = " with credentials" if credentials else ""
    click.echo(f"{method} {path} from {origin}{flags}")
    try:
        result = simulate(_app(), path, origin, method, list(headers), credentials, private_network)
    except UnknownPath:
        raise click.UsageError(f"no route matches {path!r} (it would be a 404)") from None
    for line in _report(result, path, method):
        click.echo(line)
    if not result.allowed:
        raise SystemExit(BLOCKED)


# Fetch normalises these method names to upper case; others are sent as written.
_NORMALISED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})


def _argument_problem(path: str, origin: str, method: str, headers: Iterable[str]) -> Optional[str]:
    if not path.startswith("/"):
        return f"PATH must start with '/', got {path!r}"
    if not is_well_formed(origin):
        return f"--origin {origin!r} is not an origin; write scheme://host[:port]"
    if not is_token(method):
        return f"--method {method!r} is not an HTTP method"
    for name in headers:
        if not is_token(name):
            return f"--header {name!r} is not a header name"
    return None
