"""IP literals in origins, read one way on every Python (SPEC 3: the URL standard's host parser).

The reference below follows the URL standard's IPv6 parser and serializer step by step, one
character at a time, with nothing but integers and lists; the module under test uses
``ipaddress`` (its ``packed`` form) and its own serializer. The property tests run on every
Python of the test matrix, where ``ipaddress``'s own ``str()`` differs (3.13 writes
``::ffff:1.2.3.4``).
"""

from __future__ import annotations

from typing import Optional

import pytest
from flask import Flask
from hypothesis import example, given
from hypothesis import strategies as st

from flask_crossorigin import CORS, CORSConfigError
from flask_crossorigin.errors import Problems
from flask_crossorigin.origins import (
    OriginMatcher,
    _ipv4_as_browsers_read,
    _ipv4_serialized,
    _ipv6_serialized,
    parse_entries,
    split_origin,
)

HEX = "0123456789abcdefABCDEF"
DIGITS = "0123456789"


def reference_ipv6_parse(text: str) -> Optional[list[int]]:
    """The URL standard's IPv6 parser ("IPv6 parser", host parsing), as written there."""
    address = [0] * 8
    piece_index = 0
    compress: Optional[int] = None
    pointer = 0

    def c() -> Optional[str]:
        return text[pointer] if pointer < len(text) else None

    if c() == ":":
        if text[pointer + 1 : pointer + 2] != ":":
            return None
        pointer += 2
        piece_index += 1
        compress = piece_index
    while c() is not None:
        if piece_index == 8:
            return None
        if c() == ":":
            if compress is not None:
                return None
            pointer += 1
            piece_index += 1
            compress = piece_index
            continue
        value = length = 0
        while length < 4 and c() is not None and c() in HEX:
            value = value * 0x10 + int(text[pointer], 16)
            pointer += 1
            length += 1
        if c() == ".":
            if length == 0:
                return None
            pointer -= length
            if piece_index > 6:
                return None
            numbers_seen = 0
            while c() is not None:
                ipv4_piece: Optional[int] = None
                if numbers_seen > 0:
                    if c() == "." and numbers_seen < 4:
                        pointer += 1
                    else:
                        return None
                if c() is None or c() not in DIGITS:
                    return None
                while c() is not None and c() in DIGITS:
                    number = int(text[pointer])
                    if ipv4_piece is None:
                        ipv4_piece = number
                    elif ipv4_piece == 0:
                        return None
                    else:
                        ipv4_piece = ipv4_piece * 10 + number
                    if ipv4_piece > 255:
                        return None
                    pointer += 1
                assert ipv4_piece is not None
                address[piece_index] = address[piece_index] * 0x100 + ipv4_piece
                numbers_seen += 1
                if numbers_seen in (2, 4):
                    piece_index += 1
            if numbers_seen != 4:
                return None
            break
        if c() == ":":
            pointer += 1
            if c() is None:
                return None
        elif c() is not None:
            return None
        address[piece_index] = value
        piece_index += 1
    if compress is not None:
        swaps = piece_index - compress
        piece_index = 7
        while piece_index != 0 and swaps > 0:
            other = compress + swaps - 1
            address[piece_index], address[other] = address[other], address[piece_index]
            piece_index -= 1
            swaps -= 1
    elif piece_index != 8:
        return None
    return address


def reference_ipv6_serialize(address: list[int]) -> str:
    """The URL standard's IPv6 serializer."""
    compress: Optional[int] = None
    best = 1
    i = 0
    while i < 8:
        j = i
        while j < 8 and address[j] == 0:
            j += 1
        if j - i > best:
            compress, best = i, j - i
        i = j + 1 if j == i else j
    output = ""
    ignore0 = False
    for index, piece in enumerate(address):
        if ignore0 and piece == 0:
            continue
        ignore0 = False
        if compress == index:
            output += "::" if index == 0 else ":"
            ignore0 = True
            continue
        output += format(piece, "x")
        if index != 7:
            output += ":"
    return output


def reference_ipv6(text: str) -> Optional[str]:
    address = reference_ipv6_parse(text)
    return None if address is None else reference_ipv6_serialize(address)


