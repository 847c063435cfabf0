"""The pure decision function: tables of (policy, request) -> headers, and properties."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flask_crossorigin.configure import single_policy
from flask_crossorigin.decision import Reason, decide
from flask_crossorigin.policy import Policy

from .test_origins import origins

A = "https://a.example"


def policy(**options: Any) -> Policy:
    return single_policy({}, [("test", _parsed(options))], "test").policy


def _parsed(options: dict[str, Any]) -> dict[str, Any]:
    from flask_crossorigin.errors import Problems
    from flask_crossorigin.options import parse_layer

    problems = Problems()
    parsed = parse_layer(options, problems, where="test")
    problems.raise_if_any()
    return parsed


def test_module_does_not_import_flask() -> None:
    import ast
    import inspect

    import flask_crossorigin.decision as module

    tree = ast.parse(inspect.getsource(module))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    } | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not any(name and name.startswith(("flask", "werkzeug")) for name in imported)


@pytest.mark.parametrize(
    ("options", "request_args", "reason", "headers"),
    [
        ({"origins": [A]}, ("GET", A), Reason.ALLOWED, {"Access-Control-Allow-Origin": A}),
        ({"origins": [A]}, ("GET", "https://b.example"), Reason.ORIGIN_NOT_ALLOWED, {}),
        ({"origins": [A]}, ("GET", "https://a.example/"), Reason.ORIGIN_MALFORMED, {}),
        ({"origins": [A]}, ("GET", None), Reason.NO_ORIGIN, {"Access-Control-Allow-Origin": A}),
        (
            {"origins": [A], "methods": ["GET"]},
            ("OPTIONS", A, "PUT"),
            Reason.METHOD_NOT_ALLOWED,
            {},
        ),
        (
            {"origins": [A], "methods": "*"},
            ("OPTIONS", A, "PURGE"),
            Reason.PREFLIGHT_ALLOWED,
            {"Access-Control-Allow-Origin": A, "Access-Control-Allow-Methods": "PURGE"},
        ),
        (
            {"origins": [A], "methods": "*"},
            ("OPTIONS", A, "BAD METHOD"),
            Reason.METHOD_NOT_ALLOWED,
            {},
        ),
        (
            {"origins": [A], "allow_headers": ["x-a"]},
            ("OPTIONS", A, "GET", "x-a, x-b"),
            Reason.HEADER_NOT_ALLOWED,
            {},
        ),
        ({"origins": [A]}, ("OPTIONS", A, "GET", "a;b"), Reason.HEADERS_MALFORMED, {}),
        (
            {"origins": [A]},
            ("OPTIONS", A, "GET", " "),
            Reason.PREFLIGHT_ALLOWED,
            {
                "Access-Control-Allow-Origin": A,
                "Access-Control-Allow-Methods": "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT",
            },
        ),
        (
            {"origins": [A]},
            ("OPTIONS", A, "GET", None, "true"),
            Reason.PRIVATE_NETWORK_NOT_ALLOWED,
            {},
        ),
        (
            {"send_wildcard": True},
            ("GET", "https://a.example"),
            Reason.ALLOWED,
            {"Access-Control-Allow-Origin": "*"},
        ),
        (
            {"send_wildcard": True},
            ("GET", "not an origin"),
            Reason.ALLOWED,
            {"Access-Control-Allow-Origin": "*"},
        ),
        ({}, ("GET", "not an origin"), Reason.ORIGIN_MALFORMED, {}),
    ],
)
def test_decision_table(
    options: dict[str, Any], request_args: tuple[Any, ...], reason: Reason, headers: dict[str, str]
) -> None:
    decision = decide(policy(**options), *request_args)
    assert decision.reason is reason
    assert dict(decision.headers) == headers
    assert decision.allowed is not reason.refused
    assert decision.explain()


def test_header_refusal_names_the_header() -> None:
    decision = decide(policy(origins=[A], allow_headers=["x-a"]), "OPTIONS", A, "GET", "x-b")
    assert decision.detail == "x-b"
    assert "x-b" in decision.explain()
    assert "allow_headers" in decision.reason.fix


def test_every_refusal_has_a_sentence_and_a_fix() -> None:
    for reason in Reason:
        assert reason.explain("x")
        if reason.refused:
            assert reason.fix


allow_lists = st.lists(origins(), min_size=1, max_size=5, unique=True)


@given(allow_lists, origins(), st.booleans(), st.sampled_from(["GET", "OPTIONS"]))
def test_credentials_never_granted_outside_the_allow_list(
    allowed: list[str], origin: str, credentials: bool, method: str
) -> None:
    """No grant ever carries credentials to an origin outside the allow-list."""
    p = policy(origins=allowed, supports_credentials=credentials)
    decision = decide(p, method, origin, "GET" if method == "OPTIONS" else None)
    acao = [v for k, v in decision.headers if k == "Access-Control-Allow-Origin"]
    assert len(acao) <= 1
    if acao:
        assert acao[0].lower() in {a.lower() for a in allowed}
        assert acao[0] == origin
    if origin.lower() not in {a.lower() for a in allowed}:
        assert decision.headers == ()


@given(
    st.one_of(origins(), st.text(max_size=50), st.just("null")),
    st.sampled_from(["GET", "POST", "OPTIONS", "PUT"]),
    st.one_of(st.none(), st.text(max_size=10)),
    st.one_of(st.none(), st.text(max_size=40)),
    st.booleans(),
    st.booleans(),
)
def test_exactly_one_acao_equal_to_origin_or_star(
    origin: str,
    method: str,
    acrm: str | None,
    acrh: str | None,
    send_wildcard: bool,
    vary: bool,
) -> None:
    p = policy(send_wildcard=send_wildcard, vary_header=vary)
    decision = decide(p, method, origin, acrm, acrh)
    acao = [v for k, v in decision.headers if k == "Access-Control-Allow-Origin"]
    assert len(acao) <= 1
    if acao:
        assert acao[0] in (origin, "*")
    for _, value in decision.headers:
        assert not set(value) & {"\r", "\n", "\x00"}


def test_memo_keeps_no_over_long_origins() -> None:
    """Hostile over-long origins are refused every time and never kept in the memo."""
    from flask_crossorigin.decision import ANSWERS_LIMIT

    p = policy(origins=[A])
    for i in range(50):
        assert decide(p, "GET", f"https://{i}" + "a" * 20_000).reason is Reason.ORIGIN_MALFORMED
    assert p.answers == {}
    decide(p, "GET", A)
    assert list(p.answers) == [A]
    for i in range(ANSWERS_LIMIT + 10):
        decide(p, "GET", f"https://h{i}.example")
    assert 0 < len(p.answers) <= ANSWERS_LIMIT


def test_memo_is_bounded_across_policies() -> None:
    """A stream of new origins spread over many policies (resources) keeps no more decisions
    in all than one policy may: the bound is global."""
    from flask_crossorigin.decision import ANSWERS_LIMIT

    policies = [policy(origins=["*"]) for _ in range(20)]
    for i in range(3 * ANSWERS_LIMIT):
        decision = decide(policies[i % 20], "GET", f"https://h{i}.example")
        assert decision.allowed
        assert sum(len(p.answers) for p in policies) <= ANSWERS_LIMIT
    assert sum(len(p.answers) for p in policies) > 0


def test_memo_answers_like_a_fresh_decision() -> None:
    """A kept decision is the one a fresh policy would make, for grants and refusals."""
    for origin in (A, "https://b.example", None):
        kept = policy(origins=[A], supports_credentials=True)
        first = decide(kept, "GET", origin)
        assert decide(kept, "GET", origin) is first
        assert decide(policy(origins=[A], supports_credentials=True), "GET", origin) == first


def test_callable_origins_are_asked_every_time() -> None:
    """A callable's answer may change: its decisions are never kept."""
    allowed = {A}
    p = policy(origins=[lambda origin: origin in allowed])
    assert decide(p, "GET", A).allowed
    allowed.clear()
    assert not decide(p, "GET", A).allowed
    assert p.answers == {}


