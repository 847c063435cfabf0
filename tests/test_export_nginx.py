"""SPEC 8: ``flask cors export nginx``: the maps decide as the compiled policy does, the loss
report names what nginx cannot follow, ``--check`` names drift.

The maps' regexes are written in the syntax Python's ``re`` and PCRE read alike, so the oracle
tests below evaluate each map as nginx does (string keys case-insensitively, then the regexes
in order, then ``default``) with Python's ``re`` and compare with the app's own decision
(:func:`flask_crossorigin.decision.decide`) on generated values. The real nginx runs the same
files in ``tests/deploy/test_export_nginx.py``.
"""

from __future__ import annotations

import inspect
import re
import subprocess
from pathlib import Path
from typing import Any, Optional

import pytest
from click.testing import CliRunner, Result
from flask import Blueprint, Flask
from hypothesis import given
from hypothesis import strategies as st

from flask_crossorigin import CORS, cross_origin
from flask_crossorigin.decision import decide
from flask_crossorigin.export import LossReport, export_routes
from flask_crossorigin.export.model import escape
from flask_crossorigin.export.nginx import CORS_HEADERS, parse, render, translate_regex
from flask_crossorigin.origins import split_origin
from flask_crossorigin.policy import Policy
from flask_crossorigin.tokens import parse_request_headers

# --- evaluating the written maps as nginx does ----------------------------------------------


def map_value(entries: tuple[tuple[str, str], ...], value: str) -> str:
    """nginx's ``map``: string keys (case-insensitive), then regexes in order, then default."""
    default = ""
    for key, result in entries:
        if key == "default":
            default = result
        elif not key.startswith("~") and key.lower() == value.lower():
            return result.replace("$http_origin", value)
    for key, result in entries:
        if key.startswith("~*"):
            if re.search(key[2:], value, re.IGNORECASE):
                return result.replace("$http_origin", value)
        elif key.startswith("~") and re.search(key[1:], value):
            return result.replace("$http_origin", value)
    return default.replace("$http_origin", value)


def maps_of(app: Flask) -> dict[str, tuple[tuple[str, str], ...]]:
    report = LossReport("nginx")
    text = render(export_routes(app), report, {})
    return {name: entries for name, (_, entries) in parse(text).maps.items()}


def policy_app(**options: Any) -> Flask:
    app = Flask("oracle")
    app.add_url_rule("/api", "api", lambda: "ok")
    CORS(app, **options)
    return app


def the_policy(app: Flask) -> Policy:
    (route,) = [r for r in export_routes(app).routes if r.rule == "/api"]
    return route.policy


ORIGIN_OPTIONS = {
    "origins": [
        "https://app.example.com",
        "http://localhost:3000",
        "https://*.example.org",
        "https://*.example.net:8443",
        "https://*.example.io:*",
        "http://127.0.0.1:*",
        "http://localhost:*",
        r"https://(app|admin)\.example\.dev",
        re.compile(r"https://[a-z0-9-]+\.preview\.example\.com"),
        "null",
    ]
}
#: Entries nginx cannot follow (a regex that could match an IPv6 host, a callable) besides
#: translatable ones: the export drops them (--accept-narrower).
LOSSY_OPTIONS = {
    "origins": [
        "https://app.example.com",
        r"http://.*\.local\.test",
        lambda origin: origin.endswith(".example.org"),
    ]
}

schemes = st.sampled_from(["https", "http", "HTTPS", "ws", "h"])
labels = st.sampled_from(
    ["app", "admin", "APP", "a", "x-y", "_s", "-", "1", "0x1f", "pr-1", "", "a.b", "é"]
)
hosts_tail = st.sampled_from(
    [
        "example.com",
        "example.org",
        "example.net",
        "example.io",
        "example.dev",
        "preview.example.com",
        "local.test",
        "localhost",
        "127.0.0.1",
        "256.0.0.1",
        "[::1]",
        "example.org.",
        "evil.com",
        "example.org.evil.com",
    ]
)
ports = st.sampled_from(["", ":443", ":8443", ":3000", ":0", ":65535", ":65536", ":08443", ":x"])


@st.composite
def origins(draw: st.DrawFn) -> str:
    if draw(st.booleans()) and draw(st.booleans()):
        return draw(st.sampled_from(["null", "NULL", "*", "", "https://app.example.com/", " x"]))
    parts = draw(st.lists(labels, max_size=3))
    host = ".".join([*parts, draw(hosts_tail)]) if parts else draw(hosts_tail)
    return f"{draw(schemes)}://{host}{draw(ports)}"


