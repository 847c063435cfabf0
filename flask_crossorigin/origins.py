"""Origins: parse configured entries, check a request's ``Origin``, match one against many.

A browser sends its origin serialized as ``scheme://host[:port]`` (RFC 6454, and the HTML
standard's "ASCII serialization of an origin"): lower case, no path, no trailing slash, no
default port, or the string ``null`` for opaque origins. Configured entries are checked against
that shape once, so that an entry which can never match is an error rather than a silent "no".

Each string in ``origins`` is read one way only (SPEC section 3):

1. ``*`` (any origin) and ``null``;
2. an exact origin: one set look-up;
3. ``scheme://host:*``: any port of one host, one set look-up;
4. ``scheme://*.domain``, ``scheme://*.domain:port`` and ``scheme://*.domain:*``: any
   subdomain, never the apex, one look-up per label;
5. a regular expression (a compiled pattern, or a string with regex syntax other than ``*`` and
   ``.``), matched in full, case-insensitively in ASCII only, each with its own flags;
6. a callable ``(origin) -> bool``, called last and only for well-formed origins.

Any other string containing ``*`` is a configuration error that shows the pattern meant.
"""

from __future__ import annotations

import encodings.idna
import enum
import ipaddress
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Callable, Optional, Union

from . import suffixes
from .errors import Problems
from .logsafe import loggable
from .memo import SharedBound
from .patterns import any_fullmatch
from .proof import Verdict, prove
from .regexes import compile_user_regex, user_regex

logger = logging.getLogger("flask_crossorigin")

#: How many regex verdicts all matchers keep together.
REGEX_VERDICTS_LIMIT = 4096
_verdicts_bound = SharedBound(REGEX_VERDICTS_LIMIT)

OriginPredicate = Callable[[str], bool]
OriginEntryValue = Union[str, "re.Pattern[str]", OriginPredicate]

#: Longest ``Origin`` header considered; anything longer is malformed.
MAX_ORIGIN_LENGTH = 512
#: Longest DNS name (RFC 1035), without its optional trailing dot.
MAX_HOST_LENGTH = 253

#: Characters that make an ``origins`` string a regular expression (SPEC 3). A ``[`` counts
#: too unless it opens an IPv6 host, and so do ``.*`` and ``.+``.
REGEX_CHARS = frozenset("\\^$()?+{}|")

_FLAGS = re.IGNORECASE | re.ASCII
_SCHEME = r"[a-z][a-z0-9+.\-]*"
_LABEL = r"[a-z0-9_\-]{1,63}"
_DNS = rf"{_LABEL}(?:\.{_LABEL})*\.?"
_HOST = rf"(?:\[[0-9a-f:.]{{2,45}}\]|{_DNS})"
_PORT = r"[1-9][0-9]{0,4}"
# A serialized origin as a browser sends it (ASCII only, matched case-insensitively).
_ORIGIN = re.compile(rf"({_SCHEME})://({_HOST})(?::({_PORT}))?", _FLAGS)
# A configured wildcard pattern: a ``*.`` before the host, a ``:*`` port, or both.
_WILDCARD = re.compile(
    rf"({_SCHEME})://(\*\.)?(\[[^\[\]/]*\]|[^:/*\[\]]+)(?::(\*|[0-9]+))?", _FLAGS
)
# An in-label wildcard: ``*`` inside the first label, with a fixed prefix and suffix around it.
_IN_LABEL = re.compile(
    rf"({_SCHEME})://([a-z0-9_-]*)\*([a-z0-9_-]*)\.([^:/*\[\]]+)(?::(\*|[0-9]+))?", _FLAGS
)
# A ``[`` that opens an IPv6 host rather than a regex character class: the brackets close the
# authority's host (``http://[::1]:8080``, ``http://[::1]:*``, ``http://[::1]/``,
# ``http://[1.2]``, ``http://*.[::1]``), or hold a colon before text without regex syntax
# (``http://[::1]1:90``). Such strings are origins, right or wrong, never regexes.
_IPV6_TEXT = re.compile(
    rf"{_SCHEME}://(?:\*\.)?\[(?:[^\[\]/]*\](?::(?:[0-9]*|\*))?(?:/.*)?"
    rf"|[^\[\]/]*:[^\[\]/]*\][^\\^$()?+{{}}|\[\]]*)",
    _FLAGS | re.S,
)
# The last label of a host that browsers read as an IPv4 address (WHATWG URL "ends in a number").
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*", _FLAGS)

DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}
#: Schemes whose pages browsers send as ``Origin: null``: an entry with one never matches.
OPAQUE_SCHEMES = frozenset({"file", "data", "about", "blob", "javascript", "filesystem"})


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
    IN_LABEL = "wildcard label"
    REGEX = "regular expression"
    CALLABLE = "callable"


@dataclass(frozen=True)
class OriginEntry:
    """One configured origin entry, parsed.

    ``matches_any``: the entry grants every origin of a scheme (``*``, or a regex such as
    ``https://.*``). ``proven``: the origin proof (SPEC 3) shows that every origin the entry
    can match is an exact host its author wrote or lies under a domain written out that one
    owner can hold; when it does not, ``reason`` says why, ``grants`` names a stranger it
    lets in (``""`` when none could be named) and ``fix`` a safe rewrite.
    """

    kind: Kind
    text: str
    pattern: Optional[re.Pattern[str]] = None
    predicate: Optional[OriginPredicate] = None
    matches_any: bool = False
    grants: str = ""
    fix: str = ""
    proven: bool = True
    reason: str = ""


# --- request origins ------------------------------------------------------------------------


def split_origin(origin: str) -> Optional[tuple[str, str, str]]:
    """Return ``(scheme, host, port)`` of a well-formed serialized origin, lower-cased.

    ``port`` is ``""`` when absent. Returns ``None`` for anything a browser would not send
    (SPEC 3): non-ASCII, paths, spaces, commas, control characters, userinfo, ports outside
    1-65535, hosts that are neither DNS names nor valid IP literals, over-long values, ``null``.
    """
    if len(origin) > MAX_ORIGIN_LENGTH:
        return None
    m = _ORIGIN.fullmatch(origin)
    if m is None:
        return None
    host = m.group(2).lower()
    port = m.group(3) or ""
    if (port and int(port) > 65535) or not _host_is_valid(host):
        return None
    return m.group(1).lower(), host, port


def _host_is_valid(host: str) -> bool:
    """``host`` (lower case, shaped by ``_HOST``) is a DNS name or an IP literal as serialized."""
    if host.startswith("["):
        return _ipv6_serialized(host[1:-1]) == host[1:-1]
    if len(host.rstrip(".")) > MAX_HOST_LENGTH:
        return False
    last = host.rstrip(".").rpartition(".")[2]
    if _NUMERIC_LABEL.fullmatch(last):
        # A browser reads it as an IPv4 address and sends the dotted-decimal form.
        return _ipv4_serialized(host) == host
    return True


#: The characters of an IPv6 literal (no zone identifier: browsers refuse ``%``).
_IPV6_CHARS = frozenset("0123456789abcdefABCDEF:.")
#: Longer than any IPv6 literal the URL standard's parser accepts (four hex digits a piece).
_MAX_IPV6_LENGTH = 64


def _ipv4_serialized(text: str) -> Optional[str]:
    """``text`` when it is an IPv4 address in the form browsers serialize (the URL standard's
    IPv4 serializer): four ASCII decimal numbers from 0 to 255 without leading zeros, joined by
    dots; else ``None``. The same answer on every Python (``ipaddress`` accepted leading
    zeros before Python 3.9.5)."""
    parts = text.split(".")
    if len(parts) != 4:
        return None
    for part in parts:
        if not (part.isascii() and part.isdigit()) or len(part) > 3 or int(part) > 255:
            return None
        if part != str(int(part)):
            return None
    return text


def _ipv4_as_browsers_read(host: str) -> Optional[str]:
    """What a browser makes of a host that ends in a number (the URL standard's IPv4 parser:
    one to four parts, each decimal, octal with a leading ``0`` or hex with ``0x``, the last
    filling the remaining bytes), serialized in dotted decimal; ``None`` when browsers refuse
    the host. Only used to suggest a fix."""
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if not 1 <= len(parts) <= 4:
        return None
    numbers: list[int] = []
    for part in parts:
        base, digits = 10, part
        if part[:2].lower() == "0x":
            base, digits = 16, part[2:]
        elif len(part) > 1 and part[0] == "0":
            base, digits = 8, part[1:]
        allowed = "0123456789abcdefABCDEF"[: 16 if base == 16 else base]
        if not part or any(c not in allowed for c in digits) or len(digits.lstrip("0")) > 12:
            return None
        numbers.append(int(digits, base) if digits else 0)
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        return None
    value = numbers[-1] + sum(n << (8 * (3 - i)) for i, n in enumerate(numbers[:-1]))
    return ".".join(str((value >> shift) & 0xFF) for shift in (24, 16, 8, 0))


