"""``/api/auth``: a cookie session. Any user name logs in with the password ``demo``."""

from __future__ import annotations

from flask import request, session
from flask_restx import Namespace, Resource, abort, fields

ns = Namespace("auth", description="Cookie session login")

credentials = ns.model(
    "Credentials",
    {"username": fields.String(required=True), "password": fields.String(required=True)},
)


@ns.route("/login")
class Login(Resource):
    @ns.expect(credentials, validate=True)
    def post(self) -> dict[str, str]:
        payload = request.get_json()
        if payload["password"] != "demo":
            abort(401, "wrong password (it is 'demo')")
        session["user"] = payload["username"]
        return {"user": payload["username"]}


@ns.route("/logout")
class Logout(Resource):
    def post(self) -> dict[str, bool]:
        session.pop("user", None)
        return {"logged_out": True}


@ns.route("/me")
class Me(Resource):
    def get(self) -> dict[str, str]:
        if "user" not in session:
            abort(401, "not logged in")
        return {"user": session["user"]}