@given(origin=origins())
def test_origin_map_grants_what_the_app_grants(origin: str) -> None:
    """SPEC 3/8: the exported origin map allows exactly the origins the policy allows: exact,
    any-port, subdomain patterns (with fixed and any port), regexes, ``null``."""
    app = policy_app(**ORIGIN_OPTIONS)
    maps = maps_of(app)
    policy = the_policy(app)
    granted = map_value(maps["cors_1_origin"], origin)
    expected = dict(decide(policy, "GET", origin or None).headers).get(
        "Access-Control-Allow-Origin", ""
    )
    assert granted == expected


@given(origin=origins())
def test_dropped_entries_only_narrow(origin: str) -> None:
    """SPEC 8: with entries dropped, the origin map never grants what the app refuses."""
    app = policy_app(**LOSSY_OPTIONS)
    granted = map_value(maps_of(app)["cors_1_origin"], origin)
    expected = dict(decide(the_policy(app), "GET", origin or None).headers).get(
        "Access-Control-Allow-Origin", ""
    )
    assert granted in ("", expected)
    assert map_value(maps_of(app)["cors_1_origin"], "http://app.local.test") == ""
    assert expected or not granted


@given(origin=origins())
def test_public_policy_reflects_what_the_app_reflects(origin: str) -> None:
    """SPEC 3/8: a public policy answers every safe token; with send_wildcard, ``*``."""
    for options in ({}, {"send_wildcard": True}, {"always_send": False}):
        app = policy_app(**options)
        granted = map_value(maps_of(app)["cors_1_origin"], origin)
        expected = dict(decide(the_policy(app), "GET", origin or None).headers).get(
            "Access-Control-Allow-Origin", ""
        )
        assert granted == expected


header_names = st.sampled_from(
    ["X-Token", "x-token", "Content-Type", "X-Other", "Authorization", "", " ", "x y", "a@b"]
)


@given(names=st.lists(header_names, max_size=5), sep=st.sampled_from([",", ", ", " ,", ",,"]))
def test_request_headers_map_allows_what_the_app_allows(names: list[str], sep: str) -> None:
    """SPEC 4/8: the Access-Control-Request-Headers map accepts exactly the lists the app's
    parser accepts and allows (exact names case-insensitively, and '*')."""
    value = sep.join(names)
    for options in ({"allow_headers": ["X-Token", "Content-Type"]}, {}):
        app = policy_app(**options)
        policy = the_policy(app)
        parsed = parse_request_headers(value)
        expected = parsed is not None and all(
            policy.allow_headers.allows(n.lower()) for n in parsed
        )
        assert (map_value(maps_of(app)["cors_1_headers"], value) == "1") == expected


def test_request_headers_bounds_are_the_apps() -> None:
    """SPEC 4: over 64 names or 4096 characters the app refuses; so does the map."""
    maps = maps_of(policy_app())["cors_1_headers"]
    assert map_value(maps, ",".join(["x-a"] * 64)) == "1"
    assert map_value(maps, ",".join(["x-a"] * 65)) == "0"
    assert map_value(maps, "x" * 4096) == "1"
    assert map_value(maps, "x" * 4097) == "0"


@given(method=st.sampled_from(["GET", "get", "PUT", "PURGE", "P T", "", "DELETE", "OPTIONS"]))
def test_method_map_allows_what_the_app_allows(method: str) -> None:
    """SPEC 4: methods are compared case-sensitively; ``*`` allows any token."""
    for methods in (["GET", "PUT"], ["*"]):
        app = policy_app(methods=methods)
        policy = the_policy(app)
        expected = policy.any_method and bool(re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", method))
        expected = expected or (not policy.any_method and method in policy.methods)
        assert (map_value(maps_of(app)["cors_1_method"], method) == "1") == expected


# --- regex translation ------------------------------------------------------------------------


@given(origin=origins())
def test_translated_regexes_match_what_python_matches(origin: str) -> None:
    """SPEC 8: a translated regex admits exactly the well-formed origins the app's regex
    full-matches."""
    for text in (
        r"https://(app|admin)\.example\.dev",
        r"https://[a-z0-9-]+\.preview\.example\.com",
        r"http://.*\.local\.test",
        r"https?://(www\.)?example\.org(:\d+)?",
        r"https://[^.]+\.example\.io",
    ):
        compiled = re.compile(text, re.IGNORECASE | re.ASCII)
        key, why = translate_regex(compiled)
        if key is None:
            assert "IPv6" in why
            continue
        parts = split_origin(origin)
        lowered = (
            None
            if parts is None
            else f"{parts[0]}://{parts[1]}" + (f":{parts[2]}" if parts[2] else "")
        )
        expected = lowered is not None and compiled.fullmatch(lowered) is not None
        assert bool(re.search(key[2:], origin, re.IGNORECASE)) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (r"https://[a-z]+\.example\.com(?=x)", "lookaround"),
        (r"https://(a)\1\.example\.com", "back-reference"),
        (r"https://\w+\.ex\u00e4mple\.com", "outside ASCII"),
        (r"https://[^/]+", "IPv6"),
        (r"https://\S+\.example\.com", "category"),
    ],
)
def test_untranslatable_regexes_are_named(text: str, why: str) -> None:
    """SPEC 8: lookarounds, back-references, non-ASCII, classes nginx may read otherwise, and
    regexes that could match an IPv6 host are not translated; the reason says which."""
    key, reason = translate_regex(re.compile(text, re.IGNORECASE | re.ASCII))
    assert key is None
    assert why in reason


