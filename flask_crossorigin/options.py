"""The option table: the one place that lists every option.

Each :class:`Option` names its keyword, its ``app.config`` key, its default (flask-cors 6's),
the types it accepts, a parser that turns a raw value into a checked, normalised one, and a
one-line description. Parsing, "did you mean" suggestions, the merging of configuration
layers, the docs' option reference and the CLI all read :data:`OPTIONS`.
"""

from __future__ import annotations

import difflib
import logging
import re
import threading
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable, Optional, Union

from .errors import Problems, shortened
from .origins import OriginEntry, parse_entries
from .regexes import user_regex
from .tokens import (
    FORBIDDEN_HEADER_PREFIXES,
    FORBIDDEN_METHODS,
    FORBIDDEN_REQUEST_HEADERS,
    is_token,
)

logger = logging.getLogger("flask_crossorigin")

Parser = Callable[[str, object, Problems], Any]

#: flask-cors's default list of methods.
ALL_METHODS = ("GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE")

HeaderRule = Union[str, "re.Pattern[str]"]


@dataclass(frozen=True)
class Option:
    """One configuration option."""

    name: str
    default: object
    accepts: str
    doc: str
    parse: Parser

    @property
    def config_key(self) -> str:
        return "CORS_" + self.name.upper()


@dataclass(frozen=True)
class Resource:
    """One entry of the ``resources`` option: a path pattern and its own option overrides."""

    key: str
    pattern: Union[str, re.Pattern[str]]
    overrides: Mapping[str, Any]


# --- parsers -------------------------------------------------------------------------------

#: Characters that make a header name or a resource path a regular expression: flask-cors's
#: list, plus the braces of a repetition (``x-[a-z]{1,10}`` is no comma-separated list).
REGEX_CHARS = frozenset("*\\]?$^[(){}")


def looks_like_regex(value: str) -> bool:
    return not REGEX_CHARS.isdisjoint(value)


def _set_order(item: object) -> tuple[int, str]:
    """Sort key for the items of a set: strings in order, anything else after them (never
    ``str(item)``, which refuses ints of more than 4,300 digits)."""
    return (0, item) if isinstance(item, str) else (1, type(item).__name__)


def _items(option: str, raw: object, problems: Problems, what: str) -> Optional[list[object]]:
    """A string (split on commas) or an iterable of items; ``None`` after a problem."""
    if isinstance(raw, str):
        return [part.strip() for part in raw.split(",")] if raw.strip() else []
    if isinstance(raw, (list, tuple, set, frozenset)):
        return list(raw) if not isinstance(raw, (set, frozenset)) else sorted(raw, key=_set_order)
    problems.add(option, raw, f"has type {type(raw).__name__}", f"use a string or a list of {what}")
    return None


def parse_origins(option: str, raw: object, problems: Problems) -> tuple[OriginEntry, ...]:
    return parse_entries(option, raw, problems)


#: Request-header names a page can never set, so that a preflight never asks for them (the
#: Fetch standard's forbidden request-header names, and Private Network Access's
#: ``Access-Control-Request-Private-Network``), lower case; names starting with
#: :data:`~flask_crossorigin.tokens.FORBIDDEN_HEADER_PREFIXES` too. Methods browsers never
#: send: :data:`~flask_crossorigin.tokens.FORBIDDEN_METHODS`.
FORBIDDEN_HEADER_NAMES = FORBIDDEN_REQUEST_HEADERS | {"access-control-request-private-network"}


def _forbidden_method(name: str) -> Optional[tuple[str, str]]:
    if name.upper() not in FORBIDDEN_METHODS:
        return None
    return (
        "is a forbidden method: browsers never send it, so a preflight never asks for it "
        "(Fetch standard)",
        "remove it",
    )


def forbidden_header(name: str) -> Optional[tuple[str, str]]:
    """Why ``name`` can never be asked for in a preflight, with the fix; ``None`` if it can."""
    lowered = name.lower()
    if lowered in FORBIDDEN_HEADER_NAMES:
        what = "is a forbidden request-header name"
    elif lowered.startswith(FORBIDDEN_HEADER_PREFIXES):
        what = (
            f"starts with {lowered.partition('-')[0].title()}-, a forbidden request-header prefix"
        )
    else:
        return None
    fix = "remove it"
    if lowered in ("cookie", "cookie2"):
        fix = "remove it; cookies go with supports_credentials=True"
    return (
        f"{what}: browsers set it themselves and never let a page send it, so a preflight "
        "never asks for it (Fetch standard)",
        fix,
    )


