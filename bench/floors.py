"""What Flask and Werkzeug charge by themselves: the least any CORS layer built on Flask's
hooks can cost, measured in the same rounds as flask-crossorigin.

Two sets of apps, each with the one-origin policy:

- An allowed or refused ``GET`` (or one without ``Origin``) answered by bare Flask, by Flask with
  an ``after_request`` hook that does nothing, by Flask with a hand-written hook that adds the
  very header lines flask-crossorigin sends for that request (constants, no decision), and by
  flask-crossorigin. The hand-written hook is the floor of any library that writes its headers
  from ``after_request``, as flask-cors and flask-crossorigin both do: Flask's call of the hook
  and Werkzeug's check of each header line as the response is sent.
- A preflight answered by Flask's own ``OPTIONS`` response, by a view that returns the same
  header lines as flask-crossorigin's answer at once (the floor of ``@cross_origin`` without
  the extension: Flask dispatches to the view), by a ``full_dispatch_request`` wrapper that
  returns them before dispatch, the same after matching the URL with the requested method (the
  floor of the extension's path, SPEC section 4), and by flask-crossorigin's extension and
  decorator.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any, Callable, Optional

from flask import Flask, Response
from flask.globals import request_ctx

from . import scenarios as sc
from .inprocess import Scenario, Settings, check, measure_frozen

#: The request kinds whose floor is measured with an ``after_request`` hook.
HOOK_KINDS = ("allowed", "no-origin", "refused")


def _cors_lines(app: Flask, env: dict[str, Any]) -> list[tuple[str, str]]:
    """The CORS header lines (and ``Vary``) that ``app`` sends for ``env``, in order."""
    _, headers = sc.answer(app, env)
    return [
        (name, value)
        for name, value in headers.items()
        if name.startswith("access-control-") or name == "vary"
    ]


def _hook_app(lines: Optional[list[tuple[str, str]]]) -> Flask:
    """The bench app with one ``after_request`` hook adding ``lines`` (``None``: nothing)."""
    app = sc.create_app("flask", {})
    if lines is None:

        @app.after_request
        def nothing(response: Response) -> Response:
            return response

    else:

        @app.after_request
        def constant(response: Response) -> Response:
            for name, value in lines:
                response.headers.add(name, value)
            return response

    return app


def _answer(lines: list[tuple[str, str]]) -> Response:
    """A 200 response carrying ``lines``, put straight onto its header list (as
    flask-crossorigin does, without Werkzeug checking them again)."""
    response = Response(status=200)
    response.headers._list.extend(lines)  # type: ignore[attr-defined]
    return response


def _view_answer_app(lines: list[tuple[str, str]]) -> Flask:
    """A view that answers the preflight at once with ``lines``, Flask dispatching to it."""
    app = Flask("bench_app")

    def items() -> Response:
        return _answer(lines)

    items.provide_automatic_options = False  # type: ignore[attr-defined]
    items.required_methods = {"OPTIONS"}  # type: ignore[attr-defined]
    app.add_url_rule(sc.PATH, "items", items, methods=["GET", "PUT"])
    return app


def _before_dispatch_app(lines: list[tuple[str, str]], match_url: bool) -> Flask:
    """An app whose ``full_dispatch_request`` answers with ``lines`` before dispatch; with
    ``match_url``, after matching the URL with the requested method, as the extension does."""
    app = sc.create_app("flask", {})

    def full_dispatch_request() -> Response:
        if match_url:
            adapter = request_ctx.url_adapter
            method = request_ctx.request.environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"]
            adapter.match(method=method, return_rule=True)
        return _answer(lines)

    app.full_dispatch_request = full_dispatch_request  # type: ignore[method-assign]
    return app


def _paired(rounds: dict[str, list[float]], a: str, b: str) -> float:
    return round(statistics.median(x - y for x, y in zip(rounds[a], rounds[b])), 3)


def run(settings: Settings, progress: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Measure both sets; every app's answer is checked before it is timed."""
    policy = sc.POLICIES["one"]
    hooks: list[dict[str, Any]] = []
    for kind_key in HOOK_KINDS:
        kind = sc.KINDS[kind_key]
        progress(f"[floors] {kind.label}: Flask's after_request hook, and a hand-written one")
        env = sc.environ(policy, kind)
        ours = sc.create_app("flask-crossorigin", sc.library_options(policy, kind))
        lines = _cors_lines(ours, env)
        apps = {
            "flask": sc.create_app("flask", {}),
            "empty hook": _hook_app(None),
            "hand-written hook": _hook_app(lines),
            "flask-crossorigin": ours,
        }
        for name in ("hand-written hook", "flask-crossorigin"):
            if _cors_lines(apps[name], env) != lines:
                raise AssertionError(f"{name} does not send {lines!r}")
        measured = measure_frozen({n: sc.wsgi_call(a, [env]) for n, a in apps.items()}, settings)
        hooks.append(
            {
                "kind": kind_key,
                "kind_label": kind.label,
                "lines": len(lines),
                "added_us": measured["added_us"],
                "logic_us": _paired(
                    measured["rounds_us"], "flask-crossorigin", "hand-written hook"
                ),
            }
        )

    kind = sc.KINDS["preflight"]
    progress("[floors] preflight: answered by a view, and before dispatch")
    env = sc.environ(policy, kind)
    options = sc.library_options(policy, kind)
    extension = sc.create_app("flask-crossorigin", options)
    lines = _cors_lines(extension, env)
    apps = {
        "flask": sc.create_app("flask", {}),
        "view answers at once": _view_answer_app(lines),
        "answered before dispatch": _before_dispatch_app(lines, match_url=False),
        "before dispatch, URL matched": _before_dispatch_app(lines, match_url=True),
        "CORS(app)": extension,
        "@cross_origin": sc.create_decorated_app(options),
    }
    for name, app in apps.items():
        check(
            Scenario(policy, kind),
            "flask" if name == "flask" else sc.LIBRARIES[2],
            *sc.answer(app, env),
        )
    measured = measure_frozen({n: sc.wsgi_call(a, [env]) for n, a in apps.items()}, settings)
    rounds = measured["rounds_us"]
    preflight = {
        "added_us": measured["added_us"],
        "dispatch_us": _paired(rounds, "view answers at once", "answered before dispatch"),
        "url_match_us": _paired(rounds, "before dispatch, URL matched", "answered before dispatch"),
        "gap_floor_us": _paired(rounds, "view answers at once", "before dispatch, URL matched"),
        "gap_us": _paired(rounds, "@cross_origin", "CORS(app)"),
    }
    return {"hooks": hooks, "preflight": preflight}


