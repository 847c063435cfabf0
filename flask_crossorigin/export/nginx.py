"""``flask cors export nginx``: the app's CORS policy as an nginx configuration (SPEC section 8).

The file goes inside ``http { }``: ``map`` blocks, then one ``server { }`` with a ``location``
per exported route and ``location /`` passing everything else to the app untouched. In a
covered location nginx

- answers a preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``)
  itself, with ``return 200``: the app never sees it (SPEC section 4);
- passes every other request to the app, hides the app's own ``Access-Control-*`` headers
  (``proxy_hide_header``) and adds its own with ``always``, so errors carry them and no
  response carries one twice;
- sends ``Vary: Origin`` wherever the policy's answer depends on the origin, merged with the
  app's own ``Vary`` (the app's ``Vary`` is hidden and sent again with ``Origin`` added).

A location is chosen on ``$uri``, the path percent-decoded with ``.`` and ``..`` segments
resolved, while ``proxy_pass`` forwards the request line as sent and the app routes it without
resolving them: ``/api/admin/x%2F..%2F..%2Fpublic`` finds ``location = /api/public`` in nginx
and the ``/api/admin/<path:p>`` view in the app. So a request whose raw path may be routed
apart (:data:`ODD_PATH`: a ``.`` or ``..`` segment, a backslash, or an encoded ``/``, ``.``,
backslash or ``%``) never reaches a location: the ``server`` sends it to ``@cors_odd_path``,
which refuses its preflight with 403 and passes anything else to the app with every
``Access-Control-*`` header hidden. Narrower than the app on such paths, never wider (SPEC 5:
the policy and the view come from the same path).

Every decision is a ``map`` on request headers, evaluated lazily: no ``if`` but those that
``return`` (the preflight's answer, the odd path's detour; ``if`` with ``return`` is the one
use nginx documents as safe),
and every ``add_header`` sits in the location itself (nginx drops inherited ``add_header``
directives from a level that has its own). ``map`` string keys are compared case-insensitively
by nginx, so only origins (case-insensitive in the app too, SPEC 3) are string keys; methods,
``null`` and ``true`` are case-sensitive regexes.

Origins are translated only where the PCRE language is provably the app's: exact origins,
``*``, ``null``, ``scheme://host:*`` and ``scheme://*.host[:port|:*]`` patterns, and regexes
built only from literals, classes, ``.``, groups, alternatives and repetitions, matched under a
lookahead that admits exactly the well-formed origins the app matches (DNS hosts and IPv4
literals; a regex that could match a bracketed IPv6 host is not translated). Anything else (a
callable, other regex syntax, an ``allow_headers`` regex, ``expose_headers='*'`` with
credentials, a name with ``$``) goes into the loss report and is dropped: the edge refuses it.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlsplit

import click

from .. import engine
from ..origins import Kind, OriginEntry
from ..policy import ACAC, ACAH, ACAM, ACAO, ACAPN, ACEH, ACMA, Policy
from ..tokens import MAX_REQUEST_HEADERS_COUNT, MAX_REQUEST_HEADERS_LENGTH
from .cli import DeployedFileError, Target
from .model import ExportModel, ExportRoute, LeftToApp, LossReport, escape

DEFAULT_LISTEN = "127.0.0.1:8080"
DEFAULT_UPSTREAM = "http://127.0.0.1:5000"
VARY = "Vary"
CORS_HEADERS = (ACAO, ACAC, ACAM, ACAH, ACEH, ACMA, ACAPN)

_LABEL = r"[a-z0-9_\-]{1,63}"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_PORT = r"(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
#: A host as the app accepts it: a DNS name whose last label is not numeric (at most 253
#: characters before an optional trailing dot), or an IPv4 address in dotted-decimal form.
_HOST = (
    rf"(?:{_OCTET}(?:\.{_OCTET}){{3}}"
    rf"|(?=[a-z0-9_.\-]{{1,253}}\.?(?::|$))(?:{_LABEL}\.)*"
    rf"(?!(?:[0-9]+|0x[0-9a-f]*)\.?(?::|$)){_LABEL}\.?)"
)
#: Every well-formed origin with a DNS or IPv4 host (SPEC 3), matched case-insensitively.
_WELL_FORMED = rf"(?=.{{1,512}}$)[a-z][a-z0-9+.\-]*://{_HOST}(?::{_PORT})?$"
#: An origin value the app repeats under a public policy (visible ASCII, no comma).
_SAFE_TOKEN = r"^[!-+\--~]{1,512}$"
_TCHAR = r"[!#$%&'*+.^_`|~0-9a-z\-]"
#: ``map $request_uri`` key of the requests whose path nginx and the app may route apart
#: (SPEC 5): a ``.`` or ``..`` segment (nginx matches locations on the path with them resolved,
#: the app routes them as sent), a percent-encoded ``/`` or ``.`` (decoded, they may form one),
#: an encoded ``%`` (a second decoding anywhere changes the path again), and a backslash, raw or
#: encoded (a separator to some servers). Case-insensitive, on the raw path before ``?``.
ODD_PATH = r"~*^[^?]*(?:%2[5ef]|%5c|\x5c|/\.\.?(?:[/?#]|$))"


# --- regex origins ----------------------------------------------------------------------------


_CONSTRUCTS = {
    "ASSERT": "a lookaround",
    "ASSERT_NOT": "a negative lookaround",
    "GROUPREF": "a back-reference",
    "GROUPREF_EXISTS": "a conditional group",
    "ATOMIC_GROUP": "an atomic group",
    "POSSESSIVE_REPEAT": "a possessive repeat",
}


class _Untranslatable(Exception):
    """A regex construct whose PCRE meaning is not provably Python's on origins."""


