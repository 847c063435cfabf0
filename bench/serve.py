"""The app gunicorn serves in the end-to-end run: ``BENCH_LIBRARY`` and ``BENCH_POLICY`` pick
the library and the policy (``BENCH_SCALE`` shrinks it) (``gunicorn bench.serve:app``)."""

from __future__ import annotations

import os

from . import scenarios as sc

_policy = sc.policies(float(os.environ.get("BENCH_SCALE", "1")))[
    os.environ.get("BENCH_POLICY", "one")
]
app = sc.create_app(
    os.environ.get("BENCH_LIBRARY", "flask"), sc.library_options(_policy, sc.KINDS["allowed"])
)
