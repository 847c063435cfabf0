"""flask-crossorigin's pytest plugin: the ``cors_browser`` fixture, registered through the
``pytest11`` entry point when flask-crossorigin is installed.

A module of its own, outside the package, that imports the package only when the fixture is
used: pytest loads plugins before coverage starts, and a test suite measuring
flask_crossorigin would otherwise miss the lines that run at import.

The fixture follows pytest-flask's conventions: it uses the test's ``client`` fixture when
there is one (pytest-flask's, or the project's own), else a test client of the ``app``
fixture. A project with neither gets a clear error naming both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from flask_crossorigin.testing import CORSBrowser


@pytest.fixture
def cors_browser(request: pytest.FixtureRequest) -> CORSBrowser:
    """A browser's verdicts on the app under test: ``cors_browser.allows(path, origin=...)``,
    ``cors_browser.blocks(...)`` and ``cors_browser.fetch(...)``
    (:class:`flask_crossorigin.testing.CORSBrowser`)."""
    from flask.testing import FlaskClient

    from flask_crossorigin.testing import CORSBrowser

    try:
        client = request.getfixturevalue("client")
    except pytest.FixtureLookupError:
        try:
            app = request.getfixturevalue("app")
        except pytest.FixtureLookupError:
            raise pytest.UsageError(
                "cors_browser needs an 'app' fixture (the Flask app under test) or a "
                "'client' fixture (its test client); define one in conftest.py"
            ) from None
        client = app.test_client()
    if not isinstance(client, FlaskClient):
        raise pytest.UsageError(
            f"cors_browser needs the 'client' fixture to be a Flask test client, got "
            f"{type(client).__name__}"
        )
    return CORSBrowser(client)
