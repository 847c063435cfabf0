"""Regex origins for the cloud targets: finite languages listed, JavaScript translations exact.

SPEC section 3 (regexes matched in full, case-insensitively in ASCII) and section 8 (never
wider): a regex is exported only when the export means the same on every origin a browser can
send; the oracle is Python's own ``re`` (and, for JavaScript, Node.js running the translation).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flask_crossorigin.export._regex import finite_origins, to_javascript
from flask_crossorigin.origins import split_origin

from .worker import NODE, node_available

FLAGS = re.IGNORECASE | re.ASCII

FINITE = [
    (r"https://(www\.)?example\.(com|org)", 4),
    (r"https://app[1-3]\.example\.com", 3),
    (r"https?://localhost:(3000|8080)", 4),
    (r"https://EXAMPLE\.com", 1),
    (r"http://\[::1\]:8080", 1),
]
INFINITE = [r"https://.*\.example\.com", r"https://[a-z]+\.example\.com", r"https://x\d+\.io"]
UNTRANSLATABLE = [
    r"https://(?!admin)[a-z]+\.example\.com",
    r"https://(\w+)\.\1\.com",
    r"https://\bexample\.com",
    r"https://(?i:x)\.com",
    # Atomic groups exist from Python 3.11.
    *([r"https://(?>a+)\.com"] if sys.version_info >= (3, 11) else []),
]
TRANSLATABLE = [
    r"https://(www\.)?example\.(com|org)",
    r"https://[a-z0-9-]+\.example\.com",
    r"https://app-\d{1,4}\.preview\.example\.io",
    r"https?://localhost(:\d+)?",
    r"https://[^.]+\.example\.com",
    r"https://.+\.example\.com",
    r"https://x\w*?\.example\.com",
    r"^https://example\.com$",
    r"http://\[::1\](:[0-9]+)?",
    r"https://[a-z\s]+\.com",
]


@pytest.mark.parametrize(("pattern", "count"), FINITE)
def test_finite_languages_listed(pattern: str, count: int) -> None:
    """SPEC 8: a regex whose language is a few origins is exported as those origins."""
    found = finite_origins(re.compile(pattern, FLAGS))
    assert found is not None and len(found) == count
    assert all(re.compile(pattern, FLAGS).fullmatch(o) for o in found)


@pytest.mark.parametrize("pattern", INFINITE + UNTRANSLATABLE)
def test_infinite_languages_not_listed(pattern: str) -> None:
    """SPEC 8: a regex with more origins than a list can hold is never listed."""
    assert finite_origins(re.compile(pattern, FLAGS)) is None


ORIGIN_PARTS = st.tuples(
    st.sampled_from(["http", "https", "HTTPS"]),
    st.sampled_from(["www.", "", "app1.", "app4.", "x.y.", "WWW."]),
    st.sampled_from(["example.com", "example.org", "example.net", "localhost", "[::1]"]),
    st.sampled_from(["", ":3000", ":8080", ":443"]),
)


@given(ORIGIN_PARTS)
def test_finite_origins_agree_with_re(parts: tuple[str, str, str, str]) -> None:
    """A well-formed origin is in the listed language exactly when the regex matches it."""
    origin = "{}://{}{}{}".format(*parts)
    if split_origin(origin) is None:
        return
    lowered = origin.lower()
    for pattern, _ in FINITE:
        compiled = re.compile(pattern, FLAGS)
        found = finite_origins(compiled)
        assert found is not None
        assert (lowered in found) == (compiled.fullmatch(lowered) is not None), (pattern, origin)


@pytest.mark.parametrize("pattern", UNTRANSLATABLE)
def test_untranslatable_refused(pattern: str) -> None:
    """SPEC 8: lookarounds, backreferences, word boundaries, inline flags and atomic groups
    have no translation here: refused, never approximated."""
    assert to_javascript(re.compile(pattern, FLAGS)) is None


SAMPLES = [
    "https://example.com",
    "https://www.example.org",
    "https://www.example.net",
    "https://a-b.example.com",
    "https://a.b.example.com",
    "https://.example.com",
    "https://app-12.preview.example.io",
    "https://app-12345.preview.example.io",
    "http://localhost",
    "http://localhost:3000",
    "http://localhost:",
    "https://x.example.com",
    "https://xyz_1.example.com",
    "http://[::1]",
    "http://[::1]:8080",
    "https://example.com\r",
    "https://example.com\n",
    "https://exa\tmple.com",
    "https://EXAMPLE.COM",
    "",
]


@pytest.mark.skipif(not node_available(), reason="Node.js (Debian's nodejs) is not installed")
def test_javascript_translation_matches_python() -> None:
    """SPEC 8: each translation, run by Node.js as the Worker runs it (anchored, flag i), gives
    the answers of Python's fullmatch on every sample, lower-cased as the decision matches."""
    sources = {}
    for pattern in TRANSLATABLE:
        source = to_javascript(re.compile(pattern, FLAGS))
        assert source is not None, pattern
        sources[pattern] = source
    samples = [s.lower() for s in SAMPLES]
    script = (
        "const data = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "const out = {};"
        "for (const [k, src] of Object.entries(data.sources)) {"
        "  const r = new RegExp('^(?:' + src + ')$', 'i');"
        "  out[k] = data.samples.map((s) => r.test(s)); }"
        "process.stdout.write(JSON.stringify(out));"
    )
    assert NODE is not None
    result = subprocess.run(
        [NODE, "-e", script],
        input=json.dumps({"sources": sources, "samples": samples}),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    verdicts = json.loads(result.stdout)
    for pattern in TRANSLATABLE:
        compiled = re.compile(pattern, FLAGS)
        expected = [compiled.fullmatch(s) is not None for s in samples]
        assert verdicts[pattern] == expected, pattern