def _ipv6_pieces(text: str) -> Optional[tuple[int, ...]]:
    """The eight 16-bit pieces of an IPv6 literal (without brackets), or ``None``.

    Parsed by ``ipaddress`` and read from its ``packed`` bytes, which mean the same on every
    Python (its ``str`` and ``exploded`` forms do not: Python 3.13 writes ``::ffff:1.2.3.4``
    where earlier versions write ``::ffff:102:304``). What ``ipaddress`` accepts beyond the URL
    standard is refused first: zone identifiers (``%eth0``), non-ASCII, and an embedded IPv4
    part with a leading zero (accepted before Python 3.9.5).
    """
    if not text or len(text) > _MAX_IPV6_LENGTH or not _IPV6_CHARS.issuperset(text):
        return None
    if "." in text and _ipv4_serialized(text.rpartition(":")[2]) is None:
        return None
    try:
        packed = ipaddress.IPv6Address(text).packed
    except ValueError:
        return None
    return tuple(int.from_bytes(packed[i : i + 2], "big") for i in range(0, 16, 2))


def _ipv6_serialized(text: str) -> Optional[str]:
    """The URL standard's serialization of an IPv6 address (lower-case hex without leading
    zeros, the first longest run of two or more zero pieces written ``::``, never an embedded
    IPv4 form: ``::ffff:1.2.3.4`` is ``::ffff:102:304``), or ``None`` when ``text`` is not
    one. The same on every Python (SPEC 3)."""
    pieces = _ipv6_pieces(text)
    if pieces is None:
        return None
    groups = [format(piece, "x") for piece in pieces]
    best_start, best_len, start = -1, 1, -1
    for i, group in enumerate([*groups, "end"]):
        if group == "0":
            start = i if start < 0 else start
            continue
        if start >= 0 and i - start > best_len:
            best_start, best_len = start, i - start
        start = -1
    if best_start < 0:
        return ":".join(groups)
    head = ":".join(groups[:best_start])
    tail = ":".join(groups[best_start + best_len :])
    return f"{head}::{tail}"


def is_well_formed(origin: str) -> bool:
    return origin == "null" or split_origin(origin) is not None


def looks_like_regex(value: str) -> bool:
    """``value`` has regex syntax other than ``*`` and ``.`` (SPEC 3): one of
    ``\\ ^ $ ( ) ? + { } |``, a ``[`` that does not open an IPv6 host, or ``.*`` / ``.+``."""
    if not REGEX_CHARS.isdisjoint(value) or ".*" in value or ".+" in value:
        return True
    return "[" in value and _IPV6_TEXT.fullmatch(value) is None


# --- configured entries ---------------------------------------------------------------------


def parse_entries(option: str, raw: object, problems: Problems) -> tuple[OriginEntry, ...]:
    """Parse the ``origins`` option into entries, adding a problem for each bad one.

    Raises nothing: every problem (SPEC 2) is added to ``problems`` with the value as written
    and its fix.
    """
    if isinstance(raw, (str, re.Pattern)) or callable(raw):
        items: list[object] = [raw]
    elif isinstance(raw, (bytes, bytearray)):
        problems.add(option, raw, "is bytes", f"write a str: {_decoded(raw)!r}")
        return ()
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


def _decoded(raw: Union[bytes, bytearray]) -> str:
    return bytes(raw).decode("ascii", "backslashreplace")


