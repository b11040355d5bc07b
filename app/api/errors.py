"""One error shape for every API answer: ``{"code", "message", "errors": {field: [messages]}}``.

``code`` is the stable, machine-readable name of the HTTP status (``not_found``, ``conflict``,
``unprocessable_entity``...), the same names the app's own JSON error pages use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

import marshmallow as ma
from flask_smorest import abort as smorest_abort
from werkzeug.exceptions import HTTPException

from app.extensions import db

# webargs files its validation messages under the part of the request they came from.
_LOCATIONS = ("json", "query", "form", "files", "path", "headers", "cookies", "json_or_form", "querystring")
# Extra members a few errors carry beside the common three (documented on those operations).
_EXTRAS = ("conflicts",)
_VALIDATION_MESSAGE = "Some fields are not valid; nothing was changed."


class ErrorSchema(ma.Schema):
    """The body of every error answer."""

    code = ma.fields.String(
        required=True,
        metadata={
            "description": "Stable name of the status: bad_request, unauthorized, forbidden, not_found, conflict, "
            "unprocessable_entity, internal_error..."
        },
    )
    message = ma.fields.String(required=True, metadata={"description": "What went wrong, for a person to read."})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        required=True,
        metadata={"description": "Messages per field (dotted path for nested fields); empty when not about fields."},
    )


def code_of(error: HTTPException) -> str:
    if error.code == 500:
        return "internal_error"  # the name the app's handler of unexpected errors answers with
    return (error.name or "error").lower().replace(" ", "_")


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Nested marshmallow/webargs messages as ``{"dotted.path": ["message", ...]}``."""
    if isinstance(messages, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            key = str(key)
            if not prefix and key in _LOCATIONS:
                path = ""
            elif key == "_schema":
                path = prefix or "_schema"
            else:
                path = f"{prefix}.{key}" if prefix else key
            for name, texts in flatten(value, path).items():
                flat.setdefault(name, []).extend(texts)
        return flat
    if isinstance(messages, (list, tuple)):
        if all(isinstance(item, str) for item in messages):
            return {prefix or "_schema": list(messages)} if messages else {}
        flat = {}
        for index, item in enumerate(messages):
            for name, texts in flatten(item, f"{prefix}.{index}" if prefix else str(index)).items():
                flat.setdefault(name, []).extend(texts)
        return flat
    return {prefix or "_schema": [str(messages)]}


def error_response(error: HTTPException):
    """The JSON answer for an HTTP error raised inside the API (including validation by flask-smorest)."""
    if error.code and error.code >= 500:
        db.session.rollback()
    data = getattr(error, "data", None) or {}
    errors = flatten(data.get("errors") or data.get("messages") or {})
    message = data.get("message") or (_VALIDATION_MESSAGE if errors and error.code == 422 else error.description)
    body = {"code": code_of(error), "message": message, "errors": errors}
    body.update({key: data[key] for key in _EXTRAS if key in data})
    headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
    headers.update(data.get("headers") or {})
    if error.code == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="DataVet API"')
    return body, error.code or 500, headers


def fail(status: int, message: str, errors: dict[str, list[str]] | None = None, **extra: Any) -> NoReturn:
    """Stop the request with an error answer in the common shape (rolls back nothing by itself)."""
    smorest_abort(status, message=message, errors=errors or {}, **extra)
    raise AssertionError("unreachable")  # abort always raises