# --- routes -----------------------------------------------------------------------------------


def routes_app() -> Flask:
    app = Flask("routes")

    @app.get("/api/items/<int:item_id>")
    def item(item_id: int) -> str:
        return "item"

    @app.get("/api/files/<path:name>")
    def files(name: str) -> str:
        return "file"

    @app.get("/api/special/<int:n>")
    def special(n: int) -> str:
        return "special"

    @app.get("/open")
    @cross_origin(origins="*")
    def open_view() -> str:
        return "open"

    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.get("/<name>")
    def named(name: str) -> str:
        return name

    CORS(bp, origins=["https://bp.example.com"])
    app.register_blueprint(bp)
    CORS(
        app,
        resources={
            r"/api/special/1.*": {"origins": ["https://one.example.com"]},
            r"/api/*": {"origins": ["https://app.example.com"]},
        },
    )
    return app


def test_routes_carry_the_policy_the_app_answers_with() -> None:
    """SPEC 8: each exported route has the Coverage the request path would find; converters
    become patterns; a route whose resource depends on the path is left to the app."""
    model = export_routes(routes_app())
    by_rule = {r.rule: r for r in model.routes}
    assert by_rule["/api/items/<int:item_id>"].coverage.source == "resources['/api/*']"
    assert by_rule["/api/items/<int:item_id>"].path_regex == "^/api/items/[0-9]+$"
    assert by_rule["/api/files/<path:name>"].path_regex == "^/api/files/[^/].*$"
    assert by_rule["/open"].coverage.source.startswith("@cross_origin on ")
    assert by_rule["/bp/<name>"].coverage.source == "blueprint 'bp'"
    left = {r.rule: r.why for r in model.left_to_app}
    assert "may cover some of its paths only" in left["/api/special/<int:n>"]
    assert left["/static/<path:filename>"] == ""


def test_a_path_pattern_is_the_literal_path() -> None:
    """SPEC 8: rule text is escaped so both engines (and nginx's quoting) read a literal."""
    text = '/a.b$c{d}"e\\f(g)'
    assert re.fullmatch(escape(text), text)
    assert "\\\\" not in escape(text)


# --- the command ------------------------------------------------------------------------------


def run(app: Flask, *args: str) -> Result:
    """The command through Flask's CliRunner, standard error apart (Click 8.1 needs asking)."""
    options = {}
    if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters:
        options["mix_stderr"] = False
    return app.test_cli_runner(**options).invoke(args=["cors", "export", "nginx", *args])


def lossy_app() -> Flask:
    app = Flask("lossy")
    app.add_url_rule("/api/data", "data", lambda: "ok")

    def trusted(origin: str) -> bool:
        return origin.endswith(".trusted.example")

    CORS(
        app,
        resources={
            r"/api/*": {
                "origins": [
                    "https://app.example.com",
                    trusted,
                    r"http://\[::1\]:\d+",
                ]
            }
        },
    )
    return app


def test_loss_report_names_option_value_route_and_exits_2() -> None:
    """SPEC 8: a callable and an untranslatable regex are named in the loss report on
    standard error with the option, the value as written and the route; exit 2, nothing
    written, no traceback."""
    result = run(lossy_app())
    assert result.exit_code == 2
    assert result.stdout == ""
    assert (
        "origins '<callable lossy_app.<locals>.trusted>' on /api/data (data): a callable "
        "cannot run in nginx; dropped: nginx refuses it"
    ) in result.stderr
    assert (
        "origins 'http://\\[::1\\]:\\d+' on /api/data (data): it may match an IPv6 "
        "literal host, whose form nginx cannot check"
    ) in result.stderr
    assert "--accept-narrower" in result.stderr


