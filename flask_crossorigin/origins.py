"""Origins: parse configured entries, check a request's ``Origin``, match one against many.

A browser sends its origin serialized as ``scheme://host[:port]`` (RFC 6454, and the HTML
standard's "ASCII serialization of an origin"): lower case, no path, no trailing slash, no
default port, or the string ``null`` for opaque origins. Configured entries are checked against
that shape once, so that an entry which can never match is an error rather than a silent "no".

Kinds of entry, in the order a request's origin is checked against them:

1. exact origins (one set look-up),
2. ``scheme://host:*`` (any port of one host; one set look-up),
3. ``scheme://*.domain[:port]`` (any subdomain, never the apex; one look-up per label),
4. regular expressions, matched in full and case-insensitively,
5. callables ``(origin) -> bool``, called last and only for well-formed origins.
"""

from __future__ import annotations

import enum
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Callable, Optional, Union

from .errors import Problems
from .logsafe import loggable
from .memo import SharedBound
from .patterns import any_fullmatch

logger = logging.getLogger("flask_crossorigin")

#: How many regex verdicts all matchers keep together.
REGEX_VERDICTS_LIMIT = 4096
_verdicts_bound = SharedBound(REGEX_VERDICTS_LIMIT)

OriginPredicate = Callable[[str], bool]
OriginEntryValue = Union[str, "re.Pattern[str]", OriginPredicate]

#: Longest ``Origin`` header considered; anything longer is malformed.
MAX_ORIGIN_LENGTH = 512

#: Characters that make flask-cors treat an origin string as a regular expression.
REGEX_CHARS = frozenset("*\\]?$^[()")

_SCHEME = r"[a-z][a-z0-9+.\-]*"
_HOST = r"(?:\[[0-9a-f:.]+\]|[a-z0-9_\-]+(?:\.[a-z0-9_\-]+)*)"
_PORT = r"[1-9][0-9]{0,4}"
# A serialized origin as a browser sends it (matched case-insensitively, then lower-cased).
_ORIGIN = re.compile(rf"({_SCHEME})://({_HOST})(?::({_PORT}))?", re.IGNORECASE)
_SUBDOMAIN_PATTERN = re.compile(rf"({_SCHEME})://\*\.({_HOST})(?::({_PORT}))?", re.IGNORECASE)
_ANY_PORT_PATTERN = re.compile(rf"({_SCHEME})://({_HOST}):\*", re.IGNORECASE)

DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}

# Origins that no sensible allow-list contains together; a regex that matches all of them is
# treated as "any origin" (it matters when credentials are on).
_UNRELATED_ORIGINS = (
    "https://attacker.example",
    "http://evil.test:8080",
    "https://xn--80ak6aa92e.com",
    "http://192.0.2.1",
)


class Match(enum.Enum):
    """Outcome of checking one request ``Origin`` against the configured entries."""

    ALLOWED = "allowed"
    NOT_ALLOWED = "not-allowed"
    MALFORMED = "malformed"
    CHECK_FAILED = "check-failed"


class Kind(enum.Enum):
    ANY = "any origin"
    NULL = "the null origin"
    EXACT = "exact origin"
    ANY_PORT = "any port"
    SUBDOMAIN = "subdomains"
    REGEX = "regular expression"
    CALLABLE = "callable"


@dataclass(frozen=True)
class OriginEntry:
    """One configured origin entry, parsed."""

    kind: Kind
    text: str
    pattern: Optional[re.Pattern[str]] = None
    predicate: Optional[OriginPredicate] = None
    matches_any: bool = False


def split_origin(origin: str) -> Optional[tuple[str, str, str]]:
    """Return ``(scheme, host, port)`` of a well-formed serialized origin, lower-cased.

    ``port`` is ``""`` when absent. Returns ``None`` for anything a browser would not send
    (paths, spaces, commas, control characters, userinfo, over-long values) and for ``null``.
    """
    if len(origin) > MAX_ORIGIN_LENGTH:
        return None
    m = _ORIGIN.fullmatch(origin)
    if m is None:
        return None
    return m.group(1).lower(), m.group(2).lower(), m.group(3) or ""


def is_well_formed(origin: str) -> bool:
    return origin == "null" or split_origin(origin) is not None


def looks_like_regex(value: str) -> bool:
    return not REGEX_CHARS.isdisjoint(value)


def parse_entries(option: str, raw: object, problems: Problems) -> tuple[OriginEntry, ...]:
    """Parse the ``origins`` option into entries, adding a problem for each bad one."""
    if isinstance(raw, (str, re.Pattern)) or callable(raw):
        items: list[object] = [raw]
    elif isinstance(raw, Iterable):
        items = list(raw)
        if not items:
            problems.add(
                option,
                raw,
                "is empty, so no origin could ever be allowed",
                'list at least one origin, or remove the option to allow "*"',
            )
    else:
        problems.add(
            option,
            raw,
            f"has type {type(raw).__name__}",
            "use a string, a compiled regex, a callable, or a list of these",
        )
        return ()
    index = None if len(items) == 1 and not isinstance(raw, (list, tuple, set, frozenset)) else 0
    entries: list[OriginEntry] = []
    for i, item in enumerate(items):
        entry = _parse_entry(option, item, problems, None if index is None else i)
        if entry is not None:
            entries.append(entry)
    return tuple(entries)