def _char(code: int) -> str:
    if code > 127:
        raise _Untranslatable("it has a character outside ASCII")
    char = chr(code)
    if re.fullmatch(r"[A-Za-z0-9]", char):
        return char
    return f"\\x{code:02x}"


def _class_item(op: str, av: Any) -> tuple[str, bool]:
    """One member of ``[...]`` and whether it may match ``[``."""
    if op == "LITERAL":
        return _char(av), av == ord("[")
    if op == "RANGE":
        low, high = av
        return f"{_char(low)}-{_char(high)}", low <= ord("[") <= high
    if op == "CATEGORY":
        name = str(av).upper()
        table = {"CATEGORY_DIGIT": ("0-9", False), "CATEGORY_WORD": ("A-Za-z0-9_", False)}
        if name in table:
            return table[name]
        raise _Untranslatable(f"it uses the class {name.lower()}")
    raise _Untranslatable(f"it uses {op.lower()} inside a class")


def _translate(items: Iterable[Any], bracket: list[bool]) -> str:
    """PCRE text for a parsed Python regex; ``bracket[0]`` set when it may match ``[``."""
    out: list[str] = []
    for op_code, av in items:
        op = str(op_code)
        if op == "LITERAL":
            out.append(_char(av))
            bracket[0] = bracket[0] or av == ord("[")
        elif op == "NOT_LITERAL":
            out.append(f"[^{_char(av)}]")
            bracket[0] = True
        elif op == "ANY":
            out.append(".")
            bracket[0] = True
        elif op == "IN":
            negate = False
            members: list[str] = []
            for item_op, item_av in av:
                if str(item_op) == "NEGATE":
                    negate = True
                    continue
                text, may = _class_item(str(item_op), item_av)
                members.append(text)
                bracket[0] = bracket[0] or may
            if negate:
                bracket[0] = True
            out.append("[" + ("^" if negate else "") + "".join(members) + "]")
        elif op == "BRANCH":
            out.append("(?:" + "|".join(_translate(b, bracket) for b in av[1]) + ")")
        elif op == "SUBPATTERN":
            _group, add_flags, del_flags, body = av
            if add_flags & ~(re.IGNORECASE | re.ASCII | re.VERBOSE) or del_flags:
                raise _Untranslatable("it changes flags inside a group")
            out.append("(?:" + _translate(body, bracket) + ")")
        elif op in ("MAX_REPEAT", "MIN_REPEAT"):
            low, high, body = av
            limit = "" if high == engine.MAXREPEAT else str(high)
            inner = _translate(body, bracket)
            bound = f"{{{low}}}" if limit == str(low) else f"{{{low},{limit}}}"
            out.append(f"(?:{inner}){bound}" + ("?" if op == "MIN_REPEAT" else ""))
        elif op == "AT":
            where = str(av).upper()
            if where in ("AT_BEGINNING", "AT_BEGINNING_STRING"):
                out.append("^")
            elif where in ("AT_END", "AT_END_STRING"):
                out.append("$")
            else:
                raise _Untranslatable(f"it uses the assertion {where.lower()}")
        else:
            raise _Untranslatable(f"it uses {_CONSTRUCTS.get(op, op.lower().replace('_', ' '))}")
    return "".join(out)


def translate_regex(pattern: re.Pattern[str]) -> tuple[Optional[str], str]:
    """A PCRE for an ``origins`` regex, matched case-insensitively on the raw ``Origin``,
    admitting exactly the origins the app admits (SPEC 3), or ``(None, why not)``.

    The app full-matches the regex on well-formed origins only, case-insensitively in ASCII;
    the PCRE is ``^(?=WELL_FORMED)(?:TRANSLATED)$``. Only constructs with one meaning in both
    engines on ASCII text are translated; a regex that could match ``[`` (an IPv6 host,
    whose well-formedness is not written here) is not.
    """
    try:
        tree = engine.parse(pattern)
        bracket = [False]
        body = _translate(tree, bracket)
    except _Untranslatable as why:
        return None, f"{why}, which nginx's PCRE may read otherwise"
    except Exception:  # the parser of another Python version: never a traceback
        return None, "its syntax could not be read for translation"
    if bracket[0]:
        return None, "it may match an IPv6 literal host, whose form nginx cannot check"
    return f"~*^(?={_WELL_FORMED})(?:{body})$", ""


