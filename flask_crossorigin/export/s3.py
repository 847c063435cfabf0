"""``flask cors export s3``: the ``CORSRules`` of an S3 bucket that the app's pages also read.

The document is what ``aws s3api put-bucket-cors --cors-configuration file://FILE`` takes:
``{"CORSRules": [...]}``. S3's rules (Amazon S3 user guide, "Elements of a CORS
configuration"; botocore's ``s3`` model, ``CORSRule`` shape): at most 100 rules, the first rule
that matches the origin, the method and every requested header is used; ``AllowedMethods`` only
``GET``, ``PUT``, ``POST``, ``DELETE`` and ``HEAD``; each ``AllowedOrigins`` and
``AllowedHeaders`` entry may hold one ``*`` (any characters); ``ExposeHeaders`` are literal
names; ``MaxAgeSeconds``.

One bucket holds one configuration, so the exported routes share one policy
(:func:`~flask_crossorigin.export._cloud.one_policy`; ``--path PREFIX`` picks them). Exact
origins, ``*``, ``scheme://*.domain[:port]`` and ``scheme://host:*`` (as ``scheme://host`` and
``scheme://host:*``) translate exactly on the origins browsers send; regexes only when their
language is a few exact origins. What S3 cannot say goes to the loss report: other patterns,
callables, ``null``, methods S3 does not serve, header-name regexes, Private Network Access.

S3 sends ``Access-Control-Allow-Credentials: true`` with every origin it allows by name, whatever
the policy says; S3 authenticates requests by their signature, never by cookies, so a cookie a
browser sends to the bucket grants nothing (see the docs page).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Union

from ..origins import Kind, OriginEntry
from ._cloud import PATH_OPTION, header_names, one_policy, origin_list
from .cli import DeployedFileError, Target
from .model import ExportModel, LossReport

#: The methods an S3 CORS rule may name.
S3_METHODS = ("GET", "PUT", "POST", "DELETE", "HEAD")
#: Methods a browser sends without a preflight (Fetch: CORS-safelisted methods).
SAFELISTED = frozenset({"GET", "HEAD", "POST"})
#: The most rules one bucket's configuration holds.
MAX_RULES = 100
#: Origins per rule: the exported rules are split so that none holds more.
ORIGINS_PER_RULE = 100

_WHERE = "S3"


def _pattern(entry: OriginEntry) -> Union[bool, str]:
    if entry.text.count("*") > 1:
        return "an S3 origin holds one '*' at most"
    return True


def _origin_texts(entry: OriginEntry) -> list[str]:
    if entry.kind is Kind.ANY_PORT:
        # The app's any-port entry also allows the host without a port; S3's '*' needs a ':'.
        return [entry.text[: -len(":*")], entry.text]
    return [entry.text]


def cors_rules(
    model: ExportModel, report: LossReport, options: Mapping[str, Any]
) -> dict[str, Any]:
    """``{"CORSRules": [...]}`` for the selected routes' policy."""
    policy, label = one_policy(model, options.get("path"), "s3")
    origins = origin_list(policy, label, report, _WHERE, keep=_pattern)
    listed: list[str] = ["*"] if origins.any else list(origins.exact)
    if not origins.any:
        for entry in origins.wildcards:
            listed.extend(_origin_texts(entry))
    if policy.any_method:
        methods = list(S3_METHODS)
    else:
        methods = [m for m in S3_METHODS if m in policy.methods]
    for method in sorted(policy.methods - set(S3_METHODS) - {"OPTIONS", "*"}):
        report.add("methods", method, label, "S3 serves GET, PUT, POST, DELETE and HEAD only")
    for method in [] if policy.any_method else sorted(SAFELISTED - policy.methods):
        report.add(
            "methods",
            f"(without {method})",
            label,
            f"browsers send {method} without a preflight and the app grants it whatever "
            f"'methods' says, but S3 answers only the methods a rule lists: S3 refuses it",
        )
    headers: list[str] = []
    for name in header_names(policy, label, report, _WHERE):
        if name != "*" and "*" in name:
            report.add("allow_headers", name, label, "'*' in an S3 header name is a wildcard")
        else:
            headers.append(name)
    expose = [h for h in policy.settings["expose_headers"]]
    if "*" in expose:
        report.add(
            "expose_headers",
            "*",
            label,
            "S3 exposes the names it lists only (it sends credentials with every named "
            "origin, and browsers read '*' as a name then); dropped",
        )
        expose.remove("*")
    if policy.allow_private_network:
        report.add(
            "allow_private_network",
            "True",
            label,
            "S3 never sends Access-Control-Allow-Private-Network; such preflights fail",
        )
    rules: list[dict[str, Any]] = []
    if methods:
        chunks = [listed[i : i + ORIGINS_PER_RULE] for i in range(0, len(listed), ORIGINS_PER_RULE)]
        for dropped in chunks[MAX_RULES:]:
            for origin in dropped:
                report.add("origins", origin, label, "beyond S3's 100 rules; dropped")
        for number, chunk in enumerate(chunks[:MAX_RULES], 1):
            rule: dict[str, Any] = {"ID": f"flask-crossorigin-{number}"}
            if headers:
                rule["AllowedHeaders"] = headers
            rule["AllowedMethods"] = methods
            rule["AllowedOrigins"] = chunk
            if expose:
                rule["ExposeHeaders"] = expose
            if policy.max_age is not None:
                rule["MaxAgeSeconds"] = policy.max_age
            rules.append(rule)
    return {"CORSRules": rules}


