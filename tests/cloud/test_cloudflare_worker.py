"""The exported Cloudflare Worker, run under Node.js in front of the app (SPEC section 8).

For each policy, hundreds of generated cross-origin fetches (allowed origins, strangers,
look-alikes, malformed values, methods, request-header lists, credentials, Private Network
Access, paths inside and outside the policy) are judged as a browser judges them
(:func:`flask_crossorigin.judge.fetch`) once through the Worker and once against the app alone:
the verdicts must be equal, and no response may carry a CORS header twice.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import pytest
from flask import Blueprint, Flask

from flask_crossorigin import CORS, cross_origin
from flask_crossorigin.export.cli import export_group
from flask_crossorigin.export.cloudflare_worker import CONFIG_MARK, read_deployed
from flask_crossorigin.judge import CORSRequest, Received, Sent
from flask_crossorigin.judge import fetch as judge_fetch

from .worker import BASE_URL, NodeWorker, app_send, node_available

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(not node_available(), reason="Node.js (Debian's nodejs) is not installed"),
]


def _views(app: Flask) -> None:
    @app.route("/api/items", methods=["GET", "POST", "PUT", "DELETE"])
    def items() -> dict[str, Any]:
        return {"items": []}

    @app.route("/api/items/<int:item_id>", methods=["GET", "PATCH"])
    def item(item_id: int) -> dict[str, Any]:
        return {"id": item_id}

    @app.route("/api/own")
    def own() -> tuple[str, int, dict[str, str]]:
        return "x", 200, {"X-Own": "1", "Vary": "Accept-Encoding"}

    @app.route("/plain")
    def plain() -> str:
        return "plain"


def exact_credentials() -> Flask:
    app = Flask("exact")
    _views(app)
    CORS(
        app,
        resources={r"/api/*": {}},
        origins=["https://app.example.com", "http://localhost:3000", "http://[::1]:8080"],
        supports_credentials=True,
        allow_headers=["Content-Type", "Authorization", "X-Request-ID"],
        expose_headers=["X-Total"],
        max_age=600,
    )
    return app


def patterns_and_regexes() -> Flask:
    app = Flask("patterns")
    _views(app)
    CORS(
        app,
        resources={r"/api/*": {}},
        origins=[
            "https://*.example.com",
            "http://localhost:*",
            "https://*.example.org:*",
            r"https://(www\.)?shop\.example\.(com|net)",
            r"https://app-[0-9]+\.preview\.example\.io",
        ],
        allow_headers=["x-requested-with", r"x-custom-[a-z]+"],
        methods=["GET", "POST"],
    )
    return app


def public_wildcard() -> Flask:
    app = Flask("public")
    _views(app)
    CORS(app, send_wildcard=True, expose_headers="*")
    return app


def per_resource() -> Flask:
    app = Flask("per_resource")
    _views(app)
    bp = Blueprint("bp", __name__)

    @bp.route("/bp/data", methods=["GET", "POST"])
    def data() -> str:
        return "data"

    @app.route("/decorated", methods=["GET", "PUT"])
    @cross_origin(origins="https://deco.example.com", methods=["GET", "PUT"], max_age=5)
    def decorated() -> str:
        return "decorated"

    CORS(
        app,
        resources={
            r"/api/*": {"origins": ["https://app.example.com"], "supports_credentials": True},
            r"/bp/*": {"origins": "*", "allow_headers": ["x-bp"]},
        },
    )
    app.register_blueprint(bp)
    return app


def private_network() -> Flask:
    app = Flask("pna")
    _views(app)
    CORS(
        app,
        resources={r"/api/*": {}},
        origins=["https://app.example.com", "null"],
        allow_private_network=True,
        methods="*",
        expose_headers="*",
        supports_credentials=False,
        always_send=False,
    )
    return app


def reflect_any() -> Flask:
    app = Flask("reflect")
    _views(app)
    CORS(app, resources={r"/api/*": {}}, vary_header=False, expose_headers=["X-A", "X-B"])
    return app


def credentials_expose_all() -> Flask:
    app = Flask("expose_all")
    _views(app)
    CORS(
        app,
        resources={r"/api/*": {}},
        origins=["https://app.example.com"],
        supports_credentials=True,
        expose_headers="*",
    )
    return app


POLICIES: dict[str, Callable[[], Flask]] = {
    "exact list with credentials": exact_credentials,
    "patterns with ports and regexes": patterns_and_regexes,
    "public API with send_wildcard": public_wildcard,
    "per-resource, blueprint and decorated view": per_resource,
    "private network access, null, any method": private_network,
    "any origin reflected, no Vary": reflect_any,
    "expose * with credentials": credentials_expose_all,
}

ORIGINS = (
    "https://app.example.com",
    "http://localhost:3000",
    "http://localhost",
    "http://localhost:8080",
    "http://[::1]:8080",
    "http://[0:0::1]:8080",
    "https://a.example.com",
    "https://a.b.example.com",
    "https://example.com",
    "https://x.example.org:8443",
    "https://shop.example.net",
    "https://www.shop.example.com",
    "https://app-42.preview.example.io",
    "https://app-.preview.example.io",
    "https://deco.example.com",
    "null",
    "https://APP.example.com",
    "https://app.example.com.evil.test",
    "https://evilapp.example.com",
    "http://app.example.com",
    "https://app.example.com:8443",
    "https://app.example.com/",
    "https://app.example.com.",
    "http://127.0.0.1",
    "http://127.1",
    "http://0x7f.0.0.1",
    "https://ex\u00e1mple.com",
    "app.example.com",
    "https://" + "a" * 600 + ".com",
    "https://evil.test",
)
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "patch", "FOO")
HEADERS: tuple[tuple[tuple[str, str], ...], ...] = (
    (),
    (("Content-Type", "application/json"),),
    (("Authorization", "Bearer x"),),
    (("X-Custom-Abc", "1"), ("x-requested-with", "x")),
    (("X-Request-ID", "1"), ("X-BP", "1")),
)
PATHS = ("/api/items", "/api/items/7", "/api/own", "/plain", "/bp/data", "/decorated", "/nowhere")


def generated(seed: int) -> Iterator[tuple[str, CORSRequest]]:
    """Every 7th combination (hundreds per policy), starting at ``seed``."""
    combos = itertools.product(PATHS, ORIGINS, METHODS, HEADERS, (False, True), (False, True))
    for number, (path, origin, method, headers, credentials, pna) in enumerate(combos):
        if (number + seed) % 7 == 0 and (not pna or number % 3 == 0):
            yield path, CORSRequest(origin, method, headers, credentials, pna)


def _cors_headers(received: Received) -> list[str]:
    return [n.lower() for n, _ in received.headers if n.lower().startswith("access-control-")]


def export_worker(app: Flask, tmp_path: Path) -> Path:
    target = tmp_path / f"{app.name}.mjs"
    result = app.test_cli_runner().invoke(export_group, ["cloudflare-worker", "-o", str(target)])
    assert result.exit_code == 0, result.output
    return target


@pytest.mark.parametrize("name", list(POLICIES))
def test_worker_verdicts_equal_the_app(name: str, tmp_path: Path) -> None:
    """SPEC 8 (issue item 5): the Fetch verdict through the Worker equals the app's, and no
    response through the Worker carries a CORS header twice."""
    app = POLICIES[name]()
    worker = NodeWorker(export_worker(app, tmp_path), app)
    direct = app_send(app)
    seen: list[Received] = []

    def through(sent: Sent) -> Received:
        received = worker.send(sent)
        seen.append(received)
        return received

    compared = allowed = 0
    try:
        for index, (path, request) in enumerate(generated(len(name))):
            url = BASE_URL + path
            ours = judge_fetch(request, url, through)
            theirs = judge_fetch(request, url, direct)
            assert (ours.allowed, ours.verdict) == (theirs.allowed, theirs.verdict), (
                index,
                path,
                request,
                [e.received for e in ours.exchanges],
                [e.received for e in theirs.exchanges],
            )
            compared += 1
            allowed += ours.allowed
    finally:
        worker.close()
    for received in seen:
        names = _cors_headers(received)
        assert len(names) == len(set(names)), received
    assert compared >= 300
    assert 0 < allowed < compared
    print(f"{name}: {compared} fetches, {allowed} allowed, {worker.upstream_calls} upstream")


def test_worker_answers_preflights_at_the_edge(tmp_path: Path) -> None:
    """Issue item 5: a covered preflight never reaches the app; other requests do, and the
    app's own CORS headers are replaced, not repeated."""
    app = exact_credentials()
    worker = NodeWorker(export_worker(app, tmp_path), app)
    try:
        headers = (
            ("Origin", "https://app.example.com"),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "authorization"),
        )
        answer = worker.send(Sent("preflight", "OPTIONS", BASE_URL + "/api/items", headers))
        assert worker.upstream_calls == 0
        assert dict(answer.headers)["access-control-allow-headers"] == "authorization"
        assert dict(answer.headers)["vary"] == "Origin"
        answer = worker.send(
            Sent(
                "request", "GET", BASE_URL + "/api/items", (("Origin", "https://app.example.com"),)
            )
        )
        assert worker.upstream_calls == 1
        got = dict(answer.headers)
        assert got["access-control-allow-origin"] == "https://app.example.com"
        assert got["access-control-allow-credentials"] == "true"
        # Outside the policy the app answers alone, untouched.
        worker.send(
            Sent(
                "preflight",
                "OPTIONS",
                BASE_URL + "/plain",
                (("Origin", "https://x.test"), ("Access-Control-Request-Method", "GET")),
            )
        )
        assert worker.upstream_calls == 2
    finally:
        worker.close()


