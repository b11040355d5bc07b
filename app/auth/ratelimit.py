"""Rate limits on the sign-in and password-reset forms (Flask-Limiter).

Counts are kept in Redis when ``REDIS_URL`` is set, so every gunicorn worker shares
them; otherwise in each process's memory. A Redis outage falls back to memory rather
than refusing every sign-in. Sign-in and reset limits count requests per client
address, invitation limits per signed-in user; the sign-in
delays (``app.auth.lockout``) count failures per e-mail address and client address.

Each app gets its own limiter: the extension keeps its storage and switches on the
instance, and tests build several apps side by side.
"""

from __future__ import annotations

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user

# endpoint -> (configuration key of the limit, message shown when it is exceeded)
LIMITED_FORMS = {
    "auth.login": (
        "LOGIN_RATE_LIMIT",
        "Too many sign-in attempts from your network. Wait a minute, then try again.",
    ),
    "auth.forgot_password": (
        "PASSWORD_RESET_RATE_LIMIT",
        "Too many password-reset requests from your network. Wait a few minutes, then try again.",
    ),
}
# endpoint -> (configuration key of the limit, message): counted per signed-in user, not per address,
# so one account cannot mail invitations in bulk from many networks (or through the API).
LIMITED_PER_USER = {
    "evaluations.invite": (
        "INVITATION_RATE_LIMIT",
        "You have sent many invitations in a short time. Wait a while, then try again.",
    ),
    "api_evaluations.EvaluationInvitations": (
        "INVITATION_RATE_LIMIT",
        "Too many invitations created in a short time; wait a while, then try again.",
    ),
}
DEFAULTS = {
    "LOGIN_RATE_LIMIT": "10 per minute; 100 per hour",
    "PASSWORD_RESET_RATE_LIMIT": "5 per minute; 20 per hour",
    "INVITATION_RATE_LIMIT": "30 per hour",
}


def _limit_from_config(key: str):
    return lambda: current_app.config[key]


def _user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else get_remote_address()


def init_rate_limits(app: Flask) -> Limiter:
    """Create this app's limiter and put the limits on the POST of each limited form.

    Call after the blueprints are registered. The test suite signs in hundreds of times
    a minute, so limits are off under ``TESTING`` unless ``RATELIMIT_ENABLED`` is set.
    """
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.config.setdefault("RATELIMIT_ENABLED", not app.testing)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "datavet")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter = Limiter(key_func=get_remote_address)
    limiter.init_app(app)
    for endpoint, (config_key, message) in LIMITED_FORMS.items():
        view = app.view_functions.get(endpoint)
        if view is not None:
            app.view_functions[endpoint] = limiter.limit(
                _limit_from_config(config_key), methods=["POST"], error_message=message
            )(view)
    for endpoint, (config_key, message) in LIMITED_PER_USER.items():
        view = app.view_functions.get(endpoint)
        if view is not None:
            # One budget for the web form and the API: both count under the same scope.
            app.view_functions[endpoint] = limiter.shared_limit(
                _limit_from_config(config_key),
                scope=config_key.lower(),
                key_func=_user_key,
                methods=["POST"],
                error_message=message,
            )(view)
    app.extensions["datavet_limiter"] = limiter
    return limiter
