"""The in-process grid: every scenario through ``app.wsgi_app``, no network.

For each scenario the three apps (bare Flask, flask-cors, flask-crossorigin) are built, their
answers checked, and then timed in interleaved rounds: each round runs one batch per library,
in an order that rotates from round to round, so that a burst of noise from other processes
falls on all three alike, and in CPU time, so that waiting for a core does not count. A
library's added cost is taken per round (library minus bare Flask
in the same round) and summarised by its median and quartiles.
"""

from __future__ import annotations

import gc
import math
import re
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable, Optional

from . import scenarios as sc

Call = Callable[[], None]

#: The clock of a batch: this process's CPU time, so that time spent waiting for a core that
#: other processes hold does not count (the machine is often shared).
CLOCK = time.process_time


@dataclass(frozen=True)
class Settings:
    rounds: int = 15
    #: Wall time of one batch (one library, one round), in seconds.
    batch_seconds: float = 0.006
    max_batch: int = 5000


@dataclass(frozen=True)
class Scenario:
    policy: sc.Policy
    kind: sc.Kind
    #: Cold regex: a different origin on every request, and ``re.purge()`` before each one.
    cold: bool = False

    @property
    def key(self) -> str:
        return f"{self.policy.key}/{self.kind.key}" + ("/cold" if self.cold else "")

    @property
    def label(self) -> str:
        extra = " (new origin each request, re cache purged)" if self.cold else ""
        return f"{self.policy.label}: {self.kind.label}{extra}"


def grid(
    table: Optional[dict[str, sc.Policy]] = None, keys: Optional[Sequence[str]] = None
) -> list[Scenario]:
    table = table or sc.POLICIES
    keys = keys or list(table)
    out = [Scenario(table[p], k) for p in keys for k in sc.KINDS.values()]
    if "regex-1k" in keys:
        out.append(Scenario(table["regex-1k"], sc.KINDS["allowed"], cold=True))
    return out


def cold_origins(policy: sc.Policy, count: int = 9000) -> list[str]:
    """Distinct allowed origins (by default more than any verdict memo keeps), spread over
    all the policy's regexes, so flask-cors scans half its list on average, as when warm."""
    regexes = len(policy.options["origins"])
    return [f"https://team{n % regexes}.app{n // regexes}.example.com" for n in range(count)]


def build_calls(scenario: Scenario, cold_count: int = 9000) -> dict[str, Call]:
    options = sc.library_options(scenario.policy, scenario.kind)
    calls: dict[str, Call] = {}
    for library in sc.LIBRARIES:
        app = sc.create_app(library, options)
        if scenario.cold:
            envs = [
                sc.environ(scenario.policy, scenario.kind, o)
                for o in cold_origins(scenario.policy, cold_count)
            ]
        else:
            envs = [sc.environ(scenario.policy, scenario.kind)]
        check(scenario, library, *sc.answer(app, envs[0]))
        call = sc.wsgi_call(app, envs)
        if scenario.cold:
            call = _purging(call)
        calls[library] = call
    return calls


def _purging(call: Call) -> Call:
    purge = re.purge

    def purged() -> None:
        purge()
        call()

    return purged


class ScenarioError(AssertionError):
    pass


def check(scenario: Scenario, library: str, status: int, headers: dict[str, str]) -> None:
    """Refuse to time a scenario whose answer is not what it claims to measure."""
    kind = scenario.kind
    acao = headers.get("access-control-allow-origin")
    problems = []
    if status != 200:
        problems.append(f"status {status}")
    if kind.granted is None:
        pass
    elif library == "flask" or not kind.granted:
        if acao is not None:
            problems.append(f"unexpected Access-Control-Allow-Origin {acao!r}")
    else:
        if acao is None:
            problems.append("no Access-Control-Allow-Origin")
        if kind.credentials and headers.get("access-control-allow-credentials") != "true":
            problems.append("no Access-Control-Allow-Credentials")
        if kind.method == "OPTIONS" and "access-control-allow-methods" not in headers:
            problems.append("no Access-Control-Allow-Methods on the preflight")
    if problems:
        raise ScenarioError(f"{scenario.key} with {library}: {', '.join(problems)}")