def test_worker_keeps_origin_in_the_cache_key(tmp_path: Path) -> None:
    """Issue item 5: Cloudflare's cache ignores Vary, so the Worker puts Origin in the cache key
    and writes the CORS headers after the cache."""
    text = export_worker(exact_credentials(), tmp_path).read_text()
    assert re.search(r"cacheKey: .*origin", text)
    assert "export default {" in text and "async fetch(request, env, ctx)" in text


def test_untranslatable_regex_is_refused(tmp_path: Path) -> None:
    """Issue item 6: a regex the translation does not cover (a scoped flag) has no exact JavaScript
    counterpart here: exit 2 and a loss report line naming it; with --accept-narrower the
    Worker refuses its origins."""
    app = Flask("untranslatable")
    _views(app)
    CORS(app, origins=[r"https://(?-i:a)pp\.example\.com", "https://ok.example.com"])
    result = app.test_cli_runner().invoke(export_group, ["cloudflare-worker"])
    assert result.exit_code == 2
    assert r"origins 'https://(?-i:a)pp\.example\.com' on " in result.output
    assert "no JavaScript regex" in result.output
    target = tmp_path / "w.mjs"
    result = app.test_cli_runner().invoke(
        export_group, ["cloudflare-worker", "--accept-narrower", "-o", str(target)]
    )
    assert result.exit_code == 0
    worker = NodeWorker(target, app)
    try:
        for origin, expected in (
            ("https://ok.example.com", True),
            ("https://app.example.com", False),
        ):
            outcome = judge_fetch(CORSRequest(origin), BASE_URL + "/api/items", worker.send)
            assert outcome.allowed is expected
        # The app itself allows it: the Worker is narrower, never wider.
        assert judge_fetch(
            CORSRequest("https://app.example.com"), BASE_URL + "/api/items", app_send(app)
        ).allowed
    finally:
        worker.close()


