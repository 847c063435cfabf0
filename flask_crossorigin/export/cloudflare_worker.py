"""``flask cors export cloudflare-worker``: a module Worker making the app's decisions at the edge.

The file is an ES module (``export default { async fetch(request, env, ctx) }``) holding the
compiled policies as data and the decision of :mod:`flask_crossorigin.decision` written in
JavaScript: exact origins, ``*``, ``null``, any-port and subdomain patterns, regexes
translated to JavaScript exactly (:func:`~flask_crossorigin.export._regex.to_javascript`; the
others go to the loss report and are refused at the edge), methods, allow-headers (names and
regexes), credentials, ``max_age``, ``send_wildcard``, ``always_send``, expose headers, Private
Network Access, ``Vary``.

A covered preflight is answered by the Worker; every other request of a covered route goes to
the app with the global ``fetch``, and the answer comes back with the app's own
``Access-Control-*`` headers replaced by the Worker's (so none is sent twice). The headers are
computed for each request after the cache: Cloudflare's cache ignores ``Vary``, so a cached
answer must never carry another origin's grant; the origin also joins the cache key
(``cf.cacheKey``, where the plan honours it) for bodies that depend on it.

Requests the Worker cannot decide exactly go to the app untouched, where the app's answer is
the exact one: paths of no exported route, routes whose paths another rule with another policy
may also match, percent-encoded paths, and methods the route does not serve.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..decision import _SAFE_TOKEN
from ..origins import MAX_ORIGIN_LENGTH, Kind
from ..policy import Policy
from ..tokens import MAX_REQUEST_HEADERS_COUNT, MAX_REQUEST_HEADERS_LENGTH
from ._cloud import differing_options
from ._regex import to_javascript
from .cli import DeployedFileError, Target
from .model import ExportModel, ExportRoute, LossReport

#: Marks the line of the generated file that holds the configuration (read by ``--check``).
CONFIG_MARK = "const CONFIG = "

_WHERE = "the Worker"


def _policy_data(policy: Policy, label: str, report: LossReport) -> dict[str, Any]:
    exact: list[str] = []
    any_port: list[str] = []
    subdomains: list[list[str]] = []
    regexes: list[str] = []
    for entry in policy.settings["origins"]:
        if entry.kind is Kind.EXACT:
            exact.append(entry.text)
        elif entry.kind is Kind.ANY_PORT:
            any_port.append(entry.text[: -len(":*")].lower())
        elif entry.kind is Kind.SUBDOMAIN:
            scheme, _, rest = entry.text.lower().partition("://")
            domain, port = rest[1:], ""
            if ":" in domain:
                domain, _, port = domain.rpartition(":")
            subdomains.append([scheme, domain, port])
        elif entry.kind is Kind.REGEX and entry.pattern is not None:
            source = to_javascript(entry.pattern)
            if source is None:
                report.add(
                    "origins",
                    entry.text,
                    label,
                    "no JavaScript regex is known to match exactly the same origins; dropped",
                )
            else:
                regexes.append(source)
        elif entry.kind is Kind.CALLABLE:
            report.add(
                "origins",
                entry.text,
                label,
                "a callable cannot run in the Worker; dropped: the origins it allows are refused",
            )
    header_names: list[str] = []
    header_regexes: list[str] = []
    for rule in policy.settings["allow_headers"]:
        if isinstance(rule, str):
            header_names.append(rule.lower())
            continue
        source = to_javascript(rule)
        if source is None:
            report.add(
                "allow_headers",
                rule.pattern,
                label,
                "no JavaScript regex is known to match exactly the same names; dropped",
            )
        else:
            header_regexes.append(source)
    matcher = policy.origins
    return {
        "publicWildcard": policy.public_wildcard,
        "reflectAny": matcher.allow_any and not policy.supports_credentials,
        "allowAny": matcher.allow_any,
        "allowNull": matcher.allow_null,
        "exact": exact,
        "anyPort": any_port,
        "subdomains": subdomains,
        "regexes": regexes,
        "methods": sorted(policy.methods),
        "anyMethod": policy.any_method,
        "headersAny": policy.allow_headers.allow_any,
        "headerNames": header_names,
        "headerRegexes": header_regexes,
        "privateNetwork": policy.allow_private_network,
        "varyOrigin": policy.vary_origin,
        "noOriginAcao": policy.no_origin_acao,
        "exposeOwn": policy.expose_any,
        "actual": [list(h) for h in policy.actual_headers],
        "preflight": [list(h) for h in policy.preflight_headers],
    }


def _may_overlap(a: ExportRoute, b_rule: str, b_prefix: str, b_regex: str) -> bool:
    """Whether Werkzeug could route one path to both rules (a conservative answer)."""
    if a.path_regex is None and "<" not in b_rule:
        return a.rule == b_rule
    if a.path_regex is None:
        return re.fullmatch(b_regex, a.rule) is not None
    if "<" not in b_rule:
        return re.fullmatch(a.werkzeug_regex, b_rule) is not None
    return a.static_prefix.startswith(b_prefix) or b_prefix.startswith(a.static_prefix)


def _edge_routes(model: ExportModel) -> list[ExportRoute]:
    """The routes whose every path Werkzeug routes to rules with the same policy."""
    out: list[ExportRoute] = []
    for route in model.routes:
        clash = any(
            other is not route
            and differing_options(route.policy, other.policy)
            and _may_overlap(route, other.rule, other.static_prefix, other.werkzeug_regex)
            for other in model.routes
        ) or any(
            _may_overlap(route, left.rule, left.static_prefix, left.werkzeug_regex)
            for left in model.left_to_app
        )
        if not clash:
            out.append(route)
    return out


def worker_config(model: ExportModel, report: LossReport) -> dict[str, Any]:
    """The data the Worker decides from: policies, and the routes that use them."""
    policies: list[dict[str, Any]] = []
    index: dict[int, int] = {}
    routes: list[dict[str, Any]] = []
    for route in _edge_routes(model):
        number = index.get(id(route.policy))
        if number is None:
            number = index[id(route.policy)] = len(policies)
            policies.append(_policy_data(route.policy, route.label, report))
        routes.append(
            {
                "rule": route.rule,
                "path": route.rule if route.path_regex is None else None,
                "regex": route.path_regex,
                "methods": list(route.methods),
                "policy": number,
            }
        )
    return {"policies": policies, "routes": routes}


def render(model: ExportModel, report: LossReport, options: Mapping[str, Any]) -> str:
    config = worker_config(model, report)
    limits = {
        "MAX_ORIGIN_LENGTH": MAX_ORIGIN_LENGTH,
        "MAX_REQUEST_HEADERS_LENGTH": MAX_REQUEST_HEADERS_LENGTH,
        "MAX_REQUEST_HEADERS_COUNT": MAX_REQUEST_HEADERS_COUNT,
    }
    assert _SAFE_TOKEN.pattern == rf"[!-+\--~]{{1,{MAX_ORIGIN_LENGTH}}}"
    head = (
        f"// CORS at the edge for the Flask app {model.app_name!r}: written by "
        "`flask cors export cloudflare-worker`; regenerate rather than edit.\n"
        f"{CONFIG_MARK}{json.dumps(config, sort_keys=True)};\n"
        + "".join(f"const {name} = {value};\n" for name, value in limits.items())
    )
    return head + _ENGINE


def read_deployed(text: str) -> dict[str, Any]:
    """The configuration line of a deployed Worker file."""
    for line in text.splitlines():
        if line.startswith(CONFIG_MARK):
            try:
                data = json.loads(line[len(CONFIG_MARK) :].rstrip().rstrip(";"))
            except ValueError as error:
                raise DeployedFileError(f"the CONFIG line is not JSON: {error}") from None
            if not isinstance(data, dict):
                raise DeployedFileError("the CONFIG line is not an object")
            return data
    raise DeployedFileError(f"no line starting with {CONFIG_MARK!r}")


def _describe(routes: Sequence[Mapping[str, Any]], policies: Sequence[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for route in routes:
        number = route.get("policy")
        policy = policies[number] if isinstance(number, int) and number < len(policies) else {}
        out[str(route.get("rule"))] = (route.get("methods"), policy)
    return out


def compare(today: Mapping[str, Any], deployed: Mapping[str, Any]) -> list[str]:
    ours = _describe(today.get("routes", ()), today.get("policies", ()))
    theirs = _describe(deployed.get("routes", ()) or (), deployed.get("policies", ()) or ())
    out: list[str] = []
    for rule in sorted(set(theirs) - set(ours)):
        out.append(f"the deployed Worker answers for route {rule}, which the app leaves alone")
    for rule in sorted(set(ours) - set(theirs)):
        out.append(f"the deployed Worker does not answer for route {rule}, which the app covers")
    for rule in sorted(set(ours) & set(theirs)):
        (m1, p1), (m2, p2) = ours[rule], theirs[rule]
        if m1 != m2:
            out.append(f"on route {rule} the deployed Worker serves methods {m2}, the app {m1}")
        for key in sorted(set(p1) | set(p2)):
            a, b = p1.get(key), p2.get(key) if isinstance(p2, dict) else None
            if a == b:
                continue
            if isinstance(a, list) and isinstance(b, list):
                extra = [v for v in b if v not in a]
                missing = [v for v in a if v not in b]
                if extra:
                    out.append(
                        f"on route {rule} the deployed Worker allows {key} {extra}, "
                        "which the app does not"
                    )
                if missing:
                    out.append(
                        f"on route {rule} the deployed Worker lacks {key} {missing}, "
                        "which the app allows"
                    )
            else:
                out.append(f"on route {rule} the deployed Worker has {key}={b!r}, the app {a!r}")
    return out


def check(
    model: ExportModel, report: LossReport, deployed: str, options: Mapping[str, Any]
) -> Sequence[str]:
    out = compare(worker_config(model, report), read_deployed(deployed))
    out += _text_drift(render(model, report, options), deployed)
    return out


def _text_drift(today: str, deployed: str) -> list[str]:
    """The first line where the deployed Worker differs from today's render (SPEC 8: the
    decision code is part of the export; only line endings and trailing blanks may differ)."""
    ours = [line.rstrip() for line in today.rstrip().splitlines()]
    theirs = [line.rstrip() for line in deployed.rstrip().splitlines()]
    for index in range(max(len(ours), len(theirs))):
        mine = ours[index] if index < len(ours) else "(end of file)"
        yours = theirs[index] if index < len(theirs) else "(end of file)"
        if mine != yours:
            if mine.startswith(CONFIG_MARK) and yours.startswith(CONFIG_MARK):
                continue  # the CONFIG line: compared entry by entry above
            return [
                f"line {index + 1} of the deployed Worker is `{yours.strip()}`, the app's "
                f"export has `{mine.strip()}`"
            ]
    return []


#: The decision in JavaScript: the same steps as flask_crossorigin.decision (SPEC 3 and 4).
_ENGINE = r"""
const ACAO = "Access-Control-Allow-Origin";
const ACAM = "Access-Control-Allow-Methods";
const ACAH = "Access-Control-Allow-Headers";
const ACEH = "Access-Control-Expose-Headers";
const ACAPN = "Access-Control-Allow-Private-Network";
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const SAFE_TOKEN = new RegExp("^[!-+\\--~]{1," + MAX_ORIGIN_LENGTH + "}$");
const LABEL = "[a-z0-9_\\-]{1,63}";
const ORIGIN = new RegExp(
  "^([a-z][a-z0-9+.\\-]*)://(\\[[0-9a-f:.]{2,45}\\]|" + LABEL + "(?:\\." + LABEL + ")*\\.?)" +
    "(?::([1-9][0-9]{0,4}))?$",
  "i",
);
const NUMERIC_LABEL = /^(?:[0-9]+|0x[0-9a-f]*)$/i;
const NOT_EXPOSED = new Set(["set-cookie", "set-cookie2", "cache-control", "content-language",
  "content-length", "content-type", "expires", "last-modified", "pragma", "vary"]);