def test_reference_agrees_with_the_standards_examples() -> None:
    """The reference itself, on the URL standard's and RFC 5952's examples."""
    assert reference_ipv6("::ffff:1.2.3.4") == "::ffff:102:304"
    assert reference_ipv6("2001:DB8:0:0:1:0:0:1") == "2001:db8::1:0:0:1"
    assert reference_ipv6("0:0:0:0:0:0:0:1") == "::1"
    assert reference_ipv6("1:0:0:0:0:0:0:0") == "1::"
    assert reference_ipv6("1:0:2:3:4:5:6:7") == "1:0:2:3:4:5:6:7"
    assert reference_ipv6("::") == "::"
    for bad in ("1::2::3", ":1", "1:", "12345::", "::1.2.3", "::1.2.3.04", "1:2:3:4:5:6:7:8:9"):
        assert reference_ipv6(bad) is None, bad


# Addresses built piece by piece: every way of writing them the standard allows, and slips.
_piece = st.integers(0, 0xFFFF).map(lambda n: format(n, "x"))
_padded = st.integers(0, 0xFFFF).map(lambda n: format(n, "04X"))
_octet = st.integers(0, 255).map(str)


@st.composite
def ipv6_texts(draw: st.DrawFn) -> str:
    count = draw(st.integers(0, 8))
    pieces = draw(st.lists(st.one_of(_piece, _padded, st.just("0")), min_size=8, max_size=8))
    text = ":".join(pieces[:count])
    if draw(st.booleans()):
        at = draw(st.integers(0, count))
        head, tail = ":".join(pieces[:at]), ":".join(pieces[at:count])
        text = f"{head}::{tail}"
    if draw(st.booleans()):
        ipv4 = ".".join(draw(st.lists(_octet, min_size=3, max_size=5)))
        text = f"{text}:{ipv4}" if text and not text.endswith(":") else f"{text}{ipv4}"
    if draw(st.booleans()):
        # One slip: a character dropped, doubled or replaced.
        chars = list(text) or [":"]
        at = draw(st.integers(0, len(chars) - 1))
        action = draw(st.sampled_from(["drop", "double", "replace"]))
        if action == "drop":
            del chars[at]
        elif action == "double":
            chars.insert(at, chars[at])
        else:
            chars[at] = draw(st.sampled_from([*":.0fg%x ", "\N{SUPERSCRIPT TWO}", "٣"]))
        text = "".join(chars)
    return text


@given(ipv6_texts())
@example("::ffff:1.2.3.4")
@example("1::2:3:4:5:6:7:8")
@example("::1:2:3:4:5:6:7")
@example("1:2:3:4:5:6:7::")
@example("1:2:3:4:5:6:1.2.3.4")
@example("::1.2.3.04")
@example("fe80::1%eth0")
@example("0:0:1:0:0:1:0:0")
def test_ipv6_serialization_equals_the_url_standard(text: str) -> None:
    """SPEC 3: an IPv6 literal is accepted and serialized exactly as the URL standard does,
    on every Python (the same strings on 3.9 and 3.13)."""
    assert _ipv6_serialized(text) == reference_ipv6(text)


@given(st.text(alphabet="0123456789abcdefABCDEF:.%", max_size=48))
def test_ipv6_on_any_string_of_address_characters(text: str) -> None:
    """SPEC 3: the same answer as the URL standard for any string of address characters."""
    assert _ipv6_serialized(text) == reference_ipv6(text)


def reference_ipv4_serialized(text: str) -> Optional[str]:
    """Four decimal numbers, each 0-255, each as the serializer writes it."""
    parts = text.split(".")
    if len(parts) != 4 or not all(p and all(c in DIGITS for c in p) for p in parts):
        return None
    if any(str(int(p)) != p or int(p) > 255 for p in parts):
        return None
    return text


@given(st.text(alphabet="0123456789.x٣", max_size=20))
@example("01.2.3.4")
@example("1.2.3.256")
@example("1.2.3.4.")
def test_ipv4_in_the_serialized_form_only(text: str) -> None:
    """SPEC 3: an IPv4 host is accepted only in the dotted-decimal form browsers send."""
    assert _ipv4_serialized(text) == reference_ipv4_serialized(text)


