"""Smoke test of an installed flask-crossorigin, run by ``make dist`` from a temporary directory.

Run as a script, it checks that the package imported is the installed one (not a checkout,
whose top directory is in the ``CHECKOUT`` environment variable) and that one preflight gets
its grant; ``flask --app smoke_app cors config`` then loads ``app`` from this module.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from flask import Flask

import flask_crossorigin
from flask_crossorigin import CORS

app = Flask("smoke_app")
CORS(app, origins=["https://app.example.com"], max_age=600)


@app.put("/api/items/<int:item_id>")
def update(item_id: int) -> dict[str, int]:
    return {"id": item_id}


def main() -> int:
    installed = Path(flask_crossorigin.__file__).resolve()
    checkout = Path(os.environ.get("CHECKOUT", os.getcwd())).resolve()
    if checkout in installed.parents:
        print(f"smoke test: imported {installed}, inside the checkout {checkout}")
        return 1
    preflight = app.test_client().options(
        "/api/items/1",
        headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT"},
    )
    granted = (
        preflight.status_code == 200
        and preflight.headers.get("Access-Control-Allow-Origin") == "https://app.example.com"
        and "PUT" in preflight.headers.get("Access-Control-Allow-Methods", "")
        and preflight.headers.get("Access-Control-Max-Age") == "600"
    )
    if not granted:
        print(f"smoke test: preflight not granted: {preflight.status_code} {preflight.headers}")
        return 1
    print(f"smoke test: flask-crossorigin {flask_crossorigin.__version__} from {installed}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