def test_accept_narrower_writes_without_the_dropped_entries(tmp_path: Path) -> None:
    """SPEC 8: with --accept-narrower the file is written; the dropped entries refuse."""
    out = tmp_path / "cors.conf"
    result = run(lossy_app(), "--accept-narrower", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Narrower policy accepted" in result.stderr
    entries = {n: e for n, (_, e) in parse(out.read_text()).maps.items()}["cors_1_origin"]
    assert map_value(entries, "https://app.example.com") == "https://app.example.com"
    assert map_value(entries, "https://x.trusted.example") == ""
    assert map_value(entries, "https://abc.example.com") == ""


def test_options_are_written(tmp_path: Path) -> None:
    """Issue item 1: --listen, --server-name and --upstream reach the server block."""
    result = run(
        routes_app(),
        "--listen",
        "127.0.0.1:9999",
        "--server-name",
        "api.example.com",
        "--upstream",
        "http://127.0.0.1:7000",
    )
    assert result.exit_code == 0, result.output
    assert "    listen 127.0.0.1:9999;\n    server_name api.example.com;\n" in result.stdout
    assert "proxy_pass http://127.0.0.1:7000;" in result.stdout
    bad = run(routes_app(), "--upstream", "http://127.0.0.1:7000/app")
    assert bad.exit_code == 2
    assert "no path" in bad.stderr


# --- --check ----------------------------------------------------------------------------------


def checked(app: Flask, tmp_path: Path, edit: Optional[tuple[str, str]] = None) -> Result:
    deployed = tmp_path / "cors.conf"
    written = run(app, "-o", str(deployed))
    assert written.exit_code == 0, written.output
    if edit is not None:
        text = deployed.read_text()
        assert edit[0] in text
        deployed.write_text(text.replace(edit[0], edit[1], 1))
    return run(app, "--check", str(deployed))


def credentials_app() -> Flask:
    return policy_app(
        origins=["https://app.example.com"],
        supports_credentials=True,
        allow_headers=["Content-Type", "X-Token"],
        expose_headers=["X-Total"],
    )


def test_check_passes_an_unchanged_file(tmp_path: Path) -> None:
    """Issue item 4: today's export checks clean, exit 0."""
    result = checked(credentials_app(), tmp_path)
    assert result.exit_code == 0, result.output
    assert "matches the app's policy" in result.stdout


def test_check_names_an_added_origin(tmp_path: Path) -> None:
    """Issue item 4: an origin added by hand is named, exit 1."""
    line = '    "https://app.example.com" "$http_origin";\n'
    result = checked(
        credentials_app(), tmp_path, (line, line + '    "https://evil.example" "1";\n')
    )
    assert result.exit_code == 1
    assert "/api (api): the deployed copy allows origin 'https://evil.example'" in result.stdout


def test_check_names_a_removed_header(tmp_path: Path) -> None:
    """Issue item 4: a response header removed by hand, and an allowed request header taken
    out of the list, are named, exit 1."""
    result = checked(
        credentials_app(),
        tmp_path,
        ("        add_header Access-Control-Expose-Headers $cors_1_aceh always;\n", ""),
    )
    assert result.exit_code == 1
    assert "lacks `add_header Access-Control-Expose-Headers $cors_K_aceh always`" in (result.stdout)
    result = checked(credentials_app(), tmp_path, ("content-type|x-token", "x-token"))
    assert result.exit_code == 1
    assert "the deployed copy refuses request header content-type; the app allows it" in (
        result.stdout
    )


def test_check_names_an_older_policy(tmp_path: Path) -> None:
    """Issue item 4: a file written for yesterday's policy names what changed since."""
    deployed = tmp_path / "cors.conf"
    assert run(policy_app(origins=["https://old.example.com"]), "-o", str(deployed)).exit_code == 0
    result = run(policy_app(origins=["https://new.example.com"]), "--check", str(deployed))
    assert result.exit_code == 1
    assert "allows origin 'https://old.example.com'; the app does not" in result.stdout
    assert "refuses origin 'https://new.example.com'; the app allows it" in result.stdout


def test_check_refuses_an_unreadable_file(tmp_path: Path) -> None:
    """Issue item 4: a file crossplane cannot parse, or a missing one: exit 2, no traceback."""
    broken = tmp_path / "broken.conf"
    broken.write_text("server { location / { \n")
    result = run(credentials_app(), "--check", str(broken))
    assert result.exit_code == 2
    assert "cannot read" in result.stderr
    result = run(credentials_app(), "--check", str(tmp_path / "missing.conf"))
    assert result.exit_code == 2


# --- routes that share paths, and nginx's own reading of the file -------------------------


def overlapping_app() -> Flask:
    """Two variable rules over the same paths with different policies, and a rule without
    variables inside an exported rule's paths, with no policy."""
    app = Flask("overlap")

    @app.get("/api/items/<int:item_id>")
    @cross_origin(origins=["https://a.example.com"])
    def by_id(item_id: int) -> str:
        return "id"

    @app.get("/api/items/<name>")
    @cross_origin(origins=["https://b.example.com"])
    def by_name(name: str) -> str:
        return "name"

    @app.get("/api/things/<name>")
    @cross_origin(origins=["https://a.example.com"])
    def thing(name: str) -> str:
        return "thing"

    @app.get("/api/things/special")
    def special() -> str:
        return "no CORS"

    return app


#: A rule written to close its location and open another with a grant of its own.
CRAFTED = (
    '/z\\" { add_header Access-Control-Allow-Origin * always; } location = /w\\" '
    "{ proxy_pass http://127.0.0.1:5000; } location ~ ^/adm"
)


def crafted_rules_app() -> Flask:
    """Rules with nginx syntax in their text: a trailing backslash, quotes, braces, ``;``."""
    app = Flask("crafted", static_folder=None)

    @app.get("/a\\")
    @cross_origin(origins=["https://good.example"])
    def a() -> str:
        return "a"

    @app.get(CRAFTED)
    @cross_origin(origins=["https://good.example"])
    def z() -> str:
        return "z"

    @app.get("/admin")
    def admin() -> str:
        return "secret"

    return app


def test_rule_text_cannot_write_nginx_syntax() -> None:
    """SPEC 8 (edge item 4): a rule holding a backslash, quotes, braces or ``;`` becomes a
    location of escaped characters (exact), never directives: the file has one location per
    rule, none adds a header outside the policy's, and ``/admin`` keeps no location."""
    parsed = parse(render(export_routes(crafted_rules_app()), LossReport("nginx"), {}))
    assert ("~", "^/a\\x5c$") in parsed.locations
    assert ("~", f"^{escape(CRAFTED)}$") in parsed.locations
    assert not [args for args in parsed.locations if "/w" in args or "^/adm" in args]
    for lines in parsed.locations.values():
        assert not [line for line in lines if "add_header" in line and "$cors_" not in line]


def nginx_unquote(quoted: str) -> str:
    """nginx's reading of a double-quoted string (ngx_conf_read_token): a backslash before
    ``"``, ``'`` or a backslash is dropped; ``\\t``, ``\\r``, ``\\n`` become the control
    character; any other backslash stays."""
    assert quoted[0] == quoted[-1] == '"'
    body, out, i = quoted[1:-1], [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in "\"'\\":
                out.append(nxt)
                i += 2
                continue
            if nxt in "trn":
                out.append({"t": "\t", "r": "\r", "n": "\n"}[nxt])
                i += 2
                continue
        assert body[i] != '"', "an unescaped quote ends the string"
        out.append(body[i])
        i += 1
    return "".join(out)


@given(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E)))
def test_quoting_reads_back_exactly(text: str) -> None:
    """SPEC 8 (edge item 4): every string the export quotes reads back as written in nginx
    (backslashes before an escape character doubled, quotes escaped)."""
    from flask_crossorigin.export.nginx import _q

    assert nginx_unquote(_q(text)) == text


