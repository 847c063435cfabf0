"""Public data: any origin may read it, without credentials.

``/api/public/stats`` is a flask-restx ``Resource`` class with its own ``@cross_origin``
policy (it wins over the API's); ``/public/ping`` is a plain view with one. Both are built per
app so that the comparison app can use flask-cors's decorator instead.
"""

from __future__ import annotations

from typing import Any, Callable

from flask import Flask
from flask_restx import Namespace, Resource

from . import db

CrossOrigin = Callable[..., Callable[[Any], Any]]


class Stats(Resource):
    def get(self) -> dict[str, int]:
        """Counts; readable from any origin, with any request header (Authorization too)."""
        (row,) = db.rows("SELECT COUNT(*) AS total, COALESCE(SUM(done), 0) AS done FROM todo")
        return {"total": row["total"], "done": row["done"]}


def namespace(cross_origin: CrossOrigin, decorate_class: bool = True) -> Namespace:
    """The ``public`` namespace, its ``Stats`` resource decorated with ``cross_origin``.

    ``decorate_class=False`` puts the decorator in ``method_decorators`` instead: flask-cors's
    decorator can decorate neither a class nor, with ``automatic_options``, a method.
    """
    ns = Namespace("public", description="Public, read-only data")
    options: dict[str, Any] = {"origins": "*", "allow_headers": "*", "supports_credentials": False}
    # A subclass per app: decorating a class changes it.
    resource: type[Resource] = type("Stats", (Stats,), {})
    if decorate_class:
        resource = cross_origin(**options)(resource)
    else:
        resource.method_decorators = [cross_origin(**options, automatic_options=False)]
    ns.add_resource(resource, "/stats")
    return ns


def register_ping(app: Flask, cross_origin: CrossOrigin) -> None:
    @app.get("/public/ping")
    @cross_origin(origins="*", supports_credentials=False)
    def ping() -> dict[str, str]:
        """Readable from any origin, without credentials; a plain Flask view."""
        return {"pong": "ok"}