@pytest.mark.parametrize(
    ("host", "read"),
    [
        ("127.1", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("1.2.3.4.", "1.2.3.4"),
        ("0x", "0.0.0.0"),
        ("1.2.3.256", None),
        ("4294967296", None),
        ("1.2.3.4.5", None),
        ("1.08", None),
        ("9" * 5000, None),
    ],
)
def test_ipv4_as_browsers_read_it(host: str, read: Optional[str]) -> None:
    """SPEC 3 (URL standard IPv4 parser): the address a browser makes of a numeric host,
    used in the fix of a refused entry."""
    assert _ipv4_as_browsers_read(host) == read


def _entries(value: object) -> tuple[list[str], list[str]]:
    problems = Problems()
    entries = parse_entries("origins", value, problems)
    return [e.text for e in entries], [str(p) for p in problems.items]


def test_embedded_ipv4_in_configuration_is_serialized() -> None:
    """SPEC 3: ``[::ffff:1.2.3.4]`` is read as browsers read it, on every Python."""
    texts, problems = _entries(["http://[::ffff:1.2.3.4]:8080", "http://[::FFFF:0102:0304]"])
    assert problems == []
    assert texts == ["http://[::ffff:102:304]:8080", "http://[::ffff:102:304]"]


@pytest.mark.parametrize(
    ("entry", "fix"),
    [
        ("http://127.1:8080", "'http://127.0.0.1:8080'"),
        ("http://0x7f.0.0.1", "'http://127.0.0.1'"),
        ("HTTP://0X7F.1:8080", "'HTTP://127.0.0.1:8080'"),
        ("http://1.2.3.256", "four decimal numbers"),
        ("http://[::1.2.3.04]", "valid address"),
        ("http://[fe80::1%25eth0]", "valid address"),
        ("http://[1::2::3]", "valid address"),
    ],
)
def test_ip_literals_browsers_never_send_are_refused_with_a_fix(entry: str, fix: str) -> None:
    """SPEC 2/3: an IP literal in another form than browsers send is refused, and the fix
    shows the form they send where there is one."""
    texts, problems = _entries([entry])
    assert texts == []
    assert len(problems) == 1 and fix in problems[0], problems


@pytest.mark.parametrize("digits", [6, 4301, 10_000])
def test_a_port_of_thousands_of_digits_is_a_configuration_error(digits: int) -> None:
    """SPEC 2: a port of any length is refused with CORSConfigError, never int()'s
    ValueError (Python 3.11+ refuses to convert more than 4,300 digits)."""
    port = "1" * digits
    with pytest.raises(CORSConfigError) as info:
        CORS(Flask(__name__), origins=[f"https://app.example.com:{port}"])
    assert "origins" in str(info.value) and "outside 1-65535" in str(info.value)
    _texts, problems = _entries([f"https://app.example.com:{'0' * 5000}8080"])
    assert "leading zeros" in problems[0] and "'https://app.example.com:8080'" in problems[0]


@pytest.mark.parametrize(
    "origin",
    [
        "http://[::ffff:1.2.3.4]:8080",
        "http://[::ffff:1.2.3.4]",
        "http://[::1.2.3.4]",
        "http://[::ffff:01.2.3.4]",
        "http://[0:0:0:0:0:ffff:102:304]",
    ],
)
def test_request_origins_not_as_browsers_serialize_are_malformed(origin: str) -> None:
    """SPEC 3: an ``Origin`` with an IP literal browsers would have serialized differently is
    malformed: no grant and no 500, on every Python (3.13 raised from int())."""
    assert split_origin(origin) is None
    app = Flask(__name__)
    CORS(app, origins=["http://[::ffff:102:304]:8080", "https://*.example.com"])

    @app.route("/")
    def index() -> str:
        return "ok"

    response = app.test_client().get("/", headers={"Origin": origin})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


def test_the_serialized_form_is_granted() -> None:
    """SPEC 3: the form browsers send matches the entry however it was written."""
    problems = Problems()
    matcher = OriginMatcher(parse_entries("origins", ["http://[::ffff:1.2.3.4]:8080"], problems))
    assert matcher.match("http://[::ffff:102:304]:8080").value == "allowed"
    assert split_origin("http://[::ffff:102:304]:8080") == ("http", "[::ffff:102:304]", "8080")
