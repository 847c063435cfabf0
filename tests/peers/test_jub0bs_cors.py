"""jub0bs/cors's tables, transcribed as data: the middleware table (``middleware_test.go``,
``TestMiddleware``), the configuration tables (``config_test.go``), the origin-pattern and
Origin-parsing tables (``internal/origins``) and the Access-Control-Request-Headers table
(``internal/headers/acrh_test.go``). Each is mapped onto flask-crossorigin's options and run
through Flask's test client or our parsers. Where jub0bs/cors contradicts SPEC, the row asserts
SPEC and names the deviation.

Mapping of jub0bs/cors's ``Config``: ``Origins`` -> ``origins`` (``*`` -> ``origins="*"`` with
``send_wildcard``, since jub0bs/cors answers ``*`` literally), ``Credentialed`` ->
``supports_credentials``, ``Methods`` -> ``methods`` (absent: the CORS-safelisted GET, HEAD,
POST), ``RequestHeaders`` -> ``allow_headers`` (absent: none), ``MaxAgeInSeconds`` ->
``max_age`` (0: unset, -1: 0), ``ResponseHeaders`` -> ``expose_headers``; no configuration
(pass-through) -> a route that no resource covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import pytest

from flask_crossorigin import CORSConfigError

from .common import ACAH, Verdict, make_app, preflight_passes, send


@dataclass(frozen=True)
class Config:
    """A jub0bs/cors ``Config``, field by field."""

    origins: tuple[str, ...] = ()
    credentialed: bool = False
    methods: tuple[str, ...] = ()
    request_headers: tuple[str, ...] = ()
    max_age: int = 0
    response_headers: tuple[str, ...] = ()

    def options(self) -> dict[str, Any]:
        """The same policy in flask-crossorigin's options."""
        wildcard = "*" in self.origins
        options: dict[str, Any] = {
            "origins": "*" if wildcard else list(self.origins),
            "send_wildcard": wildcard,
            "supports_credentials": self.credentialed,
            "methods": list(self.methods) or ["GET", "HEAD", "POST"],
            "allow_headers": ["*"] if "*" in self.request_headers else list(self.request_headers),
            "max_age": {0: None, -1: 0}.get(self.max_age, self.max_age),
        }
        if self.response_headers:
            options["expose_headers"] = list(self.response_headers)
        return options


# --- middleware_test.go: TestMiddleware --------------------------------------------------------

MIDDLEWARE_CONFIGS: dict[str, Optional[Config]] = {
    "passthrough": None,
    "credentialed": Config(
        origins=("http://localhost:9090",),
        credentialed=True,
        methods=("GET", "POST", "PURGE", "HELP"),
        request_headers=("Authorization",),
        max_age=30,
        response_headers=("X-Foo", "X-Bar"),
    ),
    "credentialed all req headers": Config(
        origins=("http://localhost:9090",),
        credentialed=True,
        request_headers=("*",),
        max_age=30,
        response_headers=("X-Foo", "X-Bar"),
    ),
    "credentialed no req headers": Config(
        origins=("http://localhost:9090",),
        credentialed=True,
        max_age=30,
        response_headers=("X-Foo", "X-Bar"),
    ),
    "debug credentialed no req headers": Config(
        origins=("http://localhost:9090",),
        credentialed=True,
        max_age=30,
        response_headers=("X-Foo", "X-Bar"),
    ),
    "debug credentialed some req headers": Config(
        origins=("http://localhost:9090",),
        credentialed=True,
        request_headers=("Authorization",),
        max_age=30,
        response_headers=("X-Foo", "X-Bar"),
    ),
    "all req headers other than Authorization": Config(
        origins=("*",), methods=("*",), request_headers=("*",), max_age=30, response_headers=("*",)
    ),
    "debug allow all": Config(
        origins=("*",),
        methods=("*",),
        request_headers=("Authorization", "*"),
        max_age=30,
        response_headers=("*",),
    ),
    "credentialed allow some": Config(
        origins=("https://example.com:8080", "https://*.example.com"),
        credentialed=True,
        methods=("GET", "POST", "PUT", "DELETE"),
        request_headers=("Foo", "Bar", "Baz", "Qux", "Quux"),
        max_age=30,
        response_headers=("X-Foo", "X-Bar"),
    ),
    "outer Vary middleware": Config(origins=("http://localhost:9090",)),
    "regression tests for GHSA-vhxv-fg4m-p2w8": Config(
        origins=("https://foo.com", "https://bar.com")
    ),
    "insecure origin with non-HTTP scheme": Config(
        origins=("connector://example.com",), credentialed=True
    ),
    "arbitrary subdomains and arbitrary ports": Config(origins=("http://*.example.com:*",)),
    "many origins": Config(
        origins=(
            "https://bat",
            "https://cat",
            "https://fat",
            "https://hat",
            "https://meerkat",
            "https://mat",
            "https://oat",
            "https://pat",
            "https://rat",
            "https://sat",
        )
    ),
}


@dataclass(frozen=True)
class Row:
    """One request of the middleware table and what jub0bs/cors expects.

    ``outcome``: ``actual`` (not a preflight), ``granted`` (the preflight passes), ``refused``
    (refused at the origin), ``origin-only`` (jub0bs/cors sends the origin's grant and leaves the
    method or header check to fail in the browser). ``acao``/``credentials``: the expected
    Access-Control-Allow-Origin and -Credentials.
    """

    config: str
    request: str
    method: str
    origin: Optional[str]
    request_method: Optional[str]
    request_headers: Optional[tuple[str, ...]]
    outcome: str
    acao: Optional[str]
    credentials: bool