const POLICIES = CONFIG.policies.map((p) => ({
  ...p,
  exact: new Set(p.exact),
  anyPort: new Set(p.anyPort),
  subdomains: new Set(p.subdomains.map((s) => s.join("|"))),
  regexes: p.regexes.map((r) => new RegExp("^(?:" + r + ")$", "i")),
  methods: new Set(p.methods),
  headerNames: new Set(p.headerNames),
  headerRegexes: p.headerRegexes.map((r) => new RegExp("^(?:" + r + ")$", "i")),
}));
const ROUTES = CONFIG.routes.map((r) => ({
  ...r,
  regex: r.regex === null ? null : new RegExp(r.regex),
  methods: new Set(r.methods),
}));

// The URL parser writes IP addresses as browsers serialize them.
function hostSerialized(host) {
  try {
    return new URL("http://" + host + "/").hostname === host;
  } catch (error) {
    return false;
  }
}

// [scheme, host, port] of a well-formed serialized origin, lower-cased; null otherwise.
function splitOrigin(origin) {
  if (origin.length > MAX_ORIGIN_LENGTH) return null;
  const m = ORIGIN.exec(origin);
  if (m === null) return null;
  const host = m[2].toLowerCase();
  const port = m[3] || "";
  if (port && Number(port) > 65535) return null;
  if (host.startsWith("[")) {
    if (!hostSerialized(host)) return null;
  } else {
    const bare = host.replace(/\.+$/, "");
    if (bare.length > 253) return null;
    const last = bare.slice(bare.lastIndexOf(".") + 1);
    if (NUMERIC_LABEL.test(last) && !hostSerialized(host)) return null;
  }
  return [m[1].toLowerCase(), host, port];
}