def _tokens(
    option: str,
    raw: object,
    problems: Problems,
    what: str,
    fix: str,
    normalise: Callable[[str], str],
    refuse: Callable[[str], Optional[tuple[str, str]]] = lambda name: None,
) -> tuple[str, ...]:
    """A list of HTTP tokens, normalised, first spelling kept, duplicates dropped; ``refuse``
    gives why a token is refused all the same (and the fix), or ``None``."""
    items = _items(option, raw, problems, f"{what}s")
    if items is None:
        return ()
    tokens: dict[str, str] = {}
    for i, item in enumerate(items):
        index = i if len(items) > 1 else None
        refused = refuse(item) if isinstance(item, str) and is_token(item) else None
        if refused is not None:
            problems.add(option, item, refused[0], refused[1], index)
        elif isinstance(item, str) and is_token(item):
            tokens.setdefault(item.lower(), normalise(item))
        else:
            problems.add(option, item, f"is not an HTTP {what}", fix, index)
    return tuple(tokens.values())


def parse_methods(option: str, raw: object, problems: Problems) -> tuple[str, ...]:
    """Method names, upper-cased; a list (or set, or the default) is sent sorted, as
    flask-cors 6.0.5 sends it, a string in its own order. The forbidden methods ``CONNECT``,
    ``TRACE`` and ``TRACK`` are refused (SPEC 2: browsers never send them)."""
    names = _tokens(
        option,
        raw,
        problems,
        "method name",
        "use names such as 'GET' or 'PATCH'",
        str.upper,
        _forbidden_method,
    )
    return names if isinstance(raw, str) else tuple(sorted(names))


def parse_allow_headers(option: str, raw: object, problems: Problems) -> tuple[HeaderRule, ...]:
    """Header names (case-insensitive), ``*``, or regular expressions matched in full."""
    if isinstance(raw, re.Pattern) or (isinstance(raw, str) and looks_like_regex(raw)):
        raw = [raw]
    items = _items(option, raw, problems, "header names")
    if items is None:
        return ()
    rules: list[HeaderRule] = []
    for i, item in enumerate(items):
        index = i if len(items) > 1 else None
        if isinstance(item, re.Pattern) and not isinstance(item.pattern, str):
            problems.add(option, item.pattern, "is a bytes pattern", "compile a str pattern", index)
        elif isinstance(item, re.Pattern) or (
            isinstance(item, str) and item != "*" and looks_like_regex(item)
        ):
            text, flags = (item.pattern, item.flags) if isinstance(item, re.Pattern) else (item, 0)
            compiled = user_regex(
                option,
                item,
                text,
                flags | re.IGNORECASE,
                problems,
                "fix the pattern or list plain header names",
                index,
            )
            if compiled is not None:
                rules.append(compiled)
        elif isinstance(item, str) and item == "*":
            rules.append("*")
        elif isinstance(item, str) and is_token(item) and forbidden_header(item) is not None:
            what, fix = forbidden_header(item) or ("", "")
            problems.add(option, item, what, fix, index)
        elif isinstance(item, str) and is_token(item):
            rules.append(item.lower())
        else:
            problems.add(
                option,
                item,
                "is not a header name",
                "use names such as 'Content-Type' or 'X-Requested-With'",
                index,
            )
    return tuple(rules)


def parse_expose_headers(option: str, raw: object, problems: Problems) -> tuple[str, ...]:
    """Header names as written; a list (or set) is sent sorted, as flask-cors 6.0.5 sends it,
    a string in its own order."""
    if raw is None:
        return ()
    names = _tokens(
        option, raw, problems, "header name", "use names such as 'X-Total-Count', or '*'", str
    )
    return names if isinstance(raw, str) else tuple(sorted(names))


_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})


def parse_bool(option: str, raw: object, problems: Problems) -> bool:
    if raw is None:
        return False
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    problems.add(option, raw, "is not a boolean", "use True or False")
    return False


_DIGITS = re.compile(r"[0-9]+")

#: The longest ``max_age`` accepted, in seconds (SPEC 2): 24 hours, Firefox's cap and
#: jub0bs/cors's bound. Chromium keeps a preflight 7200 seconds at most, whatever is sent.
MAX_AGE_LIMIT = 86400


