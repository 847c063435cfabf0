"""What every export target starts from: the app's covered routes and the loss report.

:func:`export_routes` walks the app's URL map and asks the extension's own state which compiled
:class:`~flask_crossorigin.configure.Coverage` answers each route (the same question the request
path asks, :meth:`~flask_crossorigin.extension.AppState.covering`). A route is exported only
when its policy is the same for every path it matches; otherwise (a ``resources`` pattern that
covers some of its paths and not others, a converter whose language no pattern here states, a
host-matching rule) it is left to the app, with the reason in :attr:`ExportModel.left_to_app`:
the layer in front then passes those requests through untouched, and the app's own answer is
exact.

The app picks a policy by the view Werkzeug routes to, by path and method, so a route is also
left to the app when another rule that may match one of its paths has another policy (or none)
and could take some method there (:func:`method_conflict`); overlap is decided on the paths
rules match (:class:`RuleShape`, every rule with the policy the app applies), never on rule
text, and targets with prefix patterns ask :meth:`ExportModel.reaching`.

Path patterns (:attr:`ExportRoute.path_regex`) are written in the syntax that Python's ``re``
and PCRE read alike (ASCII, ``[...]``, ``+``, ``{m,n}``, ``(?:...)``, escaped punctuation), and
each describes a subset of the paths Werkzeug routes to the rule (``int`` is ``[0-9]+``, never
``\\d+``, which is wider in Python), so a path outside it is merely left to the app.

The :class:`LossReport` (SPEC section 8) lists each configured value a target cannot follow
exactly (a callable in ``origins``, a regex it cannot translate...), naming the option, the
value as the user wrote it and the route, and why. A target drops such an entry (the layer in
front refuses what it would have allowed: narrower, never wider); the CLI exits with status 2
unless the user accepts the narrower policy with ``--accept-narrower``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Optional, Union

from flask import Flask
from werkzeug.routing import Rule
from werkzeug.routing.converters import (
    AnyConverter,
    BaseConverter,
    FloatConverter,
    IntegerConverter,
    PathConverter,
    UnicodeConverter,
    UUIDConverter,
)

from ..configure import Coverage
from ..engine import name, parse
from ..extension import STATE_KEY, AppState
from ..introspect import routes
from ..policy import Policy
from ..resources import PathRouter

#: Exit status when the export would be narrower than the app and the user did not accept it.
NARROWER = 2

_VARIABLE = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
#: Characters written as they are in a path pattern; ``.`` is escaped with a backslash and
#: every other one as ``\xHH`` (no backslash-backslash, which nginx's parser would unescape).
_PLAIN = re.compile(r"[A-Za-z0-9_~/-]")
_UUID = "[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}"
#: Regex syntax after which a resource pattern's match could depend on what follows a prefix.
_CONTEXT_SYNTAX = re.compile(r"\$|\\[ZbBA]|\(\?[=!<]")


def escape(text: str) -> str:
    """``text`` as a literal in a pattern Python's ``re`` and PCRE read alike (ASCII only),
    safe inside a double-quoted string of an nginx configuration file."""
    return "".join(
        c if _PLAIN.fullmatch(c) else "\\." if c == "." else f"\\x{ord(c):02x}" for c in text
    )


@dataclass(frozen=True)
class ExportRoute:
    """One URL rule whose CORS policy is the same for every path it matches.

    ``rule`` is Werkzeug's rule text (``/api/items/<int:item_id>``); ``path_regex`` the
    anchored pattern of (a subset of) its paths, ``None`` for a rule without variables (its
    one path is ``rule``); ``static_prefix`` the text before its first variable.
    """

    rule: str
    endpoint: str
    methods: tuple[str, ...]
    coverage: Coverage
    path_regex: Optional[str]
    static_prefix: str
    #: The path pattern as Werkzeug matches it (Python syntax), for overlap tests.
    werkzeug_regex: str = field(repr=False)

    @property
    def policy(self) -> Policy:
        return self.coverage.policy

    @property
    def label(self) -> str:
        """How a report names the route: ``/api/items/<int:item_id> (api.items)``."""
        return f"{self.rule} ({self.endpoint})"


@dataclass(frozen=True)
class LeftToApp:
    """A URL rule the layer in front passes through untouched, and why."""

    rule: str
    endpoint: str
    why: str
    static_prefix: str
    werkzeug_regex: str = field(repr=False)
    covered: bool = True


#: The policy of a rule the app answers itself in a way no layer can follow (a ``resources``
#: pattern covering some of its paths only, ``automatic_options`` off...): never the same as
#: any other rule's.
_UNKNOWN = "varies"


@dataclass(frozen=True)
class RuleShape:
    """One URL rule as the overlap analysis sees it: the paths it can match (Werkzeug's
    language), its methods, and the policy the app applies (``None``: no CORS; a ``str``: one
    no layer can follow)."""

    rule: str
    endpoint: str
    methods: frozenset[str]
    policy: Union[Policy, str, None]
    static_prefix: str
    werkzeug_regex: str = field(repr=False)
    #: How many ``/`` every path of the rule holds, when its converters are all
    #: ``part_isolating`` (Werkzeug matches them within one segment); ``None`` otherwise.
    slashes: Optional[int] = None

    @property
    def static(self) -> bool:
        return self.static_prefix == self.rule

    def may_start_with(self, prefix: str) -> bool:
        """Whether some path this rule matches may start with ``prefix`` (``True`` unless
        proven otherwise)."""
        if self.static:
            return self.rule.startswith(prefix)
        if self.slashes is not None and prefix.count("/") > self.slashes:
            return False
        return self.static_prefix.startswith(prefix) or prefix.startswith(self.static_prefix)

    def may_share_a_path(self, other: RuleShape) -> bool:
        """Whether Werkzeug may match one path to both rules (``True`` unless proven apart)."""
        if self.static and other.static:
            return self.rule == other.rule
        if self.static:
            return re.fullmatch(other.werkzeug_regex, self.rule) is not None
        if other.static:
            return re.fullmatch(self.werkzeug_regex, other.rule) is not None
        if None not in (self.slashes, other.slashes) and self.slashes != other.slashes:
            return False
        a, b = self.static_prefix, other.static_prefix
        return a.startswith(b) or b.startswith(a)

    def tried_before(self, other: RuleShape) -> bool:
        """Whether Werkzeug's matcher tries this rule before ``other`` on every path both
        match (a proof, else ``False``): at each path segment it takes a static segment
        before a variable one, so a rule without variables comes before every rule with, and
        a rule that is static up to and past the segment where ``other`` turns variable
        comes first."""
        if other.static:
            return False
        if self.static:
            return True
        mine, theirs = self.static_prefix, other.static_prefix
        if not (theirs.endswith("/") and mine.startswith(theirs)):
            return False
        return "/" in mine[len(theirs) :]


def same_policy(a: Union[Policy, str, None], b: Union[Policy, str, None]) -> bool:
    """Whether two rules' policies are the same (``None``: no CORS; a ``str``: one no layer
    can follow, never the same as another)."""
    if isinstance(a, str) or isinstance(b, str):
        return False
    return a is b or (a is not None and b is not None and a == b)


def method_conflict(route: RuleShape, shapes: Sequence[RuleShape]) -> Optional[RuleShape]:
    """The first rule that can take a request on one of ``route``'s paths under another policy
    (SPEC section 8), or ``None``.

    The app picks a policy by the view it routes to, which depends on the method: Werkzeug
    routes a path to the first rule (in its order) that matches both the path and the method.
    A layer in front gives a path one policy, so ``route`` may be exported only when every
    other rule that may match one of its paths has the same policy, or is tried after it
    and takes no method it does not (then ``route`` answers every method both know), or is a
    rule without variables inside a variable ``route`` (see below).
    """
    for other in shapes:
        if other is route or same_policy(route.policy, other.policy):
            continue
        if other.static and not route.static:
            # Tried first on its one path, which it answers alone: exported with its own exact
            # location when it takes every method there, else left to the app, and the target
            # carves its path out of ``route``'s pattern or refuses (LeftToApp).
            continue
        if not route.may_share_a_path(other):
            continue
        if route.tried_before(other) and other.methods <= route.methods:
            continue
        return other
    return None


@dataclass(frozen=True)
class ExportModel:
    """The app as every target sees it: covered routes, and the rules left to the app.

    ``routes`` are in URL-map order (sorted by rule text); ``policies`` the distinct
    policies they use, in order of first use (targets number them in this order).
    """

    app_name: str
    routes: tuple[ExportRoute, ...]
    left_to_app: tuple[LeftToApp, ...]
    #: Every URL rule with the policy the app applies to it (see :class:`RuleShape`).
    shapes: tuple[RuleShape, ...] = ()

    def under(self, rule: str, endpoint: str, prefix: str) -> bool:
        """Whether the rule may match a path starting with ``prefix`` (on the paths Werkzeug
        matches, not the rule's text: ``/<path:p>`` matches ``/api/x``)."""
        for shape in self.shapes:
            if shape.rule == rule and shape.endpoint == endpoint:
                return shape.may_start_with(prefix)
        return rule.startswith(prefix)

    def reaching(self, prefix: str, policy: Optional[Policy]) -> list[RuleShape]:
        """The rules that may match a path starting with ``prefix`` (a layer's prefix pattern,
        ``/api/*``) and whose policy is not ``policy``: a layer that gives every path under
        the prefix ``policy`` would be wider than the app on their paths (SPEC section 8)."""
        return [
            s for s in self.shapes if s.may_start_with(prefix) and not same_policy(s.policy, policy)
        ]

    @property
    def policies(self) -> tuple[Policy, ...]:
        seen: dict[int, Policy] = {}
        for route in self.routes:
            seen.setdefault(id(route.policy), route.policy)
        return tuple(seen.values())


@dataclass(frozen=True)
class Loss:
    """One configured value a target cannot follow exactly (SPEC section 8).

    ``option`` is the option's name (``origins``), ``value`` the value as the user wrote it,
    ``route`` the route (:attr:`ExportRoute.label`) or ``""`` when the value is the same for
    several, ``why`` what the target cannot express and what the layer in front does instead.
    """

    option: str
    value: str
    route: str
    why: str

    def line(self) -> str:
        where = f" on {self.route}" if self.route else ""
        return f"{self.option} '{self.value}'{where}: {self.why}"


@dataclass
class LossReport:
    """The entries a target dropped, in the order found, each once."""

    target: str = ""
    entries: list[Loss] = field(default_factory=list)

    def add(self, option: str, value: str, route: str, why: str) -> None:
        loss = Loss(option, value, route, why)
        if loss not in self.entries:
            self.entries.append(loss)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def __iter__(self) -> Iterator[Loss]:
        return iter(self.entries)

    def write(self, stream: IO[str], accepted: bool) -> None:
        """Print the report (standard error in the CLI); nothing when it is empty."""
        stream.write(self.text(accepted))

    def text(self, accepted: bool) -> str:
        """The report as printed, ``""`` when it is empty."""
        if not self.entries:
            return ""
        what = f"the {self.target} export" if self.target else "the export"
        lines = [
            f"Loss report: {what} cannot follow {len(self.entries)} setting(s) exactly; "
            "the layer in front refuses what they would allow:"
        ]
        lines += [f"  - {loss.line()}" for loss in self.entries]
        if accepted:
            lines.append("Narrower policy accepted (--accept-narrower).")
        else:
            lines.append(
                "Nothing written. Change these settings, leave the routes to the app, or pass "
                "--accept-narrower to export the narrower policy."
            )
        return "\n".join(lines) + "\n"


# --- routes ---------------------------------------------------------------------------------


def _converter_pattern(converter: BaseConverter) -> Optional[str]:
    """A pattern of values the converter accepts, read alike by ``re`` and PCRE, or ``None``."""
    kind = type(converter)
    if kind is UnicodeConverter:
        if converter.regex == "[^/]{1,}":
            return "[^/]+"
        bounds = re.fullmatch(r"\[\^/\](\{\d+(?:,\d*)?\})", converter.regex)
        # Werkzeug counts characters; PCRE on a path counts bytes: printable ASCII only.
        return None if bounds is None else f"[!-.0-~]{bounds.group(1)}"
    if kind is PathConverter:
        return "[^/].*"
    if kind in (IntegerConverter, FloatConverter):
        plain = (
            not getattr(converter, "fixed_digits", 0)
            and getattr(converter, "min", None) is None
            and getattr(converter, "max", None) is None
            and not getattr(converter, "signed", False)
        )
        if not plain:
            return None
        return "[0-9]+" if kind is IntegerConverter else "[0-9]+\\.[0-9]+"
    if kind is UUIDConverter:
        return _UUID
    if kind is AnyConverter:
        items = sorted(getattr(converter, "items", ()))
        if not items or not all(i.isascii() for i in items):
            return None
        return "(?:" + "|".join(escape(i) for i in items) + ")"
    return None


def _patterns(rule: Rule) -> tuple[Optional[str], str, str, str]:
    """``(pattern or None, why not, static prefix, Werkzeug's pattern)`` of a rule's paths."""
    text = rule.rule
    converters: dict[str, BaseConverter] = getattr(rule, "_converters", {})
    ours: list[str] = []
    theirs: list[str] = []
    why = ""
    position = 0
    prefix: Optional[str] = None
    for m in _VARIABLE.finditer(text):
        literal = text[position : m.start()]
        if prefix is None:
            prefix = literal
        ours.append(escape(literal))
        theirs.append(re.escape(literal))
        converter = converters.get(m.group(2))
        pattern = None if converter is None else _converter_pattern(converter)
        if converter is not None:
            theirs.append(f"(?:{converter.regex})")
        if pattern is None and not why:
            why = f"the converter of <{m.group(0)[1:-1]}> has no pattern the layer can match"
        ours.append(pattern or "")
        position = m.end()
    tail = text[position:]
    ours.append(escape(tail))
    theirs.append(re.escape(tail))
    if not text.isascii():
        why = why or "the rule is not ASCII"
    if prefix is None:
        return None, why, text, re.escape(text)
    return ("^" + "".join(ours) + "$" if not why else None), why, prefix, "".join(theirs)


def _literal_prefix(pattern: re.Pattern[str]) -> str:
    """The characters every string ``pattern.match`` matches starts with (``""`` if unsure):
    the leading literals of its parse tree (``r"/api/*"`` gives ``"/api"``: the quantifier
    takes the ``/``); ``re.IGNORECASE`` gives ``""``."""
    if pattern.flags & re.IGNORECASE:
        return ""
    out: list[str] = []
    for op, av in parse(pattern):
        if name(op) != "LITERAL":
            break
        out.append(chr(av))
    return "".join(out)


def _router_verdict(
    router: PathRouter[Coverage], prefix: str, werkzeug_regex: str
) -> Union[Coverage, str, None]:
    """Which resource covers every path of a rule: the coverage, ``None`` (none covers any of
    them), or a ``str`` saying why it depends on the path.

    Only proofs count: a pattern whose matches all start with text that diverges from the
    rule's static prefix cannot match; a pattern without end anchors or lookarounds that
    matches the static prefix matches every path starting with it (resource patterns match
    from the start of the path, SPEC 5).
    """
    whole = re.compile(werkzeug_regex)
    for pattern, coverage in router.rules:
        if isinstance(pattern, str):
            if whole.fullmatch(pattern):
                return f"resources key {pattern!r} covers one of its paths only"
            continue
        head = _literal_prefix(pattern)
        if not (prefix.startswith(head) or head.startswith(prefix)):
            continue
        if (
            prefix.startswith(head)
            and _CONTEXT_SYNTAX.search(pattern.pattern) is None
            and pattern.match(prefix) is not None
        ):
            return coverage
        return f"resources key {pattern.pattern!r} may cover some of its paths only"
    return None


def _path_coverage(
    state: AppState, endpoint: str, prefix: str, werkzeug_regex: str
) -> Union[Coverage, str, None]:
    """:meth:`AppState.covering` for every path of a variable rule at once (see above)."""
    found = state.covering_endpoint(endpoint)
    if found is not None:
        return found
    names = endpoint.split(".")[:-1]
    while names:
        name = ".".join(names)
        router = state.blueprint_resources.get(name)
        if router is not None:
            verdict = _router_verdict(router, prefix, werkzeug_regex)
            if verdict is not None:
                return verdict
        elif name in state.blueprints:
            return state.blueprints[name]
        names.pop()
    if state.router.universal is not None:
        return state.router.universal
    return _router_verdict(state.router, prefix, werkzeug_regex)


def _slashes(rule: Rule) -> Optional[int]:
    """:attr:`RuleShape.slashes` of a rule."""
    converters: dict[str, BaseConverter] = getattr(rule, "_converters", {})
    if not all(getattr(c, "part_isolating", False) for c in converters.values()):
        return None
    return _VARIABLE.sub("", rule.rule).count("/")


def export_routes(app: Flask) -> ExportModel:
    """The app's URL rules with the compiled policy that covers each (SPEC section 8).

    Uses the extension's state (:class:`~flask_crossorigin.extension.AppState`) when the app
    has ``CORS(app)``, else the ``@cross_origin`` policies alone (through
    :func:`~flask_crossorigin.introspect.routes`). Raises
    :class:`~flask_crossorigin.CORSConfigError` for a decorated view whose options cannot be
    combined with ``app.config``.
    """
    state = app.extensions.get(STATE_KEY)
    by_rule = {(r.rule, r.endpoint): r for r in app.url_map.iter_rules()}
    exported: list[ExportRoute] = []
    left: list[LeftToApp] = []
    shapes: list[RuleShape] = []
    shape_of: dict[int, RuleShape] = {}
    for route in routes(app):
        rule = by_rule[(route.rule, route.endpoint)]
        pattern, why, prefix, werkzeug_regex = _patterns(rule)
        coverage: Union[Coverage, str, None] = route.coverage
        if pattern is not None and isinstance(state, AppState):
            coverage = _path_coverage(state, route.endpoint, prefix, werkzeug_regex)
        methods = frozenset(route.methods)
        slashes = _slashes(rule)
        if coverage is None:
            shapes.append(
                RuleShape(rule.rule, rule.endpoint, methods, None, prefix, werkzeug_regex, slashes)
            )
            left.append(LeftToApp(rule.rule, rule.endpoint, "", prefix, werkzeug_regex, False))
            continue
        if isinstance(coverage, str):
            why = coverage
        elif rule.host or rule.subdomain or getattr(app.url_map, "host_matching", False):
            why = "the rule matches hosts or subdomains"
        elif not coverage.policy.automatic_options:
            why = "automatic_options is off: the app answers its preflights"
        if why:
            shapes.append(
                RuleShape(
                    rule.rule, rule.endpoint, methods, _UNKNOWN, prefix, werkzeug_regex, slashes
                )
            )
            left.append(LeftToApp(rule.rule, rule.endpoint, why, prefix, werkzeug_regex))
            continue
        assert isinstance(coverage, Coverage)
        shape = RuleShape(
            rule.rule, rule.endpoint, methods, coverage.policy, prefix, werkzeug_regex, slashes
        )
        shapes.append(shape)
        exported.append(
            ExportRoute(
                rule.rule,
                rule.endpoint,
                tuple(m for m in route.methods),
                coverage,
                pattern,
                prefix,
                werkzeug_regex,
            )
        )
        shape_of[id(exported[-1])] = shape
    kept: list[ExportRoute] = []
    for candidate in exported:
        other = method_conflict(shape_of[id(candidate)], shapes)
        if other is None:
            kept.append(candidate)
            continue
        what = "no CORS policy" if other.policy is None else "another policy"
        left.append(
            LeftToApp(
                candidate.rule,
                candidate.endpoint,
                f"{other.rule} ({other.endpoint}) may take some of its paths or methods "
                f"({', '.join(sorted(other.methods))}) under {what}",
                candidate.static_prefix,
                candidate.werkzeug_regex,
            )
        )
    return ExportModel(app.name, tuple(kept), tuple(left), tuple(shapes))
