"""Results: the targets, a text table, an reStructuredText table for the docs, and the chart."""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional

from . import edge, floors
from . import scenarios as sc

OURS, THEIRS = "flask-crossorigin", "flask-cors"


# --- machine ---------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _load() -> Optional[list[float]]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def machine() -> dict[str, Any]:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "system": f"{platform.system()} {platform.machine()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "versions": {
            name: _version(name)
            for name in ("flask", "werkzeug", "flask-cors", "flask-crossorigin", "gunicorn")
        },
        "load_average_before": _load(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def describe_machine(meta: dict[str, Any]) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in meta["versions"].items())
    return f"{meta['cpu']}, {meta['cores']} cores, {meta['system']}, {meta['python']}; {versions}"


# --- targets ---------------------------------------------------------------------------------


def _by_key(grid: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in grid}


def _added(row: dict[str, Any], library: str) -> float:
    return float(row["added_us"][library]["median"])


def targets(
    grid: Sequence[dict[str, Any]],
    profile: Sequence[dict[str, Any]],
    flatness: Sequence[dict[str, Any]] = (),
    startup: Sequence[dict[str, Any]] = (),
    never_seen: Sequence[dict[str, Any]] = (),
    decorator: Sequence[dict[str, Any]] = (),
    floors: Optional[dict[str, Any]] = None,
) -> list[dict[str, Any]]:
    rows = _by_key(grid)
    out: list[dict[str, Any]] = []

    checked = [r for r in grid if _added(r, THEIRS) > 5.0]
    failing = [r["key"] for r in checked if r["ratio"] is None or r["ratio"] > 0.25]
    out.append(
        {
            "target": "added cost at most 25% of flask-cors's where flask-cors adds > 5 us",
            "met": bool(checked) and not failing,
            "detail": f"{len(checked) - len(failing)} of {len(checked)} scenarios"
            + (f"; over: {', '.join(failing)}" if failing else ""),
        }
    )

    res = [r for r in grid if r["policy"] == "resources-100"]
    if res:
        over = [f"{r['kind']} {_ratio(r['ratio'])}" for r in res if (r["ratio"] or 1) > 0.02]
        detail = ", ".join(f"{r['kind']} {_ratio(r['ratio'])}" for r in res)
        budgets = ", ".join(f"{r['kind']} {0.02 * _added(r, THEIRS):.2f} us" for r in res)
        detail += f"; 2% is {budgets}" + hook_floor_detail(floors)
        out.append(
            {
                "target": "100 resources with 1,000 origins: at most 2% of flask-cors's cost",
                "met": not over,
                "detail": detail,
            }
        )

    if flatness:
        worst = max(abs(r["relative"]["exact-10k"] or 0.0) for r in flatness)
        out.append(
            {
                "target": "10,000 exact origins within 10% of 1 origin",
                "met": worst <= 0.10,
                "detail": "added cost, 1 vs 10,000 origins, same rounds (us): "
                + ", ".join(
                    f"{r['kind']} {r['added_us']['one']['median']:.2f} vs "
                    f"{r['added_us']['exact-10k']['median']:.2f}"
                    for r in flatness
                )
                + f"; largest difference {worst:.1%}",
            }
        )

    warm, cold = rows.get("regex-1k/allowed"), rows.get("regex-1k/allowed/cold")
    cold_profile = next((p for p in profile if p.get("cold")), None)
    if warm is not None and cold is not None:
        re_calls = cold_profile["re_module_calls_per_request"] if cold_profile else None
        detail = (
            f"added cost warm {_added(warm, OURS):.2f} us, with the re cache purged and a new "
            f"origin every request {_added(cold, OURS):.2f} us "
            f"(flask-cors {_added(warm, THEIRS):.0f} us and {_added(cold, THEIRS):.0f} us)"
        )
        if re_calls is not None:
            detail += f"; calls into the re module's cache per request: {re_calls}"
        out.append(
            {
                "target": "1,000 regex origins do not depend on Python's regex cache",
                "met": (re_calls == 0 if re_calls is not None else True)
                and (cold["ratio"] is not None and cold["ratio"] <= 0.25),
                "detail": detail,
            }
        )
    out.extend(startup_targets(startup))
    out.extend(never_seen_targets(never_seen))
    out.extend(decorator_targets(decorator, floors))
    return out