def origin_keys(entry: OriginEntry) -> tuple[Optional[str], str]:
    """The ``map $http_origin`` key for one configured entry, or ``(None, why not)``."""
    kind, text = entry.kind, entry.text
    if kind is Kind.EXACT:
        return text, ""
    if kind is Kind.NULL:
        return "~^null$", ""
    scheme, _, rest = text.partition("://")
    if kind is Kind.ANY_PORT:
        return f"~*^{escape(scheme)}://{escape(rest[:-2])}(?::{_PORT})?$", ""
    if kind is Kind.SUBDOMAIN:
        domain, port = rest[1:], ""
        if not domain.startswith("[") and ":" in domain:
            domain, _, port = domain.rpartition(":")
        last = domain.rstrip(".").rpartition(".")[2]
        if re.fullmatch(r"[0-9]+|0x[0-9a-f]*", last, re.IGNORECASE):
            return None, "its last label is numeric, which only IPv4 addresses may end with"
        ports = "" if not port else f"(?::{_PORT})?" if port == "*" else f":{port}"
        return (
            f"~*^(?=.{{1,512}}$){escape(scheme)}://(?=[a-z0-9_.\\-]{{1,253}}\\.?(?::|$))"
            f"(?:{_LABEL}\\.)+{escape(domain[1:])}{ports}$",
            "",
        )
    if kind is Kind.REGEX and entry.pattern is not None:
        return translate_regex(entry.pattern)
    if kind is Kind.CALLABLE:
        return None, "a callable cannot run in nginx"
    return None, f"{kind.value} cannot be written as a map key"


# --- writing ---------------------------------------------------------------------------------


#: What nginx's configuration parser unescapes after a backslash inside a quoted string.
_UNESCAPED = re.compile(r"""\\(?=["'\\trn]|$)""")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _q(text: str) -> str:
    """``text`` as a double-quoted nginx string that nginx reads back exactly: a backslash
    nginx would take as an escape (before ``"``, ``'``, a backslash, ``t``, ``r``, ``n``, or
    at the end) is doubled, ``"`` is escaped. Control characters are never written (callers
    pass escaped patterns or checked values)."""
    if _CONTROL.search(text):
        raise ValueError(f"a control character in {text!r}")
    return '"' + _UNESCAPED.sub(r"\\\\", text).replace('"', '\\"') + '"'


def _comment(text: str) -> str:
    """Text for a ``#`` comment line: control characters (a line break) shown as ``?``."""
    return _CONTROL.sub("?", text)


def _words(values: Iterable[str], route: str, option: str, report: LossReport) -> list[str]:
    """Tokens that can be written in an nginx value (no ``$``): the others are dropped."""
    kept: list[str] = []
    for value in values:
        if "$" in value:
            report.add(option, value, route, "nginx reads '$' as a variable; dropped")
        else:
            kept.append(value)
    return kept


@dataclass
class _Writer:
    lines: list[str]

    def map(self, source: str, variable: str, entries: Sequence[tuple[str, str]]) -> None:
        self.lines.append(f"map {_q(source)} ${variable} {{")
        # nginx refuses a string key written twice (keys compare without case): the first
        # one decides, as it would in the app.
        seen: set[str] = set()
        for key, value in entries:
            folded = key if key.startswith("~") else key.lower()
            if folded in seen:
                continue
            seen.add(folded)
            self.lines.append(f"    {'default' if key == 'default' else _q(key)} {_q(value)};")
        self.lines.append("}")