@pytest.mark.parametrize(
    "option",
    [
        "--upstream=http://127.0.0.1:5000;add_header Access-Control-Allow-Origin *",
        "--upstream=http://127.0.0.1:5000 ",
        "--upstream=http://127.0.0.1:5000/?a=1",
        "--upstream=http://127.0.0.1:99999",
        "--listen=127.0.0.1:8080; add_header X 1",
        "--listen=8080 default_server",
        "--listen=0",
        "--server-name=a.example b.example",
        "--server-name=x;add_header",
        '--server-name="x"',
        "--server-name=~^(.+)$",
    ],
)
def test_server_options_are_checked(option: str) -> None:
    """SPEC 8 (edge item 4): ``--upstream``, ``--listen`` and ``--server-name`` go into the
    file as written, so anything but an address, a port or a name is a usage error (exit 2)
    that names the option."""
    result = run(credentials_app(), option)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option.split('=')[0]}'" in result.stderr
    assert not result.stdout.startswith("#")


@pytest.mark.parametrize(
    "option",
    [
        "--upstream=https://app.internal:8443/",
        "--upstream=http://[::1]:5000",
        "--listen=8080",
        "--listen=[::1]:8080",
        "--listen=*:80",
        "--server-name=*.example.com",
        "--server-name=www.example.*",
        "--server-name=.example.com",
    ],
)
def test_server_options_accept_what_nginx_reads(option: str) -> None:
    """SPEC 8 (edge item 4): the usual addresses, ports and wildcard names are accepted."""
    result = run(credentials_app(), option)
    assert result.exit_code == 0, result.output