function originAllowed(p, origin) {
  if (p.exact.has(origin)) return true;
  if (origin === "null") return p.allowNull || p.allowAny;
  const parts = splitOrigin(origin);
  if (parts === null) return false;
  if (p.allowAny) return true;
  const [scheme, host, port] = parts;
  const lowered = port ? scheme + "://" + host + ":" + port : scheme + "://" + host;
  if (p.exact.has(lowered) || p.anyPort.has(scheme + "://" + host)) return true;
  let dot = host.indexOf(".");
  while (dot > 0) {
    const suffix = host.slice(dot);
    const key = scheme + "|" + suffix + "|";
    if (p.subdomains.has(key + port) || p.subdomains.has(key + "*")) return true;
    dot = host.indexOf(".", dot + 1);
  }
  return p.regexes.some((r) => r.test(lowered));
}

// The Access-Control-Allow-Origin value for origin, or null for a refusal.
function allowOrigin(p, origin) {
  if (p.publicWildcard) return "*";
  if (p.reflectAny) return SAFE_TOKEN.test(origin) ? origin : null;
  return originAllowed(p, origin) ? origin : null;
}

// Access-Control-Request-Headers as names (first spelling of each), or null when malformed.
function parseRequestHeaders(value) {
  if (value.length > MAX_REQUEST_HEADERS_LENGTH) return null;
  const names = new Map();
  let count = 0;
  for (const element of value.split(",")) {
    const name = element.replace(/^[ \t]+|[ \t]+$/g, "");
    if (!name) continue;
    count += 1;
    if (count > MAX_REQUEST_HEADERS_COUNT || !TOKEN.test(name)) return null;
    const lower = name.toLowerCase();
    if (!names.has(lower)) names.set(lower, name);
  }
  return [...names.values()];
}