def parse_max_age(option: str, raw: object, problems: Problems) -> Optional[int]:
    """Seconds from 0 to :data:`MAX_AGE_LIMIT`: an int, a string of ASCII digits, or a
    ``timedelta`` of whole seconds; ``None`` (no ``Access-Control-Max-Age``) for ``None``."""
    if raw is None:
        return None
    seconds: object = raw
    if isinstance(raw, timedelta):
        seconds = raw.total_seconds()
        if seconds == int(seconds):
            seconds = int(seconds)
    elif isinstance(raw, str) and _DIGITS.fullmatch(raw.strip()):
        # ASCII digits only: str.isdigit() also accepts '²', which int() refuses. More digits
        # than any accepted value has are not converted (int() refuses over 4,300 digits).
        digits = raw.strip().lstrip("0") or "0"
        seconds = int(digits) if len(digits) <= 6 else MAX_AGE_LIMIT + 1
    if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
        problems.add(
            option,
            raw,
            "is not a non-negative whole number of seconds",
            "use an int such as 600, a numeric string, or a timedelta of whole seconds",
        )
        return None
    if seconds > MAX_AGE_LIMIT:
        problems.add(
            option,
            raw,
            f"is above {MAX_AGE_LIMIT} seconds (24 hours): browsers keep a preflight at most "
            "that long (Firefox 86400 s, Chromium 7200 s)",
            f"use at most {MAX_AGE_LIMIT}, e.g. 7200",
        )
        return None
    return seconds


def parse_resources(option: str, raw: object, problems: Problems) -> tuple[Resource, ...]:
    """Path patterns, each with optional option overrides (validated like keyword options)."""
    if isinstance(raw, Mapping):
        pairs: list[tuple[object, object]] = list(raw.items())
    elif isinstance(raw, (str, re.Pattern)):
        pairs = [(raw, {})]
    elif isinstance(raw, Iterable) and not isinstance(raw, (bytes, bytearray)):
        pairs = [(item, {}) for item in raw]
    else:
        problems.add(
            option,
            raw,
            f"has type {type(raw).__name__}",
            "use a path pattern, a list of them, or a dict of pattern -> options",
        )
        return ()
    resources: list[Resource] = []
    for key, overrides in pairs:
        resource = _parse_resource(option, key, overrides, problems)
        if resource is not None:
            resources.append(resource)
    return tuple(resources)


def _misses_leading_slash(pattern: str) -> bool:
    """A resource regex that cannot match a path: it starts (after ``^``) with something other
    than ``/`` or a construct that may match one (``.``, ``[``, ``(``, ``\\``, ``|``)."""
    first = pattern[1:2] if pattern.startswith("^") else pattern[:1]
    return first not in ("", "/", ".", "[", "(", "\\", "|")


def _parse_resource(
    option: str, key: object, overrides: object, problems: Problems
) -> Optional[Resource]:
    if isinstance(key, re.Pattern):
        if not isinstance(key.pattern, str):
            problems.add(option, key, "is a bytes pattern", "compile a str pattern")
            return None
        checked = user_regex(option, key, key.pattern, key.flags, problems, "fix the pattern")
        if checked is None:
            return None
        pattern: Union[str, re.Pattern[str]] = key
        shown = key.pattern
    elif isinstance(key, str):
        shown = key
        if key == "*":
            pattern = re.compile(".*")
        elif looks_like_regex(key):
            compiled = user_regex(
                option,
                key,
                key,
                0,
                problems,
                "fix the pattern, or write a literal path such as '/api/items'",
            )
            if compiled is None:
                return None
            pattern = compiled
            if _misses_leading_slash(key):
                problems.add(
                    option,
                    key,
                    "cannot match a path: paths start with '/'",
                    f"write {'/' + key!r}",
                )
                return None
        elif key.startswith("/"):
            pattern = key
        else:
            problems.add(
                option, key, "is not a path", f"write '/{key}' or a regex such as r'/{key}/.*'"
            )
            return None
    else:
        problems.add(
            option,
            key,
            f"has type {type(key).__name__}",
            "use a path string or a compiled regex as the key",
        )
        return None
    if not isinstance(overrides, Mapping):
        problems.add(
            f"{option}[{shown!r}]",
            overrides,
            f"has type {type(overrides).__name__}",
            "map each resource to a dict of options, e.g. {'origins': [...]}",
        )
        return None
    where = f"{option}[{shown!r}]"
    parsed = parse_layer(
        overrides, problems, where=where, allow_resources=False, label=f"{shortened(where)} "
    )
    return Resource(shown, pattern, parsed)