# --- public policies answer every request alike (SPEC 3) --------------------------------------


@pytest.mark.parametrize(
    ("options", "origin", "acao"),
    [
        ({}, "www.example.com", "www.example.com"),
        ({}, "https://a.example/", "https://a.example/"),
        ({}, "null", "null"),
        ({}, "x" * 512, "x" * 512),
        ({}, "x" * 513, None),
        ({}, "https://a.example, https://b.example", None),
        ({}, "https://a.example https://b.example", None),
        ({}, "https://b\u00fccher.example", None),
        ({}, "https://a.example\r\nX: y", None),
        ({"send_wildcard": True}, "www.example.com", "*"),
        ({"send_wildcard": True}, "a, b", "*"),
        ({"origins": [A]}, "www.example.com", None),
    ],
)
def test_public_policy_answers_every_request_alike(
    options: dict[str, Any], origin: str, acao: str | None
) -> None:
    """SPEC 3: any origin without credentials: '*' with send_wildcard, else the Origin when it
    is a safe token (visible ASCII, no comma or whitespace, at most 512 bytes), else nothing.
    flask-cors and jub0bs/cors answer a bare host such as www.example.com."""
    for args in (("GET", origin), ("OPTIONS", origin, "GET")):
        decision = decide(policy(**options), *args)
        assert dict(decision.headers).get("Access-Control-Allow-Origin") == acao


# --- Access-Control-Request-Headers (SPEC 4) ---------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "allow_headers", "acah"),
    [
        ("x-foo,", "*", "x-foo"),
        (",,authorization,,", "*", "authorization"),
        (" X-Foo , , Authorization ", "*", "X-Foo, Authorization"),
        ("X-Foo, x-foo, X-FOO", "*", "X-Foo"),
        ("X-Token,", ["x-token"], "X-Token"),
        (",", "*", None),
        ("\t", "*", None),
    ],
)
def test_request_headers_ignore_empty_elements_and_keep_spelling(
    requested: str, allow_headers: Any, acah: str | None
) -> None:
    """SPEC 4: empty list elements and whitespace around them are ignored (RFC 9110 5.6.1);
    Access-Control-Allow-Headers repeats the names as the client spelled them, once each."""
    decision = decide(
        policy(origins=[A], allow_headers=allow_headers), "OPTIONS", A, "GET", requested
    )
    assert decision.reason is Reason.PREFLIGHT_ALLOWED
    assert dict(decision.headers).get("Access-Control-Allow-Headers") == acah


