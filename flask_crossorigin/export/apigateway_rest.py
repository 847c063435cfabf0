"""``flask cors export apigateway-rest``: OpenAPI 3 for an API Gateway REST API's preflights.

A REST API does not answer preflights by itself: each resource needs an ``OPTIONS`` method, and
errors API Gateway makes itself (an authorizer's 401/403, throttling's 429, a 5xx) carry no CORS
headers unless its gateway responses add them. The document this writes, for
``aws apigateway put-rest-api --mode merge --body fileb://FILE``, holds:

- per exported route (converters written ``{name}``, ``<path:...>`` as ``{name+}``), an
  ``OPTIONS`` method with a ``mock`` integration; its integration response sets the static
  headers (``Access-Control-Allow-Methods``, ``-Allow-Headers``, ``-Max-Age``,
  ``-Allow-Credentials``) and its response template (VTL) reflects the request's ``Origin`` only
  when it is one of the policy's origins: exact origins, and patterns and regexes written as
  Java regexes of exactly the same language (``$origin.matches(...)``), else nothing;
- ``x-amazon-apigateway-gateway-responses`` ``DEFAULT_4XX`` and ``DEFAULT_5XX`` with
  ``Access-Control-Allow-Origin`` when it is one value for every allowed origin (``*``, or a
  single exact origin): a gateway response cannot choose among several.

Actual requests go to the app (the integration), which answers them with its own headers.
Callables, untranslatable regexes, header-name regexes, any method with credentials, Private
Network Access and per-origin gateway responses go to the loss report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Optional

from ..origins import Kind, OriginEntry
from ..policy import Policy
from ..tokens import MAX_REQUEST_HEADERS_LENGTH
from ._regex import to_javascript
from .cli import DeployedFileError, Target
from .model import ExportModel, ExportRoute, LossReport, same_policy

_VARIABLE = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_LABEL = "[a-z0-9_-]{1,63}"
_PORT = "(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"


def openapi_path(rule: str) -> tuple[str, list[str]]:
    """``/items/<int:item_id>`` as ``/items/{item_id}``, and the parameter names (a
    ``<path:name>`` is API Gateway's greedy ``{name+}``, declared under that name)."""
    names: list[str] = []

    def replace(m: re.Match[str]) -> str:
        name = m.group(2) + ("+" if m.group(1) == "path" else "")
        names.append(name)
        return "{" + name + "}"

    return _VARIABLE.sub(replace, rule), names


def _java_literal(text: str) -> str:
    return "".join(c if re.fullmatch(r"[A-Za-z0-9]", c) else "\\" + c for c in text)


def java_regex(entry: OriginEntry) -> Optional[str]:
    """A Java regex (``String.matches``: the whole string) with the entry's language on
    well-formed origins, or ``None``."""
    if entry.kind is Kind.ANY_PORT:
        scheme, _, host = entry.text[: -len(":*")].partition("://")
        return f"(?i){_java_literal(scheme)}://{_java_literal(host)}(?::{_PORT})?"
    if entry.kind is Kind.SUBDOMAIN:
        scheme, _, rest = entry.text.partition("://")
        domain, port = rest[1:], ""
        if ":" in domain:
            domain, _, port = domain.rpartition(":")
        tail = "" if not port else (f"(?::{_PORT})?" if port == "*" else ":" + port)
        # One or more labels before the domain, the host no longer than 253 characters.
        host = f"(?=[^:]{{1,253}}(?::|$)){_LABEL}(?:\\.{_LABEL})*{_java_literal(domain)}"
        return f"(?i){_java_literal(scheme)}://{host}{tail}"
    if entry.kind is Kind.REGEX and entry.pattern is not None:
        source = to_javascript(entry.pattern)
        if source is None:
            return None
        # The JavaScript subset means the same to Java but for \v (a class of several there).
        return "(?i)(?:" + source.replace("\\v", "\\x0b") + ")"
    return None


def _vtl_string(text: str) -> Optional[str]:
    """A single-quoted VTL literal (no interpolation), or ``None`` if it cannot hold ``text``."""
    return None if "'" in text else f"'{text}'"


def _template(policy: Policy, label: str, report: LossReport) -> str:
    """The VTL of the preflight's answer: reflect an allowed origin, echo allowed headers."""
    conditions: list[str] = []
    for entry in policy.settings["origins"]:
        if entry.kind is Kind.EXACT:
            conditions.append(f"$origin == '{entry.text}'")
        elif entry.kind is Kind.ANY:
            conditions.append("$origin != ''")
        elif entry.kind is Kind.NULL:
            conditions.append("$origin == 'null'")
        elif entry.kind is Kind.CALLABLE:
            report.add(
                "origins", entry.text, label, "a callable cannot run in API Gateway; dropped"
            )
        else:
            regex = java_regex(entry)
            literal = None if regex is None else _vtl_string(regex)
            if literal is None:
                report.add(
                    "origins",
                    entry.text,
                    label,
                    "no Java regex is known to match exactly the same origins; dropped",
                )
            else:
                conditions.append(f"$origin.matches({literal})")
    lines = [
        "#set($origin = $input.params().header.get('Origin'))",
        "#if(!$origin)#set($origin = '')#end",
    ]
    if policy.public_wildcard:
        lines.append("#set($context.responseOverride.header.Access-Control-Allow-Origin = '*')")
    elif conditions:
        lines.append("#if($origin.length() <= 512 && (" + " || ".join(conditions) + "))")
        lines.append("#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)")
        if policy.allow_headers.allow_any:
            lines += [
                "#set($asked = $input.params().header.get('Access-Control-Request-Headers'))",
                f"#if($asked && $asked.length() <= {MAX_REQUEST_HEADERS_LENGTH})",
                "#set($context.responseOverride.header.Access-Control-Allow-Headers = $asked)",
                "#end",
            ]
        lines.append("#end")
    if policy.vary_origin:
        lines.append("#set($context.responseOverride.header.Vary = 'Origin')")
    return "\n".join(lines) + "\n"


def _static_headers(policy: Policy, label: str, report: LossReport) -> dict[str, str]:
    headers: dict[str, str] = {}
    if policy.any_method:
        if policy.supports_credentials:
            report.add(
                "methods",
                "*",
                label,
                "with credentials '*' is a method name to browsers, and a mock cannot check "
                "the requested method; only GET, HEAD and POST pass",
            )
        headers["Access-Control-Allow-Methods"] = "*"
    else:
        headers["Access-Control-Allow-Methods"] = ", ".join(sorted(policy.methods))
    if not policy.allow_headers.allow_any:
        names = sorted(policy.allow_headers.names)
        for rule in policy.settings["allow_headers"]:
            if not isinstance(rule, str):
                report.add(
                    "allow_headers",
                    rule.pattern,
                    label,
                    "a mock answers with a fixed list of names; dropped",
                )
        if names:
            headers["Access-Control-Allow-Headers"] = ", ".join(names)
    if policy.max_age is not None:
        headers["Access-Control-Max-Age"] = str(policy.max_age)
    if policy.supports_credentials:
        headers["Access-Control-Allow-Credentials"] = "true"
    if policy.allow_private_network:
        report.add(
            "allow_private_network",
            "True",
            label,
            "the mock never sends Access-Control-Allow-Private-Network; such preflights fail",
        )
    return headers


_NAMES = (
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Max-Age",
    "Access-Control-Allow-Credentials",
    "Vary",
)


def _options_method(route: ExportRoute, names: Sequence[str], report: LossReport) -> dict[str, Any]:
    policy = route.policy
    static = _static_headers(policy, route.label, report)
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in names
    ]
    method: dict[str, Any] = {
        "summary": f"CORS preflight of {route.label}",
        "responses": {
            "200": {
                "description": "The preflight's answer",
                "headers": {name: {"schema": {"type": "string"}} for name in _NAMES},
            }
        },
        "x-amazon-apigateway-integration": {
            "type": "mock",
            "requestTemplates": {"application/json": '{"statusCode": 200}'},
            "passthroughBehavior": "when_no_match",
            "responses": {
                "default": {
                    "statusCode": "200",
                    "responseParameters": {
                        f"method.response.header.{name}": f"'{value}'"
                        for name, value in static.items()
                    },
                    "responseTemplates": {
                        "application/json": _template(policy, route.label, report)
                    },
                }
            },
        },
    }
    if parameters:
        method["parameters"] = parameters
    return method


