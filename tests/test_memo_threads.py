"""SPEC 7: every memo holds its bound exactly under any number of threads.

Each test runs at least 8 threads with ``sys.setswitchinterval(1e-6)``, so that threads are
switched between almost every bytecode, and asserts the bound exactly once they are done.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from typing import Callable

import pytest
from flask import Flask

from flask_crossorigin import CORS, cross_origin, respond
from flask_crossorigin import decision as decision_module
from flask_crossorigin.configure import single_policy
from flask_crossorigin.errors import Problems
from flask_crossorigin.memo import SharedBound
from flask_crossorigin.options import parse_layer
from flask_crossorigin.policy import Policy

THREADS = 8


@pytest.fixture(autouse=True)
def switch_often() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def run_threads(work: Callable[[int], None], threads: int = THREADS) -> None:
    """Run ``work(n)`` in ``threads`` threads started together; re-raise their errors."""
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def run(number: int) -> None:
        try:
            start.wait()
            work(number)
        except BaseException as error:
            errors.append(error)

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert not any(worker.is_alive() for worker in workers)
    assert not errors, errors


def test_shared_bound_exact_under_threads() -> None:
    """SPEC 7: tables kept through one SharedBound never hold more than its limit together,
    and its count is exactly what they hold."""
    bound = SharedBound(97)
    tables: list[dict[tuple[int, int], int]] = [{} for _ in range(5)]
    largest = [0]

    def work(number: int) -> None:
        for i in range(6000):
            table = tables[(number + i) % len(tables)]
            bound.keep(table, (number, i), i)
            largest[0] = max(largest[0], len(table))

    run_threads(work)
    assert sum(len(t) for t in tables) == bound.count == len(bound)
    assert 0 < bound.count <= 97
    assert largest[0] <= 97


def test_shared_bound_keeps_a_key_once() -> None:
    """SPEC 7: keeping a key again replaces its value and is not counted twice."""
    bound = SharedBound(3)
    table: dict[str, int] = {}
    for value in range(10):
        bound.keep(table, "same", value)
    assert (table, bound.count) == ({"same": 9}, 1)


def test_shared_bound_refuses_a_zero_limit() -> None:
    """SPEC 7: a bound that could hold nothing is a programming error, said at once."""
    with pytest.raises(ValueError, match="at least 1"):
        SharedBound(0)


def _wildcard_policy() -> Policy:
    problems = Problems()
    parsed = parse_layer({"origins": "https://*.example.com"}, problems, where="CORS(...)")
    problems.raise_if_any()
    return single_policy(Flask(__name__).config, [("CORS(...)", parsed)], "test").policy


def _decision_tables() -> int:
    bound = decision_module._answers_bound
    return sum(
        len(table)
        for table in list(
            bound._tables.values() if isinstance(bound._tables, dict) else bound._tables
        )
    )


def test_decision_memo_bound_under_threads() -> None:
    """SPEC 7: 8 threads sending distinct origins to origins=['https://*.example.com']: the
    policies' decision tables together hold at most ANSWERS_LIMIT decisions, exactly."""
    policies = [_wildcard_policy() for _ in range(3)]

    def work(number: int) -> None:
        for i in range(6000):
            policy = policies[i % len(policies)]
            origin = f"https://t{number}-{i}.example.com"
            found = decision_module.decide_actual(policy, origin)
            assert found.headers[0] == ("Access-Control-Allow-Origin", origin)

    run_threads(work)
    assert sum(len(p.answers) for p in policies) <= decision_module.ANSWERS_LIMIT
    assert _decision_tables() == decision_module._answers_bound.count
    assert decision_module._answers_bound.count <= decision_module.ANSWERS_LIMIT


@pytest.mark.slow
def test_decision_memo_bound_in_the_reported_case() -> None:
    """SPEC 7: the reported case, where one policy's table reached 783,616 entries: 8
    threads, 784,000 distinct origins in all, one policy. It ends within the bound."""
    policy = _wildcard_policy()

    def work(number: int) -> None:
        for i in range(98_000):
            decision_module.decide_actual(policy, f"https://r{number}x{i}.example.com")

    run_threads(work)
    assert len(policy.answers) <= decision_module.ANSWERS_LIMIT
    assert _decision_tables() == decision_module._answers_bound.count


