"""Request-wide security: sign-in required by default, security headers on every answer."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, current_app, redirect, request, url_for
from flask_login import current_user

# Styles and scripts come only from our own static files: no inline code anywhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def public(view: Callable) -> Callable:
    """Mark a view as reachable without signing in."""
    view.is_public = True
    return view


def is_safe_next(target: str | None) -> bool:
    """Only local paths may be used as a post-login redirect."""
    if not target or "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return False  # browsers read a backslash as a slash: "/\\evil.example" would leave the site
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")


def register_security(app: Flask) -> None:
    @app.before_request
    def require_sign_in():
        if request.endpoint is None or request.endpoint == "static" or request.endpoint.endswith(".static"):
            return None  # the app's and the CSS framework's static files
        view = current_app.view_functions.get(request.endpoint)
        if getattr(view, "is_public", False) or current_user.is_authenticated:
            return None
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if current_user.is_authenticated:
            headers.setdefault("Cache-Control", "no-store")
        return response
