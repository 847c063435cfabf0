"""A model of the browser's side of CORS (Fetch standard, "CORS check" and "CORS-preflight
fetch"), used to compare what two libraries' responses mean to a browser."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from werkzeug.datastructures import Headers

SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})


def _values(headers: Headers, name: str) -> list[str]:
    return [v.strip() for value in headers.getlist(name) for v in value.split(",") if v.strip()]


def cors_check(headers: Headers, origin: str, credentials: bool) -> bool:
    """Fetch "CORS check": one ACAO equal to the origin or '*' (not with credentials)."""
    acao = headers.getlist("Access-Control-Allow-Origin")
    if len(acao) != 1:
        return False
    if acao[0] == "*" and not credentials:
        return True
    if acao[0] != origin:
        return False
    return not credentials or headers.get("Access-Control-Allow-Credentials") == "true"


def preflight_ok(
    status: int,
    headers: Headers,
    origin: str,
    method: str,
    request_headers: Sequence[str],
    credentials: bool,
    private_network: bool = False,
) -> bool:
    """Would the browser accept this preflight response for the request it describes?"""
    if not (200 <= status < 300) or not cors_check(headers, origin, credentials):
        return False
    methods = _values(headers, "Access-Control-Allow-Methods")
    method_listed = method in methods or method in SAFELISTED_METHODS
    if not method_listed and (credentials or "*" not in methods):
        return False
    allowed = {h.lower() for h in _values(headers, "Access-Control-Allow-Headers")}
    for name in request_headers:
        lowered = name.lower()
        if lowered in allowed:
            continue
        if "*" in allowed and not credentials and lowered != "authorization":
            continue
        return False
    if private_network:
        return headers.get("Access-Control-Allow-Private-Network") == "true"
    return True


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    exposed: frozenset[str]


def exposed_headers(headers: Headers, credentials: bool) -> frozenset[str]:
    names = {n.lower() for n in _values(headers, "Access-Control-Expose-Headers")}
    if "*" in names:
        names.discard("*")
        if not credentials:
            names |= {name.lower() for name, _ in headers}
    return frozenset(names)
