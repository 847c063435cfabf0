"""``.. cors-options::``: the option reference, generated from the code's option table.

Every option, its ``app.config`` key, its default, the types it accepts and its one-line
description come from :data:`flask_crossorigin.options.OPTIONS`, so the page cannot drift from
the code.
"""

from __future__ import annotations

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

from flask_crossorigin.options import OPTIONS


class CorsOptions(SphinxDirective):
    has_content = False

    def run(self) -> list[nodes.Node]:
        lines: list[str] = []
        for option in OPTIONS:
            lines += [
                f".. _option-{option.name}:",
                "",
                f"``{option.name}``",
                "~" * (len(option.name) + 4),
                "",
                option.doc.replace("*", "\\*"),
                "",
                f"- Config key: ``{option.config_key}``",
                f"- Default: ``{option.default!r}``",
                f"- Accepts: {option.accepts}",
                "",
            ]
        node = nodes.section()
        node.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, source="cors-options"), node)
        return list(node.children)


def setup(app: Sphinx) -> dict[str, object]:
    app.add_directive("cors-options", CorsOptions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