MIDDLEWARE_ROWS = [
    Row("passthrough", "non-CORS GET", "GET", None, None, None, "actual", None, False),
    Row("passthrough", "non-CORS OPTIONS", "OPTIONS", None, None, None, "actual", None, False),
    Row(
        "passthrough",
        "actual GET from allowed",
        "GET",
        "http://localhost:9090",
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "passthrough",
        "actual GET from disallowed",
        "GET",
        "https://example.com",
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "passthrough",
        "actual GET from invalid",
        "GET",
        "invalid_origin",
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "passthrough",
        "actual OPTIONS from allowed",
        "OPTIONS",
        "http://localhost:9090",
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "passthrough",
        "actual OPTIONS from disallowed",
        "OPTIONS",
        "https://example.com",
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "passthrough",
        "fake preflight with CORS-safelisted method from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "GET",
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "passthrough",
        "preflight with PURGE from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "PURGE",
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "passthrough",
        "preflight with PURGE and Content-Type from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "PURGE",
        ("content-type",),
        "actual",
        None,
        False,
    ),
    Row(
        "passthrough",
        "fake preflight with CORS-safelisted method from disallowed",
        "OPTIONS",
        "https://example.com",
        "GET",
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "passthrough",
        "fake preflight with CORS-safelisted method from invalid",
        "OPTIONS",
        "invalid_origin",
        "GET",
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "passthrough",
        "preflight with PUT from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "PUT",
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "passthrough",
        "preflight with PUT from disallowed",
        "OPTIONS",
        "https://example.com",
        "PUT",
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "passthrough",
        "preflight with GET and headers from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "GET",
        ("bar,baz,foo",),
        "actual",
        None,
        False,
    ),
    Row(
        "passthrough",
        "preflight with GET and headers from disallowed",
        "OPTIONS",
        "https://example.org",
        "GET",
        ("bar,baz,foo",),
        "actual",
        None,
        False,
    ),
    Row("credentialed", "non-CORS GET", "GET", None, None, None, "actual", None, False),
    Row("credentialed", "non-CORS OPTIONS", "OPTIONS", None, None, None, "actual", None, False),
    Row(
        "credentialed",
        "actual GET from allowed",
        "GET",
        "http://localhost:9090",
        None,
        None,
        "actual",
        "http://localhost:9090",
        True,
    ),
    Row(
        "credentialed",
        "actual GET from disallowed",
        "GET",
        "https://example.com",
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "credentialed",
        "actual GET from invalid",
        "GET",
        "invalid_origin",
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "credentialed",
        "actual OPTIONS from allowed",
        "OPTIONS",
        "http://localhost:9090",
        None,
        None,
        "actual",
        "http://localhost:9090",
        True,
    ),
    Row(
        "credentialed",
        "actual OPTIONS from disallowed",
        "OPTIONS",
        "https://example.com",
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "credentialed",
        "fake preflight with CORS-safelisted method from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "GET",
        None,
        "granted",
        "http://localhost:9090",
        True,
    ),
    Row(
        "credentialed",
        "preflight with PURGE from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "PURGE",
        None,
        "granted",
        "http://localhost:9090",
        True,
    ),
    Row(
        "credentialed",
        "preflight with PURGE and Content-Type from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "PURGE",
        ("content-type",),
        "refused",
        None,
        False,
    ),
    Row(
        "credentialed",
        "preflight with PURGE and Authorization from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "PURGE",
        ("authorization",),
        "granted",
        "http://localhost:9090",
        True,
    ),
    Row(
        "credentialed",
        "preflight with PURGE and Authorization with some empty elements from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "PURGE",
        (",,authorization,,",),
        "granted",
        "http://localhost:9090",
        True,
    ),
    Row(
        "credentialed",
        "preflight with PURGE and Authorization with too many empty elements from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "PURGE",
        ("authorization,,,,,,,,,,,,,,,,,",),
        "origin-only",
        None,
        False,
    ),
    Row(
        "credentialed",
        "preflight with PURGE and Authorization with some empty ACRH header lines from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "PURGE",
        ("", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "authorization"),
        "granted",
        "http://localhost:9090",
        True,
    ),
    Row(
        "credentialed",
        "preflight with PURGE and Authorization with too many empty ACRH header lines from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "PURGE",
        ("", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "authorization"),
        "origin-only",
        None,
        False,
    ),
    Row(
        "credentialed",
        "fake preflight with CORS-safelisted method from disallowed",
        "OPTIONS",
        "https://example.com",
        "GET",
        None,
        "refused",
        None,
        False,
    ),
    Row(
        "credentialed",
        "fake preflight with CORS-safelisted method from invalid",
        "OPTIONS",
        "invalid_origin",
        "GET",
        None,
        "refused",
        None,
        False,
    ),
    Row(
        "credentialed",
        "preflight with PUT from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "PUT",
        None,
        "origin-only",
        None,
        False,
    ),
    Row(
        "credentialed",
        "preflight with PUT from disallowed",
        "OPTIONS",
        "https://example.com",
        "PUT",
        None,
        "refused",
        None,
        False,
    ),
    Row(
        "credentialed",
        "preflight with GET and headers from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "GET",
        ("bar,baz,foo",),
        "origin-only",
        None,
        False,
    ),
    Row(
        "credentialed",
        "preflight with GET and headers from disallowed",
        "OPTIONS",
        "https://example.org",
        "GET",
        ("bar,baz,foo",),
        "refused",
        None,
        False,
    ),
    Row(
        "credentialed all req headers",
        "preflight with GET and headers from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "GET",
        ("bar,baz,foo",),
        "granted",
        "http://localhost:9090",
        True,
    ),
    Row(
        "credentialed all req headers",
        "preflight with GET and headers with some OWS from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "GET",
        ("bar , baz\t, foo\t",),
        "granted",
        "http://localhost:9090",
        True,
    ),
    Row(
        "credentialed all req headers",
        "preflight with GET and headers with too much OWS from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "GET",
        ("bar \t, baz\t, foo\t",),
        "granted",
        "http://localhost:9090",
        True,
    ),
    Row(
        "credentialed all req headers",
        "preflight with GET and headers with some empty elements from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "GET",
        ("bar,baz,foo,,,,,,,,,,,,,,,,",),
        "granted",
        "http://localhost:9090",
        True,
    ),
    Row(
        "credentialed all req headers",
        "preflight with GET and headers with too many empty elements from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "GET",
        ("bar,baz,foo,,,,,,,,,,,,,,,,,",),
        "granted",
        "http://localhost:9090",
        True,
    ),
    Row(
        "credentialed all req headers",
        "preflight with GET and headers with some empty ACHR header lines from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "GET",
        ("", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "bar,baz,foo"),
        "granted",
        "http://localhost:9090",
        True,
    ),
    Row(
        "credentialed all req headers",
        "preflight with GET and headers with too many empty ACHR header lines from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "GET",
        ("", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "bar,baz,foo"),
        "granted",
        "http://localhost:9090",
        True,
    ),
    Row(
        "credentialed no req headers",
        "preflight with GET and headers from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "GET",
        ("bar,baz,foo",),
        "origin-only",
        None,
        False,
    ),
    Row(
        "debug credentialed no req headers",
        "preflight with GET and headers from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "GET",
        ("bar,baz,foo",),
        "origin-only",
        "http://localhost:9090",
        True,
    ),
    Row(
        "debug credentialed no req headers",
        "preflight with disallowed method",
        "OPTIONS",
        "http://localhost:9090",
        "PUT",
        None,
        "origin-only",
        "http://localhost:9090",
        True,
    ),
    Row(
        "debug credentialed some req headers",
        "preflight with GET and headers from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "GET",
        ("bar,baz,foo",),
        "origin-only",
        "http://localhost:9090",
        True,
    ),
    Row(
        "all req headers other than Authorization",
        "preflight with PURGE and Content-Type",
        "OPTIONS",
        "http://localhost:9090",
        "PURGE",
        ("content-type",),
        "granted",
        "*",
        False,
    ),
    Row("debug allow all", "non-CORS GET request", "GET", None, None, None, "actual", "*", False),
    Row(
        "debug allow all",
        "non-CORS OPTIONS request",
        "OPTIONS",
        None,
        None,
        None,
        "actual",
        "*",
        False,
    ),
    Row(
        "debug allow all",
        "actual GET request",
        "GET",
        "http://localhost:9090",
        None,
        None,
        "actual",
        "*",
        False,
    ),
    Row(
        "debug allow all",
        "actual GET from invalid",
        "GET",
        "invalid_origin",
        None,
        None,
        "actual",
        "*",
        False,
    ),
    Row(
        "debug allow all",
        "actual OPTIONS request",
        "OPTIONS",
        "http://localhost:9090",
        None,
        None,
        "actual",
        "*",
        False,
    ),
    Row(
        "debug allow all",
        "fake preflight with CORS-safelisted method",
        "OPTIONS",
        "http://localhost:9090",
        "GET",
        None,
        "granted",
        "*",
        False,
    ),
    Row(
        "debug allow all",
        "preflight with PURGE",
        "OPTIONS",
        "http://localhost:9090",
        "PURGE",
        None,
        "granted",
        "*",
        False,
    ),
    Row(
        "debug allow all",
        "preflight with PURGE and Content-Type",
        "OPTIONS",
        "http://localhost:9090",
        "PURGE",
        ("content-type",),
        "granted",
        "*",
        False,
    ),
    Row(
        "debug allow all",
        "fake preflight with CORS-safelisted method from invalid",
        "OPTIONS",
        "invalid_origin",
        "GET",
        None,
        "granted",
        "*",
        False,
    ),
    Row(
        "debug allow all",
        "preflight with PUT",
        "OPTIONS",
        "http://localhost:9090",
        "PUT",
        None,
        "granted",
        "*",
        False,
    ),
    Row(
        "debug allow all",
        "preflight with GET and headers",
        "OPTIONS",
        "http://localhost:9090",
        "GET",
        ("bar,baz,foo",),
        "granted",
        "*",
        False,
    ),
    Row(
        "credentialed allow some",
        "non-CORS GET request",
        "GET",
        None,
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "credentialed allow some",
        "non-CORS OPTIONS request",
        "OPTIONS",
        None,
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "credentialed allow some",
        "actual GET from allowed",
        "GET",
        "https://example.com:8080",
        None,
        None,
        "actual",
        "https://example.com:8080",
        True,
    ),
    Row(
        "credentialed allow some",
        "actual GET from disallowed",
        "GET",
        "https://example.com:6060",
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "credentialed allow some",
        "actual GET from invalid",
        "GET",
        "invalid_origin",
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "credentialed allow some",
        "actual OPTIONS from allowed",
        "OPTIONS",
        "https://example.com:8080",
        None,
        None,
        "actual",
        "https://example.com:8080",
        True,
    ),
    Row(
        "credentialed allow some",
        "actual OPTIONS from disallowed",
        "OPTIONS",
        "https://foo.example.com:8080",
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "credentialed allow some",
        "preflight with GET and headers from allowed",
        "OPTIONS",
        "https://example.com:8080",
        "GET",
        ("bar,baz,foo",),
        "granted",
        "https://example.com:8080",
        True,
    ),
    Row("outer Vary middleware", "non-CORS GET", "GET", None, None, None, "actual", None, False),
    Row(
        "outer Vary middleware",
        "non-CORS OPTIONS",
        "OPTIONS",
        None,
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "outer Vary middleware",
        "actual GET from allowed",
        "GET",
        "http://localhost:9090",
        None,
        None,
        "actual",
        "http://localhost:9090",
        False,
    ),
    Row(
        "outer Vary middleware",
        "actual GET from disallowed",
        "GET",
        "https://example.com",
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "outer Vary middleware",
        "actual GET from invalid",
        "GET",
        "invalid_origin",
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "outer Vary middleware",
        "actual OPTIONS from allowed",
        "OPTIONS",
        "http://localhost:9090",
        None,
        None,
        "actual",
        "http://localhost:9090",
        False,
    ),
    Row(
        "outer Vary middleware",
        "actual OPTIONS from disallowed",
        "OPTIONS",
        "https://example.com",
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "outer Vary middleware",
        "fake preflight with CORS-safelisted method from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "GET",
        None,
        "refused",
        None,
        False,
    ),
    Row(
        "outer Vary middleware",
        "preflight with PURGE from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "PURGE",
        None,
        "origin-only",
        None,
        False,
    ),
    Row(
        "outer Vary middleware",
        "preflight with PURGE and Content-Type from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "PURGE",
        ("content-type",),
        "refused",
        None,
        False,
    ),
    Row(
        "outer Vary middleware",
        "fake preflight with CORS-safelisted method from disallowed",
        "OPTIONS",
        "https://example.com",
        "GET",
        None,
        "refused",
        None,
        False,
    ),
    Row(
        "outer Vary middleware",
        "fake preflight with CORS-safelisted method from invalid",
        "OPTIONS",
        "invalid_origin",
        "GET",
        None,
        "refused",
        None,
        False,
    ),
    Row(
        "outer Vary middleware",
        "preflight with PUT from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "PUT",
        None,
        "origin-only",
        None,
        False,
    ),
    Row(
        "outer Vary middleware",
        "preflight with PUT from disallowed",
        "OPTIONS",
        "https://example.com",
        "PUT",
        None,
        "refused",
        None,
        False,
    ),
    Row(
        "outer Vary middleware",
        "preflight with GET and headers from allowed",
        "OPTIONS",
        "http://localhost:9090",
        "GET",
        ("bar,baz,foo",),
        "origin-only",
        None,
        False,
    ),
    Row(
        "outer Vary middleware",
        "preflight with GET and headers from disallowed",
        "OPTIONS",
        "https://example.org",
        "GET",
        ("bar,baz,foo",),
        "refused",
        None,
        False,
    ),
    Row(
        "regression tests for GHSA-vhxv-fg4m-p2w8",
        "actual GET from disallowed",
        "GET",
        "https://barfoo.com",
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "regression tests for GHSA-vhxv-fg4m-p2w8",
        "actual GET from disallowed 2",
        "GET",
        "https://foobar.com",
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "regression tests for GHSA-vhxv-fg4m-p2w8",
        "actual OPTIONS from disallowed",
        "OPTIONS",
        "https://barfoo.com",
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "regression tests for GHSA-vhxv-fg4m-p2w8",
        "actual OPTIONS from disallowed 2",
        "OPTIONS",
        "https://foobar.com",
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "regression tests for GHSA-vhxv-fg4m-p2w8",
        "fake preflight with CORS-safelisted method from disallowed",
        "OPTIONS",
        "https://barfoo.com",
        "GET",
        None,
        "refused",
        None,
        False,
    ),
    Row(
        "regression tests for GHSA-vhxv-fg4m-p2w8",
        "fake preflight with CORS-safelisted method from disallowed 2",
        "OPTIONS",
        "https://foobar.com",
        "GET",
        None,
        "refused",
        None,
        False,
    ),
    Row(
        "regression tests for GHSA-vhxv-fg4m-p2w8",
        "preflight with PUT from disallowed",
        "OPTIONS",
        "https://barfoo.com",
        "PUT",
        None,
        "refused",
        None,
        False,
    ),
    Row(
        "regression tests for GHSA-vhxv-fg4m-p2w8",
        "preflight with PUT from disallowed 2",
        "OPTIONS",
        "https://foobar.com",
        "PUT",
        None,
        "refused",
        None,
        False,
    ),
    Row(
        "regression tests for GHSA-vhxv-fg4m-p2w8",
        "preflight with GET and headers from disallowed",
        "OPTIONS",
        "https://barfoo.com",
        "GET",
        ("bar,baz,foo",),
        "refused",
        None,
        False,
    ),
    Row(
        "regression tests for GHSA-vhxv-fg4m-p2w8",
        "preflight with GET and headers from disallowed 2",
        "OPTIONS",
        "https://foobar.com",
        "GET",
        ("bar,baz,foo",),
        "refused",
        None,
        False,
    ),
    Row(
        "insecure origin with non-HTTP scheme",
        "non-CORS GET request",
        "GET",
        None,
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "insecure origin with non-HTTP scheme",
        "non-CORS OPTIONS request",
        "OPTIONS",
        None,
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "insecure origin with non-HTTP scheme",
        "actual GET from allowed",
        "GET",
        "connector://example.com",
        None,
        None,
        "actual",
        "connector://example.com",
        True,
    ),
    Row(
        "insecure origin with non-HTTP scheme",
        "actual GET from disallowed",
        "GET",
        "connector://example.com:6060",
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "insecure origin with non-HTTP scheme",
        "actual GET from invalid",
        "GET",
        "invalid_origin",
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "insecure origin with non-HTTP scheme",
        "actual OPTIONS from allowed",
        "OPTIONS",
        "connector://example.com",
        None,
        None,
        "actual",
        "connector://example.com",
        True,
    ),
    Row(
        "insecure origin with non-HTTP scheme",
        "actual OPTIONS from disallowed",
        "OPTIONS",
        "connector://example.com:8080",
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "insecure origin with non-HTTP scheme",
        "preflight with GET and headers from allowed",
        "OPTIONS",
        "connector://example.com",
        "GET",
        ("bar,baz,foo",),
        "origin-only",
        None,
        False,
    ),
    Row(
        "arbitrary subdomains and arbitrary ports",
        "actual GET from subdomain",
        "GET",
        "http://foo.example.com",
        None,
        None,
        "actual",
        "http://foo.example.com",
        False,
    ),
    Row(
        "arbitrary subdomains and arbitrary ports",
        "actual GET from subdomain and port",
        "GET",
        "http://foo.example.com:6060",
        None,
        None,
        "actual",
        "http://foo.example.com:6060",
        False,
    ),
    Row(
        "arbitrary subdomains and arbitrary ports",
        "actual GET from deeper subdomain",
        "GET",
        "http://bar.foo.example.com",
        None,
        None,
        "actual",
        "http://bar.foo.example.com",
        False,
    ),
    Row(
        "arbitrary subdomains and arbitrary ports",
        "actual GET from deeper subdomain and port",
        "GET",
        "http://bar.foo.example.com:8080",
        None,
        None,
        "actual",
        "http://bar.foo.example.com:8080",
        False,
    ),
    Row(
        "arbitrary subdomains and arbitrary ports",
        "actual GET from disallowed",
        "GET",
        "http://example.com",
        None,
        None,
        "actual",
        None,
        False,
    ),
    Row(
        "arbitrary subdomains and arbitrary ports",
        "preflight with GET and headers from allowed",
        "OPTIONS",
        "http://foo.example.com",
        "GET",
        ("bar,baz,foo",),
        "origin-only",
        None,
        False,
    ),
    Row(
        "many origins",
        "actual GET from https://bat",
        "GET",
        "https://bat",
        None,
        None,
        "actual",
        "https://bat",
        False,
    ),
    Row(
        "many origins",
        "actual GET from https://cat",
        "GET",
        "https://cat",
        None,
        None,
        "actual",
        "https://cat",
        False,
    ),
    Row(
        "many origins",
        "actual GET from https://fat",
        "GET",
        "https://fat",
        None,
        None,
        "actual",
        "https://fat",
        False,
    ),
    Row(
        "many origins",
        "actual GET from https://hat",
        "GET",
        "https://hat",
        None,
        None,
        "actual",
        "https://hat",
        False,
    ),
    Row(
        "many origins",
        "actual GET from https://meerkat",
        "GET",
        "https://meerkat",
        None,
        None,
        "actual",
        "https://meerkat",
        False,
    ),
    Row(
        "many origins",
        "actual GET from https://mat",
        "GET",
        "https://mat",
        None,
        None,
        "actual",
        "https://mat",
        False,
    ),
    Row(
        "many origins",
        "actual GET from https://oat",
        "GET",
        "https://oat",
        None,
        None,
        "actual",
        "https://oat",
        False,
    ),
    Row(
        "many origins",
        "actual GET from https://pat",
        "GET",
        "https://pat",
        None,
        None,
        "actual",
        "https://pat",
        False,
    ),
    Row(
        "many origins",
        "actual GET from https://rat",
        "GET",
        "https://rat",
        None,
        None,
        "actual",
        "https://rat",
        False,
    ),
    Row(
        "many origins",
        "actual GET from https://sat",
        "GET",
        "https://sat",
        None,
        None,
        "actual",
        "https://sat",
        False,
    ),
    Row(
        "many origins",
        "actual GET from https://hazmat",
        "GET",
        "https://hazmat",
        None,
        None,
        "actual",
        None,
        False,
    ),
]