# --- kept preflight decisions (SPEC 4, 7) -----------------------------------------------------

#: One policy per option set, kept across examples: its memo fills as a server's would.
_KEPT: dict[str, Policy] = {}

_PREFLIGHT_OPTIONS = {
    "exact": {"origins": [A, "https://b.example"], "methods": ["GET", "PUT"]},
    "headers": {"origins": [A], "allow_headers": ["x-a", r"x-b-\d+"], "max_age": 60},
    "credentials": {"origins": [A], "supports_credentials": True, "allow_private_network": True},
    "public": {},
    "wildcard": {"send_wildcard": True, "methods": "*"},
    "regex": {"origins": [r"https://(a|b)\.example"]},
}


@given(
    st.sampled_from(sorted(_PREFLIGHT_OPTIONS)),
    st.sampled_from([A, "https://b.example", "https://c.example", "null", "A.example"]),
    st.sampled_from(["GET", "PUT", "DELETE", "get", "BAD METHOD"]),
    st.one_of(
        st.none(),
        st.sampled_from(["x-a", "X-A, x-b-12", "x-c", "", " , x-a,", "x-b-", "a b"]),
    ),
    st.sampled_from([None, "true", "false"]),
)
def test_kept_preflight_decision_is_a_fresh_one(
    options_key: str, origin: str, acrm: str, acrh: str | None, private_network: str | None
) -> None:
    """SPEC 4, 7: a preflight decision kept in ``policy.preflight_answers`` is the decision a
    freshly compiled policy makes for the same four request values, grant or refusal."""
    options = _PREFLIGHT_OPTIONS[options_key]
    kept = _KEPT.setdefault(options_key, policy(**options))
    args = ("OPTIONS", origin, acrm, acrh, private_network)
    first = decide(kept, *args)
    again = decide(kept, *args)
    assert again == first
    assert decide(policy(**options), *args) == first
    assert (origin, acrm, acrh, private_network) in kept.preflight_answers


def test_preflight_memo_keeps_no_long_values() -> None:
    """SPEC 7: a preflight whose values are longer than MAX_PREFLIGHT_KEY_LENGTH together is
    decided afresh each time and never kept; a normal one is kept once."""
    from flask_crossorigin.decision import MAX_PREFLIGHT_KEY_LENGTH

    p = policy(origins=[A])
    long_headers = ", ".join(f"x-a-long-header-name-{i:03d}" for i in range(60))
    assert len(long_headers) > MAX_PREFLIGHT_KEY_LENGTH
    for _ in range(3):
        assert decide(p, "OPTIONS", A, "GET", long_headers).allowed
    assert p.preflight_answers == {}
    assert decide(p, "OPTIONS", A, "GET", "x-a").allowed
    assert list(p.preflight_answers) == [(A, "GET", "x-a", None)]


def test_callable_origins_preflights_are_asked_every_time() -> None:
    """SPEC 7: with an origin callable, a preflight's decision is never kept."""
    allowed = {A}
    p = policy(origins=[lambda origin: origin in allowed])
    assert decide(p, "OPTIONS", A, "GET").allowed
    allowed.clear()
    assert not decide(p, "OPTIONS", A, "GET").allowed
    assert p.preflight_answers == {}


def test_preflight_and_actual_memos_share_one_bound() -> None:
    """SPEC 7: preflight and actual decisions, over many policies, keep no more in all than
    ANSWERS_LIMIT."""
    from flask_crossorigin.decision import ANSWERS_LIMIT

    policies = [policy(origins=["*"]) for _ in range(5)]
    for i in range(2 * ANSWERS_LIMIT):
        p = policies[i % 5]
        decide(p, "OPTIONS", A, "GET", f"x-h{i}")
        decide(p, "GET", f"https://h{i}.example")
        held = sum(len(q.answers) + len(q.preflight_answers) for q in policies)
        assert held <= ANSWERS_LIMIT


def test_preflight_memo_length_boundary() -> None:
    """SPEC 7: values exactly MAX_PREFLIGHT_KEY_LENGTH long together are kept; one more
    character, and they are not."""
    from flask_crossorigin.decision import MAX_PREFLIGHT_KEY_LENGTH

    room = MAX_PREFLIGHT_KEY_LENGTH - len(A) - len("GET")
    fits, over = "x" * room, "x" * (room + 1)
    p = policy(origins=[A])
    assert decide(p, "OPTIONS", A, "GET", fits).allowed
    assert decide(p, "OPTIONS", A, "GET", over).allowed
    assert list(p.preflight_answers) == [(A, "GET", fits, None)]