def test_callable_is_refused() -> None:
    """Issue item 6: a callable in origins cannot run at the edge: exit 2, a loss line."""
    app = Flask("callable")
    _views(app)

    def trusted(origin: str) -> bool:
        return origin.endswith(".trusted.test")

    CORS(app, origins=[trusted])
    result = app.test_cli_runner().invoke(export_group, ["cloudflare-worker"])
    assert result.exit_code == 2
    assert "a callable cannot run in the Worker" in result.output


def test_check_reports_drift(tmp_path: Path) -> None:
    """Issue item 6: --check passes today's file and names an origin added by hand."""
    app = exact_credentials()
    target = export_worker(app, tmp_path)
    runner = app.test_cli_runner()
    result = runner.invoke(export_group, ["cloudflare-worker", "--check", str(target)])
    assert result.exit_code == 0, result.output
    text = target.read_text()
    config = read_deployed(text)
    config["policies"][0]["exact"].append("https://evil.test")
    edited = "\n".join(
        CONFIG_MARK + __import__("json").dumps(config) + ";"
        if line.startswith(CONFIG_MARK)
        else line
        for line in text.splitlines()
    )
    target.write_text(edited)
    result = runner.invoke(export_group, ["cloudflare-worker", "--check", str(target)])
    assert result.exit_code == 1
    assert "allows exact ['https://evil.test'], which the app does not" in result.output
    target.write_text("export default {};\n")
    result = runner.invoke(export_group, ["cloudflare-worker", "--check", str(target)])
    assert result.exit_code == 2


def test_check_reports_edited_decision_code(tmp_path: Path) -> None:
    """SPEC 8 (--check): the whole Worker is compared with today's render, not only its
    CONFIG line: a request-header check deleted by hand is drift, named by its line."""
    app = exact_credentials()
    target = export_worker(app, tmp_path)
    check = "if (parsed === null || !parsed.every((n) => headerAllowed(p, n))) return [];"
    text = target.read_text()
    assert check in text
    target.write_text(text.replace(check, "// relaxed"))
    result = app.test_cli_runner().invoke(
        export_group, ["cloudflare-worker", "--check", str(target)]
    )
    assert result.exit_code == 1
    assert "of the deployed Worker is `// relaxed`, the app's export has `if (parsed" in (
        result.output
    )


