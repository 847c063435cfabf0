"""``flask cors export cloudfront``: a response headers policy per CloudFront cache behaviour.

CloudFront attaches one response headers policy to each cache behaviour (a path pattern). Its
``CorsConfig`` (botocore's ``cloudfront`` model, ``ResponseHeadersPolicyCorsConfig``) says:
``AccessControlAllowOrigins`` (origins, or ``*`` for all: CloudFront API reference),
``AccessControlAllowHeaders``, ``AccessControlAllowMethods`` (GET, POST, OPTIONS, PUT, DELETE,
PATCH, HEAD or ALL), ``AccessControlAllowCredentials``, ``AccessControlExposeHeaders``,
``AccessControlMaxAgeSec`` and ``OriginOverride``, written ``true`` here so that CloudFront's
headers replace the app's and no response carries one twice.

Each exported route gives a path pattern (its rule, or the text before its first variable
followed by ``*``); routes that give the same pattern must share a policy, and no rule with
another policy (or none) may match a path under a prefix pattern unless a behaviour tried
first holds it (decided on the paths rules match: ``/<path:p>`` reaches every prefix), else
the export is refused (exit 2). Without ``--path`` the output lists every behaviour as
``{"ResponseHeadersPolicies": [{"PathPattern", "ResponseHeadersPolicyConfig"}]}``; with
``--path PATTERN`` it is the one ``ResponseHeadersPolicyConfig`` that
``aws cloudfront create-response-headers-policy --response-headers-policy-config file://FILE``
takes. Origin patterns, regexes beyond a few exact origins, callables, ``null``, header-name
regexes and Private Network Access go to the loss report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import click

from ..policy import Policy
from ._cloud import Refusal, differing_options, header_names, origin_list
from .cli import DeployedFileError, Target
from .model import ExportModel, ExportRoute, Loss, LossReport

#: The methods a CloudFront CORS configuration may name.
CLOUDFRONT_METHODS = ("GET", "POST", "OPTIONS", "PUT", "DELETE", "PATCH", "HEAD")

_WHERE = "a CloudFront response headers policy"


def path_pattern(route: ExportRoute) -> str:
    """The cache behaviour path pattern covering the route's paths."""
    if route.path_regex is None:
        return route.rule
    return route.static_prefix + "*"


def _items(values: Sequence[str]) -> dict[str, Any]:
    return {"Quantity": len(values), "Items": list(values)}


def policy_config(policy: Policy, label: str, name: str, report: LossReport) -> dict[str, Any]:
    origins = origin_list(policy, label, report, _WHERE)
    listed = ["*"] if origins.any else list(origins.exact)
    headers = header_names(policy, label, report, _WHERE)
    if "*" in headers and "authorization" not in {h.lower() for h in headers}:
        headers.append("authorization")
    if policy.any_method:
        methods = ["ALL"]
    else:
        methods = [m for m in CLOUDFRONT_METHODS if m in policy.methods]
        for method in sorted(policy.methods - set(CLOUDFRONT_METHODS)):
            report.add("methods", method, label, "CloudFront names seven methods only; dropped")
    expose = list(policy.settings["expose_headers"])
    if "*" in expose and policy.supports_credentials:
        report.add(
            "expose_headers",
            "*",
            label,
            "with credentials the app lists each response's own header names; CloudFront "
            "sends '*', which browsers read as a header name then; dropped",
        )
        expose.remove("*")
    if policy.allow_private_network:
        report.add(
            "allow_private_network",
            "True",
            label,
            "CloudFront never sends Access-Control-Allow-Private-Network; such preflights fail",
        )
    cors: dict[str, Any] = {
        "AccessControlAllowOrigins": _items(listed),
        "AccessControlAllowHeaders": _items(headers),
        "AccessControlAllowMethods": _items(methods),
        "AccessControlAllowCredentials": policy.supports_credentials,
        "AccessControlExposeHeaders": _items(expose),
        "OriginOverride": True,
    }
    if policy.max_age is not None:
        cors["AccessControlMaxAgeSec"] = policy.max_age
    return {
        "Comment": f"CORS of {label}, from flask cors export cloudfront",
        "Name": name,
        "CorsConfig": cors,
    }


