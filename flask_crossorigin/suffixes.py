"""Public suffixes: the names under which anyone can register a site of their own.

The Public Suffix List (https://publicsuffix.org) names them: top-level domains (``com``),
second-level registries (``co.uk``) and hosting platforms that give each customer a subdomain
(``github.io``, ``vercel.app``, ``herokuapp.com``). A subdomain pattern or a regex under one of
them lets in every customer of that platform, so with credentials the origin proof (SPEC section
3) never counts a public suffix as a domain the user owns, nor the names at or under a public
suffix that lies below a domain the user owns (``s3.amazonaws.com`` below ``amazonaws.com``).
The list comes from the maintained ``publicsuffixlist`` package, read once per process.
"""

from __future__ import annotations

import functools
from collections import defaultdict
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


def public_suffix(host: str) -> Optional[str]:
    """The longest public suffix ``host`` (lower case) is at or under (``s3.amazonaws.com``
    for ``bucket.s3.amazonaws.com``), or ``None`` for a malformed name."""
    found = _list().publicsuffix(host.rstrip("."))
    return None if found is None else str(found)


#: A rule of the list below a domain: ``(base, wildcard)``, the rule ``base`` or (``wildcard``)
#: ``*.base``. Either way a name at or under ``base`` is public or under a public suffix (the
#: list counts the root of a wildcard rule as public).
Rule = tuple[str, bool]


def rules_below(domain: str) -> tuple[Rule, ...]:
    """The rules of the list strictly below ``domain`` (lower case, no trailing dot), shortest
    first: ``(("s3.amazonaws.com", False), ...)`` for ``amazonaws.com``, ``(("compute.
    amazonaws.com", True),)`` for ``compute.amazonaws.com`` (rule ``*.compute.amazonaws.com``).

    A name at or under one of them is not the owner's of ``domain``, though ``domain`` is
    (SPEC section 3). Exception rules (``!city.kobe.jp``) are not relied on: the names they
    free stay under their wildcard's rule, which is listed. Punycode forms of Unicode rules are
    included. The index is built once, on first use.
    """
    return _rules_by_ancestor().get(domain.rstrip("."), ())


@functools.lru_cache(maxsize=1)
def _rules_by_ancestor() -> dict[str, tuple[Rule, ...]]:
    found: defaultdict[str, set[Rule]] = defaultdict(set)
    for rule in _rules():
        if rule.startswith("!"):
            continue
        wildcard = rule.startswith("*.")
        base = rule[2:] if wildcard else rule
        labels = base.split(".")
        for i in range(0 if wildcard else 1, len(labels)):
            found[".".join(labels[i:])].add((base, wildcard))
    return {
        ancestor: tuple(sorted(rules, key=lambda r: (len(r[0]), r)))
        for ancestor, rules in found.items()
    }


def _rules() -> list[str]:
    """Every rule of the list as the package reads it, lower case, Unicode rules also in
    punycode."""
    rules: list[str] = []
    with open(publicsuffixlist.PSLFILE, encoding="utf-8") as listed:
        for line in listed:
            rule = line.lower().split(" ")[0].strip()
            if not rule or rule.startswith("//"):
                continue
            rules.append(rule)
            if not rule.isascii():
                bare = rule.lstrip("!")
                try:
                    encoded = publicsuffixlist.encode_idn(bare)
                except UnicodeError:
                    continue
                rules.append(("!" if rule.startswith("!") else "") + encoded)
    return rules


@functools.lru_cache(maxsize=1)
def top_level_domains() -> tuple[str, ...]:
    """The ASCII top-level domains of the list's ICANN section (``com``, ``uk``, ``app``...)."""
    found: set[str] = set()
    with open(publicsuffixlist.PSLFILE, encoding="utf-8") as listed:
        for line in listed:
            if "===END ICANN DOMAINS===" in line:
                break
            rule = line.strip()
            if rule and not rule.startswith("//") and rule.isascii() and rule.isalpha():
                found.add(rule.lower())
    return tuple(sorted(found))