def _nginx_cases() -> list[str]:
    from tests.deploy.export_apps import POLICIES as NGINX_POLICIES

    return list(NGINX_POLICIES)


@pytest.mark.parametrize("policy", _nginx_cases())
def test_worker_on_the_nginx_export_requests(policy: str, tmp_path: Path) -> None:
    """Issue "verified for real": the same apps and generated requests as the nginx export's
    deployment tests, through the Worker under Node.js: the verdicts equal the app's."""
    from tests.deploy.export_apps import create_app
    from tests.deploy.test_export_nginx import generated_requests

    app = create_app(policy)
    worker = NodeWorker(export_worker(app, tmp_path), app)
    direct = app_send(app)
    allowed = 0
    requests = generated_requests(policy)
    try:
        for path, request in requests:
            ours = judge_fetch(request, BASE_URL + path, worker.send)
            theirs = judge_fetch(request, BASE_URL + path, direct)
            assert (ours.allowed, ours.verdict) == (theirs.allowed, theirs.verdict), (
                path,
                request,
            )
            allowed += ours.allowed
    finally:
        worker.close()
    assert len(requests) >= 500 and 0 < allowed < len(requests)
    print(f"{policy}: {len(requests)} fetches, {allowed} allowed")


def _origin_samples() -> list[str]:
    """Well-formed and malformed origins: hosts, IP literals, ports, case, lengths."""
    hosts = [
        "example.com",
        "EXAMPLE.com",
        "a_b.example.com",
        "x.",
        "-a.com",
        "a..b",
        "1.2.3.4",
        "01.2.3.4",
        "1.2.3",
        "256.1.1.1",
        "0x7f.0.0.1",
        "1.2.3.4.",
        "127.1",
        "999",
        "a.0x",
        "[::1]",
        "[::FFFF:1.2.3.4]",
        "[::ffff:102:304]",
        "[0:0::1]",
        "[1:2:3:4:5:6:7:8]",
        "[1:0:0:0:0:0:0:8]",
        "[1::8]",
        "[fe80::1%25eth0]",
        "[::]",
        "[1:2]",
        "a" * 63 + ".com",
        "a" * 64 + ".com",
        ".".join(["abcdefghi"] * 26),
        ".".join(["abcdefghi"] * 25) + ".x",
        "ex\u00e1mple.com",
        "exa mple.com",
        "xn--bcher-kva.example",
    ]
    ports = ["", ":1", ":80", ":443", ":65535", ":65536", ":0", ":08080", ":99999", ":"]
    schemes = ["https", "http", "HTTPS", "git+ssh", "1http", "ws"]
    out = [f"{s}://{h}{p}" for s in schemes[:3] for h in hosts for p in ports]
    out += [f"{s}://example.com" for s in schemes]
    out += [
        "null",
        "",
        "https://",
        "https://example.com/",
        "https://u@example.com",
        "https://example.com:443/x",
        "https://" + "a." * 260 + "com",
    ]
    return out


def test_worker_reads_origins_as_the_app_does(tmp_path: Path) -> None:
    """SPEC 3 in JavaScript: the Worker's well-formed-origin reader agrees with the app's
    (split_origin) on hosts, IPv4 and IPv6 literals, ports, case and lengths."""
    import json as _json
    import subprocess

    from flask_crossorigin.origins import split_origin

    from .worker import NODE

    source = export_worker(patterns_and_regexes(), tmp_path).read_text()
    module = tmp_path / "reader.mjs"
    module.write_text(source + "\nexport { splitOrigin };\n")
    samples = _origin_samples()
    script = (
        "import { readFileSync } from 'node:fs';"
        f"const m = await import({_json.dumps(module.as_uri())});"
        "const samples = JSON.parse(readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify(samples.map((s) => m.splitOrigin(s))));"
    )
    runner = tmp_path / "run.mjs"
    runner.write_text(script)
    assert NODE is not None
    result = subprocess.run(
        [NODE, str(runner)],
        input=_json.dumps(samples),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    answers = _json.loads(result.stdout)
    for sample, answer in zip(samples, answers):
        expected = split_origin(sample)
        assert (list(expected) if expected else None) == answer, sample
    assert sum(a is not None for a in answers) > 50
