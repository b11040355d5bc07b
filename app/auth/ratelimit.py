"""Rate limits on the sign-in and password-reset forms (Flask-Limiter).

Counts are kept in Redis when ``REDIS_URL`` is set, so every gunicorn worker shares
them; otherwise in each process's memory. A Redis outage falls back to memory rather
than refusing every sign-in. Limits count requests per client address; the account
lockout (``app.auth.lockout``) counts failures per e-mail address.

Each app gets its own limiter: the extension keeps its storage and switches on the
instance, and tests build several apps side by side.
"""
from __future__ import annotations

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

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
DEFAULTS = {
    "LOGIN_RATE_LIMIT": "10 per minute; 100 per hour",
    "PASSWORD_RESET_RATE_LIMIT": "5 per minute; 20 per hour",
}


def _limit_from_config(key: str):
    return lambda: current_app.config[key]


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
    app.extensions["datavet_limiter"] = limiter
    return limiter