def calibrate(call: Call, settings: Settings) -> int:
    """How many requests make one batch of about ``settings.batch_seconds``."""
    warm_until = time.perf_counter() + settings.batch_seconds
    done = 0
    while done < 3 or (time.perf_counter() < warm_until and done < settings.max_batch):
        call()
        done += 1
    count = 1
    while True:
        start = time.perf_counter()
        for _ in range(count):
            call()
        elapsed = time.perf_counter() - start
        if elapsed >= settings.batch_seconds / 4 or count >= settings.max_batch:
            break
        count *= 4
    per_call = elapsed / count
    return max(1, min(settings.max_batch, math.ceil(settings.batch_seconds / per_call)))


def summary(values: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values)
    if len(ordered) >= 4:
        q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    else:
        q1, q3 = ordered[0], ordered[-1]
    return {
        "median": round(statistics.median(ordered), 3),
        "p25": round(q1, 3),
        "p75": round(q3, 3),
        "min": round(ordered[0], 3),
        "max": round(ordered[-1], 3),
    }


def measure(calls: dict[str, Call], settings: Settings) -> dict[str, Any]:
    libraries = list(calls)
    batch = {lib: calibrate(calls[lib], settings) for lib in libraries}
    times: dict[str, list[float]] = {lib: [] for lib in libraries}
    clock = CLOCK
    for round_number in range(settings.rounds):
        shift = round_number % len(libraries)
        for lib in libraries[shift:] + libraries[:shift]:
            call, count = calls[lib], batch[lib]
            start = clock()
            for _ in range(count):
                call()
            times[lib].append((clock() - start) / count * 1e6)
    base = times["flask"]
    added = {
        lib: summary([t - b for t, b in zip(times[lib], base)])
        for lib in libraries
        if lib != "flask"
    }
    return {
        "requests_per_batch": batch,
        "per_request_us": {lib: summary(times[lib]) for lib in libraries},
        "added_us": added,
        "rounds_us": {lib: [round(t, 3) for t in times[lib]] for lib in libraries},
    }


def ratio(ours: float, theirs: float) -> Optional[float]:
    if theirs <= 0:
        return None
    return round(ours / theirs, 4)


def measure_frozen(calls: dict[str, Call], settings: Settings) -> dict[str, Any]:
    """``measure`` with the apps and their configuration frozen out of the garbage collector's
    way, and collected afterwards."""
    gc.collect()
    gc.freeze()
    try:
        return measure(calls, settings)
    finally:
        calls.clear()
        gc.unfreeze()
        gc.collect()


def run(
    scenario_list: Sequence[Scenario],
    settings: Settings,
    progress: Callable[[str], None] = lambda _: None,
    cold_count: int = 9000,
) -> list[dict[str, Any]]:
    results = []
    for number, scenario in enumerate(scenario_list, 1):
        progress(f"[{number}/{len(scenario_list)}] {scenario.label}")
        measured = measure_frozen(build_calls(scenario, cold_count), settings)
        added = measured["added_us"]
        results.append(
            {
                "key": scenario.key,
                "policy": scenario.policy.key,
                "policy_label": scenario.policy.label,
                "kind": scenario.kind.key,
                "kind_label": scenario.kind.label,
                "cold": scenario.cold,
                "label": scenario.label,
                **measured,
                "ratio": ratio(added["flask-crossorigin"]["median"], added["flask-cors"]["median"]),
            }
        )
    return results


def flatness(
    table: dict[str, sc.Policy],
    settings: Settings,
    policies: Sequence[str] = ("one", "exact-10k"),
    # Not "no-origin": with one origin (and always_send, the default) both libraries answer a
    # request without Origin with that origin, so the answers differ in content, not in size.
    kinds: Sequence[str] = ("allowed", "refused", "preflight", "credentialed"),
    progress: Callable[[str], None] = lambda _: None,
) -> list[dict[str, Any]]:
    """flask-crossorigin alone under several policies, interleaved in the same rounds, so that
    the cost of a bigger policy is compared with a small one without the noise between runs."""
    results = []
    for kind_key in kinds:
        kind = sc.KINDS[kind_key]
        progress(f"[flatness] {kind.label}: {', '.join(table[p].label for p in policies)}")
        first = table[policies[0]]
        calls: dict[str, Call] = {
            "flask": sc.wsgi_call(sc.create_app("flask", {}), [sc.environ(first, kind)])
        }
        for key in policies:
            policy = table[key]
            app = sc.create_app("flask-crossorigin", sc.library_options(policy, kind))
            env = sc.environ(policy, kind)
            check(Scenario(policy, kind), "flask-crossorigin", *sc.answer(app, env))
            calls[key] = sc.wsgi_call(app, [env])
        measured = measure_frozen(calls, settings)
        added = {k: v for k, v in measured["added_us"].items()}
        base = added[policies[0]]["median"]
        rounds = measured["rounds_us"]
        # The difference between two policies is taken round by round (both ran in the same
        # round), then its median: steadier than the difference of two medians.
        paired = {
            k: statistics.median(a - b for a, b in zip(rounds[k], rounds[policies[0]]))
            for k in policies
        }
        results.append(
            {
                "kind": kind_key,
                "kind_label": kind.label,
                "policies": list(policies),
                "added_us": added,
                "difference_us": {k: round(v, 3) for k, v in paired.items()},
                "relative": {
                    k: None if base <= 0 else round(v / base, 4) for k, v in paired.items()
                },
            }
        )
    return results