# --- the table -------------------------------------------------------------------------------

OPTIONS: tuple[Option, ...] = (
    Option(
        "origins",
        "*",
        "str, list of str, compiled regex, callable",
        "The origins allowed to read responses: '*', 'null', exact origins, the patterns "
        "'https://*.example.com', 'https://pr-*.example.com', 'http://localhost:*' and "
        "'https://*.example.com:*', regexes matched in full, callables (see Origin strings "
        "below).",
        parse_origins,
    ),
    Option(
        "methods",
        list(ALL_METHODS),
        "str or list of str",
        "Methods a preflight may ask for; sent as Access-Control-Allow-Methods. CONNECT, TRACE "
        "and TRACK, which browsers never send, are refused.",
        parse_methods,
    ),
    Option(
        "allow_headers",
        "*",
        "str, list of str, compiled regex",
        "Request headers a preflight may ask for; '*' echoes the requested names. Forbidden "
        "request-header names (Cookie, Host, Content-Length, Sec-* and Proxy-*...), which a "
        "page can never send, are refused.",
        parse_allow_headers,
    ),
    Option(
        "expose_headers",
        None,
        "str or list of str",
        "Response headers the page may read (Access-Control-Expose-Headers).",
        parse_expose_headers,
    ),
    Option(
        "supports_credentials",
        False,
        "bool, or a string such as 'true' or 'false'",
        "Allow cookies and HTTP authentication (Access-Control-Allow-Credentials: true); "
        "needs an explicit list of origins.",
        parse_bool,
    ),
    Option(
        "max_age",
        None,
        "int, str of digits, timedelta",
        "How long a browser may cache a preflight (Access-Control-Max-Age), in seconds, at most "
        "86400. Browsers cap it themselves: Chromium at 7200, Firefox at 86400.",
        parse_max_age,
    ),
    Option(
        "send_wildcard",
        False,
        "bool, or a string such as 'true' or 'false'",
        "With origins '*', send 'Access-Control-Allow-Origin: *' instead of the request's origin.",
        parse_bool,
    ),
    Option(
        "automatic_options",
        True,
        "bool, or a string such as 'true' or 'false'",
        "Answer preflight OPTIONS requests before the app's hooks and views run.",
        parse_bool,
    ),
    Option(
        "vary_header",
        True,
        "bool, or a string such as 'true' or 'false'",
        "Add 'Vary: Origin' to responses whose CORS headers depend on the Origin.",
        parse_bool,
    ),
    Option(
        "resources",
        r"/*",
        "str, list of str, compiled regex, dict of pattern -> options",
        "Which paths get CORS headers, each optionally with its own options.",
        parse_resources,
    ),
    Option(
        "intercept_exceptions",
        True,
        "bool, or a string such as 'true' or 'false'",
        "Also add the CORS headers to an error response as soon as the app's exception "
        "handlers make it, as flask-cors does. Error responses (404, 405, 500, abort(), error "
        "handlers, flask-restx errors) and strict-slash redirects get CORS headers either way; "
        "only a 500 caused by a failing after_request hook differs: with this option off, no "
        "after_request hook finishes it, and it goes without.",
        parse_bool,
    ),
    Option(
        "always_send",
        True,
        "bool, or a string such as 'true' or 'false'",
        "Send Access-Control-Allow-Origin on requests without an Origin when it is the same "
        "for every origin.",
        parse_bool,
    ),
    Option(
        "allow_private_network",
        False,
        "bool, or a string such as 'true' or 'false'",
        "Answer 'Access-Control-Request-Private-Network: true' with "
        "'Access-Control-Allow-Private-Network: true' (Private Network Access). Chromium no "
        "longer sends that header: since Local Network Access, a public page's request to a "
        "private or loopback address waits for the user's permission, which no response "
        "header can give, and is then an ordinary CORS request (see the security page). The "
        "option answers the clients that still send the header.",
        parse_bool,
    ),
)

BY_NAME: Mapping[str, Option] = {o.name: o for o in OPTIONS}
BY_CONFIG_KEY: Mapping[str, Option] = {o.config_key: o for o in OPTIONS}

