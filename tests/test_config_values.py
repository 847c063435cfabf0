"""Every configured value is accepted or refused with a ``CORSConfigError`` (SPEC 2).

Values of every type and size go to every option, as keyword arguments and as ``CORS_*``
config keys: the only outcomes allowed are success and a ``CORSConfigError`` whose message
names the option, shows the value shortened when it is huge, and gives a fix. Warnings are
errors here too (the project's pytest settings), so a ``FutureWarning`` from the ``re``
module counts as a raw exception. Also the holes this closes one by one: ints and digit
strings of thousands of digits, non-string option names, POSIX classes, ``max_age`` bounds,
forbidden methods and request-header names, and errors that name the view or blueprint.
"""

from __future__ import annotations

import enum
import re
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from flask import Blueprint, Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from flask_crossorigin import CORS, CORSConfigError, cross_origin
from flask_crossorigin.errors import SHOWN_LENGTH, as_written
from flask_crossorigin.options import (
    FORBIDDEN_HEADER_NAMES,
    FORBIDDEN_METHODS,
    MAX_AGE_LIMIT,
    OPTIONS,
)


class Colour(enum.Enum):
    RED = "red"


class Opaque:
    """An object of a type no option accepts."""


#: Powers of ten whose digits Python 3.11+ refuses to convert past 4,300 (built by the
#: strategy: hypothesis itself shows the elements of sampled_from with repr()).
_HUGE_EXPONENTS = [20, 400, 4301, 5000, 20000]
_BIG_TEXTS = ["9" * 5000, "0" * 5000 + "1", "x" * 70_000, "https://a.example:" + "1" * 5000]
_LOOKALIKES = [
    "*",
    "null",
    "https://app.example.com",
    "https://*.example.com",
    "http://localhost:*",
    "http://[::ffff:1.2.3.4]:8080",
    "http://[fe80::1%eth0]",
    "http://127.1",
    "[[:alpha:]]",
    "x-[:digit:]+",
    "[a-z--b]",
    "(a+)+",
    "/api/*",
    "GET",
    "CONNECT",
    "Cookie",
    "Sec-Fetch-Mode",
    "Content-Type",
    "86401",
    " 600 ",
    "true",
    "\x00\r\n",
    "é",
]
_huge_ints = st.tuples(st.sampled_from(_HUGE_EXPONENTS), st.sampled_from([1, -1])).map(
    lambda pair: pair[1] * 10 ** pair[0]
)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    _huge_ints,
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(_BIG_TEXTS),
    st.sampled_from(_LOOKALIKES),
    st.binary(max_size=20),
    st.builds(bytearray, st.binary(max_size=5)),
    st.builds(lambda s: timedelta(seconds=s), st.floats(-1e9, 1e9)),
    st.sampled_from(
        [
            re.compile(r"https://.*\.example\.com"),
            re.compile(rb"bytes"),
            re.compile("x", re.VERBOSE),
            len,
            int,
            (lambda origin: True),
            Colour.RED,
            Decimal("600"),
            Fraction(1, 3),
            complex(1, 2),
            Opaque(),
            object,
            Ellipsis,
        ]
    ),
)
_hashables = st.one_of(
    st.none(), st.integers(), _huge_ints, st.text(max_size=10), st.sampled_from(_LOOKALIKES)
)
values = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=4).map(tuple),
        st.frozensets(_hashables, max_size=4),
        st.sets(_hashables, max_size=4),
        st.dictionaries(_hashables, children, max_size=3),
    ),
    max_leaves=8,
)

NAMES = [option.name for option in OPTIONS]


def _outcome(build: Any, name: str) -> None:
    try:
        build()
    except CORSConfigError as error:
        message = str(error)
        assert name in message, message
        # Every line of a problem stays readable whatever the value's size.
        assert all(len(line) < 2000 for line in message.splitlines()), message[:300]


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=60)
@given(value=values)
def test_every_value_of_every_option_is_accepted_or_a_config_error(name: str, value: Any) -> None:
    """SPEC 2: any value, of any type or size, as a keyword of ``CORS`` and of
    ``cross_origin``: success or CORSConfigError naming the option, never another exception."""
    _outcome(lambda: CORS(Flask(__name__), **{name: value}), name)
    _outcome(lambda: cross_origin(**{name: value}), name)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=40)
@given(value=values)
def test_every_value_of_every_config_key_is_accepted_or_a_config_error(
    name: str, value: Any
) -> None:
    """SPEC 2: the same values as ``CORS_*`` config keys, named by the key."""
    app = Flask(__name__)
    app.config["CORS_" + name.upper()] = value
    _outcome(lambda: CORS(app), "CORS_" + name.upper())


