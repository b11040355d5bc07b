"""Bearer-token sign-in for the API: every request names its user with a personal API token."""

from __future__ import annotations

from flask import g, request

from app.api import tokens
from app.api.errors import fail

MISSING = "Send a personal API token as 'Authorization: Bearer <token>'; create one on the API tokens page."
INVALID = "This API token is not valid: it was revoked or mistyped, or its account is deactivated."


def authenticate() -> None:
    """Run before every API view: answer 401 unless a valid token names an active user.

    The session cookie is deliberately ignored, so a browser cannot be tricked into calling the API
    (which is exempt from CSRF checks) with the signed-in user's rights.
    """
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        fail(401, MISSING)
    token = tokens.find_active(secret.strip())
    if token is None or not token.user.is_active:
        fail(401, INVALID)
    tokens.record_use(token)  # stored with the request's own changes when it succeeds
    # Flask-Login reads the request's user from here; nothing is written to the session.
    g._login_user = token.user