def never_seen_policy(resources: int) -> sc.Policy:
    """``resources`` regex resources (``/api/v1/r<n>/*``) over one origin; requests go to the
    middle one."""
    one = "https://app.example.com"
    return sc.Policy(
        f"never-seen-{resources}",
        f"{resources:,} regex resources",
        {"origins": [one], "resources": [rf"/api/v1/r{i}/*" for i in range(resources)]},
        one,
        path=f"/api/v1/r{resources // 2}/items/0",
    )


def never_seen(
    settings: Settings,
    sizes: Sequence[int] = (10, 100, 1000),
    paths: int = 9000,
    progress: Callable[[str], None] = lambda _: None,
) -> list[dict[str, Any]]:
    """The added cost of a path never seen before, under 10, 100 and 1,000 regex resources.

    Every request goes to a new item of the middle resource (``paths`` of them in turn, more
    than any path memo keeps), for all three apps; flask-crossorigin is also timed on one
    repeated path in the same rounds, against the same bare Flask rounds.
    """
    kind = sc.KINDS["allowed"]
    results = []
    for size in sizes:
        policy = never_seen_policy(size)
        progress(f"[never-seen path] {policy.label}")
        middle = size // 2
        envs = [sc.environ(policy, kind, path=f"/api/v1/r{middle}/items/{n}") for n in range(paths)]
        calls: dict[str, Call] = {}
        for library in sc.LIBRARIES:
            app = sc.create_app(library, policy.options, item_route=True)
            check(Scenario(policy, kind), library, *sc.answer(app, envs[0]))
            calls[library] = sc.wsgi_call(app, envs)
        repeated = sc.create_app("flask-crossorigin", policy.options, item_route=True)
        calls["repeated"] = sc.wsgi_call(repeated, envs[:1])
        measured = measure_frozen(calls, settings)
        added = measured["added_us"]
        results.append(
            {
                "resources": size,
                "label": policy.label,
                "flask_us": measured["per_request_us"]["flask"],
                "added_us": added,
                "ratio": ratio(added["flask-crossorigin"]["median"], added["flask-cors"]["median"]),
            }
        )
    return results


def decorator(
    settings: Settings,
    kinds: Sequence[str] = ("allowed", "preflight"),
    progress: Callable[[str], None] = lambda _: None,
) -> list[dict[str, Any]]:
    """``@cross_origin`` against the extension, same policy (one origin), same rounds: the
    added cost of each over bare Flask, and their difference taken round by round."""
    policy = sc.POLICIES["one"]
    results = []
    for kind_key in kinds:
        kind = sc.KINDS[kind_key]
        progress(f"[decorator] {kind.label}: @cross_origin against CORS(app)")
        env = sc.environ(policy, kind)
        options = sc.library_options(policy, kind)
        apps = {
            "flask": sc.create_app("flask", {}),
            "extension": sc.create_app("flask-crossorigin", options),
            "decorator": sc.create_decorated_app(options),
        }
        for name, app in apps.items():
            library = "flask" if name == "flask" else "flask-crossorigin"
            check(Scenario(policy, kind), library, *sc.answer(app, env))
        calls = {name: sc.wsgi_call(app, [env]) for name, app in apps.items()}
        measured = measure_frozen(calls, settings)
        rounds = measured["rounds_us"]
        difference = statistics.median(
            d - e for d, e in zip(rounds["decorator"], rounds["extension"])
        )
        added = measured["added_us"]
        results.append(
            {
                "kind": kind_key,
                "kind_label": kind.label,
                "added_us": added,
                "difference_us": round(difference, 3),
                "ratio": ratio(added["decorator"]["median"], added["extension"]["median"]),
            }
        )
    return results
