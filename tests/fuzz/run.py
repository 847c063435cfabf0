"""Run one fuzz target under atheris (coverage-guided, libFuzzer).

``python -m tests.fuzz.run TARGET [libFuzzer flags]``, e.g. ``-runs=2000 -seed=1`` for a
bounded, repeatable run or ``-max_total_time=600`` for a long one; ``make fuzz`` runs every
target. A broken invariant prints the input and its traceback and exits non-zero (libFuzzer
writes the input to ``-artifact_prefix``).
"""

from __future__ import annotations

import logging
import sys

import atheris

with atheris.instrument_imports(include=["flask_crossorigin"]):
    import flask_crossorigin  # noqa: F401  (instrumented before the targets import it)

from .targets import TARGETS

# The fuzz process only: refusals are logged at DEBUG/WARNING and would flood its output.
logging.getLogger("flask_crossorigin").setLevel(logging.CRITICAL)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: python -m tests.fuzz.run {{{','.join(TARGETS)}}} [libFuzzer flags]")
    target = TARGETS[sys.argv[1]]

    def one(data: bytes) -> None:
        target(atheris.FuzzedDataProvider(data))

    atheris.Setup([sys.argv[0], *sys.argv[2:]], one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
