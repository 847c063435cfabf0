"""``flask cors``: see the effective policies and ask why a browser says no.

``init_app`` registers the group on ``app.cli``. Every answer comes from the core's own
introspection (:func:`~flask_crossorigin.introspect.routes`,
:func:`~flask_crossorigin.introspect.run_check`, :func:`~flask_crossorigin.introspect.simulate`),
the browser's rules in :mod:`~flask_crossorigin.judge` and :mod:`~flask_crossorigin.explain`; the
rules are never written down a second time here. ``probe`` needs no app: it is also
``python -m flask_crossorigin probe``; given an app and no ``--origin``, it compares the
deployment with the app (:mod:`~flask_crossorigin.compare`). What a server sends is printed
with its control characters escaped (:func:`printable`).
"""

from __future__ import annotations

import json
import math
import shlex
import unicodedata
from collections.abc import Iterable
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

import click
from flask import Flask, current_app
from flask.cli import AppGroup, ScriptInfo

from .compare import DEFAULT_MAX_REQUESTS, compare
from .configure import Coverage, effective_settings
from .decision import Reason
from .errors import CORSConfigError
from .explain import display, fix, option_values
from .extension import STATE_KEY, AppState
from .introspect import (
    CHECK_BASE_URL,
    Check,
    Route,
    Seen,
    Simulation,
    UnknownPath,
    mounted_candidate,
    route_note,
    routes,
    run_check,
    simulate,
)
from .judge import CORSRequest, Exchange, Failure, Outcome, Received
from .origins import is_well_formed
from .probe import DEFAULT_OTHER_ORIGIN, DEFAULT_TIMEOUT, ProbeError, http_sender
from .probe import probe as run_probe
from .suffixes import list_version as suffix_list_version
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


def _register_export() -> None:
    from .export.cli import export_group  # the export subpackage is built on this layer

    cors_cli.add_command(export_group)


_register_export()

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
    click.echo(f"Public Suffix List: publicsuffixlist {suffix_list_version()}")
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


# --- check and probe: the browser's exchanges, judged as the Fetch standard says -----------

#: Values sent for a ``--header NAME`` given without one: what a page usually sends.
_SAMPLE_VALUES = {
    "accept": "*/*",
    "accept-language": "en",
    "content-language": "en",
    "content-type": "application/json",
    "authorization": "Bearer token",
}

#: Response headers shown for each exchange besides ``Access-Control-*``: what explains them.
_SHOWN = frozenset(
    {"vary", "location", "allow", "cache-control", "age", "x-cache", "x-cache-status", "via"}
)


#: Fetch "header value": none of these bytes; an HTTP client refuses to send them.
_BAD_VALUE_CHARS = frozenset("\x00\r\n")
#: Longest ``--timeout`` accepted, in seconds.
MAX_TIMEOUT = 3600.0


def _request_headers(values: Iterable[str]) -> Optional[tuple[tuple[str, str], ...]]:
    """``--header`` values (``Name`` or ``Name: value``) as pairs; ``None`` if one is bad."""
    pairs = []
    for text in values:
        name, colon, value = text.partition(":")
        name, value = name.strip(), value.strip(" \t")
        if not is_token(name) or (colon and not value) or _BAD_VALUE_CHARS & set(value):
            return None
        pairs.append((name, value if colon else _SAMPLE_VALUES.get(name.lower(), "1")))
    return tuple(pairs)


def _request_options(
    command: Callable[..., None], origin_required: bool = True
) -> Callable[..., None]:
    """The options ``check`` and ``probe`` share: what the page's ``fetch()`` sends."""
    origin_help = "The page's origin, e.g. https://app.example.com"
    if not origin_required:
        origin_help += " (without it, 'flask --app APP' compares URL with the app)"
    for option in reversed(
        [
            click.option("--origin", required=origin_required, help=origin_help),
            click.option("--method", default="GET", show_default=True, help="The method."),
            click.option(
                "--header",
                "headers",
                multiple=True,
                help="A request header the page sets: NAME or 'NAME: value'.",
            ),
            click.option("--credentials", is_flag=True, help="credentials: 'include' (cookies)."),
            click.option(
                "--private-network", is_flag=True, help="A public page calls a private address."
            ),
        ]
    ):
        command = option(command)
    return command