# Names other libraries (and old flask-cors docs) use for the same thing.
_ALIASES = {
    "origin": "origins",
    "allow_origin": "origins",
    "allow_origins": "origins",
    "allowed_origins": "origins",
    "allow_origin_regex": "origins",
    "method": "methods",
    "allow_methods": "methods",
    "allowed_methods": "methods",
    "headers": "allow_headers",
    "allowed_headers": "allow_headers",
    "expose": "expose_headers",
    "exposed_headers": "expose_headers",
    "credentials": "supports_credentials",
    "allow_credentials": "supports_credentials",
    "supports_credential": "supports_credentials",
    "with_credentials": "supports_credentials",
    "maxage": "max_age",
    "max_age_seconds": "max_age",
    "allow_private_networks": "allow_private_network",
    "private_network": "allow_private_network",
}


def suggest(name: str) -> Optional[str]:
    """The known option closest to an unknown name, if any is close."""
    key = name.lower().replace("-", "_")
    if key.startswith("cors_"):
        key = key[len("cors_") :]
    if key in BY_NAME:
        return key
    if key in _ALIASES:
        return _ALIASES[key]
    close = difflib.get_close_matches(key, list(BY_NAME), n=1, cutoff=0.6)
    return close[0] if close else None


def parse_layer(
    values: Mapping[str, object],
    problems: Problems,
    *,
    where: str,
    allow_resources: bool = True,
    label: str = "",
) -> dict[str, Any]:
    """Check and parse one layer of keyword options; unknown names become problems. ``label``
    goes before each option's name in a problem (``"resources['/api/*'] "``)."""
    parsed: dict[str, Any] = {}
    for name, raw in values.items():
        if not isinstance(name, str):
            problems.add(
                where,
                name,
                f"is not an option name (it has type {type(name).__name__})",
                f"write option names as strings; {_known_names()}",
            )
            continue
        option = BY_NAME.get(name)
        if option is None or (name == "resources" and not allow_resources):
            if name == "resources":
                fix = "resources cannot be nested; give this resource its own options instead"
            else:
                guess = suggest(name)
                fix = f"did you mean {guess!r}?" if guess else _known_names()
            problems.add(where, name, "is not an option", fix)
            continue
        parsed[name] = option.parse(label + name, raw, problems)
    return parsed


def config_layer(config: Mapping[str, object], problems: Problems) -> dict[str, Any]:
    """Parse the ``CORS_*`` keys of ``app.config``; unknown ``CORS_*`` keys are warned about."""
    parsed: dict[str, Any] = {}
    for key, raw in config.items():
        if not isinstance(key, str) or not key.startswith("CORS_"):
            continue
        option = BY_CONFIG_KEY.get(key)
        if option is None:
            guess = suggest(key)
            hint = f"did you mean CORS_{guess.upper()}?" if guess else _known_names()
            if _first_warning(config, key):
                logger.warning(
                    "unknown config key %s is ignored by flask-crossorigin; %s", key, hint
                )
            continue
        if raw is not None:
            parsed[option.name] = option.parse(key, raw, problems)
    return parsed


#: The unknown keys already warned about, per config object (by identity: a config is a
#: dict, unhashable): the configuration is read several times per app (each policy, each
#: command), and the warning is worth one line. An entry goes with its config object.
_WARNED: dict[int, tuple[weakref.ref[Any], set[str]]] = {}
_WARNED_LOCK = threading.RLock()  # re-entrant: a weakref callback may run under it


def _first_warning(config: Mapping[str, object], key: str) -> bool:
    """True the first time ``key`` is warned about for this ``config`` (always, for a
    mapping that cannot be weakly referenced)."""
    ident = id(config)
    with _WARNED_LOCK:
        entry = _WARNED.get(ident)
        if entry is None or entry[0]() is not config:
            try:
                ref = weakref.ref(config, lambda _: _forget(ident))
            except TypeError:
                return True
            entry = _WARNED[ident] = (ref, set())
        if key in entry[1]:
            return False
        entry[1].add(key)
        return True


def _forget(ident: int) -> None:
    with _WARNED_LOCK:
        _WARNED.pop(ident, None)


def _known_names() -> str:
    return "known options: " + ", ".join(o.name for o in OPTIONS)


def defaults() -> dict[str, Any]:
    """The parsed built-in defaults."""
    problems = Problems()
    parsed = {o.name: o.parse(o.name, o.default, problems) for o in OPTIONS}
    problems.raise_if_any()
    return parsed
