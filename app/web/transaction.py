"""The one place a web or API request commits: after the view, or never.

Views and API handlers load, check, call a service and render; services ``flush()``. When the
answer is a success (below 400) the request's changes are committed here, before the answer leaves;
an error answer or an exception rolls them back, so a refused form or a failed upload never leaves
half its changes behind. A view whose error answer must still record something (a failed sign-in
counted against the lockout) says so with :func:`keep_changes`.
"""
from __future__ import annotations

from flask import Flask, Response, g

from app.extensions import db


def keep_changes() -> None:
    """Commit this request's changes even though its answer reports an error."""
    g.keep_changes = True


def register_transaction(app: Flask) -> None:
    @app.after_request
    def commit_or_roll_back(response: Response) -> Response:
        if response.status_code < 400 or g.pop("keep_changes", False):
            db.session.commit()
        else:
            db.session.rollback()
        return response
