"""The JSON API under ``/api/v1``, documented by an OpenAPI 3 document generated from the code.

flask-smorest builds the document from the marshmallow schemas and serves it at
``/api/v1/openapi.json``. Every API view is marked public for the web's sign-in redirect and exempt
from CSRF: the API signs requests in with a bearer token instead (``app.api.auth``), and answers
errors in one JSON shape (``app.api.errors``).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable

from flask import Flask
from flask_smorest import Api

from app.api.common import API_PREFIX
from app.api.errors import ErrorSchema
from app.extensions import csrf
from app.web.security import public

DOCS_BLUEPRINT = "api-docs"

API_DESCRIPTION = """DataVet's API: evaluations, requirements, invitations, questionnaires, responses and answers,
evidence, scores, consensus, ranking with robustness, and PDF scorecards.

**Sign-in**: create a personal API token on the *API tokens* page (`/account/tokens`) and send it as
`Authorization: Bearer <token>`. A token acts as its owner, with the owner's role and organisation; the
web's permission rules apply unchanged.

**Errors** always have the shape `{"code": ..., "message": ..., "errors": {field: [messages]}}`.

**Lists** return one page: `{"items": [...], "page", "per_page", "total", "pages"}`; ask with
`?page=N&per_page=M`.
"""


class DataVetApi(Api):
    """flask-smorest's Api with DataVet's error shape."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        # Not app-wide: the web keeps its own HTML/JSON error pages; API blueprints register
        # app.api.errors.error_response for themselves.
        pass


def _blueprints():
    from app.api.evaluations import blp as evaluations
    from app.api.reports import blp as reports
    from app.api.responses import blp as responses
    from app.api.reviews import blp as reviews
    from app.api.scoring import blp as scoring

    return (evaluations, responses, reviews, reports, scoring)


def _plain_function(view: Callable) -> Callable:
    """A view that accepts attributes (flask-smorest serves its document from a bound method)."""
    if inspect.isfunction(view):
        return view

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        return view(*args, **kwargs)

    return wrapper


def init_api(app: Flask) -> None:
    """Serve the API and its document, and the web page where people manage their tokens."""
    from app.api.token_views import bp as token_pages

    app.config.setdefault("API_TITLE", "DataVet API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {"description": API_DESCRIPTION},
            "security": [{"bearerAuth": []}],
            "components": {
                "securitySchemes": {
                    "bearerAuth": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "A personal API token from the API tokens page.",
                    }
                }
            },
        },
    )
    api = DataVetApi(app)
    names = {DOCS_BLUEPRINT}
    for blueprint in _blueprints():
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)
        names.add(blueprint.name)
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.split(".", 1)[0] in names:
            # The bearer token, not the web sign-in, decides (see app.api.auth).
            app.view_functions[endpoint] = public(_plain_function(view))
    app.register_blueprint(token_pages)