def _parse_entry(
    option: str, item: object, problems: Problems, index: Optional[int]
) -> Optional[OriginEntry]:
    if isinstance(item, re.Pattern):
        if not isinstance(item.pattern, str):
            fix = f"compile a str pattern: re.compile({_decoded(item.pattern)!r})"
            problems.add(option, item.pattern, "is a bytes pattern", fix, index)
            return None
        return _parse_regex(option, item.pattern, item.flags, problems, index)
    if isinstance(item, (bytes, bytearray)):
        problems.add(option, item, "is bytes", f"write a str: {_decoded(item)!r}", index)
        return None
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
    if text.startswith("[") and _is_json_list(text):
        problems.add(
            option,
            text,
            "looks like a JSON list inside a string",
            "decode it first (json.loads), or load config with app.config.from_prefixed_env()",
            index,
        )
        return None
    stars = text.count("*") - text.endswith(":*")
    if stars > 1 and REGEX_CHARS.isdisjoint(text) and "[" not in text:
        problems.add(
            option,
            text,
            "uses '*' outside the patterns 'scheme://*.host', 'scheme://prefix*suffix.host', "
            "'scheme://host:*' and 'scheme://*.host:*' (more than one '*' in the host; such a "
            "string is never read as a regex)",
            _wildcard_fix(text),
            index,
        )
        return None
    if looks_like_regex(text):
        return _parse_regex(option, text, 0, problems, index)
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
    if text != text.strip() or any(c.isspace() for c in text):
        problems.add(option, text, "contains whitespace", f"write {text.strip()!r}", index)
        return None
    if "*" in text:
        return _parse_wildcard(option, text, problems, index)
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
    scheme = scheme.lower()
    if not _scheme_ok(option, text, scheme, problems, index):
        return None
    authority, slash, path = rest.partition("/")
    if slash:
        fixed = f"{scheme}://{authority.lower()}"
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
            f"write {scheme}://{authority.rpartition('@')[2].lower()!r}",
            index,
        )
        return None
    host, port = _split_authority(authority)
    if host is None:
        bare_ipv6 = authority.count(":") > 1 and not authority.startswith("[")
        fix = f"write {scheme}://[{authority}]" if bare_ipv6 else ""
        problems.add(
            option,
            text,
            "is not a valid origin",
            fix or "write scheme://host or scheme://host:port, e.g. 'https://app.example.com'",
            index,
        )
        return None
    host = _check_host(option, text, scheme, host, problems, index)
    if host is None or not _check_port(option, text, scheme, host, port, problems, index):
        return None
    return OriginEntry(Kind.EXACT, f"{scheme}://{host}" + (f":{port}" if port else ""))


def _split_authority(authority: str) -> tuple[Optional[str], str]:
    """``(host, port)`` of ``host[:port]`` or ``[ipv6][:port]``; host ``None`` if unreadable."""
    if authority.startswith("["):
        host, bracket, after = authority.partition("]")
        if not bracket or (after and not after.startswith(":")):
            return None, ""
        return host + "]", after[1:]
    host, colon, port = authority.partition(":")
    if ":" in port or (colon and not port):
        return None, ""
    return host, port


def _scheme_ok(
    option: str, text: str, scheme: str, problems: Problems, index: Optional[int]
) -> bool:
    if scheme in OPAQUE_SCHEMES:
        problems.add(
            option,
            text,
            f"uses the {scheme}: scheme, whose pages browsers send as 'Origin: null'",
            "serve the page over http(s) and list that origin, or list 'null' (never with "
            "credentials)",
            index,
        )
        return False
    if re.fullmatch(_SCHEME, scheme, _FLAGS) is None:
        problems.add(option, text, f"has an invalid scheme {scheme!r}", "use 'https'", index)
        return False
    return True


def _check_host(
    option: str, text: str, scheme: str, host: str, problems: Problems, index: Optional[int]
) -> Optional[str]:
    """The host as a browser serializes it, or ``None`` after adding a problem."""
    if not host.isascii():
        try:
            ascii_host = host.encode("idna").decode("ascii")
            fix = f"write the punycode form {text.replace(host, ascii_host)!r}"
        except UnicodeError:
            fix = "write the host in its ASCII (punycode) form"
        problems.add(option, text, "has a non-ASCII host", fix, index)
        return None
    host = host.lower()
    if host.startswith("["):
        serialized = _ipv6_serialized(host[1:-1])
        if serialized is None:
            problems.add(
                option,
                text,
                f"has {host}, which is not an IPv6 address",
                "write a valid address, e.g. 'http://[::1]:8080'",
                index,
            )
            return None
        return f"[{serialized}]"
    last = host.rstrip(".").rpartition(".")[2]
    if _NUMERIC_LABEL.fullmatch(last) is not None:
        if _ipv4_serialized(host) != host:
            read = _ipv4_as_browsers_read(host)
            if read is not None:
                what = f"has the host {host!r}, which browsers read as the IPv4 address {read}"
                fixed = re.sub(re.escape(host), read, text, count=1, flags=re.IGNORECASE)
                fix = f"write it as browsers send it: {fixed!r}"
            else:
                what = f"has the host {host!r}, which is neither a DNS name nor an IPv4 address"
                fix = "write four decimal numbers, e.g. 'http://127.0.0.1:8080', or a DNS name"
            problems.add(option, text, what, fix, index)
            return None
        return host
    bad_punycode = [label for label in host.split(".") if label[:4] == "xn--"]
    bad_punycode = [label for label in bad_punycode if not _punycode_ok(label)]
    if bad_punycode:
        problems.add(
            option,
            text,
            f"has the label {bad_punycode[0]!r}, which is not valid punycode",
            "write the host as its IDNA encoding gives it, e.g. 'xn--bcher-kva.example'",
            index,
        )
        return None
    if re.fullmatch(_DNS, host, _FLAGS) is None or len(host.rstrip(".")) > MAX_HOST_LENGTH:
        problems.add(
            option,
            text,
            f"has the host {host!r}, which is not a DNS name",
            "use letters, digits and '-' in dot-separated labels of at most 63 characters",
            index,
        )
        return None
    return host