def hook_floor_detail(floors: Optional[dict[str, Any]]) -> str:
    """What a hand-written ``after_request`` hook adding constant header lines costs, by the
    number of lines (the floor of any library that writes its headers from such a hook)."""
    if not floors or not floors.get("hooks"):
        return ""
    by_lines: dict[int, float] = {}
    for r in floors["hooks"]:
        by_lines.setdefault(r["lines"], r["added_us"]["hand-written hook"]["median"])
    costs = ", ".join(
        f"{cost:.2f} us for {lines} line{'s' if lines > 1 else ''}"
        for lines, cost in sorted(by_lines.items())
    )
    return f"; a hand-written after_request hook adding constant lines costs {costs}"


#: Start-up of the biggest case must stay well under a second.
STARTUP_SECONDS_LIMIT = 0.5
NEVER_SEEN_LIMIT_US = 20.0


def startup_targets(startup: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for case in startup:
        ours, theirs = case["libraries"][OURS], case["libraries"][THEIRS]
        detail = (
            f"{ours['seconds']:.3f} s and {ours['kept_mib']:.1f} MiB kept "
            f"(flask-cors {theirs['seconds']:.3f} s and {theirs['kept_mib']:.1f} MiB)"
        )
        if case["key"] == "resources-1k-origins-2k":
            out.append(
                {
                    "target": f"start-up, {case['label']}: no slower than flask-cors, "
                    "at most twice its kept memory",
                    "met": ours["seconds"] <= theirs["seconds"]
                    and ours["kept_mib"] <= 2 * theirs["kept_mib"],
                    "detail": detail,
                }
            )
        elif case["key"] == "resources-1k-origins-10k":
            out.append(
                {
                    "target": f"start-up, {case['label']}: under {STARTUP_SECONDS_LIMIT:g} s",
                    "met": ours["seconds"] <= STARTUP_SECONDS_LIMIT,
                    "detail": detail,
                }
            )
    return out


def never_seen_targets(never_seen: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    if not never_seen:
        return []
    largest = max(never_seen, key=lambda r: r["resources"])
    cost = _added(largest, OURS)
    return [
        {
            "target": f"a never-seen path under {largest['label']}: at most "
            f"{NEVER_SEEN_LIMIT_US:g} us added",
            "met": cost <= NEVER_SEEN_LIMIT_US,
            "detail": ", ".join(f"{r['label']} {_added(r, OURS):.2f} us" for r in never_seen),
        }
    ]


def decorator_targets(
    decorator: Sequence[dict[str, Any]], floors: Optional[dict[str, Any]] = None
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    preflight_floor = (floors or {}).get("preflight")
    for r in decorator:
        extension, decorated = _added(r, "extension"), _added(r, "decorator")
        detail = (
            f"added {decorated:.2f} us against the extension's {extension:.2f} us "
            f"(paired difference {r['difference_us']:.2f} us)"
        )
        if r["kind"] == "preflight":
            if preflight_floor:
                detail += (
                    "; least possible difference for an answer from the view, which Flask "
                    f"dispatches to: {preflight_floor['gap_floor_us']:.2f} us (Flask's dispatch "
                    f"{preflight_floor['dispatch_us']:.2f} us, less the extension's URL match "
                    f"{preflight_floor['url_match_us']:.2f} us)"
                )
            out.append(
                {
                    "target": "@cross_origin preflight within 2 us of the extension's",
                    "met": r["difference_us"] <= 2.0,
                    "detail": detail,
                }
            )
        else:
            out.append(
                {
                    "target": f"@cross_origin {r['kind_label']} within 1.25x of the "
                    "extension's added cost",
                    "met": extension > 0 and decorated <= 1.25 * extension,
                    "detail": detail,
                }
            )
    return out


# --- tables ----------------------------------------------------------------------------------


def _spread(stats: dict[str, float]) -> str:
    return f"{stats['median']:.2f} ({stats['p25']:.2f} to {stats['p75']:.2f})"


def _ratio(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{value:.2%}"


HEADER = (
    "Scenario",
    "Flask (us/request)",
    "flask-cors added (us)",
    "flask-crossorigin added (us)",
    "Ratio",
)
E2E_HEADER = ("Scenario", "Library", "Requests/s (median)", "p50 ms", "p90 ms", "p99 ms")


def grid_rows(grid: Sequence[dict[str, Any]]) -> list[tuple[str, ...]]:
    return [
        (
            row["label"],
            _spread(row["per_request_us"]["flask"]),
            _spread(row["added_us"][THEIRS]),
            _spread(row["added_us"][OURS]),
            _ratio(row["ratio"]),
        )
        for row in grid
    ]


def e2e_rows(e2e: Sequence[dict[str, Any]]) -> list[tuple[str, ...]]:
    rows = []
    for result in e2e:
        for library, r in result["libraries"].items():
            lat = r["latency_ms"]
            rows.append(
                (
                    result["label"],
                    library,
                    f"{r['rps_median']:.0f}",
                    f"{lat['p50']:.2f}",
                    f"{lat['p90']:.2f}",
                    f"{lat['p99']:.2f}",
                )
            )
    return rows


FLAT_HEADER = ("Request", "1 origin (us)", "10,000 exact origins (us)", "Difference (paired)")


def flatness_rows(flatness: Sequence[dict[str, Any]]) -> list[tuple[str, ...]]:
    return [
        (
            r["kind_label"],
            _spread(r["added_us"]["one"]),
            _spread(r["added_us"]["exact-10k"]),
            _ratio(r["relative"]["exact-10k"]),
        )
        for r in flatness
    ]


STARTUP_HEADER = (
    "Configuration",
    "flask-cors (s)",
    "flask-crossorigin (s)",
    "flask-cors kept (MiB)",
    "flask-crossorigin kept (MiB)",
)


def startup_rows(startup: Sequence[dict[str, Any]]) -> list[tuple[str, ...]]:
    return [
        (
            r["label"],
            f"{r['libraries'][THEIRS]['seconds']:.3f}",
            f"{r['libraries'][OURS]['seconds']:.3f}",
            f"{r['libraries'][THEIRS]['kept_mib']:.1f}",
            f"{r['libraries'][OURS]['kept_mib']:.1f}",
        )
        for r in startup
    ]


NEVER_SEEN_HEADER = (
    "Resources",
    "Flask (us/request)",
    "flask-cors added (us)",
    "flask-crossorigin added (us)",
    "flask-crossorigin, repeated path (us)",
)


def never_seen_rows(never_seen: Sequence[dict[str, Any]]) -> list[tuple[str, ...]]:
    return [
        (
            r["label"],
            _spread(r["flask_us"]),
            _spread(r["added_us"][THEIRS]),
            _spread(r["added_us"][OURS]),
            _spread(r["added_us"]["repeated"]),
        )
        for r in never_seen
    ]


DECORATOR_HEADER = (
    "Request",
    "CORS(app) added (us)",
    "@cross_origin added (us)",
    "Difference (paired, us)",
)


def decorator_rows(decorator: Sequence[dict[str, Any]]) -> list[tuple[str, ...]]:
    return [
        (
            r["kind_label"],
            _spread(r["added_us"]["extension"]),
            _spread(r["added_us"]["decorator"]),
            f"{r['difference_us']:.2f}",
        )
        for r in decorator
    ]


#: The titles of the extra tables, shared by the text and the reStructuredText reports.
STARTUP_TITLE = (
    "Start-up: CPU time of CORS(app, ...) and the memory it keeps (medians of fresh processes)"
)
NEVER_SEEN_TITLE = (
    "A path never seen before (a new item of the middle resource on every request): "
    "added cost, median and quartiles"
)
DECORATOR_TITLE = "@cross_origin against CORS(app), one origin, same rounds"
#: Said above the targets of a ``--quick`` run, whose counts are a hundredth of the real ones.
QUICK_NOTE = (
    "QUICK RUN (--quick): every count is a hundredth of the real one and batches are tiny; "
    "the labels name the full-size policies; these timings and targets mean nothing"
)
HOOK_FLOOR_TITLE = (
    "What Flask and Werkzeug charge by themselves: an after_request hook, one origin, "
    "added cost over bare Flask, same rounds"
)
PREFLIGHT_FLOOR_TITLE = (
    "What Flask and Werkzeug charge by themselves: a preflight answered with the same header "
    "lines by a view or before dispatch, one origin, same rounds"
)


def _extra_tables(
    results: dict[str, Any],
) -> list[tuple[str, Sequence[str], list[tuple[str, ...]]]]:
    tables = []
    if results.get("startup"):
        tables.append((STARTUP_TITLE, STARTUP_HEADER, startup_rows(results["startup"])))
    if results.get("never_seen"):
        tables.append((NEVER_SEEN_TITLE, NEVER_SEEN_HEADER, never_seen_rows(results["never_seen"])))
    if results.get("decorator"):
        tables.append((DECORATOR_TITLE, DECORATOR_HEADER, decorator_rows(results["decorator"])))
    return tables


def _floor_tables(
    results: dict[str, Any],
) -> list[tuple[str, Sequence[str], list[tuple[str, ...]]]]:
    tables = []
    found = results.get("floors") or {}
    if found.get("hooks"):
        tables.append((HOOK_FLOOR_TITLE, floors.HOOK_HEADER, floors.hook_rows(found["hooks"])))
    if found.get("preflight"):
        tables.append(
            (
                PREFLIGHT_FLOOR_TITLE,
                floors.PREFLIGHT_HEADER,
                floors.preflight_rows(found["preflight"]),
            )
        )
    return tables


def profile_rows(profile: Sequence[dict[str, Any]]) -> list[tuple[str, ...]]:
    rows = []
    for scenario in profile:
        for r in scenario["package_functions"] + scenario["called_from_package"]:
            rows.append(
                (
                    scenario["label"],
                    r["function"],
                    f"{r['calls_per_request']:g}",
                    f"{r['own_us']:.2f}",
                    f"{r['cumulative_us']:.2f}",
                )
            )
    return rows


PROFILE_HEADER = ("Scenario", "Function", "Calls/request", "Own us", "Cumulative us")


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    line = " | ".join(h.ljust(w) for h, w in zip(header, widths))
    rule = "-+-".join("-" * w for w in widths)
    body = [" | ".join(str(c).ljust(w) for c, w in zip(row, widths)) for row in rows]
    return "\n".join([line, rule, *body])


def text_report(results: dict[str, Any]) -> str:
    parts = [
        "Machine: " + describe_machine(results["meta"]),
        "",
        "In process (app.wsgi_app): median per round, quartiles in brackets; "
        "ratio = flask-crossorigin added / flask-cors added",
        text_table(HEADER, grid_rows(results["grid"])),
    ]
    if results.get("e2e"):
        parts += [
            "",
            "End to end (gunicorn on loopback)",
            text_table(E2E_HEADER, e2e_rows(results["e2e"])),
        ]
    if results.get("edge"):
        parts += [
            "",
            f"Preflights end to end ({results['edge']['policy']}, {results['edge']['path']}): "
            "nginx with `flask cors export nginx` vs the app",
            text_table(edge.HEADER, edge.rows(results["edge"])),
        ]
    if results.get("flatness"):
        parts += [
            "",
            "flask-crossorigin's added cost, 1 vs 10,000 exact origins in the same rounds",
            text_table(FLAT_HEADER, flatness_rows(results["flatness"])),
        ]
    for title, header, rows in _extra_tables(results) + _floor_tables(results):
        parts += ["", title, text_table(header, rows)]
    if results["meta"].get("quick"):
        parts += ["", QUICK_NOTE]
    if results.get("targets"):
        parts += ["", "Targets"]
        parts += [
            f"  [{'met' if t['met'] else 'NOT MET'}] {t['target']}: {t['detail']}"
            for t in results["targets"]
        ]
    return "\n".join(parts) + "\n"


def _rst_list_table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = [f".. list-table:: {title}", "   :header-rows: 1", ""]
    for row in [header, *rows]:
        lines.append("   * - " + _rst_cell(row[0]))
        lines.extend("     - " + _rst_cell(c) for c in row[1:])
    return "\n".join(lines) + "\n"


def _rst_cell(value: str) -> str:
    return value.replace("*", r"\*") or r"\ "


def rst_report(results: dict[str, Any]) -> str:
    """The tables the docs' performance page includes."""
    meta = results["meta"]
    parts = [
        f"Measured {meta['date']} on {describe_machine(meta)}.",
        "",
        _rst_list_table(
            "In process: microseconds per request (median, quartiles in brackets)",
            HEADER,
            grid_rows(results["grid"]),
        ),
    ]
    if results.get("e2e"):
        parts.append(
            _rst_list_table("End to end through gunicorn", E2E_HEADER, e2e_rows(results["e2e"]))
        )
    if results.get("edge"):
        parts.append(
            _rst_list_table(
                "Preflights end to end: nginx with the exported policy, nginx proxying to the "
                "app, and the app alone",
                edge.HEADER,
                edge.rows(results["edge"]),
            )
        )
    if results.get("flatness"):
        parts.append(
            _rst_list_table(
                "flask-crossorigin's added cost, 1 and 10,000 exact origins in the same rounds",
                FLAT_HEADER,
                flatness_rows(results["flatness"]),
            )
        )
    if results.get("targets"):
        parts.append(
            _rst_list_table(
                "Targets",
                ("Target", "Met", "Detail"),
                [
                    (t["target"], "yes" if t["met"] else "no", t["detail"])
                    for t in results["targets"]
                ],
            )
        )
    return "\n".join(parts)


def scaling_rst(results: dict[str, Any]) -> str:
    """The start-up, never-seen path and decorator tables (for the docs)."""
    tables = _extra_tables(results)
    if not tables:
        return "Not measured in this run.\n"
    return "\n".join(_rst_list_table(title, header, rows) for title, header, rows in tables)


def floors_rst(results: dict[str, Any]) -> str:
    """The tables of what Flask and Werkzeug charge by themselves (for the docs)."""
    tables = _floor_tables(results)
    if not tables:
        return "Not measured in this run.\n"
    return "\n".join(_rst_list_table(title, header, rows) for title, header, rows in tables)


def profile_rst(profile: Sequence[dict[str, Any]], limit: int = 12) -> str:
    """The remaining per-request work, shortest useful form (for the docs)."""
    parts = []
    for scenario in profile:
        rows = [
            (
                r["function"],
                f"{r['calls_per_request']:g}",
                f"{r['own_us']:.2f}",
                f"{r['cumulative_us']:.2f}",
            )
            for r in scenario["package_functions"][:limit]
        ]
        parts.append(
            _rst_list_table(
                f"{scenario['label']} (profiled request {scenario['profiled_request_us']:.1f} us, "
                f"of which flask-crossorigin's hooks {scenario['hooks_cumulative_us']:.1f} us)",
                PROFILE_HEADER[1:],
                rows,
            )
        )
    return "\n".join(parts)


# --- chart -----------------------------------------------------------------------------------


def chart(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grid = [r for r in results["grid"] if not r["cold"]]
    policies = list(dict.fromkeys(r["policy"] for r in grid))
    e2e = results.get("e2e") or []
    panels = len(policies) + (1 if e2e else 0)
    columns = 2
    rows = (panels + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(12, 3.1 * rows), squeeze=False)
    colours = {THEIRS: "#c44e52", OURS: "#4c72b0", "flask": "#8c8c8c"}
    floor = 0.1
    for ax, policy in zip(axes.flat, policies):
        subset = [r for r in grid if r["policy"] == policy]
        labels = [r["kind_label"] for r in subset]
        ys = range(len(subset))
        for offset, library in ((-0.2, THEIRS), (0.2, OURS)):
            values = [max(floor, _added(r, library)) for r in subset]
            ax.barh(
                [y + offset for y in ys], values, height=0.38, color=colours[library], label=library
            )
        ax.set_xscale("log")
        ax.set_yticks(list(ys))
        ax.set_yticklabels(labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_title(subset[0]["policy_label"], fontsize=10)
        ax.set_xlabel("added cost per request (us, log scale)", fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="x", which="both", alpha=0.3)
    if e2e:
        ax = axes.flat[len(policies)]
        width = 0.8 / len(sc.LIBRARIES)
        for i, library in enumerate(sc.LIBRARIES):
            values = [r["libraries"][library]["rps_median"] for r in e2e]
            xs = [x + (i - 1) * width for x in range(len(e2e))]
            ax.bar(xs, values, width=width, color=colours[library], label=library)
        ax.set_xticks(range(len(e2e)))
        ax.set_xticklabels([r["policy_label"] for r in e2e], fontsize=8)
        ax.set_ylabel("requests/s", fontsize=8)
        ax.set_title("End to end through gunicorn (higher is better)", fontsize=10)
        ax.tick_params(axis="y", labelsize=8)
    for ax in list(axes.flat)[panels:]:
        ax.set_visible(False)
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[lib]) for lib in ("flask", THEIRS, OURS)]
    fig.legend(handles, ["bare Flask", THEIRS, OURS], loc="upper right", ncol=3, fontsize=9)
    fig.suptitle(
        "Cost per request added to Flask (lower is better)\n" + describe_machine(results["meta"]),
        fontsize=9,
        x=0.01,
        ha="left",
    )
    fig.tight_layout(rect=(0, 0, 1, 0.94))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