ALWAYS_SEND = (
    "SPEC 4 (always_send, on by default as in flask-cors): a request without Origin gets the "
    "one allowed origin; jub0bs/cors sends nothing"
)
EMPTY_ELEMENTS = (
    "SPEC 4: empty list elements are ignored within the length bound (RFC 9110 5.6.1); "
    "jub0bs/cors refuses more than 16"
)
NEEDLESS_PREFLIGHT = (
    "SPEC 4: a preflight from an allowed origin for an allowed method is granted; jub0bs/cors "
    "fails it when its policy needs no preflight at all"
)

#: Rows where jub0bs/cors contradicts SPEC, with SPEC's answer: (deviation, outcome, ACAO,
#: credentials).
MIDDLEWARE_DEVIATIONS: dict[tuple[str, str], tuple[str, str, Optional[str], bool]] = {
    ("credentialed", "non-CORS GET"): (ALWAYS_SEND, "actual", "http://localhost:9090", True),
    ("credentialed", "non-CORS OPTIONS"): (ALWAYS_SEND, "actual", "http://localhost:9090", True),
    (
        "credentialed",
        "preflight with PURGE and Authorization with too many empty elements from allowed",
    ): (EMPTY_ELEMENTS, "granted", "http://localhost:9090", True),
    (
        "credentialed",
        "preflight with PURGE and Authorization with too many empty ACRH header lines from allowed",
    ): (EMPTY_ELEMENTS, "granted", "http://localhost:9090", True),
    ("outer Vary middleware", "non-CORS GET"): (
        ALWAYS_SEND,
        "actual",
        "http://localhost:9090",
        False,
    ),
    ("outer Vary middleware", "non-CORS OPTIONS"): (
        ALWAYS_SEND,
        "actual",
        "http://localhost:9090",
        False,
    ),
    ("outer Vary middleware", "fake preflight with CORS-safelisted method from allowed"): (
        NEEDLESS_PREFLIGHT,
        "granted",
        "http://localhost:9090",
        False,
    ),
    ("insecure origin with non-HTTP scheme", "non-CORS GET request"): (
        ALWAYS_SEND,
        "actual",
        "connector://example.com",
        True,
    ),
    ("insecure origin with non-HTTP scheme", "non-CORS OPTIONS request"): (
        ALWAYS_SEND,
        "actual",
        "connector://example.com",
        True,
    ),
}

