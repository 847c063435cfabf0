"""SPEC 6: the judge says what real Chromium says, on every row of the table.

A raw server answers each row's path with exactly the scripted bytes (``judge_rows.py``).
Chromium runs every row's ``fetch()`` from a page on ``http://localhost:PORT`` against
``http://127.0.0.1:PORT`` (another origin); the judge runs the same rows over real HTTP with
:func:`flask_crossorigin.probe.http_sender`. Both must reach the row's expected verdict, send
the same requests (a preflight exactly when Chromium sends one, redirects followed alike),
and, for a blocked row, name the reason Chromium's console names. A row where Chromium does
not follow the standard says so (``chromium_differs``) and is asserted as such.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from flask_crossorigin.judge import CORSRequest, Failure, fetch
from flask_crossorigin.probe import http_sender

from .judge_rows import ROWS, Row
from .scripted import Answer, Script, ScriptedServer

pytestmark = pytest.mark.browser

#: The words of Chromium's console message for each failure of the judge.
CONSOLE = {
    Failure.PREFLIGHT_REDIRECTED: "Redirect is not allowed for a preflight request",
    Failure.PREFLIGHT_NOT_OK: "It does not have HTTP ok status",
    Failure.ALLOW_ORIGIN_MISSING: "No 'Access-Control-Allow-Origin' header is present",
    Failure.ALLOW_ORIGIN_MULTIPLE: "contains multiple values",
    Failure.ALLOW_ORIGIN_MISMATCH: "that is not equal to the supplied origin",
    Failure.ALLOW_ORIGIN_WILDCARD_WITH_CREDENTIALS: "must not be the wildcard '*'",
    Failure.ALLOW_CREDENTIALS_NOT_TRUE: "which must be 'true'",
    Failure.ALLOW_METHODS_MALFORMED: "Cannot parse Access-Control-Allow-Methods",
    Failure.METHOD_NOT_ALLOWED: "is not allowed by Access-Control-Allow-Methods",
    Failure.ALLOW_HEADERS_MALFORMED: "Cannot parse Access-Control-Allow-Headers",
    Failure.HEADER_NOT_ALLOWED: "is not allowed by Access-Control-Allow-Headers",
    Failure.AUTHORIZATION_NOT_LISTED: "is not allowed by Access-Control-Allow-Headers",
}
#: The words of the TypeError fetch() throws, for a failure that sends nothing.
THROWN = {Failure.FORBIDDEN_METHOD: "is unsupported"}

RUN_ROWS = """
const rows = arguments[0];
const done = arguments[arguments.length - 1];
const results = {};
const errors = {};
Promise.all(rows.map(async (row) => {
  const init = {method: row.method, headers: row.headers, mode: "cors"};
  if (row.credentials) init.credentials = "include";
  try {
    const response = await fetch(row.url, init);
    await response.text();
    results[row.name] = "allowed";
  } catch (error) {
    results[row.name] = "blocked";
    errors[row.name] = error.name + ": " + error.message;
  }
})).then(() => done({results: results, errors: errors}));
"""


def _fill(answer: Answer, origin: str, target: str) -> Answer:
    headers = tuple(
        (name, value.replace("{origin}", origin).replace("{ORIGIN}", origin.upper()))
        for name, value in answer.headers
    )
    headers = tuple((n, target if v == "{next}" else v) for n, v in headers)
    interim = tuple(
        (status, reason, tuple((n, v.replace("{origin}", origin)) for n, v in lines))
        for status, reason, lines in answer.interim
    )
    return replace(answer, headers=headers, interim=interim)


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[Script, ScriptedServer, ScriptedServer]]:
    script = Script()
    api, other = ScriptedServer(script), ScriptedServer(script)
    try:
        yield script, api, other
    finally:
        api.stop()
        other.stop()


def _script_rows(script: Script, page_origin: str, other_port: int) -> None:
    for row in ROWS:
        path = f"/rows/{row.name}"
        host = f"http://127.0.0.1:{other_port}" if row.cross_origin else ""
        target = f"{host}{path}/next"
        preflight = _fill(row.preflight, page_origin, target) if row.preflight else None
        script.routes[path] = (preflight, _fill(row.actual, page_origin, target))
        if row.target is not None:
            # The target's preflight (if the request needs one) is scripted like the first.
            script.routes[f"{path}/next"] = (preflight, _fill(row.target, page_origin, target))


def _judge(row: Row, url: str, origin: str) -> Any:
    request = CORSRequest(origin, row.method, row.headers, row.credentials)
    return fetch(request, url, http_sender(timeout=10))


def test_judge_agrees_with_chromium(
    driver: Any, servers: tuple[Script, ScriptedServer, ScriptedServer]
) -> None:
    """SPEC 6: every row, same verdict, same requests, same reason as Chromium's console."""
    script, api, other = servers
    page_origin = f"http://localhost:{api.port}"
    _script_rows(script, page_origin, other.port)
    assert len(ROWS) >= 30
    assert len({row.name for row in ROWS}) == len(ROWS)

    started = time.monotonic()
    driver.get(f"{page_origin}/page")
    driver.get_log("browser")  # start the console log empty
    base = f"http://127.0.0.1:{api.port}/rows"
    answers: dict[str, dict[str, str]] = driver.execute_async_script(
        RUN_ROWS,
        [
            {
                "name": row.name,
                "url": f"{base}/{row.name}",
                "method": row.method,
                "headers": dict(row.headers),
                "credentials": row.credentials,
            }
            for row in ROWS
        ],
    )
    chromium, thrown = answers["results"], answers["errors"]
    console = [entry["message"] for entry in driver.get_log("browser")]
    elapsed = time.monotonic() - started

    disagreements: list[str] = []
    differing: list[str] = []
    for row in ROWS:
        url = f"{base}/{row.name}"
        outcome = _judge(row, url, page_origin)
        judged = "allowed" if outcome.allowed else "blocked"
        prefix = f"/rows/{row.name}"
        sent_by_chromium = script.requests("chromium", prefix)
        sent_by_judge = script.requests("judge", prefix)
        messages = [m for m in console if f"{url}'" in m or f"{url}/next'" in m]
        problems = []
        if row.chromium_differs:
            opposite = "allowed" if row.expected == "blocked" else "blocked"
            if (chromium.get(row.name), judged) != (opposite, row.expected):
                problems.append(f"chromium {chromium.get(row.name)}, judge {judged}")
            elif problems == []:
                differing.append(row.name)
            if problems:
                disagreements.append(f"{row.name}: {'; '.join(problems)}")
            continue
        if not chromium.get(row.name) == judged == row.expected:
            problems.append(f"chromium {chromium.get(row.name)}, judge {judged}")
        if sent_by_chromium != sent_by_judge:
            problems.append(f"chromium sent {sent_by_chromium}, judge {sent_by_judge}")
        if outcome.verdict.failure in THROWN:
            error = thrown.get(row.name, "")
            if not (error.startswith("TypeError") and THROWN[outcome.verdict.failure] in error):
                problems.append(f"judge {outcome.verdict.failure.value}, fetch() threw {error}")
        elif outcome.verdict.failure is not None:
            words = CONSOLE[outcome.verdict.failure]
            if not any(words in m for m in messages):
                problems.append(f"judge {outcome.verdict.failure.value}, console {messages}")
        if problems:
            disagreements.append(f"{row.name}: {'; '.join(problems)}")
    assert disagreements == [], "\n".join(disagreements)
    assert elapsed < 60
    # The known difference, and nothing else: every other row agrees exactly.
    assert differing == [row.name for row in ROWS if row.chromium_differs] == ["authorization-star"]
