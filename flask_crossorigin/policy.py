"""The compiled policy: every option checked together, every header value computed once.

:func:`compile_policy` takes the merged, parsed options and returns a frozen :class:`Policy`.
Cross-option rules (credentials with any origin, ``null`` with credentials) are checked here.
The origin matcher and the header allow-list are compiled once per distinct setting and shared
by every policy built from it (:class:`SharedPieces`); each policy keeps its own decisions.
"""

from __future__ import annotations

import logging
import re
import threading
import weakref
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Generic, Optional, TypeVar

from .errors import Problems
from .options import HeaderRule
from .origins import Kind, OriginEntry, OriginMatcher
from .patterns import FullMatch, any_fullmatch

if TYPE_CHECKING:
    from .decision import Decision

logger = logging.getLogger("flask_crossorigin")

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACEH = "Access-Control-Expose-Headers"
ACMA = "Access-Control-Max-Age"
ACAPN = "Access-Control-Allow-Private-Network"

Headers = tuple[tuple[str, str], ...]
#: What a preflight's decision depends on besides the policy: the values of ``Origin``,
#: ``Access-Control-Request-Method``, ``-Request-Headers`` and ``-Request-Private-Network``.
PreflightKey = tuple[str, str, Optional[str], Optional[str]]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True)
class HeaderAllowList:
    """Which request headers a preflight may ask for."""

    allow_any: bool
    names: frozenset[str]
    fullmatch: Optional[FullMatch]

    def allows(self, name: str) -> bool:
        """``name`` is lower case (as parsed from ``Access-Control-Request-Headers``)."""
        return (
            self.allow_any
            or name in self.names
            or (self.fullmatch is not None and self.fullmatch(name))
        )


@dataclass(frozen=True)
class Policy:
    """Everything the per-request path needs, decided at configuration time."""

    origins: OriginMatcher
    methods: frozenset[str]
    any_method: bool
    allow_headers: HeaderAllowList
    expose_any: bool
    supports_credentials: bool
    vary_header: bool
    automatic_options: bool
    intercept_exceptions: bool
    allow_private_network: bool
    max_age: Optional[int]
    #: Every request with an Origin gets ``Access-Control-Allow-Origin: *``: the answer never
    #: depends on the origin, so no ``Vary: Origin`` is needed.
    public_wildcard: bool
    #: ``Vary: Origin`` goes on every response of a covered resource.
    vary_origin: bool
    #: The ``Access-Control-Allow-Origin`` value for requests without ``Origin`` (``always_send``).
    no_origin_acao: Optional[str]
    #: Headers added to a granted actual request, after ``Access-Control-Allow-Origin``.
    actual_headers: Headers
    #: Headers added to every granted preflight, after ``Access-Control-Allow-Origin``.
    preflight_headers: Headers
    #: The parsed options (for introspection) and where each value came from.
    settings: Mapping[str, Any] = field(repr=False)
    sources: Mapping[str, str] = field(repr=False)
    #: Decisions on requests that are not preflights, by ``Origin`` (``None``: no Origin):
    #: a bounded memo of :func:`~flask_crossorigin.decision.decide_actual`, which alone fills
    #: it. The answer for an origin depends on the policy alone, unless a callable is asked.
    answers: dict[Optional[str], Decision] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    #: Decisions on preflights, by (``Origin``, ``Access-Control-Request-Method``,
    #: ``-Request-Headers``, ``-Request-Private-Network``): the bounded memo of
    #: :func:`~flask_crossorigin.decision.decide`, which alone fills it, on the same terms.
    preflight_answers: dict[PreflightKey, Decision] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )


def merge(layers: list[tuple[str, Mapping[str, Any]]]) -> tuple[dict[str, Any], dict[str, str]]:
    """Merge parsed layers, lowest precedence first; remember the source of every value."""
    merged: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for source, values in layers:
        for name, value in values.items():
            merged[name] = value
            sources[name] = source
    return merged, sources


def compile_policy(
    settings: Mapping[str, Any], sources: Mapping[str, str], problems: Problems
) -> Optional[Policy]:
    """Check the options together and precompute the headers; ``None`` after a problem."""
    before = len(problems.items)
    matcher = _matchers.get(settings["origins"])
    credentials: bool = settings["supports_credentials"]
    _check_credentials(matcher, credentials, sources, problems)
    if len(problems.items) > before or not matcher.entries:
        return None

    methods: tuple[str, ...] = settings["methods"]
    expose: tuple[str, ...] = settings["expose_headers"]
    expose_any = "*" in expose
    max_age: Optional[int] = settings["max_age"]
    send_wildcard: bool = settings["send_wildcard"]
    always_send: bool = settings["always_send"]

    public_wildcard = matcher.allow_any and send_wildcard and not credentials
    # The answer is the same for every request only if requests without Origin get it too.
    vary_origin = settings["vary_header"] and not (public_wildcard and always_send)

    no_origin_acao: Optional[str] = None
    if always_send:
        if matcher.allow_any and not credentials:
            no_origin_acao = "*"
        elif matcher.single is not None:
            no_origin_acao = matcher.single

    common: list[tuple[str, str]] = []
    if credentials:
        common.append((ACAC, "true"))
    actual = list(common)
    if expose and not (expose_any and credentials):
        actual.append((ACEH, ", ".join(expose)))
    preflight = list(common)
    if methods and "*" not in methods:
        preflight.append((ACAM, ", ".join(methods)))
    if max_age is not None:
        preflight.append((ACMA, str(max_age)))

    return Policy(
        origins=matcher,
        methods=frozenset(methods),
        any_method="*" in methods,
        allow_headers=_allow_lists.get(settings["allow_headers"]),
        expose_any=expose_any and credentials,
        supports_credentials=credentials,
        vary_header=settings["vary_header"],
        automatic_options=settings["automatic_options"],
        intercept_exceptions=settings["intercept_exceptions"],
        allow_private_network=settings["allow_private_network"],
        max_age=max_age,
        public_wildcard=public_wildcard,
        vary_origin=vary_origin,
        no_origin_acao=no_origin_acao,
        actual_headers=tuple(actual),
        preflight_headers=tuple(preflight),
        settings=dict(settings),
        sources=dict(sources),
    )


