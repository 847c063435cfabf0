"""Public suffixes: the names under which anyone can register a site of their own.

The Public Suffix List (https://publicsuffix.org) names them: top-level domains (``com``),
second-level registries (``co.uk``) and hosting platforms that give each customer a subdomain
(``github.io``, ``vercel.app``, ``herokuapp.com``). A subdomain pattern or a regex under one of
them lets in every customer of that platform, so with credentials the origin proof (SPEC section
3) never counts a public suffix as a domain the user owns. The list comes from the maintained
``publicsuffixlist`` package, read once per process.
"""

from __future__ import annotations

import functools
import os
from typing import Optional

import publicsuffixlist


@functools.lru_cache(maxsize=1)
def _list() -> publicsuffixlist.PublicSuffixList:
    return publicsuffixlist.PublicSuffixList()


def list_version() -> str:
    """The version of the ``publicsuffixlist`` package, whose last part is the list's date
    (``1.1.2.20261023``: the list as published on 23 October 2026)."""
    return str(publicsuffixlist.__version__)


def is_public_suffix(domain: str) -> bool:
    """``domain`` (lower case, no trailing dot) is a public suffix, or sits above one.

    Unknown top-level domains count as public (the list's default rule ``*``), so a single
    label is always public.
    """
    return _list().privatesuffix(domain) is None


def registrable_domain(host: str) -> Optional[str]:
    """The registrable domain of ``host`` (``example.co.uk`` for ``www.example.co.uk``), or
    ``None`` when ``host`` is itself a public suffix or its top-level domain is not in the
    list (so that no one can register a name there today)."""
    found = _list().privatesuffix(host.rstrip("."), accept_unknown=False)
    return None if found is None else str(found)


def is_owned_domain(domain: str) -> bool:
    """``domain`` can belong to one owner: at or under a registrable domain, never a public
    suffix. ``localhost`` counts (RFC 6761: its names never leave the machine)."""
    bare = domain.rstrip(".")
    return bare == "localhost" or bare.endswith(".localhost") or not is_public_suffix(bare)


@functools.lru_cache(maxsize=1)
def top_level_domains() -> tuple[str, ...]:
    """The ASCII top-level domains of the list's ICANN section (``com``, ``uk``, ``app``...)."""
    path = os.path.join(os.path.dirname(publicsuffixlist.__file__), "public_suffix_list.dat")
    found: set[str] = set()
    with open(path, encoding="utf-8") as listed:
        for line in listed:
            if "===END ICANN DOMAINS===" in line:
                break
            rule = line.strip()
            if rule and not rule.startswith("//") and rule.isascii() and rule.isalpha():
                found.add(rule.lower())
    return tuple(sorted(found))