def _cors_request(
    origin: str, method: str, headers: tuple[str, ...], credentials: bool, private_network: bool
) -> CORSRequest:
    if not is_well_formed(origin):
        raise click.UsageError(
            f"--origin {origin!r} is not an origin; write scheme://host[:port] or null"
        )
    if not is_token(method):
        raise click.UsageError(f"--method {method!r} is not an HTTP method")
    pairs = _request_headers(headers)
    if pairs is None:
        bad = next(h for h in headers if _request_headers([h]) is None)
        raise click.UsageError(
            f"--header {bad!r} is not a header name (or 'Name: value' without CR, LF or NUL)"
        )
    return CORSRequest(origin, method, pairs, credentials, private_network)


def printable(text: str) -> str:
    """``text`` with every control and format character escaped (``\\x1b``, ``\\u202e``).

    What a server sends is printed through this: an escape sequence in a header could
    otherwise move the cursor and repaint the verdict on the user's terminal.
    """
    if text.isprintable():
        return text
    return "".join(
        c.encode("unicode_escape").decode("ascii")
        if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")
        else c
        for c in text
    )


def _echo(line: str) -> None:
    click.echo(printable(line))


def _request_notes(request: CORSRequest) -> list[str]:
    """What the browser changes in the page's request before sending anything."""
    return [
        f"Note: a browser drops the header {printable(name)} silently: a page cannot set it "
        "(a forbidden request-header); the request is sent without it."
        for name in request.dropped
    ]


def _title(request: CORSRequest, where: str) -> str:
    flags = " with credentials" if request.credentials else ""
    flags += " to a private network" if request.private_network else ""
    return f"{request.method} {where} from {request.origin}{flags}"