#: A preflight jub0bs/cors refuses after the origin check still carries its ACAO (and ACAC);
#: SPEC 4 sends no Access-Control-Allow-* on any refused preflight. The browser's verdict is
#: the same (refused), so these rows are not counted as deviations.
ORIGIN_ONLY = "SPEC 4: a refused preflight carries no Access-Control-Allow-*"


@pytest.mark.parametrize("row", MIDDLEWARE_ROWS, ids=lambda r: f"{r.config}: {r.request}")
def test_middleware_table(row: Row) -> None:
    """SPEC 3 and 4: jub0bs/cors's middleware table, by the browser's verdict."""
    config = MIDDLEWARE_CONFIGS[row.config]
    app = make_app(None if config is None else config.options())
    lines = row.request_headers or ()
    response = send(app, row.method, row.origin, row.request_method, lines)
    assert response.status_code < 500
    deviation, outcome, acao, credentials = MIDDLEWARE_DEVIATIONS.get(
        (row.config, row.request), ("", row.outcome, row.acao, row.credentials)
    )
    if outcome == "actual":
        assert Verdict.of(response) == Verdict(acao, credentials), deviation
        return
    assert row.origin is not None and row.request_method is not None
    passes = preflight_passes(response, row.origin, row.request_method, lines)
    assert passes is (outcome == "granted"), deviation
    if outcome == "granted":
        assert Verdict.of(response) == Verdict(acao, credentials), deviation
    else:
        assert Verdict.of(response) == Verdict(None, False), ORIGIN_ONLY


# --- internal/origins/pattern_test.go: TestParsePattern ----------------------------------------

#: A valid host of 251 characters (four labels of 60 characters and one of 7).
LABEL_60 = "a" + "".join(str(i % 10) for i in range(2, 61))
HOST_251 = ".".join([LABEL_60] * 4) + ".a234567"

