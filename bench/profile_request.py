"""What flask-crossorigin still does per request, from cProfile.

For a few scenarios, many requests go through ``app.wsgi_app`` under the profiler; the report
lists every function of the package that ran, and every function outside it that the package
called, with calls per request and time per request. Profiled times are inflated by the
profiler (read them as shares, not as costs); the calls per request are exact.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import re
from typing import Any

from . import scenarios as sc

PACKAGE = os.sep + "flask_crossorigin" + os.sep

#: Flask's own per-hook work, which a library pays for every hook it registers.
FLASK_HOOK_WORK = ("ensure_sync", "iscoroutinefunction")

DEFAULT_SCENARIOS = (
    ("resources-100", "allowed"),
    ("resources-100", "no-origin"),
    ("resources-100", "refused"),
    ("resources-100", "preflight"),
    ("resources-100", "credentialed"),
    ("regex-1k", "cold"),
)

#: Where the ``re`` module's own functions live (its pattern cache is ``re._compile``).
RE_MODULE = (os.sep + "re" + os.sep + "__init__.py", os.sep + "re.py")


def _name(key: tuple[str, int, str]) -> str:
    filename, line, function = key
    if filename == "~":
        return function
    module = filename.replace(os.sep, "/")
    for marker in ("/flask_crossorigin/", "/site-packages/", "/lib/python"):
        if marker in module:
            module = module.rsplit(marker, 1)[1]
            if marker == "/flask_crossorigin/":
                module = "flask_crossorigin/" + module
            break
    return f"{module}:{line}({function})"


def profile_scenario(
    table: dict[str, sc.Policy], policy_key: str, kind_key: str, requests: int
) -> dict[str, Any]:
    """Profile ``requests`` requests; ``kind_key`` "cold" is an allowed GET with a new origin
    on every request (regex verdicts are not memoised) and the ``re`` cache purged."""
    cold = kind_key == "cold"
    policy, kind = table[policy_key], sc.KINDS["allowed" if cold else kind_key]
    app = sc.create_app("flask-crossorigin", sc.library_options(policy, kind))
    if cold:
        from .inprocess import cold_origins

        envs = [sc.environ(policy, kind, o) for o in cold_origins(policy, requests + 200)]
        call = sc.wsgi_call(app, envs[200:] + envs[:200])
        for env in envs[:200]:
            sc.answer(app, env)
    else:
        call = sc.wsgi_call(app, [sc.environ(policy, kind)])
        for _ in range(200):
            call()
    profiler = cProfile.Profile()
    purge = re.purge if cold else None
    profiler.enable()
    for _ in range(requests):
        if purge is not None:
            purge()
        call()
    profiler.disable()
    stats = pstats.Stats(profiler)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values())
    ours: list[dict[str, Any]] = []
    called: list[dict[str, Any]] = []
    hooks_cumulative = 0.0
    re_calls = 0
    for key, (_, ncalls, tottime, cumtime, callers) in raw.items():
        mine = PACKAGE in key[0]
        if mine:
            ours.append(_row(key, ncalls, tottime, cumtime, requests))
            if key[2] in ("after_request", "answer_preflight", "answer_environ"):
                hooks_cumulative += cumtime
            elif key[2] in ("full_dispatch_request", "answering_preflights"):
                # The wrappers around Flask's own full_dispatch_request and wsgi_app: only
                # their own time is ours.
                hooks_cumulative += tottime
            continue
        from_us = [c for c in callers if PACKAGE in c[0]]
        if from_us and key[0].endswith(RE_MODULE):
            re_calls += sum(callers[c][1] for c in from_us)
        if from_us:
            n = sum(callers[c][1] for c in from_us)
            tt = sum(callers[c][2] for c in from_us)
            ct = sum(callers[c][3] for c in from_us)
            called.append(_row(key, n, tt, ct, requests))
    ours.sort(key=lambda r: -r["own_us"])
    called.sort(key=lambda r: -r["cumulative_us"])
    return {
        "policy": policy_key,
        "kind": kind_key,
        "label": f"{policy.label}: {kind.label}"
        + (" (new origin each request, re cache purged)" if cold else ""),
        "cold": cold,
        "requests": requests,
        "re_module_calls_per_request": round(re_calls / requests, 3),
        "profiled_request_us": round(total / requests * 1e6, 2),
        "hooks_cumulative_us": round(hooks_cumulative / requests * 1e6, 2),
        "package_functions": ours,
        "called_from_package": called,
    }


def _row(key: Any, ncalls: int, tottime: float, cumtime: float, requests: int) -> dict[str, Any]:
    return {
        "function": _name(key),
        "calls_per_request": round(ncalls / requests, 3),
        "own_us": round(tottime / requests * 1e6, 3),
        "cumulative_us": round(cumtime / requests * 1e6, 3),
    }


def run(
    table: dict[str, sc.Policy], requests: int = 20_000, scenarios: Any = DEFAULT_SCENARIOS
) -> list[dict[str, Any]]:
    return [profile_scenario(table, p, k, requests) for p, k in scenarios if p in table]
