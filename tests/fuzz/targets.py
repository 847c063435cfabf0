"""Fuzz targets: the origin parser, the ``Access-Control-Request-Headers`` parser, and the
configuration parser with requests through the configured app.

Each target takes an ``atheris.FuzzedDataProvider`` (``fdp``) and raises ``AssertionError``
(or lets another exception escape) when an invariant breaks; :mod:`tests.fuzz.run` drives them
under coverage guidance. The invariants (SPEC 1, 3, 4, 6):

- ``origin``: :func:`split_origin` never raises; what it accepts is ASCII, and is exactly
  ``scheme://host[:port]`` in lower case; :func:`is_well_formed` agrees with it.
- ``origin_entry``: a configured ``origins`` entry parses or is a problem, never a raw
  exception.
- ``request_headers``: :func:`parse_request_headers` never raises and equals a one-by-one
  oracle (split on commas, trim, tokens only, first spelling of each name, bounds).
- ``config``: ``CORS(app, **options)`` built from fuzz data raises nothing but
  :class:`CORSConfigError`; the configured app never answers 500; a response grants only an
  origin the configuration names (an exact entry, a pattern, a regex), or ``*``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Callable, Optional

from flask import Flask

from flask_crossorigin import CORS, CORSConfigError
from flask_crossorigin.errors import Problems
from flask_crossorigin.options import OPTIONS
from flask_crossorigin.origins import is_well_formed, parse_entries, split_origin
from flask_crossorigin.tokens import (
    MAX_REQUEST_HEADERS_COUNT,
    MAX_REQUEST_HEADERS_LENGTH,
    is_token,
    parse_request_headers,
)

Target = Callable[[Any], None]

# --- origins ------------------------------------------------------------------------------

ORIGIN_PIECES = [
    "https://", "http://", "HTTPS://", "ftp://", "a", "example", ".com", ".", "-", ":", ":0",
    ":443", ":65535", ":65536", "[", "]", "::1", "::ffff:1.2.3.4", "1.2.3.4", "0x7f.1", "xn--",
    "/", "@", "%2e", " ", "\t", "\x00", "é", "null", "*", "..", "localhost", "0",
]  # fmt: skip


def _origin_text(fdp: Any) -> str:
    if fdp.ConsumeBool():
        return str(fdp.ConsumeUnicodeNoSurrogates(80))
    return "".join(fdp.PickValueInList(ORIGIN_PIECES) for _ in range(fdp.ConsumeIntInRange(0, 9)))


def fuzz_origin(fdp: Any) -> None:
    text = _origin_text(fdp)
    parts = split_origin(text)
    assert is_well_formed(text) == (text == "null" or parts is not None), text
    if parts is None:
        return
    scheme, host, port = parts
    assert text.isascii(), text
    assert text.lower() == f"{scheme}://{host}" + (f":{port}" if port else ""), (text, parts)
    assert not port or (port.isdigit() and 0 < int(port) <= 65535), (text, parts)
    assert split_origin(text.lower()) == parts, text


def fuzz_origin_entry(fdp: Any) -> None:
    """A configured ``origins`` entry: parsed or a problem (never a raw exception); an exact
    entry that parses is an origin a browser can send."""
    text = _origin_text(fdp)
    problems = Problems()
    entries = parse_entries("origins", text, problems)
    try:
        problems.raise_if_any()
    except CORSConfigError as error:
        assert str(error), text
        return
    for entry in entries:
        if entry.kind.name == "EXACT":
            assert is_well_formed(entry.text) or split_origin(entry.text.lower()), (text, entry)


# --- Access-Control-Request-Headers --------------------------------------------------------

HEADER_PIECES = ["x-token", "X-Token", "content-type", ",", ", ", " ", "\t", ";", "é", "a b", "*"]


def _request_headers_oracle(value: str) -> Optional[tuple[str, ...]]:
    if len(value) > MAX_REQUEST_HEADERS_LENGTH:
        return None
    names = [element.strip(" \t") for element in value.split(",")]
    names = [name for name in names if name]
    if len(names) > MAX_REQUEST_HEADERS_COUNT or not all(is_token(name) for name in names):
        return None
    first: dict[str, str] = {}
    for name in names:
        first.setdefault(name.lower(), name)
    return tuple(first.values())


def fuzz_request_headers(fdp: Any) -> None:
    if fdp.ConsumeBool():
        value = str(fdp.ConsumeUnicodeNoSurrogates(200))
    else:
        count = fdp.ConsumeIntInRange(0, 80)
        value = "".join(fdp.PickValueInList(HEADER_PIECES) for _ in range(count))
        if fdp.ConsumeIntInRange(0, 20) == 0:
            value *= 200
    assert parse_request_headers(value) == _request_headers_oracle(value), value


# --- configuration -------------------------------------------------------------------------

NAMES = [option.name for option in OPTIONS] + ["origin", "bogus", "CORS_ORIGINS"]
ALLOWED_ORIGINS = [
    "https://a.example",
    "http://localhost:3000",
    "https://*.example.com",
    r"https://[a-z]+\.example\.org",
    "null",
]
STRANGERS = [
    "https://evil.test",
    "https://a.example.evil.net",
    "https://evila.example",
    "http://a.example",
    "https://a.example:444",
    "https://example.com.evil.net",
    "https://evilexample.com",
    "https://x.example.com",
    "https://x.y.example.com",
    "https://ab.example.org",
    "https://ab.example.org.evil.net",
    "HTTPS://A.EXAMPLE",
    "null",
    "https://a.example/",
    "https://a.example, https://evil.test",
]
STRINGS = [
    *ALLOWED_ORIGINS, "*", "", " ", "GET", "put", "CONNECT", "X-Token", "Content-Type",
    "x-.*", r"/api/.*", "/api/*", "/*", "api", "600", "-1", "true", "no", "1e3",
    "https://a.example, https://b.example", '["https://a.example"]', "[[:alpha:]]", "(",
    "https://*.*.example.com", "https://dashboard-*-x.example.com", "0" * 5000,
]  # fmt: skip
PATHS = ["/api/x", "/api/x/", "/other", "/api/x/../other", "/api/%2e%2e/other", "/nope", "/"]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "get", "X-Y"]
HEADER_LISTS = ["", "x-token", "content-type", "X-Token, Content-Type", "a b", "x-" * 3000]


def _value(fdp: Any, depth: int = 0) -> Any:
    kind = fdp.ConsumeIntInRange(0, 12 if depth < 2 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return fdp.ConsumeBool()
    if kind == 2:
        return fdp.ConsumeIntInRange(-(2**40), 2**40)
    if kind == 3:
        return fdp.PickValueInList([0.5, -1.0, float("nan"), float("inf"), 1e300, 600.0])
    if kind == 4:
        return fdp.PickValueInList(STRINGS)
    if kind == 5:
        return str(fdp.ConsumeUnicodeNoSurrogates(30))
    if kind == 6:
        return fdp.PickValueInList([10**400, -(10**30), True, timedelta(seconds=30), b"GET"])
    if kind in (7, 8):
        return [_value(fdp, depth + 1) for _ in range(fdp.ConsumeIntInRange(0, 4))]
    if kind == 9:
        return tuple(fdp.PickValueInList(STRINGS) for _ in range(fdp.ConsumeIntInRange(0, 3)))
    if kind == 10:
        return re.compile(fdp.PickValueInList([r"https://.*\.example\.com", r"x-\w+", r"/api/.*"]))
    if kind == 11:
        return {_key(fdp): _value(fdp, depth + 1) for _ in range(fdp.ConsumeIntInRange(0, 3))}
    return {fdp.PickValueInList([*PATHS[:5], "/api/*", r"/api/.*"]): _options(fdp, depth + 1)}


def _key(fdp: Any) -> Any:
    return fdp.PickValueInList([*NAMES, *PATHS[:3], 1, None])


def _options(fdp: Any, depth: int = 0) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for _ in range(fdp.ConsumeIntInRange(0, 5)):
        name = fdp.PickValueInList(NAMES)
        if name == "origins" and fdp.ConsumeBool():
            count = fdp.ConsumeIntInRange(0, 3)
            options[name] = [fdp.PickValueInList(ALLOWED_ORIGINS) for _ in range(count)]
        else:
            options[name] = _value(fdp, depth)
    return options


def _origin_values(options: Any) -> Optional[list[str]]:
    """Every origin entry written anywhere in ``options`` as text; ``None`` when any origin
    may be granted (``*``, or a layer without ``origins``, whose default is ``*``)."""
    found: list[str] = []

    def walk(value: Any, top: bool) -> bool:
        if isinstance(value, dict):
            if top and "origins" not in value:
                return False
            for key, item in value.items():
                if key == "origins":
                    entries = item if isinstance(item, (list, tuple, set)) else [item]
                    for entry in entries:
                        if isinstance(entry, re.Pattern):
                            entry = entry.pattern
                        if isinstance(entry, bytes):
                            entry = entry.decode("latin-1")
                        if not isinstance(entry, str) or entry.strip() == "*":
                            return False
                        found.append(entry)
                elif not walk(item, False):
                    return False
        elif isinstance(value, (list, tuple)):
            return all(walk(item, False) for item in value)
        return True

    return found if walk(options, True) else None


def _named(origin: str, entries: list[str]) -> bool:
    """A generous oracle: exact (any case), ``*`` as any text, or the text as a regex."""
    for entry in entries:
        if entry.lower() == origin.lower():
            return True
        wildcard = ".*".join(re.escape(part) for part in entry.split("*"))
        if re.fullmatch(wildcard, origin, re.IGNORECASE):
            return True
        try:
            if re.search(entry, origin, re.IGNORECASE):
                return True
        except (re.error, RecursionError, OverflowError):
            pass
        if "," in entry and any(_named(origin, [part.strip()]) for part in entry.split(",")):
            return True
    return False


def _app() -> Flask:
    app = Flask("fuzzed")

    @app.route("/api/x", methods=["GET", "PUT", "POST", "DELETE"])
    def api_x() -> str:
        return "x"

    @app.route("/other")
    def other() -> str:
        return "other"

    return app


def fuzz_config(fdp: Any) -> None:
    options = _options(fdp)
    app = _app()
    try:
        CORS(app, **options)
    except CORSConfigError:
        return
    entries = _origin_values(options)
    client = app.test_client()
    for _ in range(fdp.ConsumeIntInRange(1, 4)):
        pool = STRANGERS if fdp.ConsumeBool() else ALLOWED_ORIGINS
        origin = fdp.PickValueInList(pool)
        if fdp.ConsumeIntInRange(0, 7) == 0:
            origin = str(fdp.ConsumeUnicodeNoSurrogates(40)).encode("latin-1", "replace")
            origin = origin.decode("latin-1").replace("\r", "").replace("\n", "")
        method = fdp.PickValueInList(METHODS)
        headers = {"Origin": origin}
        if method == "OPTIONS" and fdp.ConsumeBool():
            headers["Access-Control-Request-Method"] = fdp.PickValueInList(METHODS)
            headers["Access-Control-Request-Headers"] = fdp.PickValueInList(HEADER_LISTS)
        path = fdp.PickValueInList(PATHS)
        response = client.open(path, method=method, headers=headers)
        assert response.status_code != 500, (options, path, method, headers)
        granted = response.headers.getlist("Access-Control-Allow-Origin")
        response.close()
        assert len(granted) <= 1, (options, granted)
        if not granted or granted[0] == "*":
            continue
        assert granted[0] == origin, (options, origin, granted)
        if entries is not None:
            assert _named(origin, entries), (options, origin, entries)


TARGETS: dict[str, Target] = {
    "origin": fuzz_origin,
    "origin_entry": fuzz_origin_entry,
    "request_headers": fuzz_request_headers,
    "config": fuzz_config,
}