#: (case, origins entry, what jub0bs/cors makes of it: a kind or "error").
PATTERN_ROWS: list[tuple[str, str, str]] = [
    ("wildcard character sequence followed by 252 chars", "https://*.a" + HOST_251, "error"),
    ("wildcard character sequence followed by 251 chars", "https://*." + HOST_251, "subdomains"),
    ("too long by 1", "a" * 64 + "://*.a" + HOST_251 + ":65535", "error"),
    ("maximum length and maximum port", "a" * 64 + "://*." + HOST_251 + ":65535", "subdomains"),
    ("null origin", "null", "error"),
    ("userinfo", "https://user:password@example.com:6060", "error"),
    ("path", "https://example.com:6060/foo", "error"),
    ("querystring delimiter with empty querystring", "https://example.com:6060?", "error"),
    ("querystring", "https://example.com:6060?foo=bar", "error"),
    ("fragment", "https://example.com:6060#nav", "error"),
    ("short input without scheme-host delimiter", "ab", "error"),
    ("short input with colon but without double slash", "ab:", "error"),
    ("whitespace", " http://example.com:6060 ", "error"),
    ("non-HTTP scheme", "connector://foo", "exact origin"),
    ('"a" scheme', "a://example.com", "exact origin"),
    ('"b" scheme', "b://example.com", "exact origin"),
    ('"y" scheme', "y://example.com", "exact origin"),
    ('"z" scheme', "z://example.com", "exact origin"),
    ("file scheme", "file:///foo", "error"),
    ("file scheme with domain", "file://example.com", "error"),
    ("invalid first char in scheme", "42-chrome-extension://foo", "error"),
    ("invalid later char in scheme", "chrome-extension*://foo", "error"),
    ("http with explicit port 80", "http://foo:80", "error"),
    ("https with explicit port 443", "https://foo:443", "error"),
    ("invalid host char", "https://^foo", "error"),
    ("single-digit host", "http://1:6060", "error"),
    ("host containing non-ASCII chars", "https://résumé.com", "error"),
    ("invalid host char after label sep", "https://foo.^bar", "error"),
    ("domain with colon but no port", "https://foo:", "error"),
    ("domain with negative port", "https://foo:-1", "error"),
    ("domain with 0 port", "https://foo:0", "error"),
    ("non-numeric port", "https://foo:abc", "error"),
    ("leading nonzero digit in port", "https://foo:06060", "error"),
    ("5-digit port followed by junk", "https://foo:12345foo", "error"),
    ("port longer than five digits", "https://foo:123456", "error"),
    ("overflow port", "https://foo:65536", "error"),
    ("valid port followed by junk", "https://foo:12390abc", "error"),
    ("invalid TLD", "http://foo.bar.255:6060", "error"),
    ("longer invalid TLD", "http://foo.bar.baz.012345678901234567890123456789:6060", "error"),
    ("invalid IP address", "http://[::1]1:6060", "error"),
    ("IP host with colon but no port", "http://127.0.0.1:", "error"),
    ("IP with negative port", "http://127.0.0.1:-1", "error"),
    ("IP with 0 port", "http://127.0.0.1:0", "error"),
    ("https scheme with IPv4 host", "https://127.0.0.1:90", "exact origin"),
    ("IPv4 host with trailing full stop", "https://127.0.0.1.:90", "error"),
    ("malformed ipv4 with one too many octets", "http://127.0.0.1.1", "error"),
    ("non-loopback IPv4", "http://69.254.169.254", "exact origin"),
    ("loopback IPv4", "http://127.0.0.1:90", "exact origin"),
    ("https scheme with IPv6 host", "https://[::1]:90", "exact origin"),
    ("junk in brackets", "http://[example]:90", "error"),
    ("too brackets around IPv6", "https://::1:90", "error"),
    ("missing closing bracket in IPv6", "http://[::1:90", "error"),
    ("missing opening bracket in IPv6", "https://::1]:90", "error"),
    ("IPv6 preceded by junk", "https://abc[::1]:90", "error"),
    ("IPv6 followed by junk", "https://[::1]abc:90", "error"),
    (
        "non-loopback IPv6 with hexadecimal chars",
        "http://[2001:db8:aaaa:1111::100]:9090",
        "exact origin",
    ),
    ("loopback IPv6 address with port", "http://[::1]:90", "exact origin"),
    ("loopback IPv4 in non-standard form", "http://127.1:3999", "error"),
    ("too many colons in IPv6", "http://[::::::::::::::::1]:90", "error"),
    ("uncompressed IPv6", "http://[2001:4860:4860:0000:0000:0000:0000:8888]:90", "error"),
    ("IPv6 with a zone", "http://[fe80::1ff:fe23:4567:890a%eth2]:90", "error"),
    ("IPv4-mapped IPv6", "http://[::ffff:7f7f:7f7f]:90", "error"),
    ("host contains uppercase letters", "http://exAmplE.coM:3999", "error"),
    ("host contains underscores and hyphens", "http://ex_am-ple.com:3999", "exact origin"),
    ("trailing full stop in host", "http://example.com.:3999", "exact origin"),
    ("multiple trailing full stops in host", "http://example.com..:3999", "error"),
    ("empty label", "http://example..com:3999", "error"),
    ("host contains invalid Punycode label", "http://xn--f", "error"),
    ("arbitrary subdomains", "http://*.example.com:3999", "subdomains"),
    ("arbitrary subdomains and arbitrary ports", "http://*.example.com:*", "subdomains"),
    ("leading double asterisk", "http://**.example.com:3999", "error"),
    ("out-of-place wildcard", "http://fooo.*.example.com:3999", "error"),
    ("wildcard not followed by a full stop", "http://*example.com:3999", "error"),
    ("wildcard character sequence with IPv6", "http://*.[::1]:3999", "error"),
    ("wildcard character sequence with IPv4", "http://*.127.0.0.1:3999", "error"),
]

REGEX_SYNTAX = "SPEC 3: a string with regex syntax ({}) is a regex, not an error"
#: Where jub0bs/cors contradicts SPEC: (deviation, what SPEC makes of the entry).
PATTERN_DEVIATIONS: dict[str, tuple[str, str]] = {
    "null origin": (
        "SPEC 3: 'null' is an entry (refused only with credentials)",
        "the null origin",
    ),
    "querystring delimiter with empty querystring": (
        REGEX_SYNTAX.format("?"),
        "regular expression",
    ),
    "querystring": (REGEX_SYNTAX.format("?"), "regular expression"),
    "invalid host char": (REGEX_SYNTAX.format("^"), "regular expression"),
    "invalid host char after label sep": (REGEX_SYNTAX.format("^"), "regular expression"),
    "IPv6 preceded by junk": (
        REGEX_SYNTAX.format("a '[' that does not open the host"),
        "regular expression",
    ),
    "out-of-place wildcard": (REGEX_SYNTAX.format(".*"), "regular expression"),
    "uncompressed IPv6": (
        "SPEC 3: a valid IPv6 literal is normalised to the form browsers send",
        "exact origin",
    ),
    "IPv4-mapped IPv6": ("SPEC 3: a valid IPv6 literal is an exact origin", "exact origin"),
    "host contains uppercase letters": (
        "SPEC 2: upper case is normalised, not refused",
        "exact origin",
    ),
}


@pytest.mark.parametrize(("case", "entry", "peer"), PATTERN_ROWS, ids=[r[0] for r in PATTERN_ROWS])
def test_origin_pattern_table(case: str, entry: str, peer: str) -> None:
    """SPEC 2 and 3: jub0bs/cors's origin patterns read by our grammar."""
    from flask_crossorigin.errors import Problems
    from flask_crossorigin.origins import parse_entries

    deviation, expected = PATTERN_DEVIATIONS.get(case, ("", peer))
    problems = Problems()
    entries = parse_entries("origins", entry, problems)
    got = "error" if problems.items else entries[0].kind.value
    assert got == expected, deviation


# --- internal/origins/origins_test.go: TestParse -----------------------------------------------

