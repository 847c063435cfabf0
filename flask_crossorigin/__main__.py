"""``python -m flask_crossorigin probe URL --origin ORIGIN ...``: no app needed.

The same command as ``flask cors probe`` (SPEC section 6), for a deployment judged from a
machine that has this package but not the app.
"""

from __future__ import annotations

import click

from .cli import probe_command

main = click.Group(
    "python -m flask_crossorigin",
    commands={"probe": probe_command},
    help="Judge a live deployment's CORS answers as a browser would.",
)

if __name__ == "__main__":  # pragma: no cover (run as a module by the tests, in a subprocess)
    main()
