"""``/api/todos``: CRUD on the SQLite table, with an exposed ``X-Total-Count`` header."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_restx import Namespace, Resource, abort, fields

from . import db

ns = Namespace("todos", description="The todo list")

todo_input = ns.model("TodoInput", {"title": fields.String(required=True, min_length=1)})
todo = ns.model(
    "Todo",
    {
        "id": fields.Integer(readonly=True),
        "title": fields.String(required=True),
        "done": fields.Boolean(default=False),
    },
)


def find(todo_id: int) -> dict[str, Any]:
    found = db.rows("SELECT id, title, done FROM todo WHERE id = ?", todo_id)
    if not found:
        abort(404, f"todo {todo_id} does not exist")
    return found[0]


@ns.route("/")
class TodoList(Resource):
    @ns.doc(params={"done": "true or false: only the todos that are (not) done"})
    @ns.marshal_list_with(todo)
    def get(self) -> tuple[list[dict[str, Any]], int, dict[str, str]]:
        """List the todos; the count is in X-Total-Count (exposed to other origins)."""
        done = request.args.get("done")
        if done is None:
            items = db.rows("SELECT id, title, done FROM todo ORDER BY id")
        elif done in ("true", "false"):
            query = "SELECT id, title, done FROM todo WHERE done = ? ORDER BY id"
            items = db.rows(query, int(done == "true"))
        else:
            abort(400, f"done must be 'true' or 'false', not {done!r}")
        return items, 200, {"X-Total-Count": str(len(items))}

    @ns.expect(todo_input, validate=True)
    @ns.marshal_with(todo, code=201)
    def post(self) -> tuple[dict[str, Any], int]:
        """Create a todo (JSON body, so the browser sends a preflight)."""
        payload = request.get_json()
        new_id = db.execute("INSERT INTO todo (title) VALUES (?)", payload["title"])
        return find(new_id), 201


@ns.route("/<int:todo_id>")
class TodoItem(Resource):
    @ns.marshal_with(todo)
    def get(self, todo_id: int) -> dict[str, Any]:
        return find(todo_id)

    @ns.expect(todo)
    @ns.marshal_with(todo)
    def put(self, todo_id: int) -> dict[str, Any]:
        """Update a todo; the page sends a custom X-Client header with it."""
        find(todo_id)
        payload = request.get_json(silent=True) or {}
        db.execute(
            "UPDATE todo SET title = COALESCE(?, title), done = ? WHERE id = ?",
            payload.get("title"),
            int(bool(payload.get("done"))),
            todo_id,
        )
        return find(todo_id)

    def delete(self, todo_id: int) -> tuple[str, int]:
        find(todo_id)
        db.execute("DELETE FROM todo WHERE id = ?", todo_id)
        return "", 204