#: (case, Origin header value, whether jub0bs/cors parses it).
ORIGIN_ROWS: list[tuple[str, str, bool]] = [
    ("null origin", "null", False),
    ("domain without port", "https://example.com", True),
    ("invalid scheme", "1ab://example.com", True),
    ("short input without scheme-host delimiter", "ab", False),
    ("short input with colon but without double slash", "ab:", False),
    ("empty hostport", "https://", False),
    ("non-HTTP scheme", "connector://localhost", True),
    ("brackets containing non-IPv6 chars", "http://[example]:90", True),
    ("unmatched left bracket with port", "http://[::1:90", False),
    ("unmatched left bracket without port", "http://[a", False),
    ("empty brackets", "http://[]", True),
    ("IPv6 with extraneous colon", "http://[::1:]", True),
    ("zero IPv6", "http://[::]", True),
    ("valid compressed IPv6", "http://[::1]:90", True),
    ("valid compressed IPv6 followed by a trailing full stop", "http://[::1].:90", False),
    ("domain with colon but no port", "https://example.com:", False),
    ("IPV6 with colon but no port", "http://[::1]:", False),
    ("domain with 0 port", "https://example.com:0", False),
    ("domain with a leading full stop", "https://.example.com", True),
    ("domain with illegal char after host", "https://example.com^8080", True),
    ("domain followed by character other than colon", "https://example.com?", True),
    ("domain with colon but with non-numeric port", "https://example.com:abcd", False),
    (
        "domain with colon but with non-numeric port starting with digits",
        "https://example.com:123ab",
        False,
    ),
    ("domain port", "https://example.com:6060", True),
    ("IP host with colon but no port", "http://127.0.0.1:", False),
    ("IP host with 0 port", "http://127.0.0.1:0", False),
    ("ipv4 port", "http://127.0.0.1:6060", True),
    ("single-digit host", "http://1:6060", True),
    ("ipv4 with trailing full stop", "http://127.0.0.1.", True),
    ("malformed ipv4 with one too many octets", "http://127.0.0.1.1", True),
    ("ipv4 with overflowing octet", "http://256.0.0.1", True),
    ("ipv4 with trailing full stop and port", "http://127.0.0.1.:6060", True),
    ("invalid TLD", "http://foo.bar.255:6060", True),
    ("longer invalid TLD", "http://foo.bar.baz.012345678901234567890123456789:6060", True),
    (
        "valid domain with all-numeric label in the middle",
        "http://foo.bar.baz.012345678901234567890123456789.ab:6060",
        True,
    ),
    ("ipv6 with port", "http://[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:6060", True),
    (
        "deep_subdomain",
        "http://foo.bar.baz.qux.quux.corge.grault.garply.waldo.fred.foo.bar.baz.qux.quux.corge.grault.garply.waldo.fred.foo.bar.baz.qux.quux.corge.grault.garply.waldo.fred.foo.bar.baz.qux.quux.corge.grault.garply.waldo.fred.foo.bar.baz.qux.quux.corge.grault.garply.waldo.fred.foo.bar.baz.qux.quux.corge.grault.garply.waldo.fred.foo.bar.baz.qux.quux.corge.grault.garply.waldo.fred.foo.bar.baz.qux.quux.corge.grault.garply.waldo.fred.example.com:6060",
        False,
    ),
    ("too long by 1", "a" * 64 + "://" + "a" * 254 + ":65535", False),
    ("maximum length and maximum port", "a" * 64 + "://" + "a" * 253 + ":65535", True),
    ("port overflow by 1", "https://example.com:65536", False),
]

LENIENT = (
    "SPEC 3: only a serialized origin as browsers send it is well-formed; jub0bs/cors parses "
    "this and lets the pattern match refuse it"
)
#: Rows jub0bs/cors parses and SPEC calls malformed (never matched, never granted by a list).
ORIGIN_DEVIATIONS = {
    "invalid scheme",
    "brackets containing non-IPv6 chars",
    "empty brackets",
    "IPv6 with extraneous colon",
    "domain with a leading full stop",
    "domain with illegal char after host",
    "domain followed by character other than colon",
    "single-digit host",
    "ipv4 with trailing full stop",
    "malformed ipv4 with one too many octets",
    "ipv4 with overflowing octet",
    "ipv4 with trailing full stop and port",
    "invalid TLD",
    "longer invalid TLD",
    "ipv6 with port",
    "maximum length and maximum port",
}


@pytest.mark.parametrize(("case", "origin", "parses"), ORIGIN_ROWS, ids=[r[0] for r in ORIGIN_ROWS])
def test_origin_header_table(case: str, origin: str, parses: bool) -> None:
    """SPEC 3: which Origin values are well-formed, through a list policy and a matcher."""
    from flask_crossorigin.origins import split_origin

    expected = parses and case not in ORIGIN_DEVIATIONS
    assert (split_origin(origin) is not None) is expected, (
        LENIENT if case in ORIGIN_DEVIATIONS else ""
    )
    if not expected:
        app = make_app({"origins": [r"[a-z0-9]*://.*"]})
        assert Verdict.of(send(app, "GET", origin)).acao is None


# --- internal/headers/acrh_test.go: TestCheck -------------------------------------------------

EMPTY = (
    "SPEC 4: empty list elements are ignored within the length bound (RFC 9110 5.6.1); "
    "jub0bs/cors tolerates 16"
)
OWS = (
    "SPEC 4: whitespace around an element is ignored (RFC 9110 5.6.1); jub0bs/cors "
    "tolerates 2 bytes"
)
DUPES = "SPEC 4: a name asked twice is answered once; jub0bs/cors refuses duplicates"
ORDER = "SPEC 4: names may come in any order; jub0bs/cors wants the sorted list browsers send"

