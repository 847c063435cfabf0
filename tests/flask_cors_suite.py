"""flask-cors 6.0.5's own test suite, run against flask-crossorigin: fetch, stand-in, verdicts.

The suite is not part of this repository. :func:`suite_tests` gets flask-cors's source
distribution with pip (``pip download --no-binary :all: --no-deps``) into a cache directory
that git ignores, checks its SHA-256, and unpacks its ``tests/``. :func:`write_stand_in`
writes a package named ``flask_cors`` that re-exports flask-crossorigin's ``CORS`` and
``cross_origin``, with a ``flask_cors.core`` holding the header-name constants the suite
imports (names from the Fetch standard, written here). :data:`EXPECTED_FAILURES` is the
reviewed list of the suite's tests that fail on purpose: each names the SPEC section that
means the difference, or the work that is expected to make it pass.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import flask_crossorigin

VERSION = "6.0.5"
SDIST = f"flask_cors-{VERSION}.tar.gz"
#: SHA-256 of flask_cors-6.0.5.tar.gz as published on PyPI.
SDIST_SHA256 = "30c5031552cd59f620ac0c8211dac45b345d3b2df310e7721879e4f46ef9c601"

REPO = Path(flask_crossorigin.__file__).resolve().parent.parent
#: Where the source distribution is kept between runs (git-ignored); override with
#: FLASK_CROSSORIGIN_CACHE.
CACHE = Path(os.environ.get("FLASK_CROSSORIGIN_CACHE", REPO / ".cache"))

#: Files of the suite that are not run, and why.
LEFT_OUT = {
    "tests/core/test_helpers.py": (
        "tests flask-cors's private helpers (probably_regex, serialize_options, "
        "get_allow_headers...), which are internals, not part of the settings it shares"
    ),
    "tests/typecheck/": (
        "static-typing checks of flask-cors's own signatures, meant for mypy, with no "
        "runtime tests (ours: mypy --strict on flask_crossorigin)"
    ),
}

#: ``from flask_cors.core import *`` in the suite: header names (Fetch standard) and
#: flask-cors's default list of methods (also ours: options.ALL_METHODS).
CORE_CONSTANTS = {
    "ACL_ORIGIN": "Access-Control-Allow-Origin",
    "ACL_METHODS": "Access-Control-Allow-Methods",
    "ACL_ALLOW_HEADERS": "Access-Control-Allow-Headers",
    "ACL_EXPOSE_HEADERS": "Access-Control-Expose-Headers",
    "ACL_CREDENTIALS": "Access-Control-Allow-Credentials",
    "ACL_MAX_AGE": "Access-Control-Max-Age",
    "ACL_RESPONSE_PRIVATE_NETWORK": "Access-Control-Allow-Private-Network",
    "ACL_REQUEST_METHOD": "Access-Control-Request-Method",
    "ACL_REQUEST_HEADERS": "Access-Control-Request-Headers",
    "ACL_REQUEST_HEADER_PRIVATE_NETWORK": "Access-Control-Request-Private-Network",
}


@dataclass(frozen=True)
class Expected:
    """A test of the suite that fails against flask-crossorigin, and why."""

    #: The section of SPEC that means the deviation, and why the test fails.
    spec: str
    reason: str


_D = "tests/decorator/"
_E = "tests/extension/"

#: The reviewed list: test id -> why it fails.
EXPECTED_FAILURES: dict[str, Expected] = {
    # Deviations SPEC means.
    f"{_D}test_allow_headers.py::AllowHeadersTestCaseIntegration::"
    "test_allow_headers_with_unmatched_request_headers": Expected(
        "SPEC 4",
        "a preflight asking for a header not allowed is refused whole (no ACAH with the "
        "allowed subset); the browser would block it anyway",
    ),
    f"{_D}test_credentials.py::SupportsCredentialsCase::test_credentials_supported": Expected(
        "SPEC 2",
        "supports_credentials with the default origins '*' is a configuration error, not "
        "every origin reflected with credentials",
    ),
    f"{_D}test_origins.py::OriginsTestCase::test_regex_list": Expected(
        "SPEC 3",
        "regex origins are matched in full: '.*.example.com' does not allow "
        "'http://a.example.com.com'",
    ),
    f"{_D}test_private_network_headers.py::SupportsCredentialsCase::"
    "test_credentials_supported": Expected(
        "SPEC 4",
        "Access-Control-Allow-Private-Network answers a preflight only, never a GET",
    ),
    f"{_D}test_private_network_headers.py::SupportsCredentialsCase::"
    "test_credentials_unsupported": Expected(
        "SPEC 4",
        "no 'Access-Control-Allow-Private-Network: false': a refusal sends no "
        "Access-Control-Allow-* header, and never on a GET",
    ),
    f"{_D}test_vary_header.py::VaryHeaderTestCase::test_consistent_origin": Expected(
        "SPEC 4",
        "'Vary: Origin' with a single allowed origin too: other origins get no ACAO, so the "
        "response depends on Origin",
    ),
    f"{_D}test_vary_header.py::VaryHeaderTestCase::test_consistent_origin_concat": Expected(
        "SPEC 4",
        "Origin is merged into the existing Vary field ('Accept-Encoding, Origin'), not sent "
        "as a second Vary line (the same to HTTP)",
    ),
    f"{_E}test_app_extension.py::AppExtensionRegexp::test_regex_list": Expected(
        "SPEC 3", "regex origins are matched in full (as test_regex_list of the decorator)"
    ),
    f"{_E}test_app_extension.py::AppExtensionBadRegexp::test_value_error": Expected(
        "SPEC 2",
        "resources='}' cannot match a path (no leading '/'): a configuration error at "
        "init_app, where flask-cors ignores it",
    ),
}


class Unavailable(Exception):
    """The source distribution could not be fetched."""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch_sdist() -> Path:
    """flask-cors 6.0.5's source distribution, from the cache or downloaded with pip."""
    cached = CACHE / SDIST
    if cached.is_file() and _sha256(cached) == SDIST_SHA256:
        return cached
    CACHE.mkdir(parents=True, exist_ok=True)
    # One directory per process: test runs on several Pythons may fetch at the same time.
    download = CACHE / f"download-{os.getpid()}"
    shutil.rmtree(download, ignore_errors=True)
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-binary",
        ":all:",
        "--no-deps",
        "--disable-pip-version-check",
        "-d",
        str(download),
        f"flask-cors=={VERSION}",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    fetched = download / SDIST
    if result.returncode != 0 or not fetched.is_file():
        raise Unavailable(f"pip download failed:\n{result.stdout}\n{result.stderr}")
    digest = _sha256(fetched)
    if digest != SDIST_SHA256:
        raise Unavailable(f"{SDIST} has SHA-256 {digest}, expected {SDIST_SHA256}")
    fetched.replace(cached)
    shutil.rmtree(download, ignore_errors=True)
    return cached