def _punycode_ok(label: str) -> bool:
    """An ``xn--`` label decodes to Unicode and back to itself (IDNA)."""
    try:
        return encodings.idna.ToASCII(encodings.idna.ToUnicode(label)).decode() == label
    except (UnicodeError, ValueError):
        return False


def _check_port(
    option: str,
    text: str,
    scheme: str,
    host: str,
    port: str,
    problems: Problems,
    index: Optional[int],
) -> bool:
    if not port or port == "*":
        return True
    if not port.isdigit() or not port.isascii():
        problems.add(option, text, f"has the port {port!r}", "use a number from 1 to 65535", index)
        return False
    # Leading zeros aside, a port has at most five digits (and int() refuses more than 4,300).
    digits = port.lstrip("0") or "0"
    number = int(digits) if len(digits) <= 5 else 65536
    if not 1 <= number <= 65535:
        shown = port if len(port) <= 20 else f"{port[:20]}...({len(port)} digits)"
        problems.add(option, text, f"has port {shown}, outside 1-65535", "use a real port", index)
        return False
    if port != digits:
        fixed = f"{scheme}://{host}:{number}"
        problems.add(option, text, "has a port with leading zeros", f"write {fixed!r}", index)
        return False
    if DEFAULT_PORTS.get(scheme) == port:
        fixed = f"{scheme}://{host}"
        problems.add(
            option,
            text,
            f"names the default port {port}, which browsers leave out of the Origin header",
            f"write {fixed!r}",
            index,
        )
        return False
    return True


def _parse_wildcard(
    option: str, text: str, problems: Problems, index: Optional[int]
) -> Optional[OriginEntry]:
    """``scheme://*.host``, ``scheme://*.host:port``, ``scheme://host:*``, ``scheme://*.host:*``."""
    m = _WILDCARD.fullmatch(text)
    in_label = _IN_LABEL.fullmatch(text) if m is None else None
    if in_label is not None and "." in in_label.group(4).strip("."):
        return _parse_in_label(option, text, in_label, problems, index)
    if m is None or (m.group(2) is None and m.group(4) != "*"):
        problems.add(
            option,
            text,
            "uses '*' outside the patterns 'scheme://*.host', 'scheme://prefix*suffix.host', "
            "'scheme://host:*' and 'scheme://*.host:*'",
            _wildcard_fix(text),
            index,
        )
        return None
    scheme, subdomains, host, port = m.group(1).lower(), m.group(2), m.group(3), m.group(4) or ""
    if not _scheme_ok(option, text, scheme, problems, index):
        return None
    checked = _check_host(option, text, scheme, host, problems, index)
    if checked is None or not _check_port(option, text, scheme, checked, port, problems, index):
        return None
    suffix = f":{port}" if port else ""
    if subdomains is None:
        return OriginEntry(Kind.ANY_PORT, f"{scheme}://{checked}:*")
    if checked.startswith("[") or _ipv4_serialized(checked) is not None:
        problems.add(
            option,
            text,
            "puts '*.' before an IP address, which has no subdomains",
            f"write {f'{scheme}://{checked}{suffix}'!r}",
            index,
        )
        return None
    if len(checked.rstrip(".")) > MAX_HOST_LENGTH - 2:
        problems.add(
            option,
            text,
            f"leaves no room for a subdomain under {MAX_HOST_LENGTH} characters",
            "name a shorter domain",
            index,
        )
        return None
    if "." not in checked.rstrip(".") and checked != "localhost":
        problems.add(
            option,
            text,
            "would match every site under a top-level domain",
            f"name the registrable domain, e.g. '{scheme}://*.example.{checked}'",
            index,
        )
        return None
    return _owned(OriginEntry(Kind.SUBDOMAIN, f"{scheme}://*.{checked}{suffix}"), scheme, checked)