def _parse_entry(
    option: str, item: object, problems: Problems, index: Optional[int]
) -> Optional[OriginEntry]:
    if isinstance(item, re.Pattern):
        if not isinstance(item.pattern, str):
            problems.add(option, item, "is a bytes pattern", "compile a str pattern", index)
            return None
        compiled = re.compile(item.pattern, item.flags | re.IGNORECASE)
        return OriginEntry(Kind.REGEX, item.pattern, compiled, matches_any=_matches_any(compiled))
    if callable(item):
        name = getattr(item, "__qualname__", None) or repr(item)
        return OriginEntry(Kind.CALLABLE, f"<callable {name}>", predicate=item)
    if not isinstance(item, str):
        problems.add(
            option,
            item,
            f"has type {type(item).__name__}",
            "use a string like 'https://app.example.com', a compiled regex or a callable",
            index,
        )
        return None
    return _parse_string_entry(option, item, problems, index)


def _parse_string_entry(
    option: str, text: str, problems: Problems, index: Optional[int]
) -> Optional[OriginEntry]:
    if text == "*":
        return OriginEntry(Kind.ANY, text, matches_any=True)
    if text.lower() == "null":
        return OriginEntry(Kind.NULL, "null")
    if "," in text:
        parts = [p.strip() for p in text.split(",") if p.strip()]
        problems.add(
            option,
            text,
            "is several origins in one string",
            f"write a list: {parts!r}; from an environment variable use a JSON list",
            index,
        )
        return None
    if text.startswith("[") and _is_json_list(text):
        problems.add(
            option,
            text,
            "looks like a JSON list inside a string",
            "decode it first (json.loads), or load config with app.config.from_prefixed_env()",
            index,
        )
        return None
    if text != text.strip() or any(c.isspace() for c in text):
        problems.add(option, text, "contains whitespace", f"write {text.strip()!r}", index)
        return None
    m = _SUBDOMAIN_PATTERN.fullmatch(text)
    if m is not None:
        scheme, host, port = m.group(1).lower(), m.group(2).lower(), m.group(3) or ""
        if "." not in host and host != "localhost":
            problems.add(
                option,
                text,
                "would match every site under a top-level domain",
                "name the registrable domain, e.g. 'https://*.example.com'",
                index,
            )
            return None
        if not _check_port(option, text, scheme, port, problems, index):
            return None
        shown = f"{scheme}://*.{host}" + (f":{port}" if port else "")
        return OriginEntry(Kind.SUBDOMAIN, shown)
    m = _ANY_PORT_PATTERN.fullmatch(text)
    if m is not None:
        return OriginEntry(Kind.ANY_PORT, f"{m.group(1).lower()}://{m.group(2).lower()}:*")
    if looks_like_regex(text):
        try:
            compiled = re.compile(text, re.IGNORECASE)
        except re.error as exc:
            fix = "fix the pattern, or escape it with re.escape() if it is a plain origin"
            if text.startswith("*."):
                fix = f"for subdomains write 'https://{text}' (the scheme is required)"
            problems.add(option, text, f"is not a valid regular expression ({exc})", fix, index)
            return None
        return OriginEntry(Kind.REGEX, text, compiled, matches_any=_matches_any(compiled))
    return _parse_exact(option, text, problems, index)


def _is_json_list(text: str) -> bool:
    try:
        return isinstance(json.loads(text), list)
    except ValueError:
        return False


def _parse_exact(
    option: str, text: str, problems: Problems, index: Optional[int]
) -> Optional[OriginEntry]:
    if "://" not in text:
        guess = "https://" + text.rstrip("/")
        problems.add(
            option,
            text,
            "has no scheme, so it can never match a browser's Origin header",
            f"write {guess!r}",
            index,
        )
        return None
    scheme, _, rest = text.partition("://")
    authority, slash, path = rest.partition("/")
    if slash:
        fixed = f"{scheme.lower()}://{authority.lower()}"
        what = "has a trailing slash" if not path else f"has a path ('/{path}')"
        problems.add(
            option,
            text,
            f"{what}, so it can never match a browser's Origin header",
            f"write {fixed!r}",
            index,
        )
        return None
    if "@" in authority:
        problems.add(
            option,
            text,
            "has a user name, which browsers never send in an Origin",
            f"write {scheme.lower()}://{authority.rpartition('@')[2].lower()!r}",
            index,
        )
        return None
    parts = split_origin(text)
    if parts is None:
        problems.add(
            option,
            text,
            "is not a valid origin",
            "write scheme://host or scheme://host:port, e.g. 'https://app.example.com'",
            index,
        )
        return None
    scheme, host, port = parts
    if not _check_port(option, text, scheme, port, problems, index):
        return None
    return OriginEntry(Kind.EXACT, f"{scheme}://{host}" + (f":{port}" if port else ""))