def _policy_maps(
    w: _Writer, k: str, policy: Policy, routes: Sequence[ExportRoute], report: LossReport
) -> dict[str, str]:
    """The ``map`` blocks of one policy; returns the header variables to add, by header."""
    where = routes[0].label if len(routes) == 1 else ", ".join(r.label for r in routes)
    p = f"cors_{k}_"
    origin: list[tuple[str, str]] = []
    if policy.public_wildcard:
        origin.append(("default", "*"))
    else:
        origin.append(("default", ""))
        if policy.origins.allow_any:
            origin.append((f"~{_SAFE_TOKEN}", "$http_origin"))
        else:
            for entry in policy.origins.entries:
                key, why = origin_keys(entry)
                if key is None:
                    report.add("origins", entry.text, where, f"{why}; dropped: nginx refuses it")
                else:
                    origin.append((key, "$http_origin"))
    origin.append(("", policy.no_origin_acao or ""))
    w.map("$http_origin", p + "origin", origin)
    w.map(f"${p}origin", p + "origin_ok", [("default", "1"), ("", "0")])

    if policy.any_method:
        methods = [(f"~^{_TCHAR.replace('a-z', 'A-Za-z')}+$", "1")]
    else:
        kept = _words(sorted(policy.methods), where, "methods", report)
        methods = [("~^(?:" + "|".join(escape(m) for m in kept) + ")$", "1")] if kept else []
    w.map("$http_access_control_request_method", p + "method", [("default", "0"), *methods])

    allow = policy.allow_headers
    if allow.fullmatch is not None:
        for rule in policy.settings["allow_headers"]:
            if isinstance(rule, re.Pattern):
                report.add(
                    "allow_headers",
                    rule.pattern,
                    where,
                    "a header-name regex is not translated; dropped: nginx refuses the names "
                    "only it allows",
                )
    if allow.allow_any:
        element = f"{_TCHAR}+"
    else:
        names = sorted(allow.names)
        element = "(?:" + "|".join(escape(n) for n in names) + ")" if names else ""
    if element:
        body = (
            f"(?:{element}(?:[ \\t]*,[ \\t,]*{element}){{0,{MAX_REQUEST_HEADERS_COUNT - 1}}}"
            "[ \\t,]*)?"
        )
    else:
        body = ""
    headers = f"~*^(?=[\\s\\S]{{0,{MAX_REQUEST_HEADERS_LENGTH}}}$)[ \\t,]*{body}$"
    w.map(
        "$http_access_control_request_headers",
        p + "headers",
        [("default", "0"), ("", "1"), (headers, "1")],
    )
    pna = [("default", "1")]
    if not policy.allow_private_network:
        pna.append(("~^true$", "0"))
    w.map("$http_access_control_request_private_network", p + "pna", pna)
    w.map(
        f"$cors_preflight:${p}origin_ok${p}method${p}headers${p}pna",
        p + "mode",
        [("default", "refused"), ("~^0:", "actual"), ("1:1111", "preflight")],
    )

    out: dict[str, str] = {}
    w.map(f"${p}mode", p + "acao", [("default", f"${p}origin"), ("refused", "")])
    out[ACAO] = p + "acao"
    state = f"${p}mode:${p}origin_ok"
    if policy.supports_credentials:
        w.map(state, p + "acac", [("default", ""), ("preflight:1", "true"), ("actual:1", "true")])
        out[ACAC] = p + "acac"
    expose: tuple[str, ...] = policy.settings["expose_headers"]
    if policy.expose_any:
        report.add(
            "expose_headers",
            "*",
            where,
            "with credentials the app lists each response's own header names, which nginx "
            "cannot; dropped: nginx exposes none",
        )
    elif expose:
        exposed = _words(expose, where, "expose_headers", report)
        if exposed:
            w.map(state, p + "aceh", [("default", ""), ("actual:1", ", ".join(exposed))])
            out[ACEH] = p + "aceh"
    preflight_only = [("default", "")]
    if policy.any_method:
        w.map(
            f"${p}mode",
            p + "acam",
            [*preflight_only, ("preflight", "$http_access_control_request_method")],
        )
        out[ACAM] = p + "acam"
    elif policy.methods:
        listed = dict(policy.preflight_headers).get(ACAM, "")
        kept = _words([listed], where, "methods", report)
        if kept:
            w.map(f"${p}mode", p + "acam", [*preflight_only, ("preflight", kept[0])])
            out[ACAM] = p + "acam"
    w.map(
        f"${p}mode",
        p + "acah",
        [*preflight_only, ("preflight", "$http_access_control_request_headers")],
    )
    out[ACAH] = p + "acah"
    if policy.max_age is not None:
        w.map(f"${p}mode", p + "acma", [*preflight_only, ("preflight", str(policy.max_age))])
        out[ACMA] = p + "acma"
    if policy.allow_private_network:
        w.map(
            f"${p}mode:$http_access_control_request_private_network",
            p + "acapn",
            [*preflight_only, ("~^preflight:true$", "true")],
        )
        out[ACAPN] = p + "acapn"
    if policy.vary_origin:
        w.map(f"${p}mode", p + "vary", [("default", "Origin"), ("actual", "$cors_vary")])
        out[VARY] = p + "vary"
    return out


#: A rule written as it is after ``location =``; any other character (a backslash, a quote,
#: ``$``, a space, a brace...) makes the location a regex of escaped characters, exact too.
_EXACT = re.compile(r"[A-Za-z0-9._~/!*+,:@=&()%-]+")


def _location_args(route: ExportRoute) -> list[str]:
    """``= PATH`` for a rule without variables, ``~ REGEX`` otherwise; a path ending in ``/``
    is a regex too: nginx answers ``/dir`` itself, with a 301, for ``location = /dir/`` when
    it proxies, where the app would answer with its own redirect (SPEC 4)."""
    if route.path_regex is None and not route.rule.endswith("/") and _EXACT.fullmatch(route.rule):
        return ["=", route.rule]
    return ["~", route.path_regex or f"^{escape(route.rule)}$"]


def _arranged(
    model: ExportModel, report: LossReport
) -> tuple[list[ExportRoute], list[tuple[str, str]]]:
    """The routes nginx answers for, and the pass-through locations (args, why) that keep
    paths of other rules away from their regexes."""
    by_path: dict[str, list[ExportRoute]] = {}
    for route in model.routes:
        by_path.setdefault(route.rule, []).append(route)
    exported: list[ExportRoute] = []
    demoted: list[tuple[str, str, str, str]] = []  # rule, why, prefix, werkzeug regex
    for group in by_path.values():
        if len({id(r.policy) for r in group}) > 1:
            for r in group:
                demoted.append((r.rule, "views with different policies share the URL", *_shape(r)))
        else:
            exported.append(group[0])
    others = [
        (o.rule, o.why or "no CORS policy", o.static_prefix, o.werkzeug_regex)
        for o in model.left_to_app
    ]
    # Two regex locations whose paths may overlap, with different policies: nginx would take
    # the first, Werkzeug may route to the other; both go to the app.
    changed = True
    while changed:
        changed = False
        for a in exported:
            for b in exported:
                if a is b or a.path_regex is None or b.path_regex is None:
                    continue
                if a.policy is not b.policy and _may_overlap(*_shape(a), *_shape(b)):
                    for r in (a, b):
                        demoted.append((r.rule, "its paths may overlap another rule's", *_shape(r)))
                    exported = [r for r in exported if r is not a and r is not b]
                    changed = True
                    break
            if changed:
                break
    passthrough: list[tuple[str, str]] = []
    seen: set[str] = set()
    for rule, why, prefix, werkzeug_regex in [*demoted, *others]:
        clash = [
            r
            for r in exported
            if r.path_regex is not None
            and _may_overlap(r.static_prefix, r.werkzeug_regex, prefix, werkzeug_regex)
        ]
        if not clash or rule in seen:
            continue
        seen.add(rule)
        # A regex even for a rule without variables: nginx would answer ``location = /dir/``
        # itself for ``/dir`` (see _location_args).
        tail = "$" if rule == prefix else ""
        passthrough.append((f"~ {_q(f'^{escape(prefix)}{tail}')}", why))
    return exported, passthrough


