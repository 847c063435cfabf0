"""Configuration errors show values as the user wrote them, never internal objects."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Blueprint, Flask

from flask_crossorigin import CORS, CORSConfigError, cross_origin
from flask_crossorigin.errors import Problem, as_written

INTERNAL = ("Resource(", "OriginEntry(", "Kind.", "object at 0x", "<function")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("https://a.example/", "'https://a.example/'"),
        (re.compile(r"https://.*\.example"), r"re.compile('https://.*\\.example')"),
        (re.compile("x", re.IGNORECASE), "re.compile('x')"),
        (timedelta(minutes=10), "timedelta(seconds=600)"),
        (["GET", 5], "['GET', 5]"),
        (("a",), "['a']"),
        ({"b", "a"}, "{'a', 'b'}"),
        ({"/api/*": {"origins": "*"}}, "{'/api/*': {'origins': '*'}}"),
        (None, "None"),
        (True, "True"),
        (b"x", "b'x'"),
        (object(), "a object value"),
    ],
)
def test_as_written(value: object, shown: str) -> None:
    """SPEC 2: a message shows the value as Python source the user could have written."""
    assert as_written(value) == shown


def test_a_callable_is_shown_by_its_name() -> None:
    """SPEC 2: a callable origin is named, not shown as <function ... at 0x...>."""

    def allow_partners(origin: str) -> bool:
        return False

    assert as_written(allow_partners).endswith("allow_partners")
    assert "0x" not in str(Problem("origins", allow_partners, "what", "fix"))


def _message(build: object) -> str:
    assert callable(build)
    with pytest.raises(CORSConfigError) as info:
        build()
    return str(info.value)


def test_messages_of_real_mistakes_show_no_internal_objects() -> None:
    """SPEC 2: parsed values (origin entries, resources, patterns) never leak into messages."""

    def bad_resource_credentials() -> None:
        CORS(
            Flask(__name__),
            resources={r"/api/*": {"origins": [re.compile(".*")]}},
            supports_credentials=True,
        )

    def bad_blueprint() -> None:
        bp = Blueprint("bp", __name__)
        CORS(bp, resources={r"/api/*": {"origins": "*"}}, supports_credentials=True)
        Flask(__name__).register_blueprint(bp)

    def bad_decorator() -> None:
        cross_origin(origins=[re.compile(r"https://x\.example/")], max_age=-1)

    def bad_resource_type() -> None:
        CORS(Flask(__name__), resources={r"/api/*": ["http://a.example"]})

    messages = [
        _message(bad_resource_credentials),
        _message(bad_blueprint),
        _message(bad_decorator),
        _message(bad_resource_type),
    ]
    for message in messages:
        for internal in INTERNAL:
            assert internal not in message, message
    assert "'.*'" in messages[0]
    assert "['http://a.example']" in messages[3]
