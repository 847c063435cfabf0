"""The origin proof: which sites a regex in ``origins`` can let in (SPEC section 3).

A regex is matched in full, ASCII-case-insensitively, against a well-formed origin, lower-cased
(``scheme://host[:port]``). From the parse tree the ``re`` module builds, this module builds an
automaton for exactly the set of origins the regex matches, and decides, over that whole set
(never over chosen samples), whether every origin in it has a host that is

- an exact host the user wrote out literally after ``//`` (``127.0.0.1`` in
  ``r"http://127\\.0\\.0\\.1:\\d+"``, ``localhost``), or
- at or under a domain the user wrote out literally after ``//`` or a literal ``.``, that can
  belong to one owner: not a public suffix of the Public Suffix List (``example.com`` in
  ``r"https://[a-z0-9-]+\\.example\\.com"``; never ``herokuapp.com`` or ``co.uk``), and not
  at or under a public suffix the list has below that domain (``s3.amazonaws.com`` below
  ``amazonaws.com``).

"Written out literally" means every character comes from a literal of the regex (a character
class, ``.`` or a repetition count writes nothing), in one run that crosses no part that can
be left out or repeated and that ends where the host must end (see :func:`_written`). The
check is an inclusion of regular languages: the product of the regex's automaton, an automaton
for the shape of an origin and one for the safe hosts is explored; a reachable state where the
regex and the shape accept and the safe hosts do not is a stranger, and the shortest such
string (steered towards ``http(s)`` and a top-level domain that exists, so that a real site
could be the stranger) is named.

Regexes the automaton cannot represent (lookarounds, backreferences, conditionals, ``\\b``) or
too large to explore are "not proven", as are regexes whose strangers are addresses.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Callable, Optional

from . import suffixes
from .engine import MAXREPEAT, deep_recursion, name, node_source, parse

#: The characters of a lower-cased origin, in the order the shortest stranger prefers.
ALPHABET = "xabcdefghijklmnopqrstuvwyz1234567890-._:/[]+"
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-._[]:")
_LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")
#: Bounds of the analysis: NFA states, product states explored, literal strings collected.
MAX_STATES = 20_000
MAX_EXPLORED = 200_000
MAX_CANDIDATES = 2_000
#: Product states explored looking for a stranger that can exist, before naming the shortest.
MAX_REAL = 10_000
#: NFA states held by the lazily built DFA's states together (about 100 bytes each): a regex
#: whose analysis would need more (``[a-z]{0,12}x[a-z]{0,12}``) is too large to analyse,
#: rather than seconds and gigabytes at start-up.
MAX_DFA_SIZE = 1_000_000
MAX_HOST = 253

_END = "end"
_BEGIN = "begin"


@dataclass(frozen=True)
class Verdict:
    """What the proof found for one regex.

    ``proven``: every origin the regex matches is safe. ``stranger``: otherwise, an origin it
    matches that is neither an exact host written nor under a domain written (``""`` when the
    regex could not be analysed). ``reason``: why it is not proven. ``matches_any``: the
    regex matches every ``https`` (or every ``http``) origin with a DNS host. ``domains``:
    the domains written out that can belong to one owner (for the suggested rewrite).
    """

    proven: bool
    stranger: str = ""
    reason: str = ""
    matches_any: bool = False
    domains: tuple[str, ...] = ()
    exact_hosts: tuple[str, ...] = ()
    public_suffixes: tuple[str, ...] = ()
    #: The public suffix below a domain written out that the stranger is at or under
    #: (``s3.amazonaws.com`` below ``amazonaws.com``), or ``""``.
    shared: str = ""
    #: The stranger's host is spelt in the regex only across an optional part, an empty
    #: alternative or a repetition count (``example.co`` in ``example\\.com?``).
    split: bool = False


class _NotProven(Exception):
    pass


# --- the regex as an automaton over ALPHABET ------------------------------------------------


class _NFA:
    """Thompson automaton: ``eps[q]`` and ``walls[q]`` (targets of empty moves),
    ``chars[q]`` (set, target, literal), ``anchors[q]`` (``begin``/``end``, target)."""

    def __init__(self) -> None:
        self.eps: list[list[int]] = []
        #: Empty moves at the boundary of a part that can be left out or repeated (``x?``,
        #: ``x*``, ``x{1,2}``, an alternation with an empty alternative ``(x|)``): into it,
        #: out of it, around it, between its copies. A string written out literally crosses
        #: none: it is one run of literals, whatever the spelling of the parts around it.
        self.walls: list[list[int]] = []
        self.chars: list[list[tuple[frozenset[str], int, bool]]] = []
        self.anchors: list[list[tuple[str, int]]] = []
        #: The source spells an empty alternative (``(x|)``). When it does not, an empty
        #: alternative of the parse tree comes from ``re`` factoring out a common prefix
        #: (``example\\.com|example\\.co`` is parsed as ``example\\.co(?:m|)``), and each
        #: alternative was written out whole.
        self.spelt_empty = True
        #: The empty moves into and out of the alternatives of an alternation that cannot be
        #: empty, with the alternation's number: a literal run may cross the boundaries of one
        #: alternation (``(www|app)\.example``, ``example\.(com|org)``), never of two, which
        #: would spell a host out of pieces (``(example|acme)\.(io|com)`` writes no
        #: ``acme.io``).
        self.alt_edges: dict[tuple[int, int], int] = {}

    def state(self) -> int:
        if len(self.eps) >= MAX_STATES:
            raise _NotProven("it is too large to analyse")
        self.eps.append([])
        self.walls.append([])
        self.chars.append([])
        self.anchors.append([])
        return len(self.eps) - 1

    def nullable(self, start: int, end: int) -> bool:
        """``end`` is reachable from ``start`` by empty moves (anchors included)."""
        seen = {start}
        todo = [start]
        while todo:
            state = todo.pop()
            if state == end:
                return True
            for target in (
                *self.eps[state],
                *self.walls[state],
                *(t for _, t in self.anchors[state]),
            ):
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return False


@functools.lru_cache(maxsize=4096)
def _members(source: str, flags: int) -> frozenset[str]:
    compiled = re.compile(source, flags & (re.IGNORECASE | re.ASCII | re.DOTALL))
    return frozenset(c for c in ALPHABET if compiled.fullmatch(c))


def _build(nfa: _NFA, items: Iterable[Any], flags: int, start: int) -> int:
    """Add ``items`` after state ``start``; return the state where they end."""
    current = start
    for op, av in items:
        kind = name(op)
        if kind in ("LITERAL", "NOT_LITERAL", "ANY", "IN"):
            after = nfa.state()
            chars = _members(node_source(kind, av), flags)
            nfa.chars[current].append((chars, after, kind == "LITERAL"))
            current = after
        elif kind == "SUBPATTERN":
            current = _build(nfa, av[3], (flags | av[1]) & ~av[2], current)
        elif kind == "BRANCH":
            end = nfa.state()
            ends: list[tuple[int, int]] = []
            for branch in av[1]:
                entry = nfa.state()
                ends.append((entry, _build(nfa, branch, flags, entry)))
            nullable = any(
                (branch or nfa.spelt_empty) and nfa.nullable(a, b)
                for branch, (a, b) in zip(av[1], ends)
            )
            moves = nfa.walls if nullable else nfa.eps
            number = len(set(nfa.alt_edges.values()))
            for entry, branch_end in ends:
                moves[current].append(entry)
                moves[branch_end].append(end)
                if not nullable:
                    nfa.alt_edges[current, entry] = number
                    nfa.alt_edges[branch_end, end] = number
            current = end
        elif kind in ("MAX_REPEAT", "MIN_REPEAT"):
            low, high, body = av
            if low == high == 1:
                current = _build(nfa, body, flags, current)
                continue
            for _ in range(low):
                current = _copy(nfa, body, flags, current)
            if high == MAXREPEAT:
                loop, end = nfa.state(), nfa.state()
                nfa.walls[current].append(end)
                nfa.walls[current].append(loop)
                body_end = _copy(nfa, body, flags, loop)
                nfa.walls[body_end].append(loop)
                nfa.walls[body_end].append(end)
                current = end
            else:
                end = nfa.state()
                for _ in range(high - low):
                    nfa.walls[current].append(end)
                    current = _copy(nfa, body, flags, current)
                nfa.walls[current].append(end)
                current = end
        elif kind == "AT":
            at = name(av)
            after = nfa.state()
            if at in ("AT_BEGINNING", "AT_BEGINNING_STRING"):
                nfa.anchors[current].append((_BEGIN, after))
            elif at in ("AT_END", "AT_END_STRING"):
                nfa.anchors[current].append((_END, after))
            else:
                raise _NotProven("it uses \\b or \\B, which the proof does not read")
            current = after
        else:
            raise _NotProven(
                "it uses a lookaround, backreference or conditional, which the proof cannot read"
            )
    return current


_GROUP_OPENER = re.compile(r"\(\?(?:P<\w+>|[aiLmsu]*(?:-[imsx]+)?:)")
_FLAGS_ALONE = re.compile(r"\(\?[aiLmsu]+\)")


def _spells_empty_alternative(source: str, flags: int) -> bool:
    """``source`` may spell an empty alternative or group (``(x|)``, ``(|x)``, ``x||y``,
    ``()``); true whenever unsure (verbose regexes, comments, other ``(?`` groups)."""
    if flags & re.VERBOSE or "(?#" in source:
        return True
    empty = True
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\":
            empty, i = False, i + 2
        elif char == "[":
            i += 2 if source.startswith("[^", i) else 1
            i += 1 if source.startswith("]", i) else 0
            while i < len(source) and source[i] != "]":
                i += 2 if source[i] == "\\" else 1
            empty, i = False, i + 1
        elif char in "|)":
            if empty:
                return True
            empty, i = char == "|", i + 1
        elif source.startswith("(?", i):
            alone = _FLAGS_ALONE.match(source, i)
            opener = _GROUP_OPENER.match(source, i)
            if alone:
                i = alone.end()
            elif opener:
                empty, i = True, opener.end()
            else:
                return True
        elif char == "(":
            empty, i = True, i + 1
        else:
            empty, i = False, i + 1
    return empty


def _copy(nfa: _NFA, body: Any, flags: int, start: int) -> int:
    """One copy of a repeated ``body`` after ``start``, behind walls; return its end."""
    entry, end = nfa.state(), nfa.state()
    nfa.walls[start].append(entry)
    nfa.walls[_build(nfa, body, flags, entry)].append(end)
    return end


def _closure(
    nfa: _NFA, states: Iterable[tuple[int, bool]], at_start: bool, walls: bool = True
) -> frozenset[Any]:
    seen = set(states)
    todo = list(seen)
    while todo:
        state, ended = todo.pop()
        nexts = [(t, ended) for t in nfa.eps[state]]
        if walls:
            nexts += [(t, ended) for t in nfa.walls[state]]
        for anchor, target in nfa.anchors[state]:
            if anchor == _END:
                nexts.append((target, True))
            elif at_start:
                nexts.append((target, ended))
        for item in nexts:
            if item not in seen:
                seen.add(item)
                todo.append(item)
    return frozenset(seen)


def _run_closure(
    nfa: _NFA, state: int, crossed: frozenset[int]
) -> frozenset[tuple[int, bool, frozenset[int]]]:
    """Where a literal run that reached ``state`` goes on by empty moves: no wall, and the
    boundaries of one alternation at most (``crossed``: the alternations it crossed)."""
    seen = {(state, False, crossed)}
    todo = list(seen)
    while todo:
        current, ended, through = todo.pop()
        nexts = []
        for target in nfa.eps[current]:
            number = nfa.alt_edges.get((current, target))
            if number is not None and number not in through:
                if through:
                    continue
                nexts.append((target, ended, through | {number}))
            else:
                nexts.append((target, ended, through))
        nexts += [(t, True, through) for anchor, t in nfa.anchors[current] if anchor == _END]
        for item in nexts:
            if item not in seen:
                seen.add(item)
                todo.append(item)
    return frozenset(seen)


class _Regex:
    """The regex's automaton as a lazily built DFA (sets of NFA states)."""

    def __init__(self, nfa: _NFA, start: int, final: int) -> None:
        self.nfa = nfa
        self.final = final
        self.start = _closure(nfa, [(start, False)], True)
        self._steps: dict[tuple[frozenset[Any], str], frozenset[Any]] = {}
        #: NFA states held by the DFA states built so far: the analysis's memory, bounded.
        self.size = 0

    def step(self, states: frozenset[Any], char: str) -> frozenset[Any]:
        key = (states, char)
        found = self._steps.get(key)
        if found is None:
            targets = [
                (target, False)
                for state, ended in states
                if not ended
                for chars, target, _ in self.nfa.chars[state]
                if char in chars
            ]
            found = _closure(self.nfa, targets, False)
            self.size += len(found)
            if self.size > MAX_DFA_SIZE:
                raise _NotProven("it is too large to analyse")
            self._steps[key] = found
        return found

    def accepts(self, states: frozenset[Any]) -> bool:
        return any(state == self.final for state, _ in states)


# --- the shape of an origin -----------------------------------------------------------------

# States: 0 start, 1 scheme, 2 ':', 3 '/', 4 host start, 5 in a label, 6 after a dot,
# 8 in an IPv6 literal, 9 after ']', 10 port start, 11 port.
_HOST_STATES = frozenset({4, 5, 6, 8})
_SHAPE_FINAL = frozenset({5, 6, 9, 11})


def _shape_step(state: int, char: str) -> Optional[int]:
    if state == 0:
        return 1 if char.isalpha() else None
    if state == 1:
        if char.isalnum() or char in "+.-":
            return 1
        return 2 if char == ":" else None
    if state in (2, 3):
        return state + 1 if char == "/" else None
    if state in (4, 5, 6):
        if char in _LABEL_CHARS:
            return 5
        if char == "." and state == 5:
            return 6
        if char == ":" and state in (5, 6):
            return 10
        return 8 if char == "[" and state == 4 else None
    if state == 8:
        if char in "0123456789abcdef:.":
            return 8
        return 9 if char == "]" else None
    if state == 9:
        return 10 if char == ":" else None
    if state in (10, 11):
        if char.isdigit() and (state == 11 or char != "0"):
            return 11
        return None
    return None


# --- safe hosts -----------------------------------------------------------------------------


class _Hosts:
    """Which hosts are safe: one of ``exact`` (with or without a trailing dot), or at or
    under one of ``domains`` and not at or under a public suffix of the list below it
    (``s3.amazonaws.com`` below ``amazonaws.com``, SPEC section 3).

    The targets (hosts, domains, the rules below each domain) are read as suffixes of the host
    through one trie: a state is the set of trie nodes reached by the matches in progress, a
    match beginning at the host's start or (for domains and rules) after any ``.``.
    """

    def __init__(self, exact: Iterable[str], domains: Iterable[str]) -> None:
        self._edges: dict[tuple[int, str], int] = {}
        #: The targets ending at a node: ``(kind, id)``, kind ``exact``, ``domain``, ``rule``.
        self._ends: dict[int, list[tuple[str, int]]] = {}
        self._nodes = 2
        start, restart = 0, 1
        self._excluded: dict[int, list[int]] = {}
        rule_ids: dict[suffixes.Rule, int] = {}
        for host in sorted(set(exact)):
            for text in (host, host + "."):
                self._add(start, text, ("exact", 0))
        for number, domain in enumerate(sorted(set(domains))):
            for text in (domain, domain + "."):
                self._add(start, text, ("domain", number))
                self._add(restart, text, ("domain", number))
            excluded = self._excluded.setdefault(number, [])
            for rule in suffixes.rules_below(domain):
                rule_id = rule_ids.setdefault(rule, len(rule_ids))
                excluded.append(rule_id)
                # A wildcard rule ``*.base`` makes ``base`` public too (its implicit root).
                for text in (rule[0], rule[0] + "."):
                    self._add(start, text, ("rule", rule_id))
                    self._add(restart, text, ("rule", rule_id))
        self.start = frozenset({start})
        self._restart = restart

    def _add(self, root: int, text: str, target: tuple[str, int]) -> None:
        node = root
        for char in text:
            nxt = self._edges.get((node, char))
            if nxt is None:
                nxt = self._nodes
                self._nodes += 1
                self._edges[(node, char)] = nxt
            node = nxt
        self._ends.setdefault(node, []).append(target)

    def step(self, state: frozenset[int], char: str) -> frozenset[int]:
        moved = {nxt for node in state if (nxt := self._edges.get((node, char))) is not None}
        if char == ".":
            moved.add(self._restart)
        return frozenset(moved)

    def accepts(self, state: frozenset[int]) -> bool:
        ended = [target for node in state for target in self._ends.get(node, ())]
        if any(kind == "exact" for kind, _ in ended):
            return True
        rules = {number for kind, number in ended if kind == "rule"}
        return any(
            kind == "domain" and not rules.intersection(self._excluded[number])
            for kind, number in ended
        )


# --- existing sites -------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _tld_trie() -> tuple[dict[tuple[int, str], int], frozenset[int]]:
    """The common top-level domains of the list (country codes, ``com``, ``net``, ``org``,
    ``app``, ``dev``) as a trie: ``(node, char) -> node``, and the final nodes. A small trie
    keeps the search for a stranger that can exist short."""
    edges: dict[tuple[int, str], int] = {}
    finals: set[int] = set()
    count = 1
    common = {"com", "net", "org", "app", "dev"}
    for tld in suffixes.top_level_domains():
        if len(tld) > 2 and tld not in common:
            continue
        node = 0
        for char in tld:
            nxt = edges.get((node, char))
            if nxt is None:
                nxt = count
                count += 1
                edges[(node, char)] = nxt
            node = nxt
        finals.add(node)
    return edges, frozenset(finals)


# A state: (the scheme read so far, ":" once read; the TLD-trie node of the current label, -1
# when it is no prefix of one; labels seen; every label all digits, or an IPv6 literal).
_Real = tuple[str, int, int, bool]
_SCHEMES = ("http", "https")
_REAL_START: _Real = ("", -1, 0, True)


def _real_step(state: _Real, char: str, shape_before: int) -> Optional[_Real]:
    scheme, node, labels, address = state
    if shape_before in (0, 1):
        if char == ":":
            return (":", node, labels, address) if scheme in _SCHEMES else None
        text = scheme + char
        return (text, node, labels, address) if any(s.startswith(text) for s in _SCHEMES) else None
    if shape_before == 3:
        return (scheme, 0, 1, True)
    if shape_before not in _HOST_STATES:
        return state
    if char == "[" or node <= _IPV6:
        return (scheme, _ipv6_step(node, char), 4, True)
    if char == ":":
        return state
    if char == ".":
        return (scheme, 0, labels + 1, address)
    edges, _ = _tld_trie()
    nxt = edges.get((node, char), -1) if node >= 0 else -1
    return (scheme, nxt, labels, address and char.isdigit())


#: Nodes of IPv6 literals of the form ``[h::h]`` or ``[::h]`` (``h`` a hex group without a
#: leading zero), which are serialized as written: ``_IPV6`` just after ``[``, ``_IPV6 - 6``
#: after ``]``, below ``_IPV6 - 6`` anything else.
_IPV6 = -10
_IPV6_EDGES = {
    (0, "h"): 1,
    (0, ":"): 5,
    (1, "h"): 1,
    (1, "0"): 1,
    (1, ":"): 2,
    (2, ":"): 3,
    (3, "h"): 4,
    (4, "h"): 4,
    (4, "0"): 4,
    (4, "]"): 6,
    (5, ":"): 3,
}


def _ipv6_step(node: int, char: str) -> int:
    if char == "[" and node > _IPV6:
        return _IPV6
    kind = "h" if char in "123456789abcdef" else char
    return _IPV6 - _IPV6_EDGES.get((_IPV6 - node, kind), 7)


def _real_accepts(state: _Real) -> bool:
    _, node, labels, digits = state
    _, finals = _tld_trie()
    if node <= _IPV6:
        return node == _IPV6 - 6
    return (labels >= 2 and node in finals) or (digits and labels == 4 and node != 0)


# --- exploring the product ------------------------------------------------------------------


def _explore(
    regex: _Regex,
    hosts: Optional[_Hosts],
    real: bool,
    keep_dead_regex: bool,
    bad: Callable[[bool, bool, bool, bool], bool],
    limit: int = MAX_EXPLORED,
) -> Optional[str]:
    """The shortest string (in ALPHABET order) whose states satisfy ``bad(regex accepts,
    shape accepts, host safe, real site)``, or ``None``."""
    start: tuple[Any, ...] = (
        regex.start,
        0,
        hosts.start if hosts else None,
        None,
        _REAL_START if real else None,
    )
    parents: dict[tuple[Any, ...], tuple[Optional[tuple[Any, ...]], str]] = {start: (None, "")}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        if _is_bad(state, regex, hosts, real, bad):
            return _spell(parents, state)
        if len(parents) > limit:
            raise _NotProven("it is too large to analyse")
        for char in ALPHABET:
            nxt = _product_step(state, char, regex, hosts, real, keep_dead_regex)
            if nxt is not None and nxt not in parents:
                parents[nxt] = (state, char)
                queue.append(nxt)
    return None


def _product_step(
    state: tuple[Any, ...],
    char: str,
    regex: _Regex,
    hosts: Optional[_Hosts],
    real: bool,
    keep_dead_regex: bool,
) -> Optional[tuple[Any, ...]]:
    states, shape, host, verdict, site = state
    nxt_states = regex.step(states, char)
    if not nxt_states and not keep_dead_regex:
        return None
    nxt_shape = _shape_step(shape, char)
    if nxt_shape is None:
        return None
    nxt_host, nxt_verdict = host, verdict
    if hosts is not None and shape in _HOST_STATES:
        # The host ends at the ':' of a port or (included) at the ']' of an IPv6 literal.
        if nxt_shape in _HOST_STATES or nxt_shape == 9:
            nxt_host = hosts.step(host, char)
        if nxt_shape not in _HOST_STATES:
            nxt_verdict = hosts.accepts(nxt_host)
            nxt_host = None
    nxt_site = site
    if real:
        nxt_site = _real_step(site, char, shape)
        if nxt_site is None:
            return None
    return (nxt_states, nxt_shape, nxt_host, nxt_verdict, nxt_site)


def _is_bad(
    state: tuple[Any, ...],
    regex: _Regex,
    hosts: Optional[_Hosts],
    real: bool,
    bad: Callable[[bool, bool, bool, bool], bool],
) -> bool:
    states, shape, host, verdict, site = state
    if shape not in _SHAPE_FINAL:
        return False
    safe = True
    if hosts is not None:
        safe = verdict if verdict is not None else hosts.accepts(host)
    is_real = _real_accepts(site) if real else True
    return bad(regex.accepts(states), True, safe, is_real)


def _spell(
    parents: dict[tuple[Any, ...], tuple[Optional[tuple[Any, ...]], str]], state: tuple[Any, ...]
) -> str:
    chars: list[str] = []
    current: Optional[tuple[Any, ...]] = state
    while current is not None:
        parent, char = parents[current]
        chars.append(char)
        current = parent
    return "".join(reversed(chars))


# --- what the user wrote --------------------------------------------------------------------


def _written(
    nfa: _NFA, final: int, loose: bool = False, strict: bool = True
) -> tuple[set[str], set[str]]:
    """Hosts written out literally right after ``//`` and domains written out literally after
    ``//`` or ``.``, each ending where the host must end (the end of the regex, or a ``:``).

    Written out literally means one run of literals of the parse tree (SPEC section 3): an
    optional, repeated or empty-alternative part may be crossed before the run starts
    (``(www\\.)?example``), never inside it (``(dev|)example``, ``exa{1,2}mple``), and the run
    ends where nothing but a port (or a trailing dot) can follow (never ``example\\.co`` in
    ``example\\.com?``).

    ``loose`` reads every part that can match a ``.`` as a ``.`` (an unescaped dot), and
    ``strict`` false lets a run cross the boundaries of those parts and end where the host may
    end: both tell the sites its author meant from strangers when one is named, never prove."""
    starts: list[tuple[int, bool]] = []
    slash_targets = {
        target
        for chars, target, literal in (e for edges in nfa.chars for e in edges)
        if literal and chars == frozenset("/")
    }
    slash_closures = {s for t in slash_targets for s, _ in _closure(nfa, [(t, False)], False)}
    for state, edges in enumerate(nfa.chars):
        for chars, target, literal in edges:
            if (literal or loose) and "." in chars and (literal or len(chars) > 1):
                starts.append((target, False))
            elif literal and chars == frozenset("/") and state in slash_closures:
                starts.append((target, True))
    exact: set[str] = set()
    domains: set[str] = set()
    read = _Reading(nfa, final, loose, strict, exact, domains)
    for start, after_slashes in starts:
        read.budget = MAX_CANDIDATES
        read.paths(start, "", after_slashes)
    return exact, domains


@dataclass
class _Reading:
    """The literal runs of ``nfa`` read by :func:`_written`."""

    nfa: _NFA
    final: int
    loose: bool
    strict: bool
    exact: set[str]
    domains: set[str]
    budget: int = MAX_CANDIDATES

    def paths(
        self, state: int, text: str, after_slashes: bool, crossed: frozenset[int] = frozenset()
    ) -> None:
        if self.budget <= 0 or len(text) > MAX_HOST:
            return
        self.budget -= 1
        nfa = self.nfa
        if text and self._host_ends(state, crossed):
            if after_slashes:
                self.exact.add(text)
            self.domains.add(text)
        members: Iterable[tuple[int, bool, frozenset[int]]]
        if not text or not self.strict:
            # Before the run starts (or reading loosely), every boundary may be crossed.
            members = ((m, e, crossed) for m, e in _closure(nfa, [(state, False)], False))
        else:
            members = _run_closure(nfa, state, crossed)
        for member, ended, through in members:
            if ended:
                continue
            for chars, target, literal in nfa.chars[member]:
                if literal and len(chars) == 1:
                    (char,) = chars
                elif self.loose and "." in chars:
                    char = "."
                else:
                    continue
                if char in _HOST_CHARS and (char != ":" or text.startswith("[")):
                    self.paths(target, text + char, after_slashes, through)

    def _host_ends(self, state: int, crossed: frozenset[int] = frozenset()) -> bool:
        """The host can end after a run that reaches ``state``: without ``strict``, where the
        host may end; with it, where the run reaches, crossing no wall, a point after which
        nothing but a port or a trailing dot can follow."""
        nfa = self.nfa
        if not self.strict:
            return _host_may_end(nfa, self.final, _closure(nfa, [(state, False)], False))
        for member, ended, _ in _run_closure(nfa, state, crossed):
            closure = _closure(nfa, [(member, ended)], False)
            if _host_may_end(nfa, self.final, closure) and not _host_goes_on(
                nfa, closure, trailing_dot=True
            ):
                return True
        return False


def _host_may_end(nfa: _NFA, final: int, closure: frozenset[Any]) -> bool:
    for state, ended in closure:
        if state == final:
            return True
        if not ended and any(":" in chars for chars, _, _ in nfa.chars[state]):
            return True
    return False


_GOES_ON = _HOST_CHARS - {":"}


def _host_goes_on(nfa: _NFA, closure: frozenset[Any], trailing_dot: bool) -> bool:
    """More of the host can follow ``closure``: a character of a host other than ``:``, or
    (``trailing_dot``) a ``.`` that more of the host can follow."""
    for state, ended in closure:
        if ended:
            continue
        for chars, target, _ in nfa.chars[state]:
            going = chars & _GOES_ON
            if not going:
                continue
            if going != {"."} or not trailing_dot:
                return True
            if _host_goes_on(nfa, _closure(nfa, [(target, False)], False), False):
                return True
    return False


# --- the proof ------------------------------------------------------------------------------


def prove(
    pattern: re.Pattern[str],
    is_host: Callable[[str], bool],
    is_origin: Callable[[str], bool],
) -> Verdict:
    """Decide which sites ``pattern`` (matched in full, ASCII-case-insensitively, against
    lower-cased well-formed origins) can let in (SPEC section 3).

    ``is_host`` tells a host a browser can send (a DNS name or an IP literal as serialized);
    ``is_origin`` a well-formed serialized origin. Raises nothing.
    """
    flags = (pattern.flags & ~re.UNICODE) | re.IGNORECASE | re.ASCII
    try:
        with deep_recursion():
            return _prove(pattern, flags, is_host, is_origin)
    except RecursionError:
        return Verdict(False, reason="it is nested too deeply to analyse")
    except MemoryError:
        return Verdict(False, reason="it is too large to analyse")


def _prove(
    pattern: re.Pattern[str],
    flags: int,
    is_host: Callable[[str], bool],
    is_origin: Callable[[str], bool],
) -> Verdict:
    try:
        nfa = _NFA()
        nfa.spelt_empty = _spells_empty_alternative(pattern.pattern, flags)
        start = nfa.state()
        final = _build(nfa, parse(pattern), flags, start)
        regex = _Regex(nfa, start, final)
        written_exact, written_domains = _written(nfa, final)
        exact = {h for h in written_exact if is_host(h)}
        domains = {d for d in written_domains if _ownable(d, is_host)}
        public = tuple(
            sorted(
                d
                for d in written_domains
                if "." in d.strip(".") and is_host(d) and suffixes.is_public_suffix(d.strip("."))
            )
        )
        hosts = _Hosts(exact, domains)
        matches_any = _matches_any(regex)
        stranger = _explore(regex, hosts, False, False, _stranger)
    except _NotProven as exc:
        return Verdict(False, reason=str(exc))
    found = (tuple(sorted(domains)), tuple(sorted(exact)))
    if stranger is None:
        return Verdict(
            True,
            matches_any=matches_any,
            domains=found[0],
            exact_hosts=found[1],
            public_suffixes=public,
        )
    # The stranger named must be one a real site could be: not under what the author meant
    # (unescaped dots read as dots, runs across optional parts), with an existing top-level
    # domain or an address; else one the regex spells only across such parts.
    dots_exact, dots_domains = _written(nfa, final, loose=True)
    dots_exact = exact | {h for h in dots_exact if is_host(h)}
    dots_domains = domains | {d for d in dots_domains if _ownable(d, is_host)}
    loose_exact, loose_domains = _written(nfa, final, loose=True, strict=False)
    meant = _Hosts(
        dots_exact | {h for h in loose_exact if is_host(h)},
        dots_domains | {d for d in loose_domains if _ownable(d, is_host)},
    )
    real = _real_stranger(regex, meant, is_origin)
    split = False
    if not real:
        real = _real_stranger(regex, _Hosts(dots_exact, dots_domains), is_origin)
        split = bool(real)
    reason = (
        "it matches origins that are neither a host written out in it nor under a domain "
        "written out in it that one owner can hold"
    )
    real, shared = _below_owned(pattern, real, domains, is_origin)
    if shared:
        owner = next(d for d in sorted(domains, key=len, reverse=True) if shared.endswith("." + d))
        reason = (
            f"{shared!r} below {owner!r} is a public suffix (Public Suffix List): anyone can "
            "register a name under it"
        )
    elif split:
        reason = (
            "it matches origins whose host it spells only across an optional part, an "
            "alternative that can be empty, a repetition count or two alternations, never "
            "written out in one piece"
        )
    if not real:
        with contextlib.suppress(_NotProven):
            stranger = _explore(regex, meant, False, False, _stranger) or stranger
        reason += (
            f", such as {stranger!r} (no one can register that name today, but a new "
            "top-level domain or a network of its own can make it real)"
        )
    return Verdict(
        False,
        stranger=real,
        reason=reason,
        matches_any=matches_any,
        domains=found[0],
        exact_hosts=found[1],
        public_suffixes=public,
        shared=shared,
        split=split,
    )


def _below_owned(
    pattern: re.Pattern[str],
    stranger: str,
    domains: Iterable[str],
    is_origin: Callable[[str], bool],
) -> tuple[str, str]:
    """``stranger``, and the public suffix below a domain written out that its host is at or
    under (or ``""``). A stranger that is that suffix itself becomes a name under it when the
    regex matches one (``https://stranger.s3.amazonaws.com``)."""
    scheme, sep, rest = stranger.partition("://")
    host = rest.rpartition("]")[0] + "]" if rest.startswith("[") else rest.partition(":")[0]
    suffix = suffixes.public_suffix(host) if sep and not host.startswith("[") else None
    bare = {d.rstrip(".") for d in domains}
    if suffix is None or not any(suffix.endswith("." + d) for d in bare):
        return stranger, ""
    if host.rstrip(".") == suffix:
        under = f"{scheme}://stranger.{rest}"
        flags = (pattern.flags & ~re.UNICODE) | re.IGNORECASE | re.ASCII
        if is_origin(under) and re.compile(pattern.pattern, flags).fullmatch(under):
            stranger = under
    return stranger, suffix


def _stranger(accepts: bool, shape: bool, safe: bool, is_real: bool) -> bool:
    return accepts and shape and not safe and is_real


def _ownable(domain: str, is_host: Callable[[str], bool]) -> bool:
    bare = domain.rstrip(".")
    if not bare or bare.startswith(("[", ".")) or not is_host(bare):
        return False
    last = bare.rpartition(".")[2]
    return not last.isdigit() and suffixes.is_owned_domain(bare)


def _matches_any(regex: _Regex) -> bool:
    """The regex matches every https origin, or every http one, with a DNS host."""
    for scheme in _SCHEMES:
        states = regex.start
        for char in scheme + "://":
            states = regex.step(states, char)
        if not _misses_a_host(regex, states):
            return True
    return False


def _misses_a_host(regex: _Regex, start: frozenset[Any]) -> bool:
    """Some DNS host (with no port) the regex, in ``start`` after ``scheme://``, does not
    match."""
    seen = {(start, 4)}
    queue = deque(seen)
    while queue:
        states, shape = queue.popleft()
        if shape in (5, 6) and not regex.accepts(states):
            return True
        if len(seen) > MAX_EXPLORED:
            return True
        for char in ALPHABET:
            nxt_shape = _shape_step(shape, char)
            if nxt_shape not in (5, 6):
                continue
            nxt = (regex.step(states, char), nxt_shape)
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return False


def _real_stranger(regex: _Regex, hosts: _Hosts, is_origin: Callable[[str], bool]) -> str:
    """A stranger with an ``http(s)`` scheme and a host that can exist (a top-level domain of
    the list, or an address), or ``""``."""
    try:
        found = _explore(regex, hosts, True, False, _stranger, MAX_REAL)
    except _NotProven:
        return ""
    if found is None or not is_origin(found):
        return ""
    return found