def _shape(route: ExportRoute) -> tuple[str, str]:
    return route.static_prefix, route.werkzeug_regex


def _may_overlap(prefix_a: str, regex_a: str, prefix_b: str, regex_b: str) -> bool:
    """Whether two rules may match one path (conservative: ``True`` unless proven apart)."""
    if not (prefix_a.startswith(prefix_b) or prefix_b.startswith(prefix_a)):
        return False
    if prefix_a == regex_a.replace("\\", "") and not re.fullmatch(regex_b, prefix_a):
        return False
    return not (prefix_b == regex_b.replace("\\", "") and not re.fullmatch(regex_a, prefix_b))


def render(model: ExportModel, report: LossReport, options: Mapping[str, Any]) -> str:
    """The nginx configuration (for inside ``http { }``); drops go into ``report``."""
    listen: str = options.get("listen") or DEFAULT_LISTEN
    server_name: str = options.get("server_name") or "_"
    upstream: str = options.get("upstream") or DEFAULT_UPSTREAM
    w = _Writer(
        [
            f"# CORS for the Flask app {model.app_name!r}, written by `flask cors export nginx`.",
            "# Include it inside http { }. Regenerate it rather than editing it; "
            "`flask cors export nginx --check FILE` reports drift.",
            "",
        ]
    )
    exported, passthrough = _arranged(model, report)
    w.map("$http_origin", "cors_has_origin", [("default", "1"), ("", "0")])
    w.map("$http_access_control_request_method", "cors_has_acrm", [("default", "1"), ("", "0")])
    w.map(
        "$request_method:$cors_has_origin$cors_has_acrm",
        "cors_preflight",
        [("default", "0"), ("~^OPTIONS:11$", "1")],
    )
    w.map("$request_uri", "cors_odd_path", [("default", "0"), (ODD_PATH, "1")])
    w.map(
        "$upstream_http_vary",
        "cors_vary",
        [
            ("default", "$upstream_http_vary, Origin"),
            ("", "Origin"),
            ("~*(?:^|,)[ \\t]*(?:origin|\\*)[ \\t]*(?:,|$)", "$upstream_http_vary"),
        ],
    )
    numbers: dict[int, str] = {}
    users: dict[int, list[ExportRoute]] = {}
    for route in exported:
        users.setdefault(id(route.policy), []).append(route)
    variables: dict[int, dict[str, str]] = {}
    for route in exported:
        key = id(route.policy)
        if key in numbers:
            continue
        numbers[key] = str(len(numbers) + 1)
        w.lines += ["", f"# policy {numbers[key]}: {route.coverage.source}"]
        variables[key] = _policy_maps(w, numbers[key], route.policy, users[key], report)

    # A method no exported view on the path takes gets the app's own answer (its 405),
    # untouched: the app gives it no CORS headers of the location's policy.
    methods_of: dict[str, set[str]] = {}
    for route in model.routes:
        methods_of.setdefault(route.rule, set()).update(route.methods)
    ordered = sorted(exported, key=lambda r: r.path_regex is not None)
    for number, route in enumerate(ordered, 1):
        taken = "|".join(escape(m) for m in sorted(methods_of[route.rule]))
        w.map(
            "$request_method",
            f"cors_route_{number}_other",
            [("default", "1"), (f"~^(?:{taken})$", "0")],
        )
    w.lines += [
        "",
        "server {",
        f"    listen {listen};",
        f"    server_name {server_name};",
        "    # Locations match the path as the app routes it: '//' is not merged.",
        "    merge_slashes off;",
        "    proxy_set_header Host $http_host;",
        "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "    proxy_set_header X-Forwarded-Proto $scheme;",
        "    # A path nginx and the app may route apart ('.' or '..' segments, a backslash, an",
        "    # encoded '/', '.', '\\' or '%') gets no CORS headers here, from nginx or the app.",
        "    error_page 418 = @cors_odd_path;",
        "    if ($cors_odd_path) {",
        "        return 418;",
        "    }",
        "    error_page 419 = @cors_app;",
        "    location @cors_app {",
        f"        proxy_pass {upstream};",
        "    }",
        "    location @cors_odd_path {",
        "        if ($cors_preflight) {",
        "            return 403;",
        "        }",
        f"        proxy_pass {upstream};",
        *[f"        proxy_hide_header {name};" for name in CORS_HEADERS],
        "    }",
    ]
    for left in model.left_to_app:
        if left.covered:
            w.lines.append(
                _comment(f"    # {left.rule} ({left.endpoint}) is left to the app: {left.why}")
            )
    for args, why in passthrough:
        w.lines += ["", _comment(f"    # left to the app: {why}"), f"    location {args} {{"]
        w.lines += [f"        proxy_pass {upstream};", "    }"]
    # Rules without variables first: nginx tries regex locations in order, Werkzeug routes
    # to a rule without variables before one with.
    for number, route in enumerate(ordered, 1):
        key = id(route.policy)
        kind, path = _location_args(route)
        w.lines += [
            "",
            _comment(f"    # {route.rule} ({route.endpoint}): policy {numbers[key]}"),
            f"    location {kind} {_q(path)} {{",
            "        if ($cors_preflight) {",
            "            return 200;",
            "        }",
            f"        if ($cors_route_{number}_other) {{",
            "            return 419;",
            "        }",
            f"        proxy_pass {upstream};",
        ]
        hidden = [*CORS_HEADERS, *([VARY] if VARY in variables[key] else [])]
        w.lines += [f"        proxy_hide_header {name};" for name in hidden]
        w.lines += [
            f"        add_header {name} ${var} always;" for name, var in variables[key].items()
        ]
        w.lines.append("    }")
    w.lines += [
        "",
        "    location / {",
        f"        proxy_pass {upstream};",
        "    }",
        "}",
        "",
    ]
    return "\n".join(w.lines)