#: (case, allowed request headers, Access-Control-Request-Headers lines, whether jub0bs/cors
#: accepts the preflight, the deviation when SPEC accepts what it refuses).
REQUEST_HEADER_ROWS: list[tuple[str, tuple[str, ...], tuple[str, ...], bool, Optional[str]]] = [
    ("empty set", (), ("",), True, None),
    ("empty set", (), (",",), True, None),
    ("empty set", (), ("\t, , ",), True, None),
    ("empty set", (), ("",) * 16, True, None),
    ("empty set", (), ("x-bar",), False, None),
    ("empty set", (), ("x-bar,x-foo",), False, None),
    ("empty set", (), ("," * 17 + "",), False, EMPTY),
    ("empty set", (), ("",) * 17, False, EMPTY),
    ("singleton set", ("x-foo",), ("x-foo",), True, None),
    ("singleton set", ("x-foo",), (" x-foo ",), True, None),
    ("singleton set", ("x-foo",), ("  x-foo",), True, None),
    ("singleton set", ("x-foo",), ("x-foo  ",), True, None),
    ("singleton set", ("x-foo",), ("",), True, None),
    ("singleton set", ("x-foo",), (",",), True, None),
    ("singleton set", ("x-foo",), ("\t, , ",), True, None),
    ("singleton set", ("x-foo",), ("\tx-foo ,",), True, None),
    ("singleton set", ("x-foo",), (" x-foo\t,",), True, None),
    ("singleton set", ("x-foo",), (",,,,,,,,,,,,,,,,x-foo",), True, None),
    ("singleton set", ("x-foo",), ("",) * 16 + ("x-foo",), True, None),
    ("singleton set", ("x-foo",), ("",) * 16, True, None),
    ("singleton set", ("x-foo",), ("x-bar",), False, None),
    ("singleton set", ("x-foo",), ("x-bar,x-foo",), False, None),
    ("singleton set", ("x-foo",), ("x-foo   ",), False, OWS),
    ("singleton set", ("x-foo",), (" x-foo  ",), False, OWS),
    ("singleton set", ("x-foo",), ("  x-foo ",), False, OWS),
    ("singleton set", ("x-foo",), (" x-foo\t\t",), False, OWS),
    ("singleton set", ("x-foo",), ("\tx-foo\t\t",), False, OWS),
    ("singleton set", ("x-foo",), ("\t\tx-foo\t\t",), False, OWS),
    ("singleton set", ("x-foo",), ("," * 17 + "x-foo",), False, EMPTY),
    ("singleton set", ("x-foo",), ("",) * 17 + ("x-foo",), False, EMPTY),
    ("singleton set", ("x-foo",), ("",) * 17, False, EMPTY),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("x-bar",), True, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("x-baz",), True, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("x-foo",), True, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("x-bar,x-baz",), True, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("x-bar,x-foo",), True, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("x-baz,x-foo",), True, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("x-bar,x-baz,x-foo",), True, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("",), True, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), (",",), True, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("\t, , ",), True, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("\tx-bar ,",), True, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), (" x-baz\t,",), True, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("x-foo,",), True, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("\tx-bar ,\tx-baz ,",), True, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), (" x-bar\t, x-foo\t,",), True, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("x-baz,x-foo,",), True, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), (" x-bar , x-baz , x-foo ,",), True, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("x-bar,,,,,,,,,,,,,,,,,x-foo",), True, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("x-bar", "x-foo"), True, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("x-bar", "x-baz,x-foo"), True, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("",) * 16 + ("x-bar", "x-foo"), True, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("",) * 16, True, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("x-qux",), False, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("x-bar,x-baz,x-baz",), False, DUPES),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("x-qux,x-baz",), False, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("x-qux,x-foo",), False, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("x-quxbaz,x-foo",), False, None),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), (" x-bar  ",), False, OWS),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("  x-baz ",), False, OWS),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("   x-foo",), False, OWS),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), (" x-bar\t\t,x-baz",), False, OWS),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("x-bar,\tx-foo\t\t",), False, OWS),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("\t\tx-baz, x-foo\t\t",), False, OWS),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), (" x-bar\t,\tx-baz\t ,x-foo",), False, OWS),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("x-bar,,,,,,,,,,,,,,,,,,x-foo",), False, EMPTY),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("x-foo", "x-bar"), False, ORDER),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("",) * 17 + ("x-bar", "x-foo"), False, EMPTY),
    ("no dupes", ("x-foo", "x-bar", "x-baz"), ("",) * 17, False, EMPTY),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("x-bar",), True, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("x-foo",), True, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("x-bar,x-foo",), True, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("",), True, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), (",",), True, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("\t, , ",), True, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("\tx-bar ,",), True, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), (" x-foo\t,",), True, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("x-foo,",), True, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("\tx-bar ,\tx-foo ,",), True, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), (" x-bar\t, x-foo\t,",), True, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("x-bar,x-foo,",), True, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), (" x-bar , x-foo ,",), True, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("x-bar,,,,,,,,,,,,,,,,,x-foo",), True, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("x-bar", "x-foo"), True, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("",) * 16 + ("x-bar", "x-foo"), True, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("",) * 16, True, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("x-qux",), False, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("x-qux,x-bar",), False, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("x-qux,x-foo",), False, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("x-qux,x-baz,x-foo",), False, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("x-qux  ",), False, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("x-qux,\t\tx-bar",), False, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("x-qux,x-foo\t\t",), False, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("\tx-qux , x-baz\t\t,x-foo",), False, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("x-bar,,,,,,,,,,,,,,,,,,x-foo",), False, EMPTY),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("x-foo", "x-bar"), False, ORDER),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("x-qux", "\t\tx-bar"), False, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("x-qux", "x-foo\t\t"), False, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("\tx-qux ", " x-baz\t\t,x-foo"), False, None),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("",) * 17 + ("x-bar", "x-foo"), False, EMPTY),
    ("some dupes", ("x-foo", "x-bar", "x-foo"), ("",) * 17, False, EMPTY),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        ("accept",),
        True,
        None,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        ("authorization",),
        True,
        None,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        ("content-type",),
        True,
        None,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        ("user-agent",),
        True,
        None,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        ("x-csrf-token",),
        True,
        None,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        ("x-request-id",),
        True,
        None,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        ("x-custom-header",),
        True,
        None,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        ("accept,authorization,user-agent",),
        True,
        None,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        (" accept,x-custom-header ",),
        True,
        None,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        ("  accept,x-custom-header",),
        True,
        None,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        ("accept,x-custom-header  ",),
        True,
        None,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        ("",),
        True,
        None,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        (",",),
        True,
        None,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        ("\t, , ",),
        True,
        None,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        ("\tx-custom-header ,",),
        True,
        None,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        (" x-custom-header\t,",),
        True,
        None,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        (",,,,,,,,,,,,,,,,x-custom-header",),
        True,
        None,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        ("",) * 16 + ("x-custom-header",),
        True,
        None,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        ("",) * 16,
        True,
        None,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        ("x-bar",),
        False,
        None,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        ("user-agent,accept",),
        False,
        ORDER,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        ("user-agent   ",),
        False,
        OWS,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        (" user-agent  ",),
        False,
        OWS,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        ("  user-agent ",),
        False,
        OWS,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        (" user-agent\t\t",),
        False,
        OWS,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        ("\tuser-agent\t\t",),
        False,
        OWS,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        ("\t\tuser-agent\t\t",),
        False,
        OWS,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        ("," * 17 + "user-agent",),
        False,
        EMPTY,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        ("",) * 17 + ("user-agent",),
        False,
        EMPTY,
    ),
    (
        "regression test for https://github.com/jub0bs/cors/issues/15",
        (
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrf-token",
            "x-request-id",
            "x-custom-header",
        ),
        ("",) * 17,
        False,
        EMPTY,
    ),
]


@pytest.mark.parametrize(
    ("case", "allowed", "lines", "peer_accepts", "deviation"),
    REQUEST_HEADER_ROWS,
    ids=[f"{r[0]}: {r[2]!r}"[:80] for r in REQUEST_HEADER_ROWS],
)
def test_request_headers_table(
    case: str,
    allowed: tuple[str, ...],
    lines: tuple[str, ...],
    peer_accepts: bool,
    deviation: Optional[str],
) -> None:
    """SPEC 4: Access-Control-Request-Headers, one or more header lines, through a preflight."""
    origin = "https://a.example"
    options = {"origins": [origin], "methods": ["GET"], "allow_headers": list(allowed)}
    response = send(make_app(options), "OPTIONS", origin, "GET", lines)
    expected = peer_accepts or deviation is not None
    assert preflight_passes(response, origin, "GET", lines) is expected, deviation
    if expected:
        names = [n.strip(" \t") for n in ",".join(lines).split(",") if n.strip(" \t")]
        assert response.headers.get(ACAH, "") == ", ".join(dict.fromkeys(names))


# --- config_test.go: TestConfig (valid) and TestConfig_invalid ---------------------------------