def _one_value(policy: Policy) -> Optional[str]:
    """The one ``Access-Control-Allow-Origin`` that suits every allowed origin, if any."""
    if policy.origins.allow_any and not policy.supports_credentials:
        return "*"
    return policy.origins.single


def _gateway_responses(model: ExportModel, report: LossReport) -> dict[str, Any]:
    """DEFAULT_4XX and DEFAULT_5XX with the one ACAO value every route's policy shares."""
    values = {_one_value(route.policy) for route in model.routes}
    credentials = {route.policy.supports_credentials for route in model.routes}
    parameters: dict[str, str] = {}
    value = next(iter(values)) if len(values) == 1 else None
    # A gateway response serves every path of the API, those left to the app included.
    elsewhere = [s for s in model.shapes if s.policy is None or isinstance(s.policy, str)]
    if elsewhere and model.routes:
        report.add(
            "resources",
            elsewhere[0].rule,
            "",
            "a gateway response sends one Access-Control-Allow-Origin for the whole API, "
            f"and {elsewhere[0].rule} ({elsewhere[0].endpoint}) is left to the app; none is "
            "sent: errors API Gateway makes itself stay unreadable",
        )
    elif value is not None and len(credentials) == 1:
        parameters["gatewayresponse.header.Access-Control-Allow-Origin"] = f"'{value}'"
        if credentials.pop():
            parameters["gatewayresponse.header.Access-Control-Allow-Credentials"] = "'true'"
        parameters["gatewayresponse.header.Vary"] = "'Origin'"
    elif model.routes:
        report.add(
            "origins",
            "(several origins)",
            "",
            "a gateway response sends one Access-Control-Allow-Origin for the whole API; "
            "errors API Gateway makes itself (authorizer, throttling) stay unreadable",
        )
    return {
        kind: {"responseParameters": dict(parameters)} for kind in ("DEFAULT_4XX", "DEFAULT_5XX")
    }