def _owned(
    entry: OriginEntry, scheme: str, domain: str, label: Optional[re.Pattern[str]] = None
) -> OriginEntry:
    """``entry`` (a pattern under ``domain``: any subdomain, or with ``label`` one label that
    matches it), marked not proven when ``domain`` is a public suffix, or when the pattern
    reaches a public suffix the list has below ``domain`` (``s3.amazonaws.com`` below
    ``amazonaws.com``), SPEC 3: anyone can register a name there."""
    if suffixes.is_owned_domain(domain):
        return _below(entry, scheme, domain.rstrip("."), label)
    stranger = f"{scheme}://stranger.{domain.rstrip('.')}"
    return replace(
        entry,
        proven=False,
        grants=stranger if is_well_formed(stranger) else "",
        reason=f"{domain!r} is a public suffix (Public Suffix List): anyone can register a "
        "name under it",
        fix=f"list your own sites under it, e.g. '{scheme}://your-app.{domain.rstrip('.')}'",
    )


def _parse_in_label(
    option: str, text: str, m: re.Match[str], problems: Problems, index: Optional[int]
) -> Optional[OriginEntry]:
    """``scheme://prefix*suffix.domain[:port]``: one DNS label with a fixed prefix and suffix
    around ``*`` (one or more characters, never a dot), under ``domain``."""
    scheme, prefix, after, domain, port = (
        m.group(1).lower(),
        m.group(2).lower(),
        m.group(3).lower(),
        m.group(4),
        m.group(5) or "",
    )
    if not _scheme_ok(option, text, scheme, problems, index):
        return None
    checked = _check_host(option, text, scheme, domain, problems, index)
    if checked is None or not _check_port(option, text, scheme, checked, port, problems, index):
        return None
    suffix = f":{port}" if port else ""
    if checked.startswith("[") or _ipv4_serialized(checked) is not None:
        problems.add(
            option,
            text,
            "puts a '*' label before an IP address, which has no subdomains",
            f"write {f'{scheme}://{checked}{suffix}'!r}",
            index,
        )
        return None
    if len(prefix) + len(after) > 62 or len(checked.rstrip(".")) + 3 > MAX_HOST_LENGTH:
        problems.add(
            option,
            text,
            "leaves no room for the '*' in a label of at most 63 characters",
            "shorten the fixed part of the label",
            index,
        )
        return None
    if "." not in checked.rstrip(".") and checked != "localhost":
        problems.add(
            option,
            text,
            "would match sites anyone can register under a top-level domain",
            f"name the registrable domain, e.g. '{scheme}://{prefix}*{after}.example.{checked}'",
            index,
        )
        return None
    entry = OriginEntry(Kind.IN_LABEL, f"{scheme}://{prefix}*{after}.{checked}{suffix}")
    label = re.compile(re.escape(prefix) + "[^.]+" + re.escape(after), _FLAGS)
    return _owned(entry, scheme, checked, label)


def _below(
    entry: OriginEntry, scheme: str, domain: str, label: Optional[re.Pattern[str]]
) -> OriginEntry:
    """``entry``, marked not proven when a name it matches is at or under a public suffix
    below ``domain`` (SPEC 3)."""
    for base, wildcard in suffixes.rules_below(domain):
        if label is None:
            host = f"stranger.{'x.' if wildcard else ''}{base}"
        elif wildcard and base == domain:
            host = f"{label.pattern.replace('[^.]+', 'x').replace(chr(92), '')}.{domain}"
        elif not wildcard and base.count(".") == domain.count(".") + 1:
            host = base
            if not label.fullmatch(base.partition(".")[0]):
                continue
        else:
            continue
        suffix = suffixes.public_suffix(host) or base
        stranger = f"{scheme}://{host}"
        return replace(
            entry,
            proven=False,
            grants=stranger if is_well_formed(stranger) else "",
            reason=f"{suffix!r} below {domain!r} is a public suffix (Public Suffix List): "
            "anyone can register a name under it",
            fix=f"list your own sites, e.g. '{scheme}://your-app.{suffix}'",
        )
    return entry


def _wildcard_fix(text: str) -> str:
    """The wildcard pattern a string with a misplaced ``*`` most probably means."""
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "https", text
    scheme = scheme.lower()
    if scheme == "*" or not re.fullmatch(_SCHEME, scheme, _FLAGS):
        hosts = rest.rstrip("/")
        return f"list each scheme: ['https://{hosts}', 'http://{hosts}']"
    authority = rest.partition("/")[0].lower()
    host, colon, port = authority.rpartition(":") if ":" in authority else (authority, "", "")
    if colon and "*" in port:
        port = "*"
    elif colon and not port.isdigit():
        host, port = authority, ""
    suffix = f":{port}" if port else ""
    if "*" not in host and host:
        return f"write {f'{scheme}://{host}{suffix}'!r} (any port of {host})"
    host = host.rpartition("*")[2].strip(".")
    if not host:
        return "write '*' to allow every origin, or name a domain: 'https://*.example.com'"
    return f"write {f'{scheme}://*.{host}{suffix}'!r} (subdomains of {host}, never {host} itself)"