def _left_out(name: str) -> bool:
    return any(name == path or name.startswith(path) for path in LEFT_OUT if path)


def suite_tests(destination: Path) -> Path:
    """Unpack the suite's ``tests/`` (without :data:`LEFT_OUT`) under ``destination``."""
    prefix = PurePosixPath(f"flask_cors-{VERSION}")
    with tarfile.open(fetch_sdist()) as archive:
        for member in archive.getmembers():
            path = PurePosixPath(member.name)
            if not member.isfile() or len(path.parts) < 3 or path.parts[1] != "tests":
                continue
            name = str(path.relative_to(prefix))
            if ".." in path.parts or _left_out(name):
                continue
            source = archive.extractfile(member)
            assert source is not None
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read())
    return destination / "tests"


_RECORDER = """\
import json
import os

_OUTCOMES = {}


def pytest_runtest_logreport(report):
    if report.failed:
        _OUTCOMES[report.nodeid] = "failed"
    elif report.when == "call" or report.skipped:
        _OUTCOMES.setdefault(report.nodeid, report.outcome)


def pytest_sessionfinish(session):
    with open(os.environ["SUITE_OUTCOMES"], "w") as file:
        json.dump(_OUTCOMES, file)
"""


def write_stand_in(destination: Path) -> Path:
    """A ``flask_cors`` package that is flask-crossorigin, plus the outcome recorder."""
    package = destination / "flask_cors"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        '"""Stand-in: flask-crossorigin under the name flask_cors."""\n'
        "from flask_crossorigin import CORS, __version__, cross_origin\n\n"
        '__all__ = ["CORS", "cross_origin"]\n'
    )
    lines = [f"{name} = {value!r}\n" for name, value in CORE_CONSTANTS.items()]
    lines.append('ALL_METHODS = ["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"]\n')
    (package / "core.py").write_text('"""Stand-in constants."""\n' + "".join(lines))
    (destination / "suite_outcomes.py").write_text(_RECORDER)
    return destination


def run_suite(workdir: Path) -> dict[str, str]:
    """Run the suite in a pytest subprocess; each test id's outcome."""
    suite = workdir / "suite"
    suite_tests(suite)
    stand_in = write_stand_in(workdir / "stand_in")
    outcomes = workdir / "outcomes.json"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(stand_in), str(REPO)]),
        "SUITE_OUTCOMES": str(outcomes),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "suite_outcomes",
        "--rootdir",
        str(suite),
        "-c",
        os.devnull,
        "tests",
    ]
    result = subprocess.run(
        command, cwd=suite, env=env, capture_output=True, text=True, timeout=600
    )
    if not outcomes.is_file():
        raise RuntimeError(f"the suite did not run:\n{result.stdout}\n{result.stderr}")
    found: dict[str, str] = json.loads(outcomes.read_text())
    return found