function headerAllowed(p, name) {
  const lower = name.toLowerCase();
  return p.headersAny || p.headerNames.has(lower) || p.headerRegexes.some((r) => r.test(lower));
}

// The headers of a preflight's answer: [] for a refusal.
function decidePreflight(p, origin, method, requested, privateNetwork) {
  const allowed = allowOrigin(p, origin);
  if (allowed === null) return [];
  if (p.anyMethod ? !TOKEN.test(method) : !p.methods.has(method)) return [];
  let names = [];
  if (requested) {
    const parsed = parseRequestHeaders(requested);
    if (parsed === null || !parsed.every((n) => headerAllowed(p, n))) return [];
    names = parsed;
  }
  const wantsPrivate = privateNetwork === "true";
  if (wantsPrivate && !p.privateNetwork) return [];
  const headers = [[ACAO, allowed], ...p.preflight];
  if (p.anyMethod) headers.push([ACAM, method]);
  if (names.length) headers.push([ACAH, names.join(", ")]);
  if (wantsPrivate) headers.push([ACAPN, "true"]);
  return headers;
}

// [headers, exposeOwn] for any other request.
function decideActual(p, origin) {
  if (origin === null) {
    const acao = p.noOriginAcao;
    return acao === null ? [[], false] : [[[ACAO, acao], ...p.actual], p.exposeOwn];
  }
  const allowed = allowOrigin(p, origin);
  return allowed === null ? [[], false] : [[[ACAO, allowed], ...p.actual], p.exposeOwn];
}