# --- --check ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Parsed:
    maps: dict[str, tuple[str, tuple[tuple[str, str], ...]]]
    locations: dict[tuple[str, ...], tuple[str, ...]]
    #: The server block's own directives (locations aside), flattened.
    server: tuple[str, ...] = ()
    #: The whole file in order: ``(what, lines)`` per top-level block and per location, each
    #: directive flattened with its arguments as crossplane reads them (quoting aside).
    blocks: tuple[tuple[str, tuple[str, ...]], ...] = ()


def _directive_text(d: Mapping[str, Any]) -> str:
    return " ".join([d["directive"], *d.get("args", [])])


def _flatten(block: Sequence[Mapping[str, Any]], indent: str = "") -> list[str]:
    out: list[str] = []
    for d in block:
        out.append(indent + _directive_text(d))
        out.extend(_flatten(d.get("block", []), indent + "  "))
    return out


def parse(text: str) -> _Parsed:
    """Read a configuration with crossplane (a maintained nginx configuration parser)."""
    try:
        import crossplane  # type: ignore[import-untyped]
    except ImportError as error:  # pragma: no cover - the extra is not installed
        raise DeployedFileError(
            "--check needs crossplane: pip install 'flask-crossorigin[export]'"
        ) from error
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "cors.conf")
        path.write_text(text, encoding="utf-8")
        payload = crossplane.parse(
            str(path), single=True, check_ctx=False, check_args=False, comments=False
        )
    config = payload["config"][0]
    if config.get("errors"):
        first = config["errors"][0]
        raise DeployedFileError(f"line {first.get('line')}: {first.get('error')}")
    maps: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {}
    locations: dict[tuple[str, ...], tuple[str, ...]] = {}
    server: list[str] = []
    blocks: list[tuple[str, tuple[str, ...]]] = []
    for d in config["parsed"]:
        if d["directive"] == "server":
            own = [i for i in d.get("block", []) if i["directive"] != "location"]
            blocks.append(("server", tuple(_flatten(own))))
            for inner in d.get("block", []):
                if inner["directive"] == "location":
                    blocks.append((_directive_text(inner), tuple(_flatten(inner.get("block", [])))))
        else:
            blocks.append((_directive_text(d), tuple(_flatten(d.get("block", [])))))
        if d["directive"] == "map" and len(d.get("args", [])) == 2:
            entries = tuple(
                (e["directive"], " ".join(e.get("args", []))) for e in d.get("block", [])
            )
            maps[d["args"][1].lstrip("$")] = (d["args"][0], entries)
        elif d["directive"] == "server":
            for inner in d.get("block", []):
                if inner["directive"] == "location":
                    locations[tuple(inner["args"])] = tuple(_flatten(inner.get("block", [])))
                else:
                    server.extend(_flatten([inner]))
    return _Parsed(maps, locations, tuple(server), tuple(blocks))


def _whole_file(old: _Parsed, new: _Parsed) -> list[str]:
    """Every block of the deployed file against today's export, in order and line by line
    (SPEC 8: every map's source, entries in order and default; every location's directives,
    a line written twice included), naming the first differing line of each block."""
    out: list[str] = []
    theirs = dict(old.blocks)
    ours = dict(new.blocks)
    for head in [h for h, _ in old.blocks if h not in ours]:
        out.append(f"the deployed copy has `{head}`, which the app's export has not")
    for head in [h for h, _ in new.blocks if h not in theirs]:
        out.append(f"the deployed copy lacks `{head}`")
    if len(old.blocks) != len(theirs):
        out.append("the deployed copy writes a block twice")
    for head, lines in new.blocks:
        deployed = theirs.get(head)
        if deployed is None or deployed == lines:
            continue
        for index in range(max(len(lines), len(deployed))):
            mine = lines[index].strip() if index < len(lines) else "(nothing)"
            yours = deployed[index].strip() if index < len(deployed) else "(nothing)"
            if mine != yours:
                out.append(
                    f"`{head}`: line {index + 1} of its block is `{yours}` in the deployed "
                    f"copy, `{mine}` in the app's export"
                )
                break
    shared = [h for h, _ in old.blocks if h in ours]
    if not out and shared != [h for h, _ in new.blocks if h in theirs]:
        out.append(
            "the deployed copy orders its blocks otherwise (nginx tries regex locations in order)"
        )
    return out