def test_overlapping_rules_are_left_to_the_app() -> None:
    """SPEC 8: nginx takes the first regex location that matches, Werkzeug its own order: two
    rules whose paths may overlap with different policies both go to the app, and a rule
    without a policy inside an exported rule's paths gets a pass-through location first."""
    text = render(export_routes(overlapping_app()), LossReport("nginx"), {})
    locations = list(parse(text).locations)
    assert ("~", "^/api/items/[0-9]+$") not in locations
    assert ("~", "^/api/items/[^/]+$") not in locations
    assert locations.index(("~", "^/api/things/special$")) < locations.index(
        ("~", "^/api/things/[^/]+$")
    )
    # Nothing exported shares their paths: they reach the app through ``location /``.
    assert not [args for args in locations if "/api/items/" in " ".join(args)]


@pytest.mark.server
@pytest.mark.parametrize(
    "make_app", [routes_app, overlapping_app, lossy_app, credentials_app, crafted_rules_app]
)
def test_nginx_accepts_the_file(make_app: Any, tmp_path: Path) -> None:
    """Issue item 1: Debian's nginx accepts the file inside ``http { }`` (``nginx -t``)."""
    from tests.deploy.conftest import NGINX, require_nginx

    require_nginx()
    text = render(export_routes(make_app()), LossReport("nginx"), {})
    (tmp_path / "cors.conf").write_text(text)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events { worker_connections 16; }\n"
        f"http {{ include {tmp_path}/cors.conf; }}\n"
    )
    checked = subprocess.run(
        [NGINX, "-t", "-q", "-p", str(tmp_path), "-c", "nginx.conf", "-e", "error.log"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr


def test_the_group_lists_its_targets() -> None:
    """SPEC 8: ``flask cors export`` finds each target module by its ``TARGET``; an unknown
    name is a usage error (exit 2), and ``cli``/``model`` are not targets."""
    app = credentials_app()
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["cors", "export", "--help"])
    assert listed.exit_code == 0
    assert "nginx" in listed.output
    assert "  model" not in listed.output
    for name in ("nowhere", "model", "cli"):
        assert runner.invoke(args=["cors", "export", name]).exit_code == 2


def test_left_to_app_routes_are_named_in_the_file() -> None:
    """SPEC 8: a covered route the export cannot prove path-independent is named, with why."""
    text = render(export_routes(routes_app()), LossReport("nginx"), {})
    assert (
        "# /api/special/<int:n> (special) is left to the app: resources key "
        "'/api/special/1.*' may cover some of its paths only"
    ) in text


@pytest.mark.parametrize(
    ("options", "line"),
    [
        (
            {"allow_headers": [re.compile("x-custom-.*"), "content-type"]},
            "allow_headers 'x-custom-.*' on /api (api): a header-name regex is not translated",
        ),
        (
            {
                "origins": ["https://app.example.com"],
                "supports_credentials": True,
                "expose_headers": "*",
            },
            "expose_headers '*' on /api (api): with credentials the app lists each response's "
            "own header names",
        ),
        ({"expose_headers": ["X-A$B"]}, "expose_headers 'X-A$B' on /api (api): nginx reads '$'"),
    ],
)
def test_other_losses_are_named(options: dict[str, Any], line: str) -> None:
    """SPEC 8: an allow_headers regex, expose_headers '*' with credentials and a name nginx
    would read as a variable are named in the loss report (exit 2)."""
    result = run(policy_app(**options))
    assert result.exit_code == 2
    setting, _, rest = line.partition(" on /api (api)")
    # Every route the policy covers is named (CORS(app) covers /static too).
    assert f"{setting} on /api (api), /static/<path:filename> (static){rest}" in result.stderr


def test_a_repeated_origin_is_written_once() -> None:
    """Issue item 1: nginx refuses a map key written twice; the file has each origin once."""
    app = policy_app(origins=["https://app.example.com", "https://APP.example.com"])
    assert maps_of(app)["cors_1_origin"].count(("https://app.example.com", "$http_origin")) == 1


def blueprint_resources_app() -> Flask:
    app = Flask("bp-resources")
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.get("/open/<name>")
    def opened(name: str) -> str:
        return name

    @bp.get("/other/<int:n>")
    def other(n: int) -> str:
        return str(n)

    @bp.get("/mixed/<name>")
    def mixed(name: str) -> str:
        return name

    CORS(
        bp,
        resources={
            r"/bp/open/*": {"origins": ["https://open.example.com"]},
            r"/bp/mixed/a.*": {"origins": ["https://a.example.com"]},
        },
    )
    app.register_blueprint(bp)
    CORS(app, resources={r"/bp/*": {"origins": ["https://app.example.com"]}})
    return app


@pytest.mark.parametrize("make_app", [routes_app, blueprint_resources_app, overlapping_app])
def test_every_path_of_an_exported_route_has_its_policy(make_app: Any) -> None:
    """SPEC 5/8: for paths of each exported route (values of several shapes), the policy the
    request path finds (:func:`flask_crossorigin.introspect.coverage`) is the exported one; a
    route where that fails to hold is left to the app."""
    from flask_crossorigin.export.nginx import _arranged
    from flask_crossorigin.introspect import coverage

    app = make_app()
    model = export_routes(app)
    exported, _ = _arranged(model, LossReport("nginx"))
    values = ["1", "42", "abc", "a", "a1", "x-y", "1.5", "00000000-0000-0000-0000-000000000000"]
    checked = 0
    for route in exported:
        if route.path_regex is None:
            paths = [route.rule]
        else:
            paths = [
                re.sub(r"<[^>]+>", value, route.rule)
                for value in values
                if re.fullmatch(route.path_regex, re.sub(r"<[^>]+>", value, route.rule))
            ]
        for path in paths:
            found = coverage(app, path)
            assert found is not None and found.policy is route.policy, (route.rule, path)
            checked += 1
    assert checked >= len(exported)
    left = {r.rule: r.why for r in model.left_to_app}
    if make_app is blueprint_resources_app:
        assert "may cover some of its paths only" in left["/bp/mixed/<name>"]
        sources = {r.rule: r.coverage.source for r in model.routes}
        assert sources["/bp/open/<name>"] == "blueprint 'bp' resources['/bp/open/*']"
        assert sources["/bp/other/<int:n>"] == "resources['/bp/*']"


# --- paths nginx and the app may route apart (SPEC 5) -------------------------------------------


def odd_oracle(request_uri: str) -> bool:
    """One by one: the path (before ``?``) has a ``.`` or ``..`` segment (ended by ``/``,
    ``#`` or the path's end), a backslash, or an encoded ``/``, ``.``, backslash or ``%``."""
    path = request_uri.split("?", 1)[0]
    if "\\" in path or any(code in path.lower() for code in ("%2f", "%2e", "%5c", "%25")):
        return True
    return any(s.split("#", 1)[0] in (".", "..") for s in path.split("/")[1:])


path_pieces = st.sampled_from(
    ["/", ".", "..", "...", "%2f", "%2F", "%2e", "%2E", "%25", "%5c", "%5C", "\\", "?", "#",
     "a", "e", "f", "%2", "%", "5c", ";", ".a", "a."]
)  # fmt: skip


@given(pieces=st.lists(path_pieces, max_size=10))
def test_odd_path_map_flags_what_the_oracle_flags(pieces: list[str]) -> None:
    """SPEC 5: ``$cors_odd_path`` is 1 exactly for the request paths nginx and the app may
    route apart (checked against a one-by-one oracle)."""
    request_uri = "/" + "".join(pieces)
    entries = maps_of(credentials_app())["cors_odd_path"]
    assert (map_value(entries, request_uri) == "1") == odd_oracle(request_uri)


@pytest.mark.parametrize(
    ("request_uri", "flagged"),
    [
        ("/api/admin/x%2F..%2F..%2Fpublic", True),
        ("/api/admin/%2e%2e/public", True),
        ("/api/./items", True),
        ("/api/items/..", True),
        ("/api/items/.?q=1", True),
        ("/api/items/..#top", True),
        ("/api/a%5Cb", True),
        ("/api/a\\b", True),
        ("/api/100%25", True),
        ("/api/items", False),
        ("/api/items?next=/../admin", False),
        ("/api/.well-known/x", False),
        ("/api/v1.2/items/", False),
        ("/api//items", False),
        ("/api/a%3Fb", False),
    ],
)
def test_odd_path_examples(request_uri: str, flagged: bool) -> None:
    """SPEC 5: the attack paths are flagged; a query string, a name with dots, ``//`` are not."""
    entries = maps_of(credentials_app())["cors_odd_path"]
    assert (map_value(entries, request_uri) == "1") is flagged


def test_odd_paths_get_no_cors_headers() -> None:
    """SPEC 5 and 8: the server sends an odd path to ``@cors_odd_path`` before any location;
    there a preflight gets 403 and every other answer loses the app's CORS headers."""
    text = render(export_routes(credentials_app()), LossReport("nginx"), {})
    server = text[text.index("server {") :]
    detour = server.index("if ($cors_odd_path) {\n        return 418;")
    assert server.index("error_page 418 = @cors_odd_path;") < detour
    assert detour < server.index("location")
    odd_location = parse(text).locations[("@cors_odd_path",)]
    assert odd_location[:2] == ("if $cors_preflight", "  return 403")
    hidden = {line.split()[1] for line in odd_location if line.startswith("proxy_hide_header")}
    assert hidden == {name for name in CORS_HEADERS}
    assert not [line for line in odd_location if line.startswith("add_header")]


def test_check_names_a_file_without_the_odd_path_rule(tmp_path: Path) -> None:
    """SPEC 8: ``--check`` on a file written before the odd-path rule names what it lacks."""
    result = checked(
        credentials_app(),
        tmp_path,
        ("    location @cors_odd_path {", "    location @renamed {"),
    )
    assert result.exit_code == 1
    assert "@cors_odd_path: the deployed copy has no location for it" in result.stdout
    result = checked(credentials_app(), tmp_path, ('"1";\n}\nmap "$upstream', '"0";\n}\nmap "$up'))
    assert result.exit_code == 1
    assert "the shared map $cors_odd_path differs" in result.stdout

    result = checked(
        credentials_app(), tmp_path, ("    if ($cors_odd_path) {\n        return 418;\n    }\n", "")
    )
    assert result.exit_code == 1
    assert "the deployed server block lacks `if $cors_odd_path`" in result.stdout
    assert "the deployed server block lacks `return 418`" in result.stdout


def test_check_names_an_edited_mode_map_entry(tmp_path: Path) -> None:
    """SPEC 8 (--check): every map entry counts, not only the policy's named maps: a
    preflight key widened by hand (``"1:1111"`` to ``"~^1:1"``, which then grants headers
    the app refuses) is drift, exit 1."""
    result = checked(credentials_app(), tmp_path, ('"1:1111" "preflight";', '"~^1:1" "preflight";'))
    assert result.exit_code == 1
    assert "is `~^1:1 preflight` in the deployed copy, `1:1111 preflight` in the app's" in (
        result.stdout
    )


def test_check_names_an_edited_map_source(tmp_path: Path) -> None:
    """SPEC 8 (--check): a map whose source was changed by hand is drift."""
    source = '"$cors_preflight:$cors_1_origin_ok$cors_1_method$cors_1_headers$cors_1_pna"'
    result = checked(
        credentials_app(), tmp_path, (source, '"$cors_preflight:${cors_1_origin_ok}111"')
    )
    assert result.exit_code == 1
    assert "the deployed copy has `map $cors_preflight:${cors_1_origin_ok}111 $cors_1_mode`" in (
        result.stdout
    )


def test_check_names_a_header_written_twice(tmp_path: Path) -> None:
    """SPEC 8 (--check, no CORS header twice): an ``add_header`` line duplicated by hand is
    drift, though the location holds the same set of lines."""
    line = "        add_header Access-Control-Allow-Origin $cors_1_acao always;\n"
    result = checked(credentials_app(), tmp_path, (line, line + line))
    assert result.exit_code == 1
    assert (
        "/api (api): the deployed copy has `add_header Access-Control-Allow-Origin $cors_K_acao "
        "always` 2 times; the app's export 1" in result.stdout
    )
