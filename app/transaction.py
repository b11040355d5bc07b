"""The one place a web or API request commits: after the view, or never.

Views and API handlers load, check, call a service and render; services ``flush()``. When the
answer is a success (below 400) the request's changes are committed here, before the answer leaves;
an error answer or an exception rolls them back, so a refused form or a failed upload never leaves
half its changes behind. A view whose error answer must still record something (a failed sign-in
counted against the lockout) says so with :func:`keep_changes`.

Work that must only happen once the changes are stored (e-mails, starting a background job that
reads the new rows) is handed to :func:`after_commit`. Command-line commands and background jobs are
their own boundary: they commit themselves, and :func:`after_commit` runs its work at once there.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, current_app, g, has_request_context

from app.extensions import db


def keep_changes() -> None:
    """Commit this request's changes even though its answer reports an error."""
    g.keep_changes = True


def after_commit(work: Callable[[], object]) -> None:
    """Run ``work`` once this request's changes are committed (never if they are rolled back).

    Outside a request (commands, jobs) the caller is its own boundary and ``work`` runs now.
    """
    if has_request_context():
        g.setdefault("after_commit", []).append(work)
    else:
        work()


def register_transaction(app: Flask) -> None:
    @app.after_request
    def commit_or_roll_back(response: Response) -> Response:
        pending: list[Callable[[], object]] = g.pop("after_commit", [])
        if response.status_code < 400 or g.pop("keep_changes", False):
            db.session.commit()
            for work in pending:
                try:
                    work()
                    db.session.commit()  # what the work recorded about itself (e.g. e-mails sent)
                except Exception:  # the changes are stored: a failed e-mail must not turn them into an error
                    db.session.rollback()
                    current_app.logger.exception("Work after commit failed on %s", work)
        else:
            db.session.rollback()
        return response
