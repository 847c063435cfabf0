"""``flask cors export apigateway-http``: the ``CorsConfiguration`` of an API Gateway HTTP API.

An HTTP API with a CORS configuration answers every preflight itself and ignores the CORS
headers of the integration (AWS, "Configure CORS for HTTP APIs in API Gateway"), so one
configuration serves the whole API: the routes exported must share one policy
(:func:`~flask_crossorigin.export._cloud.one_policy`; else exit 2, or export one ``--path``).

What the document can say (botocore's ``apigatewayv2`` model, ``Cors`` shape): literal
``AllowOrigins`` (``*`` for any origin), ``AllowMethods``, ``AllowHeaders``, ``ExposeHeaders``,
``AllowCredentials``, ``MaxAge`` from -1 to 86400. Origin patterns, regexes beyond a few exact
origins, callables, ``null`` and Private Network Access go to the loss report. ``*`` in
``AllowHeaders`` does not cover ``Authorization`` in browsers (Fetch: CORS-unsafe request-header
names), so ``authorization`` is listed by name beside it.

The output is the JSON ``aws apigatewayv2 update-api --cors-configuration file://FILE`` takes;
with ``--openapi`` the root-level ``x-amazon-apigateway-cors`` extension for an import.
``--check FILE`` reads ``aws apigatewayv2 get-api`` output (or either document).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import click

from ._cloud import PATH_OPTION, header_names, one_policy, origin_list
from .cli import DeployedFileError, Target
from .model import ExportModel, LossReport

#: The HTTP API's bounds for ``MaxAge`` (botocore's ``apigatewayv2`` model).
MAX_AGE_RANGE = (-1, 86400)

_WHERE = "an HTTP API's CORS configuration"


def cors_configuration(
    model: ExportModel, report: LossReport, options: Mapping[str, Any]
) -> dict[str, Any]:
    """The ``CorsConfiguration`` (AWS CLI member names) for the selected routes."""
    policy, label = one_policy(model, options.get("path"), "apigateway-http")
    origins = origin_list(policy, label, report, _WHERE)
    config: dict[str, Any] = {}
    if policy.supports_credentials:
        config["AllowCredentials"] = True
    headers = header_names(policy, label, report, _WHERE)
    if "*" in headers and "authorization" not in {h.lower() for h in headers}:
        headers.append("authorization")
    if headers:
        config["AllowHeaders"] = headers
    config["AllowMethods"] = ["*"] if policy.any_method else sorted(policy.methods)
    if origins.any:
        config["AllowOrigins"] = ["*"]
    elif origins.exact:
        config["AllowOrigins"] = list(origins.exact)
    else:
        config["AllowOrigins"] = []
    expose = list(policy.settings["expose_headers"])
    if "*" in expose and policy.supports_credentials:
        report.add(
            "expose_headers",
            "*",
            label,
            "with credentials the app lists each response's own header names; an HTTP API "
            "sends '*', which browsers read as a header name then; dropped",
        )
        expose.remove("*")
    if expose:
        config["ExposeHeaders"] = expose
    if policy.max_age is not None:
        low, high = MAX_AGE_RANGE
        config["MaxAge"] = min(max(policy.max_age, low), high)
    if policy.allow_private_network:
        report.add(
            "allow_private_network",
            "True",
            label,
            "an HTTP API never sends Access-Control-Allow-Private-Network; such preflights fail",
        )
    return config


def _camel(name: str) -> str:
    return name[0].lower() + name[1:]


def render(model: ExportModel, report: LossReport, options: Mapping[str, Any]) -> str:
    config = cors_configuration(model, report, options)
    if options.get("openapi"):
        document: Any = {"x-amazon-apigateway-cors": {_camel(k): v for k, v in config.items()}}
    else:
        document = config
    return json.dumps(document, indent=2) + "\n"


def read_deployed(text: str) -> dict[str, Any]:
    """The CORS configuration in ``get-api`` output, an ``update-api`` document, or an
    OpenAPI document's extension; keys in the AWS CLI's spelling."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise DeployedFileError(f"not JSON: {error}") from None
    if not isinstance(data, dict):
        raise DeployedFileError("not a JSON object")
    for key in ("CorsConfiguration", "corsConfiguration", "x-amazon-apigateway-cors"):
        if key in data:
            data = data[key]
            break
    if not isinstance(data, dict):
        raise DeployedFileError("the CORS configuration is not a JSON object")
    return {k[0].upper() + k[1:]: v for k, v in data.items()}


def compare(today: Mapping[str, Any], deployed: Mapping[str, Any], what: str) -> list[str]:
    """One sentence per difference between two CORS configurations (AWS CLI member names)."""
    out: list[str] = []
    for key, noun, fold in (
        ("AllowOrigins", "origin", str.lower),
        ("AllowMethods", "method", str.upper),
        ("AllowHeaders", "request header", str.lower),
        ("ExposeHeaders", "exposed header", str.lower),
    ):
        ours = {fold(str(v)) for v in today.get(key, ())}
        theirs = {fold(str(v)) for v in deployed.get(key, ()) or ()}
        for value in sorted(theirs - ours):
            out.append(f"{what} allows {noun} {value!r} ({key}), which the app does not")
        for value in sorted(ours - theirs):
            out.append(f"{what} lacks {noun} {value!r} ({key}), which the app allows")
    if bool(today.get("AllowCredentials")) != bool(deployed.get("AllowCredentials")):
        said = "allows" if deployed.get("AllowCredentials") else "refuses"
        out.append(f"{what} {said} credentials (AllowCredentials), the app does the opposite")
    if today.get("MaxAge") != deployed.get("MaxAge"):
        out.append(
            f"{what} caches preflights for {deployed.get('MaxAge')!r} seconds (MaxAge), "
            f"the app for {today.get('MaxAge')!r}"
        )
    return out


def check(
    model: ExportModel, report: LossReport, deployed: str, options: Mapping[str, Any]
) -> Sequence[str]:
    return compare(
        cors_configuration(model, report, options), read_deployed(deployed), "the deployed API"
    )


TARGET = Target(
    name="apigateway-http",
    help="Write the CorsConfiguration of an API Gateway HTTP API (for `aws apigatewayv2 "
    "update-api --cors-configuration file://FILE`). One configuration serves the whole API: "
    "the routes exported (all, or those under --path) must share one policy.",
    render=render,
    check=check,
    options=(
        PATH_OPTION,
        click.Option(
            ["--openapi"],
            is_flag=True,
            help="Write the x-amazon-apigateway-cors extension of an OpenAPI document instead.",
        ),
    ),
)