def _name(app_name: str, pattern: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", f"{app_name}-cors-{pattern}").strip("-")
    return slug[:128]


def _reaching(
    model: ExportModel, pattern: str, first: ExportRoute, own: Mapping[tuple[str, str], str]
) -> list[Loss]:
    """A loss for each rule that may match a path under the prefix ``pattern`` with another
    policy or none (decided on the paths the rule matches, SPEC section 8), unless a behaviour
    CloudFront tries first (an exact path, a longer prefix) holds all its paths."""
    prefix = pattern[:-1]
    losses: list[Loss] = []
    left = {(r.rule, r.endpoint): r for r in model.left_to_app}
    for shape in model.reaching(prefix, first.policy):
        mine = own.get((shape.rule, shape.endpoint))
        if mine == pattern:
            continue  # in the group: compared option by option above
        if mine is not None and (
            not mine.endswith("*") or (mine.startswith(prefix) and len(mine) > len(pattern))
        ):
            continue
        found = left.get((shape.rule, shape.endpoint))
        if found is not None and found.covered:
            why, value = found.why, "(left to the app)"
        elif mine is not None:
            why, value = "its policy differs", "(another policy)"
        else:
            why, value = "no CORS policy covers it", "(none)"
        losses.append(
            Loss("resources", value, shape.rule, f"may match paths under {pattern} but {why}")
        )
    return losses


def behaviours(
    model: ExportModel, report: LossReport, options: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """One ``{"PathPattern", "ResponseHeadersPolicyConfig"}`` per path pattern."""
    wanted = options.get("path")
    groups: dict[str, list[ExportRoute]] = {}
    own: dict[tuple[str, str], str] = {}
    for route in model.routes:
        groups.setdefault(path_pattern(route), []).append(route)
        own[(route.rule, route.endpoint)] = path_pattern(route)
    if wanted is not None:
        if wanted not in groups:
            known = ", ".join(sorted(groups)) or "none"
            raise click.UsageError(f"no cache behaviour path pattern {wanted!r} ({known})")
        groups = {wanted: groups[wanted]}
    out: list[dict[str, Any]] = []
    losses: list[Loss] = []
    # CloudFront uses the first behaviour that matches: exact paths first, longer prefixes next.
    for pattern in sorted(groups, key=lambda p: (p.endswith("*"), -len(p), p)):
        routes = groups[pattern]
        first = routes[0]
        for route in routes[1:]:
            options_differ = differing_options(first.policy, route.policy)
            if options_differ:
                losses.append(
                    Loss(
                        ", ".join(options_differ),
                        f"from {route.coverage.source}",
                        route.label,
                        f"shares path pattern {pattern} with {first.label}, whose policy differs",
                    )
                )
        if pattern.endswith("*"):
            losses += _reaching(model, pattern, first, own)
        config = policy_config(first.policy, first.label, _name(model.app_name, pattern), report)
        out.append({"PathPattern": pattern, "ResponseHeadersPolicyConfig": config})
    if losses:
        raise Refusal("cloudfront", losses, "Give routes under one path pattern one policy.")
    return out


def render(model: ExportModel, report: LossReport, options: Mapping[str, Any]) -> str:
    found = behaviours(model, report, options)
    document: Any = (
        found[0]["ResponseHeadersPolicyConfig"]
        if options.get("path") is not None
        else {"ResponseHeadersPolicies": found}
    )
    return json.dumps(document, indent=2) + "\n"


def read_deployed(text: str) -> dict[str, Any]:
    """The config in ``aws cloudfront get-response-headers-policy`` output or a bare one."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise DeployedFileError(f"not JSON: {error}") from None
    if isinstance(data, dict) and "ResponseHeadersPolicy" in data:
        data = data["ResponseHeadersPolicy"]
    if isinstance(data, dict) and "ResponseHeadersPolicyConfig" in data:
        data = data["ResponseHeadersPolicyConfig"]
    if not isinstance(data, dict) or not isinstance(data.get("CorsConfig"), dict):
        raise DeployedFileError("no CorsConfig")
    return data


def compare(today: Mapping[str, Any], deployed: Mapping[str, Any]) -> list[str]:
    ours, theirs = today["CorsConfig"], deployed["CorsConfig"]
    out: list[str] = []
    for key, noun, fold in (
        ("AccessControlAllowOrigins", "origin", str.lower),
        ("AccessControlAllowMethods", "method", str.upper),
        ("AccessControlAllowHeaders", "request header", str.lower),
        ("AccessControlExposeHeaders", "exposed header", str.lower),
    ):
        mine = {fold(str(v)) for v in (ours.get(key) or {}).get("Items") or ()}
        yours = {fold(str(v)) for v in (theirs.get(key) or {}).get("Items") or ()}
        for value in sorted(yours - mine):
            out.append(f"the deployed policy allows {noun} {value!r} ({key}), the app does not")
        for value in sorted(mine - yours):
            out.append(f"the deployed policy lacks {noun} {value!r} ({key}), the app allows it")
    for key in ("AccessControlAllowCredentials", "AccessControlMaxAgeSec", "OriginOverride"):
        if ours.get(key) != theirs.get(key):
            out.append(
                f"the deployed policy has {key}={theirs.get(key)!r}, the app {ours.get(key)!r}"
            )
    return out


def check(
    model: ExportModel, report: LossReport, deployed: str, options: Mapping[str, Any]
) -> Sequence[str]:
    if options.get("path") is None:
        raise DeployedFileError("--check compares one policy: give its --path PATTERN")
    today = behaviours(model, report, options)[0]["ResponseHeadersPolicyConfig"]
    return compare(today, read_deployed(deployed))


TARGET = Target(
    name="cloudfront",
    help="Write a CloudFront response headers policy (CORS with OriginOverride) for each cache "
    "behaviour path pattern of the app's routes; with --path PATTERN the one "
    "ResponseHeadersPolicyConfig `aws cloudfront create-response-headers-policy` takes.",
    render=render,
    check=check,
    options=(
        click.Option(
            ["--path"],
            metavar="PATTERN",
            help="Write the policy of this cache behaviour path pattern only (e.g. '/api/*').",
        ),
    ),
)