_overrides = st.one_of(values, st.dictionaries(st.sampled_from(NAMES), values, max_size=3))


@settings(max_examples=60)
@given(key=st.one_of(values, st.sampled_from(["/api/*", r"/v\d+/.*"])), overrides=_overrides)
def test_any_resource_and_options_dict_is_accepted_or_a_config_error(
    key: Any, overrides: Any
) -> None:
    """SPEC 2/5: a resource's key and its options dict, of any type: success or an error
    naming ``resources`` (and the resource, for a bad value in its options)."""
    try:
        resources = {key: overrides}
    except TypeError:
        resources = [key]  # an unhashable key: as a list item instead
    _outcome(lambda: CORS(Flask(__name__), resources=resources), "resources")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (10**5000, "…(5001 digits)"),
        ("9" * 5000, "…(5000 characters)"),
        (10**400, "…(401 digits)"),
    ],
    ids=["int-5001-digits", "str-5000-digits", "int-401-digits"],
)
def test_thousands_of_digits_are_a_config_error_shown_shortened(value: object, shown: str) -> None:
    """SPEC 2: ``max_age`` of thousands of digits (int() and repr() refuse over 4,300 on
    Python 3.11+) is refused, its value shown by its first 80 characters and its length."""
    with pytest.raises(CORSConfigError) as info:
        CORS(Flask(__name__), max_age=value)
    message = str(info.value)
    assert "max_age" in message and shown in message
    assert len(message) < 600


def test_as_written_shortens_any_value() -> None:
    """SPEC 2: a value as written, shortened: first characters and the length."""
    nested: list[object] = []
    nested.append(nested)
    assert as_written("x" * 100_000) == repr("x" * SHOWN_LENGTH) + "…(100000 characters)"
    assert as_written(list(range(1000))).endswith("…(1000 items)")
    assert as_written(nested) == "[...]"
    assert as_written(-(10**5000)).startswith("-1000") and as_written(-(10**5000)).endswith(
        "…(5001 digits)"
    )
    assert as_written(10**200_000) == "an int of about 200001 digits"
    assert as_written(600) == "600"


@pytest.mark.parametrize("value", [0, 1, 600, 7200, MAX_AGE_LIMIT, "86400", timedelta(hours=24)])
def test_max_age_up_to_a_day_is_accepted(value: object) -> None:
    """SPEC 2: max_age from 0 to 86400 seconds."""
    CORS(Flask(__name__), max_age=value)


@pytest.mark.parametrize(
    "value",
    [MAX_AGE_LIMIT + 1, "86401", timedelta(days=2), 10**400, "0" * 5000 + "86401"],
    ids=["86401", "str-86401", "2-days", "int-401-digits", "zeros-86401"],
)
def test_max_age_above_a_day_is_refused_with_the_browsers_caps(value: object) -> None:
    """SPEC 2: above 86400 seconds is refused; the message says what browsers keep."""
    with pytest.raises(CORSConfigError) as info:
        CORS(Flask(__name__), max_age=value)
    message = str(info.value)
    assert "max_age" in message and "86400" in message and "Chromium 7200" in message


@pytest.mark.parametrize("method", [*sorted(FORBIDDEN_METHODS), "connect", "Trace"])
def test_forbidden_methods_are_refused_with_the_reason(method: str) -> None:
    """SPEC 2: CONNECT, TRACE and TRACK (any case) are refused: browsers never send them."""
    with pytest.raises(CORSConfigError) as info:
        CORS(Flask(__name__), methods=["GET", method])
    message = str(info.value)
    assert f"methods[1] {method!r}" in message and "browsers never send it" in message


@pytest.mark.parametrize(
    "name",
    [
        *sorted(FORBIDDEN_HEADER_NAMES),
        "Cookie",
        "HOST",
        "Sec-Fetch-Mode",
        "sec-ch-ua",
        "Proxy-Authorization",
        "proxy-x",
    ],
)
def test_forbidden_request_header_names_are_refused_with_the_reason(name: str) -> None:
    """SPEC 2 (Fetch standard, forbidden request-header names and the Proxy-/Sec- prefixes):
    a page can never send them, so allowing one is a mistake."""
    with pytest.raises(CORSConfigError) as info:
        CORS(Flask(__name__), allow_headers=["Content-Type", name])
    message = str(info.value)
    assert f"allow_headers[1] {name!r}" in message and "never let a page send it" in message


