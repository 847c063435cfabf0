"""The cloud pages' commands work as written (SPEC section 8; the docs' own rule).

Every ``.venv/bin/flask --app app cors export ...`` line of the deployment pages (except
``--check``, which needs a deployed copy) runs against an app shaped like the pages' (an API under
``/api/``, a bucket's objects under ``/files/``) and exits 0.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from flask import Flask

from flask_crossorigin import CORS
from flask_crossorigin.export.cli import export_group

DOCS = Path(__file__).parents[2] / "docs"
PAGES = ("behind-api-gateway", "s3-beside-the-api", "behind-cloudfront", "behind-cloudflare")
PREFIX = "$ .venv/bin/flask --app app cors export "


def commands() -> list[tuple[str, list[str]]]:
    found = []
    for page in PAGES:
        for line in (DOCS / f"{page}.rst").read_text().splitlines():
            text = line.strip()
            if text.startswith(PREFIX) and "--check" not in text:
                found.append((page, shlex.split(text[len(PREFIX) :])))
    return found


def docs_app() -> Flask:
    # No static route: the REST API's gateway responses serve every path (see the page).
    app = Flask("app", static_folder=None)

    @app.route("/api/items", methods=["GET", "POST"])
    def items() -> str:
        return "items"

    @app.route("/api/items/<int:item_id>")
    def item(item_id: int) -> str:
        return "item"

    @app.route("/files/<path:name>", methods=["GET", "PUT", "HEAD"])
    def files(name: str) -> str:
        return "file"

    policy = {
        "origins": ["https://app.example.com"],
        "supports_credentials": True,
        "methods": ["GET", "HEAD", "POST", "PUT"],
        "allow_headers": ["Content-Type"],
    }
    CORS(app, resources={r"/api/*": policy, r"/files/*": policy})
    return app


def test_every_page_shows_a_command() -> None:
    assert {page for page, _ in commands()} == set(PAGES)


@pytest.mark.parametrize(("page", "args"), commands())
def test_docs_command_runs(page: str, args: list[str], tmp_path: Path) -> None:
    """Each command of the deployment pages exits 0 and writes its file."""
    if "-o" in args:
        where = args.index("-o") + 1
        args = [*args[:where], str(tmp_path / args[where]), *args[where + 1 :]]
    result = docs_app().test_cli_runner().invoke(export_group, args)
    assert result.exit_code == 0, (page, args, result.output)
    if "-o" in args:
        assert Path(args[args.index("-o") + 1]).read_text()


def test_export_lists_the_cloud_targets() -> None:
    """The export group lists each target under its command name."""
    result = docs_app().test_cli_runner().invoke(export_group, ["--help"])
    for name in ("apigateway-http", "apigateway-rest", "cloudflare-worker", "cloudfront", "s3"):
        assert f"  {name} " in result.output
