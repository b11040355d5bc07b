"""Error pages: HTML for people, JSON for API clients; a failed request never leaves a half transaction."""

from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException, SecurityError

from app.extensions import db


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["application/json", "text/html"]) == "application/json"
    )


def register_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code and error.code >= 500:
            db.session.rollback()
        # The exception's own headers (Allow on a 405, Retry-After, WWW-Authenticate) survive the new body;
        # its Content-Type does not, as the body is ours.
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        if isinstance(error, SecurityError):
            # A Host outside TRUSTED_HOSTS: no URL can be built for it, so no page with links either.
            return "This address is not served here.", 400, {"Content-Type": "text/plain; charset=utf-8"}
        if wants_json():
            body = {"code": error.name.lower().replace(" ", "_"), "message": error.description, "errors": {}}
            return body, error.code, headers
        return render_template("errors/error.html", error=error), error.code, headers

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if app.testing and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise error
        if wants_json():
            return {"code": "internal_error", "message": "Something went wrong on our side.", "errors": {}}, 500
        return render_template("errors/error.html", error=None), 500