@pytest.mark.parametrize(
    "name", ["Authorization", "Content-Type", "X-Requested-With", "Secret", "Proxyish", "Origins"]
)
def test_names_close_to_forbidden_ones_are_allowed(name: str) -> None:
    """SPEC 2: only the forbidden names and prefixes are refused."""
    CORS(Flask(__name__), allow_headers=[name], expose_headers=["Set-Cookie2-Not"])


def test_forbidden_names_in_expose_headers_are_not_request_headers() -> None:
    """SPEC 2: the request-header list does not apply to expose_headers."""
    CORS(Flask(__name__), expose_headers=["Content-Length", "Date"])


@pytest.mark.parametrize(
    ("pattern", "fix"),
    [("[[:alpha:]]+", "[a-zA-Z]"), ("x-[[:digit:]]+", "[0-9]"), ("[a-z--b]", "once")],
)
@pytest.mark.parametrize("option", ["origins", "allow_headers", "resources"])
def test_posix_classes_and_ambiguous_sets_are_refused(option: str, pattern: str, fix: str) -> None:
    """SPEC 2: a POSIX class is not Python regex syntax (re reads ``[:alpha:]`` as a set of
    letters and warns with FutureWarning): refused with the Python spelling."""
    value = "/" + pattern if option == "resources" else pattern
    with pytest.raises(CORSConfigError) as info:
        CORS(Flask(__name__), **{option: [value]})
    assert option in str(info.value) and fix in str(info.value)


@pytest.mark.parametrize("key", [1, None, ("origins",), b"origins"])
def test_a_non_string_option_name_in_a_resource_is_a_config_error(key: object) -> None:
    """SPEC 2: ``resources={'/api/*': {1: ...}}`` is refused by name, not an AttributeError."""
    with pytest.raises(CORSConfigError) as info:
        CORS(Flask(__name__), resources={"/api/*": {key: "x"}})
    assert "resources['/api/*']" in str(info.value) and "option names as strings" in str(info.value)


def test_an_error_from_cross_origin_names_its_line() -> None:
    """SPEC 2: an error from the decorator names where it is (its call's file and line)."""
    with pytest.raises(CORSConfigError) as info:
        cross_origin(max_age=-1)
    assert "in cross_origin(...) at test_config_values.py:" in str(info.value)


def test_an_error_from_a_decorated_view_names_its_endpoint_and_rule() -> None:
    """SPEC 6: a decorated view whose options cannot be combined with app.config is refused
    when its route is added, naming the view, its endpoint and its rule."""
    app = Flask(__name__)
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True
    CORS(app, origins=["https://a.example"])
    bp = Blueprint("shop", __name__)

    @bp.route("/items")
    @cross_origin(origins="*")
    def items() -> str:
        return "items"

    with pytest.raises(CORSConfigError) as info:
        app.register_blueprint(bp, url_prefix="/api")
    first = str(info.value).splitlines()[0]
    assert "@cross_origin on" in first and "items" in first
    assert "view 'shop.items' (rule '/api/items')" in first


@pytest.mark.parametrize(
    "setup",
    [
        lambda bp: CORS(bp, max_age=-1),
        lambda bp: CORS().init_app(bp, methods=["TRACE"]),
        lambda bp: CORS(bp, origins="*", supports_credentials=True),
        lambda bp: CORS(bp, resources={"/x/*": {"origins": "*", "supports_credentials": True}}),
    ],
)
def test_an_error_from_a_blueprint_names_it(setup: Any) -> None:
    """SPEC 5: a blueprint's configuration error names the blueprint, whether found at
    ``CORS(bp)`` or when the blueprint is registered."""
    app = Flask(__name__)
    bp = Blueprint("partner", __name__)

    @bp.route("/x/y")
    def y() -> str:
        return "y"

    with pytest.raises(CORSConfigError) as info:
        setup(bp)
        app.register_blueprint(bp)
    assert "in blueprint 'partner'" in str(info.value).splitlines()[0]


def test_a_bad_value_in_a_resource_names_the_resource() -> None:
    """SPEC 2/5: a bad value in one resource's options names that resource and the option."""
    with pytest.raises(CORSConfigError) as info:
        CORS(Flask(__name__), resources={"/api/*": {"max_age": 10**5000}, "/ok/*": {}})
    assert "resources['/api/*'] max_age 1000" in str(info.value)
    assert "…(5001 digits)" in str(info.value)