#: (case, configuration jub0bs/cors accepts, origins it then allows).
VALID_CONFIG_ROWS: list[tuple[str, Config, tuple[str, ...]]] = [
    (
        "anonymous allow all",
        Config(
            origins=("*",),
            methods=("*",),
            request_headers=("authoriZation", "*", "Authorization"),
            response_headers=("*",),
        ),
        ("https://any.example",),
    ),
    (
        "anonymous allow all but not Authorization request header",
        Config(origins=("*",), methods=("*",), request_headers=("*",), response_headers=("*",)),
        ("https://any.example",),
    ),
    (
        "discrete methods discrete headers zero max age",
        Config(
            origins=("https://example.com", "https://example.com"),
            request_headers=("x-foO", "x-Bar", "authoRizaTion", "Authorization"),
            max_age=-1,
            response_headers=("x-FOO", "X-baR", "x-foo"),
        ),
        ("https://example.com",),
    ),
    (
        "credentialed all req headers",
        Config(
            origins=(
                "http://example.com",
                "https://*.example.com:8080",
                "https://*.foo.example.com:8080",
            ),
            credentialed=True,
            methods=("POST", "PUT", "DELETE", "GET"),
            request_headers=("*",),
            max_age=86_400,
            response_headers=("x-FOO", "X-baR", "x-foo"),
        ),
        ("http://example.com", "https://a.example.com:8080", "https://a.foo.example.com:8080"),
    ),
    (
        "discrete origin patterns in addition to wildcard",
        Config(
            origins=(
                "http://example.com",
                "http://example.com",
                "https://*.example.com",
                "https://*.example.com",
                "*",
                "*",
            )
        ),
        ("https://unrelated.example",),
    ),
    (
        "safelisted response-header names",
        Config(
            origins=("http://example.com",),
            response_headers=(
                "Cache-Control",
                "content-Language",
                "content-lEngth",
                "content-typE",
                "expireS",
                "lasT-modified",
                "prAgmA",
                "X-Foo",
            ),
        ),
        ("http://example.com",),
    ),
    (
        "discrete methods in addition to wildcard",
        Config(
            origins=("http://example.com",),
            methods=("DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "*", "*"),
        ),
        ("http://example.com",),
    ),
    (
        "browser-normalized methods",
        Config(
            origins=("http://example.com",),
            methods=(
                "Get",
                "get",
                "gET",
                "Head",
                "head",
                "hEAD",
                "Post",
                "post",
                "pOST",
                "getaway",
                "headstrong",
                "postal",
            ),
        ),
        ("http://example.com",),
    ),
    (
        "discrete request-header names in addition to wildcard (anonymous)",
        Config(
            origins=("http://example.com",),
            request_headers=("Authorization", "X-Api-Key", "*", "*", "AuthorizatioN"),
        ),
        ("http://example.com",),
    ),
    (
        "discrete request-header names in addition to wildcard (credentialed)",
        Config(
            origins=("https://example.com",),
            credentialed=True,
            request_headers=("Authorization", "X-Api-Key", "*", "*", "AuthorizatioN"),
        ),
        ("https://example.com",),
    ),
    (
        "discrete response-header names in addition to wildcard",
        Config(origins=("http://example.com",), response_headers=("X-Foo", "X-Bar", "*", "*")),
        ("http://example.com",),
    ),
    (
        "max age with no possible preflight",
        Config(origins=("http://example.com",), max_age=10),
        ("http://example.com",),
    ),
    (
        "wildcard pattern encompassing subdomains of a public suffix",
        Config(origins=("https://*.com",)),
        (),
    ),
    (
        "many origins",
        Config(
            origins=tuple(
                f"https://{name}"
                for name in (
                    "bat",
                    "cat",
                    "fat",
                    "hat",
                    "meerkat",
                    "mat",
                    "oat",
                    "pat",
                    "rat",
                    "sat",
                )
            )
        ),
        ("https://bat", "https://meerkat", "https://sat"),
    ),
]

#: Configurations jub0bs/cors accepts and SPEC refuses.
VALID_CONFIG_DEVIATIONS = {
    "wildcard pattern encompassing subdomains of a public suffix": (
        "SPEC 3: 'https://*.com' would match every site under a top-level domain; there is no "
        "opt-in (jub0bs/cors has DangerouslyTolerateSubdomainsOfPublicSuffixes)"
    ),
}


@pytest.mark.parametrize(
    ("case", "config", "allowed"), VALID_CONFIG_ROWS, ids=[r[0] for r in VALID_CONFIG_ROWS]
)
def test_valid_config_table(case: str, config: Config, allowed: tuple[str, ...]) -> None:
    """SPEC 2: what jub0bs/cors accepts is accepted, and allows the origins it lists."""
    deviation = VALID_CONFIG_DEVIATIONS.get(case)
    if deviation is not None:
        with pytest.raises(CORSConfigError):
            make_app(config.options())
        return
    app = make_app(config.options())
    for origin in allowed:
        expected = "*" if "*" in config.origins else origin
        assert Verdict.of(send(app, "GET", origin)) == Verdict(expected, config.credentialed)


def test_no_configuration_covers_nothing() -> None:
    """SPEC 5: jub0bs/cors's pass-through (no configuration): no CORS header at all."""
    response = send(make_app(None), "GET", "https://example.com")
    assert Verdict.of(response) == Verdict(None, False)


#: (case, configuration jub0bs/cors refuses, the deviation when SPEC accepts it).
INVALID_CONFIG_ROWS: list[tuple[str, Config, Optional[str]]] = [
    ("no origin pattern specified", Config(), None),
    (
        "null origin",
        Config(origins=("null",)),
        "SPEC 3: 'null' listed explicitly is granted (refused only with credentials)",
    ),
    ("invalid origin pattern", Config(origins=("http://example.com:6060/path",)), None),
    ("empty method name", Config(origins=("https://example.com",), methods=("",)), None),
    ("invalid method name", Config(origins=("https://example.com",), methods=("résumé",)), None),
    (
        "forbidden method name",
        Config(origins=("https://example.com",), methods=("GET", "CONNECT")),
        None,
    ),
    (
        "empty request-header name",
        Config(origins=("https://example.com",), request_headers=("",)),
        None,
    ),
    (
        "invalid request-header name",
        Config(origins=("https://example.com",), request_headers=("résumé",)),
        None,
    ),
    (
        "forbidden request-header name",
        Config(origins=("https://example.com",), request_headers=("Connection",)),
        None,
    ),
    (
        "forbidden request-header name with Sec- prefix",
        Config(origins=("https://example.com",), request_headers=("Sec-Foo",)),
        None,
    ),
    (
        "forbidden request-header name with Proxy- prefix",
        Config(origins=("https://example.com",), request_headers=("Proxy-Foo",)),
        None,
    ),
    (
        "prohibited request-header name",
        Config(origins=("https://example.com",), request_headers=("Access-Control-Allow-Origin",)),
        "SPEC 2: header names are checked to be tokens; one browsers never ask for is harmless",
    ),
    (
        "max age less than -1",
        Config(
            origins=("https://example.com",),
            request_headers=("Content-Type", "Authorization"),
            max_age=-2,
        ),
        None,
    ),
    (
        "max age exceeds upper bound",
        Config(
            origins=("https://example.com",),
            request_headers=("Content-Type", "Authorization"),
            max_age=86_401,
        ),
        None,
    ),
    (
        "empty response-header name",
        Config(origins=("https://example.com",), response_headers=("",)),
        None,
    ),
    (
        "invalid response-header name",
        Config(origins=("https://example.com",), response_headers=("résumé",)),
        None,
    ),
    (
        "forbidden response-header name",
        Config(origins=("https://example.com",), response_headers=("Set-Cookie",)),
        "SPEC 2: exposed names are checked to be tokens; browsers never expose Set-Cookie",
    ),
    (
        "prohibited response-header name",
        Config(
            origins=("https://example.com",), response_headers=("Access-Control-Request-Method",)
        ),
        "SPEC 2: exposed names are checked to be tokens",
    ),
    ("wildcard origin with Credentialed", Config(origins=("*",), credentialed=True), None),
    (
        "insecure origin with Credentialed without DangerouslyTolerateInsecureOrigins",
        Config(origins=("http://example.com:6060", "http://*.example.com:6060"), credentialed=True),
        "SPEC 2 has no rule against http origins with credentials",
    ),
    (
        "wildcard pattern encompassing subdomains of a public suffix with Credentialed without "
        "DangerouslyTolerateSubdomainsOfPublicSuffixes",
        Config(origins=("https://*.com",), credentialed=True),
        None,
    ),
    (
        "wildcard response-header name with Credentialed",
        Config(origins=("https://example.com",), credentialed=True, response_headers=("*",)),
        "SPEC 4: expose_headers '*' with credentials lists the response's own header names",
    ),
    (
        "multiple configuration issues",
        Config(
            origins=("http://example.com", "https://example.com/"),
            methods=("CONNECT", "résumé"),
            request_headers=("résumé", "Access-Control-Allow-Origin"),
            max_age=86_401,
        ),
        None,
    ),
]


@pytest.mark.parametrize(
    ("case", "config", "deviation"), INVALID_CONFIG_ROWS, ids=[r[0] for r in INVALID_CONFIG_ROWS]
)
def test_invalid_config_table(case: str, config: Config, deviation: Optional[str]) -> None:
    """SPEC 2: what jub0bs/cors refuses is a CORSConfigError, unless SPEC says otherwise."""
    if deviation is None:
        with pytest.raises(CORSConfigError):
            make_app(config.options())
    else:
        make_app(config.options())
