"""The todo list's SQLite database (standard library ``sqlite3``), under the instance folder."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from typing import Any, Optional

from flask import Flask, current_app, g

SCHEMA = """
CREATE TABLE IF NOT EXISTS todo (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0
)
"""


def connection() -> sqlite3.Connection:
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DATABASE"])
        g.db.row_factory = sqlite3.Row
    conn: sqlite3.Connection = g.db
    return conn


def close(_error: Optional[BaseException] = None) -> None:
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def init_app(app: Flask) -> None:
    # ``with conn`` only commits; ``closing`` closes it (Python 3.13 warns of one left open).
    with closing(sqlite3.connect(app.config["DATABASE"])) as conn, conn:
        conn.execute(SCHEMA)
    app.teardown_appcontext(close)


def rows(query: str, *args: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in connection().execute(query, args).fetchall()]


def execute(query: str, *args: Any) -> int:
    conn = connection()
    cursor = conn.execute(query, args)
    conn.commit()
    return cursor.lastrowid or cursor.rowcount