def render(model: ExportModel, report: LossReport, options: Mapping[str, Any]) -> str:
    return json.dumps(cors_rules(model, report, options), indent=2) + "\n"


def read_deployed(text: str) -> list[dict[str, Any]]:
    """The rules of ``aws s3api get-bucket-cors`` output (or a ``put-bucket-cors`` document)."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise DeployedFileError(f"not JSON: {error}") from None
    if isinstance(data, dict) and "CORSConfiguration" in data:
        data = data["CORSConfiguration"]
    rules = data.get("CORSRules") if isinstance(data, dict) else None
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        raise DeployedFileError('no "CORSRules" list')
    return rules


def _fold(values: Any, fold: Any) -> set[str]:
    return {fold(str(v)) for v in values or ()}


def compare(today: Sequence[Mapping[str, Any]], deployed: Sequence[Mapping[str, Any]]) -> list[str]:
    """Differences in words, origin by origin: what the first rule naming each origin says
    (S3 uses the first matching rule)."""
    out: list[str] = []

    def first_rules(rules: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
        found: dict[str, Mapping[str, Any]] = {}
        for rule in rules:
            for origin in rule.get("AllowedOrigins") or ():
                found.setdefault(str(origin).lower(), rule)
        return found

    ours, theirs = first_rules(today), first_rules(deployed)
    for origin in sorted(set(theirs) - set(ours)):
        out.append(f"the deployed bucket allows origin {origin!r}, which the app does not")
    for origin in sorted(set(ours) - set(theirs)):
        out.append(f"the deployed bucket lacks origin {origin!r}, which the app allows")
    for origin in sorted(set(ours) & set(theirs)):
        a, b = ours[origin], theirs[origin]
        for key, noun, fold in (
            ("AllowedMethods", "method", str.upper),
            ("AllowedHeaders", "request header", str.lower),
            ("ExposeHeaders", "exposed header", str.lower),
        ):
            mine, yours = _fold(a.get(key), fold), _fold(b.get(key), fold)
            for value in sorted(yours - mine):
                out.append(
                    f"for origin {origin!r} the deployed bucket allows {noun} {value!r} "
                    f"({key}), which the app does not"
                )
            for value in sorted(mine - yours):
                out.append(
                    f"for origin {origin!r} the deployed bucket lacks {noun} {value!r} "
                    f"({key}), which the app allows"
                )
        if a.get("MaxAgeSeconds") != b.get("MaxAgeSeconds"):
            out.append(
                f"for origin {origin!r} the deployed bucket caches preflights for "
                f"{b.get('MaxAgeSeconds')!r} seconds (MaxAgeSeconds), the app for "
                f"{a.get('MaxAgeSeconds')!r}"
            )
    return out


def check(
    model: ExportModel, report: LossReport, deployed: str, options: Mapping[str, Any]
) -> Sequence[str]:
    return compare(cors_rules(model, report, options)["CORSRules"], read_deployed(deployed))


TARGET = Target(
    name="s3",
    help="Write the CORS rules of an S3 bucket (for `aws s3api put-bucket-cors "
    "--cors-configuration file://FILE`) from the policy of the routes under --path.",
    render=render,
    check=check,
    options=(PATH_OPTION,),
)