def test_warned_keys_bound_and_each_warned_once() -> None:
    """SPEC 7: the warned-keys set: each new key is warned about exactly once, whatever the
    number of threads, and the set never holds more than its limit."""
    respond._warned.clear()
    keys = [(f"https://k{i}.example", "/r", "origin-not-allowed") for i in range(900)]
    firsts = [0] * THREADS

    def work(number: int) -> None:
        for key in keys:
            if respond._first_warning(key):
                firsts[number] += 1

    run_threads(work)
    assert sum(firsts) == len(keys)
    assert len(respond._warned) == len(keys)

    def overflow(number: int) -> None:
        for i in range(2000):
            respond._first_warning((f"https://o{number}-{i}.example", "/r", "x"))

    run_threads(overflow)
    assert 0 < len(respond._warned) <= respond._WARNED_LIMIT
    respond._warned.clear()


def test_endpoint_table_holds_only_the_apps_endpoints() -> None:
    """SPEC 7: the per-endpoint table keeps one entry per view at most, under threads and
    whatever paths are requested."""
    app = Flask(__name__)
    CORS(app, origins=["https://a.example"])

    @app.route("/items/<int:number>")
    def item(number: int) -> str:
        return str(number)

    @app.route("/decorated")
    @cross_origin(origins=["https://b.example"])
    def decorated() -> str:
        return "d"

    state = app.extensions["flask_crossorigin"]

    def work(number: int) -> None:
        client = app.test_client()
        for i in range(150):
            path = ("/items/{}", "/decorated", "/missing/{}")[i % 3].format(number * 1000 + i)
            client.get(path, headers={"Origin": "https://a.example"})

    run_threads(work)
    assert set(state._by_endpoint) <= set(app.view_functions)
    assert len(state._by_endpoint) <= len(app.view_functions)


def test_preflight_memo_bound_under_threads() -> None:
    """SPEC 7: 8 threads sending preflights with distinct request headers, and actual requests
    from distinct origins, to three policies: all their tables together hold at most
    ANSWERS_LIMIT decisions, exactly what the bound counts, and every answer is right."""
    policies = [_wildcard_policy() for _ in range(3)]

    def work(number: int) -> None:
        for i in range(4000):
            policy = policies[i % len(policies)]
            origin = f"https://p{number}-{i % 50}.example.com"
            name = f"x-t{number}-{i}"
            found = decision_module.decide(policy, "OPTIONS", origin, "PUT", name)
            assert found.headers[0] == ("Access-Control-Allow-Origin", origin)
            assert ("Access-Control-Allow-Headers", name) in found.headers
            decision_module.decide_actual(policy, f"https://a{number}-{i}.example.com")

    run_threads(work)
    held = sum(len(p.answers) + len(p.preflight_answers) for p in policies)
    assert held <= decision_module.ANSWERS_LIMIT
    assert _decision_tables() == decision_module._answers_bound.count


def test_decorated_view_in_two_apps_under_threads() -> None:
    """SPEC 1, 7: one decorated view registered on two apps with different ``CORS_ORIGINS``
    answers each request with its own app's policy, however threads interleave (the view
    keeps the policy of the app it served last)."""

    @cross_origin()
    def shared() -> str:
        return "ok"

    apps = []
    for origin in ("https://one.example", "https://two.example"):
        app = Flask(__name__)
        app.config["CORS_ORIGINS"] = [origin]
        app.add_url_rule("/shared", "shared", shared)
        apps.append((app, origin))

    def work(number: int) -> None:
        clients = [(app.test_client(), origin) for app, origin in apps]
        for i in range(300):
            client, origin = clients[(number + i) % 2]
            other = clients[(number + i + 1) % 2][1]
            granted = client.get("/shared", headers={"Origin": origin})
            assert granted.headers["Access-Control-Allow-Origin"] == origin
            refused = client.get("/shared", headers={"Origin": other})
            assert "Access-Control-Allow-Origin" not in refused.headers

    run_threads(work)
