"""``flask cors export TARGET``: the group, the options every target shares, the exit statuses.

A target is a module of this package with a module-level ``TARGET`` (:class:`Target`); the
group finds it by name when asked (``flask cors export nginx`` imports
``flask_crossorigin.export.nginx``), so adding a target touches no other file.

Exit statuses (SPEC section 8): 0 written, or ``--check`` found no drift; 1 ``--check`` found
drift (each difference printed in words); 2 a usage error, a configuration error, or a loss
report the user did not accept with ``--accept-narrower`` (then nothing is written).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .model import NARROWER, ExportModel, LossReport, export_routes

#: Exit status of ``--check`` when the deployed file differs from today's policy.
DRIFT = 1

#: ``render(model, report, options) -> text``: the configuration; every entry it drops goes
#: into ``report``. ``options`` holds the target's own options by parameter name.
Render = Callable[[ExportModel, LossReport, Mapping[str, Any]], str]
#: ``check(model, report, deployed_text, options) -> differences``: one sentence per difference
#: between the deployed file and what ``render`` writes today; raise :class:`DeployedFileError`
#: for a file the target cannot read.
Check = Callable[[ExportModel, LossReport, str, Mapping[str, Any]], Sequence[str]]


class DeployedFileError(Exception):
    """``--check``: the deployed file cannot be read as the target's configuration."""


@dataclass(frozen=True)
class Target:
    """One layer the policy can be exported to.

    ``name`` is the command (``nginx``); ``help`` its one-paragraph help; ``options`` its own
    Click options (``--listen``...), passed to ``render`` and ``check`` by parameter name.
    """

    name: str
    help: str
    render: Render
    check: Check
    options: tuple[click.Option, ...] = field(default=())


def _command(target: Target) -> click.Command:
    """The ``flask cors export NAME`` command: the target's options and the common ones."""

    def run(
        output: Optional[str],
        accept_narrower: bool,
        check: Optional[str],
        **options: Any,
    ) -> None:
        ctx = click.get_current_context()
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        report = LossReport(target.name)
        model = export_routes(app)
        if check is not None:
            try:
                deployed = Path(check).read_text(encoding="utf-8")
                differences = target.check(model, report, deployed, options)
            except (OSError, UnicodeDecodeError, DeployedFileError) as error:
                click.echo(f"Error: cannot read {check}: {error}", err=True)
                ctx.exit(NARROWER)
            click.echo(report.text(accept_narrower), err=True, nl=False)
            if report and not accept_narrower:
                ctx.exit(NARROWER)
            for line in differences:
                click.echo(f"drift: {line}")
            if differences:
                click.echo(
                    f"{check} differs from the app's policy in {len(differences)} place(s); "
                    f"`flask cors export {target.name}` writes today's copy."
                )
                ctx.exit(DRIFT)
            click.echo(f"{check} matches the app's policy.")
            return
        text = target.render(model, report, options)
        click.echo(report.text(accept_narrower), err=True, nl=False)
        if report and not accept_narrower:
            ctx.exit(NARROWER)
        if output is None or output == "-":
            click.echo(text, nl=False)
        else:
            Path(output).write_text(text, encoding="utf-8")

    params: list[click.Parameter] = [
        *target.options,
        click.Option(
            ["-o", "--output"],
            metavar="FILE",
            help="Write the configuration to FILE (default: standard output).",
        ),
        click.Option(
            ["--accept-narrower"],
            is_flag=True,
            help="Export even when some settings cannot be followed exactly: the layer in "
            "front then refuses what they would allow (listed in the loss report).",
        ),
        click.Option(
            ["--check"],
            metavar="FILE",
            help="Compare a deployed FILE with today's policy instead of writing one; exit 1 "
            "and name each difference when they differ.",
        ),
    ]
    return click.Command(
        target.name,
        callback=with_appcontext(run),
        params=params,
        help=target.help,
        short_help=target.help.split(".")[0],
    )


class ExportGroup(click.Group):
    """``flask cors export``: one command per target module of this package."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        package = sys.modules[__package__ or "flask_crossorigin.export"]
        found = [
            info.name
            for info in pkgutil.iter_modules(package.__path__)
            if info.name not in {"cli", "model"} and not info.name.startswith("_")
        ]
        # A module ``apigateway_http`` is the command ``apigateway-http``.
        commands = [name.replace("_", "-") for name in found]
        return sorted(name for name in commands if self.get_command(ctx, name) is not None)

    def get_command(self, ctx: click.Context, cmd_name: str) -> Optional[click.Command]:
        module_name = cmd_name.replace("-", "_")
        if not module_name.isidentifier() or module_name in {"cli", "model"}:
            return None
        if module_name.startswith("_") or "_" in cmd_name:
            return None
        try:
            module = importlib.import_module(f"{__package__}.{module_name}")
        except ModuleNotFoundError as error:
            if error.name != f"{__package__}.{module_name}":
                raise
            return None
        target = getattr(module, "TARGET", None)
        return _command(target) if isinstance(target, Target) else None


export_group = ExportGroup(
    "export",
    help="Write the app's CORS policy as the configuration of a layer in front of it "
    "(never wider than the app), or check a deployed copy for drift.",
)
