"""What every API blueprint shares: token sign-in first, errors in the common shape, helpers for views."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask_login import current_user
from flask_smorest import Blueprint
from werkzeug.exceptions import HTTPException

from app import permissions
from app.api.auth import authenticate
from app.api.errors import error_response
from app.web import loaders

API_PREFIX = "/api/v1"
# Path parameters stop at the database's integer range, so a huge id is a 404, not a database error.
ID = "int(max=2147483647)"
QUESTION_ID = "string(maxlength=20)"


def api_blueprint(name: str, description: str) -> Blueprint:
    """A flask-smorest blueprint under /api/v1 whose every request must carry a valid token."""
    blp = Blueprint(name, __name__, url_prefix=API_PREFIX, description=description)
    blp.before_request(authenticate)
    blp.register_error_handler(HTTPException, error_response)
    return blp


# Access is checked before the request body is read: a caller who may not act learns nothing from
# validation messages. These decorators go above flask-smorest's (they keep its documentation).


def requires(predicate: Callable[[Any], bool]) -> Callable:
    """Refuse (403) unless ``predicate(current_user)`` holds."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            permissions.require(predicate(current_user))
            return view(*args, **kwargs)

        return wrapper

    return decorator


def _loading(name: str, id_name: str, load: Callable[[int], Any]) -> Callable:
    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            kwargs[name] = load(kwargs.pop(id_name))
            return view(*args, **kwargs)

        return wrapper

    return decorator


def with_evaluation(rule: Callable) -> Callable:
    """Hand the view ``evaluation`` (from ``evaluation_id``), checked with ``rule`` (403/404)."""
    return _loading("evaluation", "evaluation_id", lambda eid: loaders.evaluation_or_404(eid, rule))


def with_response(rule: Callable) -> Callable:
    """Hand the view ``response`` (from ``response_id``), checked with ``rule`` (403/404)."""
    return _loading("response", "response_id", lambda rid: loaders.response_or_404(rid, rule))


def with_attachment(view: Callable) -> Callable:
    """Hand the view ``attachment`` (from ``attachment_id``) if its response may be viewed."""
    return _loading("attachment", "attachment_id", loaders.attachment_or_404)(view)