def _check_port(
    option: str, text: str, scheme: str, port: str, problems: Problems, index: Optional[int]
) -> bool:
    if port and int(port) > 65535:
        problems.add(option, text, f"has port {port}, above 65535", "use a real port", index)
        return False
    if port and DEFAULT_PORTS.get(scheme) == port:
        fixed = text.rsplit(":", 1)[0].lower()
        problems.add(
            option,
            text,
            f"names the default port {port}, which browsers leave out of the Origin header",
            f"write {fixed!r}",
            index,
        )
        return False
    return True


def _matches_any(pattern: re.Pattern[str]) -> bool:
    return all(pattern.fullmatch(o) is not None for o in _UNRELATED_ORIGINS)


class OriginMatcher:
    """All configured origin entries compiled into look-up structures.

    ``match`` does set look-ups for exact, any-port and subdomain entries; regular expressions
    are combined into one compiled alternation, and their verdicts are memoised (all matchers'
    memos together hold at most ``REGEX_VERDICTS_LIMIT``). The object is immutable after
    construction apart from that memo.
    """

    def __init__(self, entries: tuple[OriginEntry, ...]) -> None:
        self.entries = entries
        self.allow_any = any(e.kind is Kind.ANY for e in entries)
        self.matches_any = any(e.matches_any for e in entries)
        self.allow_null = any(e.kind is Kind.NULL for e in entries)
        self.exact = frozenset(e.text for e in entries if e.kind is Kind.EXACT)
        any_port: set[tuple[str, str]] = set()
        subdomains: set[tuple[str, str, str]] = set()
        for e in entries:
            if e.kind is Kind.ANY_PORT:
                scheme, _, hostport = e.text.partition("://")
                any_port.add((scheme, hostport[: -len(":*")]))
            elif e.kind is Kind.SUBDOMAIN:
                scheme, _, rest = e.text.partition("://")
                m = _ORIGIN.fullmatch("x://" + rest[len("*.") :])
                assert m is not None
                subdomains.add((scheme, "." + m.group(2), m.group(3) or ""))
        self.any_port = frozenset(any_port)
        self.subdomains = frozenset(subdomains)
        regexes = [e.pattern for e in entries if e.kind is Kind.REGEX and e.pattern is not None]
        self.regexes = tuple(regexes)
        self._combined = any_fullmatch(regexes)
        self.predicates = tuple(
            e.predicate for e in entries if e.kind is Kind.CALLABLE and e.predicate is not None
        )
        self._memo: dict[str, bool] = {}
        self._failed_predicates: set[int] = set()
        self.only_exact = (
            not self.allow_any
            and not self.allow_null
            and not any_port
            and not subdomains
            and not regexes
            and not self.predicates
        )
        #: The one origin this matcher allows, if it allows exactly one.
        self.single = next(iter(self.exact)) if self.only_exact and len(self.exact) == 1 else None

    def match(self, origin: str) -> Match:
        """Check a request's ``Origin`` header value."""
        if origin in self.exact:
            return Match.ALLOWED
        if origin == "null":
            return Match.ALLOWED if self.allow_null or self.allow_any else Match.NOT_ALLOWED
        parts = split_origin(origin)
        if parts is None:
            return Match.MALFORMED
        if self.allow_any:
            return Match.ALLOWED
        if self.only_exact:
            return Match.ALLOWED if origin.lower() in self.exact else Match.NOT_ALLOWED
        return self._match_parts(origin, *parts)

    def _match_parts(self, origin: str, scheme: str, host: str, port: str) -> Match:
        lowered = f"{scheme}://{host}:{port}" if port else f"{scheme}://{host}"
        if lowered in self.exact or (scheme, host) in self.any_port:
            return Match.ALLOWED
        if self.subdomains:
            dot = host.find(".")
            while dot > 0:
                if (scheme, host[dot:], port) in self.subdomains:
                    return Match.ALLOWED
                dot = host.find(".", dot + 1)
        if self._combined is not None and self._regex_allows(lowered):
            return Match.ALLOWED
        for predicate in self.predicates:
            try:
                if predicate(origin):
                    return Match.ALLOWED
            except Exception:
                if id(predicate) not in self._failed_predicates:
                    self._failed_predicates.add(id(predicate))
                    logger.exception(
                        "origin callable %r raised for Origin %s; refusing the request "
                        "(logged once per callable)",
                        predicate,
                        loggable(origin),
                    )
                return Match.CHECK_FAILED
        return Match.NOT_ALLOWED

    def _regex_allows(self, origin: str) -> bool:
        verdict = self._memo.get(origin)
        if verdict is None:
            assert self._combined is not None
            verdict = self._combined(origin) is not None
            _verdicts_bound.keep(self._memo, origin, verdict)
        return verdict