def _shown(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [
        (n, v) for n, v in headers if n.lower().startswith("access-control-") or n.lower() in _SHOWN
    ]


def _exchange_lines(exchange: Exchange, target: str, note: str = "") -> list[str]:
    """One exchange: what was sent, the answer's status and its CORS headers, the verdict."""
    sent, received = exchange.sent, exchange.received
    label = "Preflight" if sent.kind == "preflight" else "Request"
    lines = [f"{label}: {sent.method} {target}"]
    lines += [f"    {n}: {v}" for n, v in sent.headers if n.lower() not in ("accept",)]
    status = f"{received.status} {received.reason}".rstrip()
    lines.append(f"  answered {status}" + (f": {note}" if note else ""))
    shown = _shown(received.headers)
    lines += [f"    {n}: {v}" for n, v in shown]
    if not any(n.lower().startswith("access-control-") for n, _ in shown):
        lines.append("    (no Access-Control-* headers)")
    verdict = exchange.verdict
    if verdict.failure is None:
        lines.append("  ok: the browser accepts this answer")
    else:
        lines.append(f"  FAILS ({verdict.failure.value}): {verdict.explain()}")
    return lines


def _local(url: str) -> str:
    """A URL inside the checked app as a path; any other URL as it is."""
    if url.startswith(CHECK_BASE_URL + "/"):
        return url[len(CHECK_BASE_URL) :]
    return url


def _target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _verdict_lines(outcome: Outcome, final: Optional[Received]) -> list[str]:
    if outcome.not_followed is not None:
        return [
            f"UNKNOWN: the app redirects to {outcome.not_followed}, another origin; "
            f"ask it with 'flask cors probe {outcome.not_followed}'."
        ]
    if outcome.allowed:
        status = f" ({final.status} {final.reason})".rstrip() if final else ""
        return [f"ALLOWED: the browser lets the page read the response{status}."]
    failure = outcome.verdict
    return [
        "BLOCKED: the browser hides the response from the page.",
        f"Browser: {failure.explain()} ({failure.failure.value if failure.failure else ''})",
    ]


@cors_cli.command("check")
@click.argument("path")
@_request_options
def check_command(
    path: str,
    origin: str,
    method: str,
    headers: tuple[str, ...],
    credentials: bool,
    private_network: bool,
) -> None:
    """Send a browser's cross-origin request to PATH through the app, and judge the answers.

    The preflight (when the request needs one) and the request itself run through the app
    with Flask's test client: every hook, error handler, redirect and view runs, and the
    request really happens (a DELETE deletes). The answers are judged as the Fetch
    standard's CORS check does. Exit status: 0 allowed, 1 blocked, 2 usage error.
    """
    if not path.startswith("/"):
        raise click.UsageError(f"PATH must start with '/', got {path!r}")
    if any(c <= " " or c == "\x7f" for c in path):
        raise click.UsageError(
            f"PATH must not contain spaces or control characters (a browser sends them "
            f"percent-encoded: %20, %0D), got {path!r}"
        )
    request = _cors_request(origin, method, headers, credentials, private_network)
    app = _app()
    click.echo(_title(request, path))
    for line in _request_notes(request):
        click.echo(line)
    result = run_check(app, path, request)
    outcome = result.outcome
    for exchange, seen, error in zip(outcome.exchanges, result.seen, result.errors):
        target = _target(exchange.sent.url)
        note = _answer_note(app, exchange, seen, error)
        for line in _exchange_lines(exchange, target, note):
            click.echo(line)
    final = outcome.exchanges[-1].received if outcome.exchanges else None
    for line in _verdict_lines(outcome, final):
        click.echo(line)
    if outcome.allowed:
        return
    failed = outcome.failed
    if request.forbidden_method:
        click.echo(
            f"Fix: browsers never send {request.method} (a forbidden method), whatever the "
            "policy says; use another method."
        )
    elif failed is not None:
        for line in _check_cause(app, request, result, failed):
            click.echo(line)
    raise SystemExit(BLOCKED)


def _answer_note(app: Flask, exchange: Exchange, seen: Optional[Seen], error: Optional[str]) -> str:
    """Why the app answered as it did: 404, 405 and redirects named; the path it saw."""
    notes = []
    sent = exchange.sent
    path = _target(sent.url).split("?", 1)[0]
    app_path = seen.path if seen is not None else path
    if seen is not None and (seen.script_root or seen.path != path):
        notes.append(f"the app saw {seen.path} (mounted under {seen.script_root or '/'})")
    status = exchange.received.status
    if status == 404 or status == 405 or 300 <= status < 400:
        method = sent.method
        route = route_note(app, app_path, method, status)
        if status == 404 and route.startswith("no route"):
            candidate = mounted_candidate(app, app_path)
            if candidate:
                route += f"; the app has a route for {candidate} (mounted under a prefix?)"
        if route:
            notes.append(route)
        if 300 <= status < 400 and exchange.received.location:
            notes.append(f"redirects to {_local(exchange.received.location)}")
    if error is not None:
        notes.append(f"the app raised {error}")
    return "; ".join(notes)


def _check_cause(app: Flask, request: CORSRequest, result: Check, failed: Exchange) -> list[str]:
    """The cause in the app's terms and the fix: the option, its value and where it was set."""
    outcome = result.outcome
    seen = result.seen[-1]
    sent_path = _target(failed.sent.url).split("?", 1)[0]
    path = seen.path if seen is not None else sent_path
    received = failed.received
    failure = outcome.verdict.failure
    names = [name for name, _ in request.headers]
    try:
        policy_view: Optional[Simulation] = simulate(
            app, path, request.origin, request.method, names,
            request.credentials, request.private_network,
        )  # fmt: skip
    except UnknownPath:
        policy_view = None
    policy = policy_view.coverage.policy if policy_view and policy_view.coverage else None
    if failure is Failure.PREFLIGHT_REDIRECTED:
        location = _local(received.location or "")
        return [
            f"Reason: the app redirects {failed.sent.method} {sent_path} to {location}.",
            f"Fix: make the page fetch {location}, the URL the app has; a browser never "
            "follows a redirect on a preflight.",
        ]
    if received.status == 404 and route_note(app, path, failed.sent.method, 404):
        candidate = mounted_candidate(app, path)
        lines = [f"Reason: no route matches {path}: the app answers 404."]
        if candidate:
            lines.append(
                f"Fix: the app has {candidate}. Mounted under a prefix (DispatcherMiddleware, a "
                "proxy's location), an app sees paths without it: check the path it sees, and "
                "write 'resources' for such paths."
            )
        else:
            lines.append("Fix: fetch a URL the app has ('flask cors routes' lists them).")
        return lines
    if policy_view is not None and not policy_view.allowed and policy_view.reason is not None:
        reason = policy_view.reason
        lines = [f"Reason: {reason.explain(policy_view.detail)} ({reason.value})"]
        if reason is Reason.NOT_COVERED and seen is not None and seen.script_root:
            lines.append(
                f"Note: the app is mounted under {seen.script_root} and matches 'resources' "
                f"against {path}, the path without it."
            )
        if reason is Reason.NOT_COVERED and not isinstance(app.extensions.get(STATE_KEY), AppState):
            lines.append(
                "Fix: this app has no CORS(app): add CORS(app) (with 'resources' to choose the "
                "paths it covers), or decorate the view with @cross_origin."
            )
            return lines
        lines.append(f"Fix: {fix(reason, policy)}")
        return lines
    if received.status == 405 or not 200 <= received.status <= 299:
        note = route_note(app, path, failed.sent.method, received.status)
        what = f" ({note})" if note else ""
        return [
            f"Reason: the app answered the {failed.sent.kind} with {received.status}{what}.",
            "Fix: cover the route ('resources' or @cross_origin) and keep 'automatic_options' "
            "on: the extension then answers preflights before any hook or view runs.",
        ]
    source = policy_view.coverage.source if policy_view and policy_view.coverage else "nothing"
    return [
        f"Reason: the policy (covered by {source}) grants this request, but the response "
        "does not carry its grant: something after the extension changed the CORS headers.",
        "Fix: look for an after_request hook registered before CORS(app) (it runs after the "
        "extension's), an error handler, a WSGI middleware, or a view that sets "
        "Access-Control-* headers itself.",
    ]


def _probe_options(command: Callable[..., None]) -> Callable[..., None]:
    return _request_options(command, origin_required=False)


@cors_cli.command("probe", with_appcontext=False)
@click.argument("url")
@_probe_options
@click.option(
    "--other-origin",
    default=DEFAULT_OTHER_ORIGIN,
    show_default=True,
    help="A second origin asked in turn, to catch a cache that serves one origin's answer to "
    "another ('' to skip).",
)
@click.option(
    "--timeout",
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds for the whole probe: every connection and read, all exchanges.",
)
@click.option(
    "--max-requests",
    type=click.IntRange(1, 10000),
    default=DEFAULT_MAX_REQUESTS,
    show_default=True,
    help="With an app: live requests at most.",
)
def probe_command(
    url: str,
    origin: Optional[str],
    method: str,
    headers: tuple[str, ...],
    credentials: bool,
    private_network: bool,
    other_origin: str,
    timeout: float,
    max_requests: int,
) -> None:
    """Ask a live URL as a browser on ORIGIN would, over real HTTP, and judge the answers.

    Also names what a proxy, gateway or cache in front of the app changed: a CORS header
    sent twice, an origin-dependent answer without 'Vary: Origin', an answer cached for
    another origin. Exit status: 0 allowed and no problem found, 1 blocked or a problem
    found, 2 usage or network error. No app needed: also 'python -m flask_crossorigin probe'.

    With an app and no --origin ('flask --app APP cors probe URL'), URL is where the app is
    deployed: every route the app covers is asked there and of the app itself, with the
    app's origins and strangers, and every request whose browser verdict differs is named
    with the layer that changed it. Exit status: 0 no difference, 1 a difference, 2 usage
    or network error.
    """
    _check_url(url)
    if not (math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT):
        raise click.UsageError(
            f"--timeout must be a positive number of seconds, at most {MAX_TIMEOUT:g}; "
            f"got {timeout!r}"
        )
    if origin is None:
        app = _app_at_hand()
        if app is None:
            raise click.UsageError(
                "Missing option '--origin' (or name an app: 'flask --app APP cors probe URL' "
                "compares the deployment at URL with the app)."
            )
        _compare_command(app, url, timeout, max_requests)
        return
    request = _cors_request(origin, method, headers, credentials, private_network)
    if other_origin and not is_well_formed(other_origin):
        raise click.UsageError(f"--other-origin {other_origin!r} is not an origin")
    _echo(_title(request, url))
    for line in _request_notes(request):
        _echo(line)
    try:
        found = run_probe(
            url, request, other_origin or None, http_sender(timeout, deadline=timeout)
        )
    except ProbeError as error:
        click.echo(printable(f"Error: {error}"), err=True)
        raise SystemExit(USAGE_ERROR) from None
    outcome = found.outcome
    for exchange in outcome.exchanges:
        for line in _exchange_lines(exchange, exchange.sent.url):
            _echo(line)
    final = outcome.exchanges[-1].received if outcome.exchanges else None
    for line in _verdict_lines(outcome, final):
        _echo(line)
    if found.other:
        _echo(f"Then as {other_origin}, to compare:")
        for exchange in found.other:
            sent, received = exchange.sent, exchange.received
            kind = "Preflight" if sent.kind == "preflight" else "Request"
            _echo(f"{kind}: {sent.method} {sent.url}")
            _echo(f"  answered {received.status} {received.reason}".rstrip())
            shown = _shown(received.headers)
            for name, value in shown:
                _echo(f"    {name}: {value}")
            if not any(n.lower().startswith("access-control-") for n, _ in shown):
                _echo("    (no Access-Control-* headers)")
    for problem in found.problems:
        _echo(f"Problem ({problem.finding.value}): {problem.text}.")
    if not outcome.allowed:
        for line in _probe_cause(request, outcome):
            _echo(line)
    if not outcome.allowed or found.problems:
        raise SystemExit(BLOCKED)


def _app_at_hand() -> Optional[Flask]:
    """The app named by ``--app`` or ``FLASK_APP``, if any; ``None`` without one."""
    info = click.get_current_context().find_object(ScriptInfo)
    if info is None or not info.app_import_path:
        return None
    return info.load_app()


def _compare_command(app: Flask, url: str, timeout: float, max_requests: int) -> None:
    """``probe`` with an app: the live URL against the app, route by route."""
    _echo(f"Comparing {url} with the app {app.import_name!r}, route by route")
    try:
        with app.app_context():
            found = compare(app, url, http_sender(timeout, deadline=timeout), max_requests)
    except ProbeError as error:
        click.echo(printable(f"Error: {error}"), err=True)
        raise SystemExit(USAGE_ERROR) from None
    for result in found.differences:
        case = result.case
        verdicts = (
            f"live {'ALLOWED' if result.live_allowed else 'BLOCKED'}, "
            f"app {'ALLOWED' if result.app_allowed else 'BLOCKED'}"
        )
        _echo(
            f"DIFFERS ({result.layer}): {case.kind} {case.request.method} {case.path} from "
            f"{case.request.origin}: {verdicts}"
        )
        _echo(f"    {result.text}.")
    for result in found.vary_missing:
        case = result.case
        _echo(
            f"Problem (vary-missing): {case.kind} {case.request.method} {case.path} from "
            f"{case.request.origin}: the app sends 'Vary: Origin' and the live answer does "
            "not: a layer in front drops it, and a shared cache may serve the answer to "
            "another origin."
        )
    asked = len(found.results)
    summary = f"{asked} requests compared, {len(found.differences)} differ"
    if found.skipped:
        summary += f", {found.skipped} not sent (--max-requests {max_requests})"
    if found.uncovered:
        routes_word = "route" if found.uncovered == 1 else "routes"
        summary += f"; {found.uncovered} {routes_word} not covered by the app's policy, not asked"
    _echo(summary + ".")
    if found.differences or found.vary_missing:
        raise SystemExit(BLOCKED)


def _check_url(url: str) -> None:
    """A usage error unless ``url`` is an http(s) URL an HTTP client can send as written."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.UsageError(f"URL must be an http or https URL, got {url!r}")
    if any(c <= " " or c == "\x7f" for c in url):
        raise click.UsageError(f"URL must not contain spaces or control characters, got {url!r}")


#: Where to look, for the failures a deployment most often shows.
_PROBE_CAUSES = {
    Failure.ALLOW_ORIGIN_MISSING: "the server does not grant {origin}: the app's policy does "
    "not cover this URL or this origin, or a layer in front answers without the app's headers",
    Failure.ALLOW_ORIGIN_MULTIPLE: "two layers add Access-Control-Allow-Origin (the app and a "
    "proxy, gateway or CDN)",
    Failure.ALLOW_ORIGIN_MISMATCH: "the answer grants another origin: a cache served another "
    "origin's answer, or a layer writes a fixed origin",
    Failure.PREFLIGHT_NOT_OK: "the preflight did not reach a CORS handler: a route, an auth "
    "hook or a proxy answered it",
}


def _probe_cause(request: CORSRequest, outcome: Outcome) -> list[str]:
    """Why a probe is blocked, and where to look next."""
    if request.forbidden_method:
        return [
            f"Fix: browsers never send {request.method} (a forbidden method), whatever the "
            "server says; use another method."
        ]
    failed = outcome.failed
    if failed is None:
        return []
    failure = outcome.verdict.failure
    where = "preflight" if failed.sent.kind == "preflight" else "request"
    reason = f"Reason: the {where}'s answer ({failed.received.status}) fails the CORS check"
    if failure is not None:
        reason += f" ({failure.value})"
        cause = _PROBE_CAUSES.get(failure)
        if cause:
            reason += f": {cause.format(origin=request.origin)}"
    return [reason + ".", f"Next: {_check_command(failed.sent.url, request)}"]


def _check_command(url: str, request: CORSRequest) -> str:
    """The ``check`` command that asks the same of the app, from its project directory."""
    parts = urlsplit(url)
    args = ["flask", "--app", "APP", "cors", "check", parts.path or "/", "--origin"]
    args.append(request.origin)
    if request.method != "GET":
        args += ["--method", request.method]
    for name, value in request.headers:
        args += ["--header", f"{name}: {value}"]
    if request.credentials:
        args.append("--credentials")
    if request.private_network:
        args.append("--private-network")
    command = " ".join(shlex.quote(arg) for arg in args)
    return (
        f"ask the app itself, where its code is: {command} (it runs the app's own answer "
        "and names the option to change and where it is set)"
    )