def _check_credentials(
    matcher: OriginMatcher, credentials: bool, sources: Mapping[str, str], problems: Problems
) -> None:
    """SPEC 2 and 3: any-origin or ``null`` with credentials, and the origin proof.

    An entry the proof does not show safe (a regex that matches a stranger, or that the proof
    cannot read; a pattern under a public suffix) is a problem with credentials, a logged
    WARNING without.
    """
    where = f"origins (from {sources.get('origins', 'default')})"
    because = f"supports_credentials is on (from {sources.get('supports_credentials')})"
    for entry in matcher.notable:
        lets_in = f" (it lets in {entry.grants!r})" if entry.grants else ""
        if credentials and (entry.kind is Kind.ANY or entry.matches_any):
            problems.add(
                where,
                entry.text,
                f"allows every origin, and {because}: any website could make requests with "
                "your users' cookies and read the answers" + lets_in,
                "list the origins that may send credentials, e.g. "
                "origins=['https://app.example.com'], use a callable for a dynamic list, or "
                "set supports_credentials=False where the data is public",
            )
        elif not entry.proven and credentials:
            problems.add(
                where,
                entry.text,
                f"is not proven to let in only your own sites: {entry.reason}"
                + (
                    f"; it would let in {entry.grants!r}, a site you do not own"
                    if entry.grants
                    else ""
                )
                + f", and {because}",
                entry.fix,
            )
        elif not entry.proven and problems.first_time(("proof warning", entry)):
            logger.warning(
                "origins entry %r is not proven to let in only your own sites: %s%s; %s",
                entry.text,
                entry.reason,
                f"; it would let in {entry.grants!r}" if entry.grants else "",
                entry.fix,
            )
        elif credentials and entry.kind is Kind.NULL:
            problems.add(
                where,
                entry.text,
                "is the opaque origin of sandboxed iframes, data: URLs and local files, which "
                f"any site can produce, and {because}",
                "remove 'null' from origins, or turn supports_credentials off",
            )


class SharedPieces(Generic[K, V]):
    """Compiled pieces shared by every policy built from an equal parsed value.

    A thousand resources over the same origins hold one :class:`OriginMatcher`, not a thousand
    copies. A piece is kept only while some policy uses it (weak references), so the table
    never outgrows what is alive. Look-ups are by identity first (the policies of one
    ``init_app`` share the very same parsed tuple, and hashing a tuple of 10,000 entries costs
    milliseconds), then by value. Safe under threads: one lock around every change, which only
    happens at configuration time.
    """

    #: How many parsed values the identity table remembers at most. It holds them (an ``id``
    #: is only meaningful while its object lives) until their piece is collected.
    RECENT_LIMIT = 64

    def __init__(self, build: Callable[[K], V]) -> None:
        self._build = build
        # Re-entrant: a garbage collection while the lock is held may run ``_forget``.
        self._lock = threading.RLock()
        self._by_value: weakref.WeakValueDictionary[K, V] = weakref.WeakValueDictionary()
        self._recent: dict[int, tuple[K, weakref.ref[V]]] = {}

    def get(self, value: K) -> V:
        """The piece compiled from ``value``, compiled now if no live policy holds one."""
        with self._lock:
            recent = self._recent.get(id(value))
            if recent is not None and recent[0] is value:
                piece = recent[1]()
                if piece is not None:
                    return piece
            try:
                found = self._by_value.get(value)
            except TypeError:  # an unhashable value (a callable that defines only __eq__)
                return self._build(value)
            if found is None:
                found = self._build(value)
                self._by_value[value] = found
            if len(self._recent) >= self.RECENT_LIMIT:
                self._recent.clear()
            key = id(value)
            self._recent[key] = (value, weakref.ref(found, lambda dead: self._forget(key, dead)))
            return found

    def _forget(self, key: int, dead: weakref.ref[V]) -> None:
        """A piece was collected: let go of the value remembered for it."""
        with self._lock:
            recent = self._recent.get(key)
            if recent is not None and recent[1] is dead:
                del self._recent[key]

    def __len__(self) -> int:
        """How many pieces are alive (for tests)."""
        with self._lock:
            return len(self._by_value)


def _header_allow_list(rules: tuple[HeaderRule, ...]) -> HeaderAllowList:
    """Exact names (lower case) in one set, regexes through one exact combined full-match."""
    names = frozenset(r for r in rules if isinstance(r, str) and r != "*")
    regexes = [r for r in rules if isinstance(r, re.Pattern)]
    return HeaderAllowList("*" in rules, names, any_fullmatch(regexes))


_matchers: SharedPieces[tuple[OriginEntry, ...], OriginMatcher] = SharedPieces(OriginMatcher)
_allow_lists: SharedPieces[tuple[HeaderRule, ...], HeaderAllowList] = SharedPieces(
    _header_allow_list
)