_POLICY_VAR = re.compile(r"\$cors_(\w+?)_acao\b")
_DESCRIBED = {
    "origin": "allowed origins",
    "method": "allowed methods (preflight)",
    "headers": "allowed request headers (preflight)",
    "pna": "Private Network Access",
    "acac": ACAC,
    "aceh": ACEH,
    "acam": ACAM,
    "acah": ACAH,
    "acma": ACMA,
    "acapn": ACAPN,
    "vary": "Vary",
}


def _policy_of(lines: Sequence[str]) -> Optional[str]:
    for line in lines:
        m = _POLICY_VAR.search(line)
        if m is not None:
            return m.group(1)
    return None


def _alternatives(key: str) -> Optional[set[str]]:
    """The names of a ``(?:a|b)`` list written by :func:`escape`, lower case."""
    m = re.search(r"\(\?:((?:[A-Za-z0-9_~/\-]|\\\.|\\x[0-9a-f]{2}|\|)+)\)", key)
    if m is None:
        return None
    unescaped = re.sub(r"\\x([0-9a-f]{2})", lambda x: chr(int(x.group(1), 16)), m.group(1))
    return {n.replace("\\.", ".").lower() for n in unescaped.split("|")}


def _compare_map(
    route: str, what: str, deployed: tuple[tuple[str, str], ...], today: tuple[tuple[str, str], ...]
) -> list[str]:
    out: list[str] = []
    old, new = dict(deployed), dict(today)
    if what == "origin":
        for key in sorted(set(old) - set(new)):
            if old[key]:
                out.append(f"{route}: the deployed copy allows origin {key!r}; the app does not")
        for key in sorted(set(new) - set(old)):
            if new[key]:
                out.append(f"{route}: the deployed copy refuses origin {key!r}; the app allows it")
        for key in sorted(set(old) & set(new)):
            if old[key] != new[key]:
                shown = "requests without Origin" if key == "" else repr(key)
                out.append(
                    f"{route}: for {shown} the deployed copy answers {old[key]!r}, the app "
                    f"{new[key]!r}"
                )
        return out
    if what in ("method", "headers"):
        noun = "method" if what == "method" else "request header"
        old_names: set[str] = set()
        new_names: set[str] = set()
        for keys, names in ((old, old_names), (new, new_names)):
            for key, value in keys.items():
                found = _alternatives(key) if value == "1" else None
                names |= found or set()
        if old_names != new_names or (old != new and not (old_names or new_names)):
            for name in sorted(old_names - new_names):
                out.append(f"{route}: the deployed copy allows {noun} {name}; the app does not")
            for name in sorted(new_names - old_names):
                out.append(f"{route}: the deployed copy refuses {noun} {name}; the app allows it")
        if not out and old != new:
            out.append(f"{route}: the {_DESCRIBED[what]} differ from the app's")
        return out
    if old != new:
        label = _DESCRIBED.get(what, what)
        out.append(
            f"{route}: {label}: the deployed copy says {sorted(old.items())}, the app "
            f"{sorted(new.items())}"
        )
    return out


def check(
    model: ExportModel, report: LossReport, deployed: str, options: Mapping[str, Any]
) -> list[str]:
    """Each difference, in words, between a deployed file and today's export (SPEC 8)."""
    today = parse(render(model, report, options))
    old = parse(deployed)
    out: list[str] = []
    labels = {tuple(_location_args(r)): r.label for r in model.routes}
    for args in sorted(set(old.locations) | set(today.locations)):
        label = labels.get(args, " ".join(args))
        if args not in today.locations:
            if _policy_of(old.locations[args]) is not None:
                out.append(
                    f"{label}: the deployed copy answers CORS for it; the app's export does not"
                )
            else:
                out.append(f"{label}: the deployed copy has a location the app's export has not")
            continue
        if args not in old.locations:
            out.append(f"{label}: the deployed copy has no location for it (the app covers it)")
            continue
        k_old, k_new = _policy_of(old.locations[args]), _policy_of(today.locations[args])
        lines_old = [line.replace(f"cors_{k_old}_", "cors_K_") for line in old.locations[args]]
        lines_new = [line.replace(f"cors_{k_new}_", "cors_K_") for line in today.locations[args]]
        for line in sorted(set(lines_old) - set(lines_new)):
            out.append(f"{label}: the deployed copy has `{line.strip()}`; the app's export has not")
        for line in sorted(set(lines_new) - set(lines_old)):
            out.append(f"{label}: the deployed copy lacks `{line.strip()}`")
        counted_old, counted_new = Counter(lines_old), Counter(lines_new)
        for line in sorted(set(lines_old) & set(lines_new)):
            if counted_old[line] > counted_new[line]:
                out.append(
                    f"{label}: the deployed copy has `{line.strip()}` {counted_old[line]} times; "
                    f"the app's export {counted_new[line]}"
                )
        if k_old is None or k_new is None:
            continue
        for what in _DESCRIBED:
            a = old.maps.get(f"cors_{k_old}_{what}", ("", ()))[1]
            b = today.maps.get(f"cors_{k_new}_{what}", ("", ()))[1]
            out.extend(_compare_map(label, what, a, b))
    for line in sorted(set(old.server) - set(today.server)):
        out.append(f"the deployed server block has `{line.strip()}`; the app's export has not")
    for line in sorted(set(today.server) - set(old.server)):
        out.append(f"the deployed server block lacks `{line.strip()}`")
    for name in (
        "cors_has_origin",
        "cors_has_acrm",
        "cors_preflight",
        "cors_odd_path",
        "cors_vary",
    ):
        if old.maps.get(name) != today.maps.get(name):
            out.append(f"the shared map ${name} differs from the app's export")
    if not out:
        # What the words above do not name (a shared map, an entry's order, a map's source,
        # a line's place) is still drift: the first differing line of each block.
        out = _whole_file(old, today)
    return out