HOOK_HEADER = (
    "Request",
    "CORS lines",
    "empty hook (us)",
    "hand-written hook (us)",
    "flask-crossorigin (us)",
    "flask-crossorigin over the hand-written hook (paired, us)",
)


def hook_rows(hooks: Sequence[dict[str, Any]]) -> list[tuple[str, ...]]:
    def med(row: dict[str, Any], name: str) -> str:
        return f"{row['added_us'][name]['median']:.2f}"

    return [
        (
            r["kind_label"],
            str(r["lines"]),
            med(r, "empty hook"),
            med(r, "hand-written hook"),
            med(r, "flask-crossorigin"),
            f"{r['logic_us']:.2f}",
        )
        for r in hooks
    ]


PREFLIGHT_HEADER = ("Preflight answered", "Added to Flask's own OPTIONS answer (us)")


def preflight_rows(preflight: dict[str, Any]) -> list[tuple[str, ...]]:
    rows = [(name, f"{stats['median']:.2f}") for name, stats in preflight["added_us"].items()]
    rows += [
        ("Flask's dispatch to a view (paired)", f"{preflight['dispatch_us']:.2f}"),
        ("matching the URL with the requested method (paired)", f"{preflight['url_match_us']:.2f}"),
        (
            "least possible @cross_origin - CORS(app) difference (paired)",
            f"{preflight['gap_floor_us']:.2f}",
        ),
        ("measured @cross_origin - CORS(app) difference (paired)", f"{preflight['gap_us']:.2f}"),
    ]
    return rows