def _mock_is_wider(model: ExportModel, route: ExportRoute) -> Optional[str]:
    """Why the route's ``OPTIONS`` mock would answer preflights the app answers otherwise
    (SPEC section 8), or ``None``: a rule with another policy (or none) may match one of its
    paths, and has no resource of its own here (API Gateway prefers a resource without
    variables, as Werkzeug does)."""
    own = {(r.rule, r.endpoint) for r in model.routes if "<" not in r.rule}
    mine = next(
        (s for s in model.shapes if (s.rule, s.endpoint) == (route.rule, route.endpoint)), None
    )
    if mine is None or mine.static:
        return None
    for other in model.shapes:
        if other is mine or (other.rule, other.endpoint) in own:
            continue
        if not same_policy(other.policy, route.policy) and mine.may_share_a_path(other):
            return f"{other.rule} ({other.endpoint}) may route some of its paths otherwise"
    return None


def document(model: ExportModel, report: LossReport) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for route in model.routes:
        wider = _mock_is_wider(model, route)
        if wider is not None:
            report.add(
                "resources",
                route.rule,
                route.label,
                f"{wider}: its OPTIONS mock would answer preflights the app answers "
                "otherwise; dropped, the app answers them",
            )
            continue
        path, names = openapi_path(route.rule)
        paths[path] = {"options": _options_method(route, names, report)}
    return {
        "openapi": "3.0.1",
        "info": {"title": model.app_name, "version": "1"},
        "paths": paths,
        "x-amazon-apigateway-gateway-responses": _gateway_responses(model, report),
    }


def render(model: ExportModel, report: LossReport, options: Mapping[str, Any]) -> str:
    return json.dumps(document(model, report), indent=2) + "\n"


def compare(today: Mapping[str, Any], deployed: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    ours, theirs = today.get("paths", {}), deployed.get("paths") or {}
    for path in sorted(set(theirs) - set(ours)):
        out.append(f"the deployed API answers preflights of {path}, which the app does not cover")
    for path in sorted(set(ours) - set(theirs)):
        out.append(f"the deployed API does not answer preflights of {path}, which the app covers")
    for path in sorted(set(ours) & set(theirs)):
        a = ours[path]["options"]["x-amazon-apigateway-integration"]["responses"]["default"]
        try:
            b = theirs[path]["options"]["x-amazon-apigateway-integration"]["responses"]["default"]
        except (KeyError, TypeError):
            out.append(f"the deployed API has no mock OPTIONS integration on {path}")
            continue
        for key in ("responseParameters", "responseTemplates"):
            if a.get(key) != b.get(key):
                out.append(f"on {path} the deployed {key} differ from the app's: {b.get(key)!r}")
    ga = today.get("x-amazon-apigateway-gateway-responses")
    gb = deployed.get("x-amazon-apigateway-gateway-responses")
    if ga != gb:
        out.append(f"the deployed gateway responses differ from the app's: {gb!r}")
    return out


def check(
    model: ExportModel, report: LossReport, deployed: str, options: Mapping[str, Any]
) -> Sequence[str]:
    try:
        data = json.loads(deployed)
    except ValueError as error:
        raise DeployedFileError(f"not JSON: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("paths"), dict):
        raise DeployedFileError("not an OpenAPI document with paths")
    return compare(document(model, report), data)


TARGET = Target(
    name="apigateway-rest",
    help="Write an OpenAPI 3 document for an API Gateway REST API (for `aws apigateway "
    "put-rest-api --mode merge --body fileb://FILE`): a mock OPTIONS method per route that "
    "reflects only allowed origins, and gateway responses that carry CORS.",
    render=render,
    check=check,
)