# --- regular expressions and their proof -----------------------------------------------------


def _parse_regex(
    option: str, text: str, flags: int, problems: Problems, index: Optional[int]
) -> Optional[OriginEntry]:
    fix = "fix the pattern, or escape it with re.escape() if it is a plain origin"
    if text.startswith("*."):
        fix = f"for subdomains write 'https://{text}' (the scheme is required)"
    compiled = user_regex(
        option,
        text,
        text,
        (flags & ~re.UNICODE) | _FLAGS,
        problems,
        fix,
        index,
    )
    if compiled is None:
        return None
    if not flags & re.VERBOSE and _requires_path(text):
        problems.add(
            option,
            text,
            "requires a path or a trailing slash, which a browser's Origin header never has",
            "end the pattern at the host or port, e.g. r'https://app\\.example\\.com'",
            index,
        )
        return None
    verdict = prove(compiled, _is_host, is_well_formed)
    return OriginEntry(
        Kind.REGEX,
        text,
        compiled,
        matches_any=verdict.matches_any,
        grants=verdict.stranger,
        fix="" if verdict.proven else _safe_rewrite(verdict, text, compiled.flags),
        proven=verdict.proven,
        reason=verdict.reason,
    )


def _is_host(host: str) -> bool:
    """``host`` is one a browser can send (lower case): a DNS name or an IP literal."""
    return split_origin(f"http://{host}") is not None


# An unescaped ``.`` that is not repeated, outside a character class.
_BARE_DOT = re.compile(r"(?<!\\)\.(?![*+?{])")


def _safe_rewrite(verdict: Verdict, text: str, flags: int) -> str:
    """A rewrite the proof accepts: the regex with its dots escaped when that is proven, else
    one built from the hosts and domains the regex writes out."""
    if "[" not in text and _BARE_DOT.search(text):
        escaped = _BARE_DOT.sub(r"\\.", text)
        compiled = compile_user_regex(escaped, flags)
        if isinstance(compiled, re.Pattern) and prove(compiled, _is_host, is_well_formed).proven:
            return f"escape the dots, which match any character: r'{escaped}'"
    parts = split_origin(verdict.stranger) if verdict.stranger else None
    scheme = parts[0] if parts else "https"
    if parts and (parts[1].startswith("[") or _ipv4_serialized(parts[1]) is not None):
        listed = [h for h in verdict.exact_hosts if h != "localhost"]
        example = f"{scheme}://{listed[0] if listed else '127.0.0.1'}" + (
            f":{parts[2]}" if parts[2] else ""
        )
        return (
            "addresses cannot be proven safe as a class (anyone can serve a page from an "
            f"address of their own): list each one, e.g. '{example}', and "
            f"'{scheme}://localhost:*' for any local port"
        )
    if verdict.shared:
        return (
            f"list your own sites under the public suffix {verdict.shared!r}, e.g. "
            f"'{scheme}://your-app.{verdict.shared}', or a domain of yours with no public "
            "suffix below it"
        )
    if verdict.split:
        return (
            "write each host and domain out in one piece, with no optional part, empty "
            "alternative, repetition count or second alternation inside it, e.g. "
            f"r'{scheme}://(www\\.)?example\\.com' "
            f"or r'{scheme}://(www|app)\\.example\\.com'"
        )
    if verdict.public_suffixes:
        suffix = verdict.public_suffixes[0].strip(".")
        return (
            f"{suffix!r} is a public suffix (Public Suffix List), where anyone can register a "
            f"name: list your own sites under it, e.g. '{scheme}://your-app.{suffix}'"
        )
    owned = [d for d in verdict.domains if "." in d.strip(".")]
    if owned:
        domain = max(owned, key=lambda d: (d.count("."), len(d))).strip(".")
        escaped = re.escape(domain).replace("\\\\", "\\")
        return (
            f"anchor the subdomains at a domain you own: r'{scheme}://([a-z0-9-]+\\.)*"
            f"{escaped}', or the pattern '{scheme}://*.{domain}' (and '{scheme}://{domain}')"
        )
    if verdict.exact_hosts:
        return f"list the origins, e.g. '{scheme}://{verdict.exact_hosts[0]}:*' for any port"
    return (
        "list the origins, e.g. 'https://app.example.com', or a pattern under a domain you "
        "own, e.g. 'https://*.example.com'"
    )