_NAME_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = rf"{_NAME_LABEL}(?:\.{_NAME_LABEL})*"
_PORT_TEXT = r"(?:[1-9][0-9]{0,4})"
_IPV6 = r"\[[0-9A-Fa-f:.]+\]"
#: ``--upstream``'s host and port: a host name, an IPv4 or a bracketed IPv6 address.
_NETLOC = re.compile(rf"(?:{_HOSTNAME}|{_IPV6})(?::{_PORT_TEXT})?")
#: ``--listen``: ``ADDR:PORT``, ``[IPv6]:PORT`` or ``PORT``.
_LISTEN = re.compile(rf"(?:(?:{_HOSTNAME}|{_IPV6}|\*):)?{_PORT_TEXT}")
#: ``--server-name``: ``_``, or a name with an optional leading ``*.`` or ``.`` or a trailing
#: ``.*`` (nginx's wildcard names); no regex names, spaces or nginx syntax characters.
_SERVER_NAME = re.compile(rf"_|(?:\*\.|\.)?{_HOSTNAME}(?:\.\*)?")


def _port_ok(text: str) -> bool:
    port = text.rpartition(":")[2]
    return 1 <= int(port) <= 65535


def _upstream_port_ok(parts: Any) -> bool:
    try:
        port = parts.port
    except ValueError:
        return False
    return port is None or port >= 1


def _upstream(ctx: click.Context, param: click.Parameter, value: Optional[str]) -> Optional[str]:
    """``--upstream``: ``http(s)://HOST[:PORT]`` only; anything else is a usage error, never
    text written into the file (a ``;`` would end ``proxy_pass`` and start a directive)."""
    if value is None:
        return value
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not _NETLOC.fullmatch(parts.netloc)
        or not _upstream_port_ok(parts)
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or value != value.strip()
    ):
        raise click.BadParameter(
            f"{value!r}: give the app's address as http://HOST:PORT (no path: nginx passes "
            "each request's own path; no spaces, ';', '{' or '}')"
        )
    return f"{parts.scheme}://{parts.netloc}"


def _listen(ctx: click.Context, param: click.Parameter, value: Optional[str]) -> Optional[str]:
    """``--listen``: ``ADDR:PORT``, ``[IPv6]:PORT`` or ``PORT``, else a usage error."""
    if value is None:
        return value
    if not _LISTEN.fullmatch(value) or not _port_ok(value):
        raise click.BadParameter(
            f"{value!r}: give ADDR:PORT, [IPv6]:PORT or PORT (a port from 1 to 65535)"
        )
    return value


def _server_name(ctx: click.Context, param: click.Parameter, value: Optional[str]) -> Optional[str]:
    """``--server-name``: one name as nginx's ``server_name`` reads it, else a usage error."""
    if value is None:
        return value
    if not _SERVER_NAME.fullmatch(value):
        raise click.BadParameter(
            f"{value!r}: give one host name, '*.example.com', '.example.com', 'www.example.*' "
            "or '_' (no spaces, quotes, ';', '{' or '}')"
        )
    return value


TARGET = Target(
    name="nginx",
    help="Write an nginx configuration (for inside http { }) that answers the app's "
    "preflights and adds its CORS headers. The maps and one server block: covered routes get "
    "a location each, every other path goes to the app untouched.",
    render=render,
    check=check,
    options=(
        click.Option(
            ["--listen"],
            metavar="ADDR:PORT",
            default=DEFAULT_LISTEN,
            show_default=True,
            callback=_listen,
            help="The server block's listen address.",
        ),
        click.Option(
            ["--server-name"],
            metavar="NAME",
            default="_",
            show_default=True,
            callback=_server_name,
            help="server_name.",
        ),
        click.Option(
            ["--upstream"],
            metavar="URL",
            default=DEFAULT_UPSTREAM,
            show_default=True,
            callback=_upstream,
            help="Where the app is served (proxy_pass).",
        ),
    ),
)

__all__ = ["ODD_PATH", "TARGET", "LeftToApp", "origin_keys", "render", "translate_regex"]
