"""Absolute links for e-mails and printed commands, always from ``PUBLIC_URL``.

A link is never built from the request's Host header: a forged header would otherwise put a
genuine reset or invitation token into a link to someone else's site. ``PUBLIC_URL`` is required
outside debug and tests (``create_app`` refuses to start without it); there, ``SERVER_NAME`` or
``http://localhost:5000`` stands in.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, url_for

DEVELOPMENT_URL = "http://localhost:5000"


def public_base(app: Flask) -> str:
    """The site's address, without a trailing slash."""
    base = (app.config.get("PUBLIC_URL") or "").rstrip("/")
    if base:
        return base
    server_name = app.config.get("SERVER_NAME")
    return f"{app.config.get('PREFERRED_URL_SCHEME', 'http')}://{server_name}" if server_name else DEVELOPMENT_URL


def public_link(endpoint: str, **values: Any) -> str:
    """An absolute link to ``endpoint`` on the public site, inside a request or outside one."""
    base = public_base(current_app)
    parts = urlsplit(base)
    with current_app.test_request_context(base_url=base):
        # The path carries PUBLIC_URL's own prefix; the host is PUBLIC_URL's even when SERVER_NAME differs.
        return f"{parts.scheme}://{parts.netloc}{url_for(endpoint, **values)}"


def check_public_url(app: Flask) -> None:
    """Refuse to start a real deployment without ``PUBLIC_URL``; derive ``TRUSTED_HOSTS`` from it."""
    base = (app.config.get("PUBLIC_URL") or "").strip()
    if base:
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RuntimeError(f"PUBLIC_URL must be an http(s) address such as https://datavet.example, not {base!r}")
        if app.config.get("TRUSTED_HOSTS") is None:
            loopback = {"127.0.0.1", "localhost", "::1"}
            app.config["TRUSTED_HOSTS"] = sorted(loopback) if parts.hostname in loopback else [parts.hostname]
    elif not (app.debug or app.testing):
        raise RuntimeError(
            "Set PUBLIC_URL to the address people use to reach DataVet (e.g. https://datavet.example): "
            "links in e-mails are built from it, never from the request's Host header."
        )