def _requires_path(text: str) -> bool:
    """A ``/`` after the ``//`` of the scheme, outside groups and classes, not optional."""
    source = text.replace("\\/", "/")
    start = source.find("//")
    if start < 0:
        return False
    depth = 0
    i = start + 2
    while i < len(source):
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            close = source.find("]", i + 2)
            i = close + 1 if close > 0 else len(source)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return False
        elif c == "/" and depth == 0 and source[i + 1 : i + 2] not in ("?", "*"):
            return True
        i += 1
    return False


# --- matching -------------------------------------------------------------------------------


class OriginMatcher:
    """All configured origin entries compiled into look-up structures.

    ``match`` does set look-ups for exact, any-port, subdomain and in-label entries (an
    in-label entry: one look-up of the host after its first label, then a prefix and suffix
    test of that label); regular expressions go through
    :func:`~flask_crossorigin.patterns.any_fullmatch` (the linear-time engine, exactly the
    answers of each alone), and their verdicts are memoised (all matchers' memos together
    hold at most ``REGEX_VERDICTS_LIMIT``). The object is immutable after construction apart
    from that memo.
    """

    def __init__(self, entries: tuple[OriginEntry, ...]) -> None:
        self.entries = entries
        #: The entries the credentials check and the origin proof speak of (any origin,
        #: ``null``, entries not proven safe), so that a policy over 10,000 exact origins
        #: checks nothing per resource.
        self.notable = tuple(
            e
            for e in entries
            if e.kind is Kind.ANY or e.kind is Kind.NULL or e.matches_any or not e.proven
        )
        self.allow_any = any(e.kind is Kind.ANY for e in entries)
        self.matches_any = any(e.matches_any for e in entries)
        self.allow_null = any(e.kind is Kind.NULL for e in entries)
        self.exact = frozenset(e.text for e in entries if e.kind is Kind.EXACT)
        any_port: set[tuple[str, str]] = set()
        subdomains: set[tuple[str, str, str]] = set()
        in_label: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
        for e in entries:
            scheme, _, rest = e.text.partition("://")
            if e.kind is Kind.IN_LABEL:
                label, _, domain = rest.partition(".")
                port = ""
                if ":" in domain:
                    domain, _, port = domain.rpartition(":")
                prefix, _, suffix = label.partition("*")
                in_label.setdefault((scheme, "." + domain, port), []).append((prefix, suffix))
            elif e.kind is Kind.ANY_PORT:
                any_port.add((scheme, rest[: -len(":*")]))
            elif e.kind is Kind.SUBDOMAIN:
                domain = rest[len("*") :]
                port = ""
                if ":" in domain:
                    domain, _, port = domain.rpartition(":")
                subdomains.add((scheme, domain, port))
        self.any_port = frozenset(any_port)
        self.subdomains = frozenset(subdomains)
        self.in_label = {key: tuple(value) for key, value in in_label.items()}
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
            and not in_label
            and not regexes
            and not self.predicates
        )
        #: The one origin this matcher allows, if it allows exactly one.
        self.single = next(iter(self.exact)) if self.only_exact and len(self.exact) == 1 else None

    def match(self, origin: str) -> Match:
        """Check a request's ``Origin`` header value (SPEC 3): only well-formed ones match."""
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
            subdomains = self.subdomains
            dot = host.find(".")
            while dot > 0:
                suffix = host[dot:]
                if (scheme, suffix, port) in subdomains or (scheme, suffix, "*") in subdomains:
                    return Match.ALLOWED
                dot = host.find(".", dot + 1)
        if self.in_label and self._in_label_allows(scheme, host, port):
            return Match.ALLOWED
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

    def _in_label_allows(self, scheme: str, host: str, port: str) -> bool:
        """The first label of ``host`` has the prefix and suffix of an in-label entry for the
        rest of the host, with at least one character between them."""
        dot = host.find(".")
        if dot <= 0:
            return False
        label, rest = host[:dot], host[dot:]
        for key in ((scheme, rest, port), (scheme, rest, "*")):
            for prefix, suffix in self.in_label.get(key, ()):
                if (
                    len(label) > len(prefix) + len(suffix)
                    and label.startswith(prefix)
                    and label.endswith(suffix)
                ):
                    return True
        return False

    def _regex_allows(self, origin: str) -> bool:
        verdict = self._memo.get(origin)
        if verdict is None:
            assert self._combined is not None
            verdict = self._combined(origin)
            _verdicts_bound.keep(self._memo, origin, verdict)
        return verdict