function addVaryOrigin(headers) {
  const present = headers.get("Vary");
  if (present === null) {
    headers.set("Vary", "Origin");
    return;
  }
  const names = present.split(",").map((v) => v.trim()).filter((v) => v);
  const lowered = names.map((n) => n.toLowerCase());
  if (lowered.includes("*") || lowered.includes("origin")) return;
  headers.set("Vary", [...new Set(names), "Origin"].join(", "));
}

// The route serving this path and method, or null: the app then answers alone.
function routeFor(pathname, method) {
  if (pathname.includes("%")) return null;
  const upper = method.toUpperCase();
  for (const route of ROUTES) {
    const matches = route.path !== null ? route.path === pathname : route.regex.test(pathname);
    if (matches && route.methods.has(upper)) return route;
  }
  return null;
}

function header(request, name) {
  return request.headers.get(name);
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const origin = header(request, "Origin");
    const requestMethod = header(request, "Access-Control-Request-Method");
    const preflight = request.method === "OPTIONS" && origin !== null && requestMethod !== null;
    // A preflight is answered with the policy of the route that serves the method it asks for.
    const route = routeFor(url.pathname, preflight ? requestMethod : request.method);
    if (route === null) return fetch(request);
    const policy = POLICIES[route.policy];
    if (preflight) {
      const headers = new Headers();
      for (const [name, value] of decidePreflight(
        policy,
        origin,
        requestMethod,
        header(request, "Access-Control-Request-Headers"),
        header(request, "Access-Control-Request-Private-Network"),
      )) {
        headers.append(name, value);
      }
      if (policy.varyOrigin) addVaryOrigin(headers);
      return new Response(null, { status: 200, headers });
    }
    // Cloudflare's cache ignores Vary: the origin joins the cache key, and the CORS headers
    // are written after the cache, for this request's origin alone.
    const upstream = await fetch(request, {
      cf: { cacheKey: url.toString() + "#origin=" + encodeURIComponent(origin || "") },
    });
    const response = new Response(upstream.body, upstream);
    for (const name of [...response.headers.keys()]) {
      if (name.toLowerCase().startsWith("access-control-")) response.headers.delete(name);
    }
    const [headers, exposeOwn] = decideActual(policy, origin);
    for (const [name, value] of headers) response.headers.append(name, value);
    if (exposeOwn) {
      const own = [...new Set([...response.headers.keys()].map((n) => n.toLowerCase()))]
        .filter((n) => !NOT_EXPOSED.has(n) && !n.startsWith("access-control-"))
        .sort();
      if (own.length) response.headers.set(ACEH, own.join(", "));
      else response.headers.delete(ACEH);
    }
    if (policy.varyOrigin) addVaryOrigin(response.headers);
    return response;
  },
};
"""


TARGET = Target(
    name="cloudflare-worker",
    help="Write a Cloudflare module Worker that answers the covered preflights at the edge and "
    "adds the CORS headers to every other answer of a covered route, with the app's full "
    "decision (exact origins, patterns, regexes translated to JavaScript).",
    render=render,
    check=check,
)
