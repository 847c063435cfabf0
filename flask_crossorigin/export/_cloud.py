"""What the cloud targets share: one policy per document, origin lists, and the ``--path`` option.

API Gateway's HTTP API, an S3 bucket and a CloudFront response headers policy each hold *one*
CORS configuration for everything behind them. :func:`one_policy` finds the policy the selected
routes share; when they do not share one (or a route in the selection has no CORS policy at
all), any single document would widen some route, so the export is refused (:class:`Refusal`,
exit status 2, one loss line per route) whatever ``--accept-narrower`` says: the user exports
one ``--path`` prefix at a time instead (SPEC section 8: never wider than the app).

:func:`origin_list` turns a policy's origins into the literal list such documents take: exact
origins as they are, ``*`` for any origin, regexes whose language is a few exact origins as
those origins; everything else goes to the loss report, with the option, the value as written,
the route and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

import click

from ..origins import Kind, OriginEntry
from ..policy import Policy
from ._regex import finite_origins
from .model import NARROWER, ExportModel, ExportRoute, LeftToApp, Loss, LossReport

PATH_OPTION = click.Option(
    ["--path"],
    metavar="PREFIX",
    help="Export only the routes whose rule starts with PREFIX (one configuration serves "
    "everything behind this layer, so their policies must be the same).",
)

#: The options whose values make two policies answer differently (SPEC section 3 and 4).
COMPARED = (
    "origins",
    "methods",
    "allow_headers",
    "expose_headers",
    "supports_credentials",
    "max_age",
    "send_wildcard",
    "allow_private_network",
)


class Refusal(click.ClickException):
    """The export would be wider than the app whatever is dropped: exit status 2."""

    exit_code = NARROWER

    def __init__(self, target: str, losses: Sequence[Loss], advice: str) -> None:
        lines = "".join(f"\n  - {loss.line()}" for loss in losses)
        super().__init__(
            f"Loss report: the {target} export refuses: one configuration would serve "
            f"routes whose policies differ, and would widen one of them:{lines}\n{advice}"
        )


def _entry_key(entry: OriginEntry) -> tuple[Any, ...]:
    if entry.kind is Kind.CALLABLE:
        return (entry.kind, id(entry.predicate))
    if entry.pattern is not None:
        return (entry.kind, entry.pattern.pattern, entry.pattern.flags)
    return (entry.kind, entry.text.lower())


def _value_key(name: str, value: Any) -> Any:
    if name == "origins":
        return frozenset(_entry_key(e) for e in value)
    if name in ("methods", "expose_headers"):
        return frozenset(str(v).upper() for v in value)
    if name == "allow_headers":
        return frozenset(v.lower() if isinstance(v, str) else (v.pattern, v.flags) for v in value)
    return value


def differing_options(a: Policy, b: Policy) -> list[str]:
    """The options in which two policies answer differently (empty: the same answers)."""
    if a is b:
        return []
    return [
        name
        for name in COMPARED
        if _value_key(name, a.settings[name]) != _value_key(name, b.settings[name])
    ]


def selected(
    model: ExportModel, prefix: Optional[str]
) -> tuple[list[ExportRoute], list[LeftToApp]]:
    """The routes (and rules left to the app) that may match a path starting with ``prefix``:
    decided on the paths each rule matches (``/<path:p>`` reaches every prefix), not on its
    text."""
    start = prefix or ""
    return (
        [r for r in model.routes if model.under(r.rule, r.endpoint, start)],
        [r for r in model.left_to_app if model.under(r.rule, r.endpoint, start)],
    )


def one_policy(model: ExportModel, prefix: Optional[str], target: str) -> tuple[Policy, str]:
    """The policy every selected route shares, and the label of the first such route.

    Raises :class:`Refusal` when routes differ, when a selected rule has no policy or is left to
    the app (the document would add CORS headers to it), or when nothing is selected.
    """
    routes, left = selected(model, prefix)
    where = f" under {prefix!r}" if prefix else ""
    if not routes:
        raise click.UsageError(f"no route{where} has a CORS policy the {target} can serve")
    first = routes[0]
    losses: list[Loss] = []
    for route in routes[1:]:
        options = differing_options(first.policy, route.policy)
        if options:
            losses.append(
                Loss(
                    ", ".join(options),
                    f"from {route.coverage.source}",
                    route.label,
                    f"differs from {first.label} (from {first.coverage.source})",
                )
            )
    for rule in left:
        what = (
            f"left to the app ({rule.why})"
            if rule.covered
            else "no CORS policy covers it, so the app sends no CORS headers"
        )
        losses.append(Loss("resources", "(none)" if not rule.covered else "", rule.rule, f"{what}"))
    if losses:
        raise Refusal(
            target,
            losses,
            "Export one --path PREFIX whose routes share a policy (one API, bucket or "
            "behaviour per prefix), or give them the same policy.",
        )
    return first.policy, first.label


@dataclass(frozen=True)
class OriginList:
    """A policy's origins as a literal list: ``["*"]``, or exact origins and patterns.

    ``wildcards`` holds the patterns (``https://*.example.com``) a target accepts, only when
    ``origin_list`` was told it accepts them.
    """

    any: bool
    exact: tuple[str, ...]
    wildcards: tuple[OriginEntry, ...]


def origin_list(
    policy: Policy,
    route: str,
    report: LossReport,
    target: str,
    keep: Callable[[OriginEntry], Union[bool, str]] = lambda entry: False,
) -> OriginList:
    """Exact origins, ``*``, and regexes with a finite language; the rest reported.

    ``keep(entry)`` decides a pattern entry (any port, subdomains): ``True`` keeps it in
    ``wildcards``, ``False`` or a ``str`` (the reason) drops it into the report.
    """
    exact: list[str] = []
    wildcards: list[OriginEntry] = []
    allow_any = False
    for entry in policy.settings["origins"]:
        kind = entry.kind
        if kind is Kind.ANY:
            allow_any = True
        elif kind is Kind.EXACT:
            exact.append(entry.text)
        elif kind is Kind.REGEX and entry.pattern is not None:
            found = finite_origins(entry.pattern)
            if found is None or not found:
                report.add(
                    "origins",
                    entry.text,
                    route,
                    f"{target} takes literal origins only, and this regex matches more "
                    f"origins than can be listed (up to 100); dropped",
                )
            else:
                exact.extend(found)
        elif kind is Kind.CALLABLE:
            report.add(
                "origins",
                entry.text,
                route,
                f"a callable cannot run in {target}; dropped: the origins it allows are refused",
            )
        elif kind is Kind.NULL:
            report.add(
                "origins",
                entry.text,
                route,
                f"{target} does not document the null origin; dropped",
            )
        else:
            verdict = keep(entry)
            if verdict is True:
                wildcards.append(entry)
            else:
                why = verdict if isinstance(verdict, str) else f"{target} has no such pattern"
                report.add("origins", entry.text, route, f"{why}; dropped")
    return OriginList(allow_any, tuple(dict.fromkeys(exact)), tuple(wildcards))


def header_names(policy: Policy, route: str, report: LossReport, target: str) -> list[str]:
    """``allow_headers`` as literal names (``*`` kept as ``*``); regexes with a finite language
    as names, the others reported."""
    names: list[str] = []
    for rule in policy.settings["allow_headers"]:
        if isinstance(rule, str):
            names.append(rule)
            continue
        report.add(
            "allow_headers",
            rule.pattern,
            route,
            f"{target} takes header names only; dropped: the headers it allows are refused",
        )
    return names
