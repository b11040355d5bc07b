"""Signing in: local-only redirects, a fresh session, rate limits (the delays are in test_lockout.py)."""

from __future__ import annotations

import os
import re
import uuid
from urllib.parse import urljoin, urlsplit

import pytest

from tests.factories import PASSWORD


def _attempt(client, email, password="wrong password!"):
    return client.post("/login", data={"email": email, "password": password})


HOSTILE_NEXT = [
    "//evil.example/",
    "https://evil.example/",
    "http:evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "///evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https:/evil.example",
    "/%09/evil.example",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_never_redirects_off_site(client, world, target):
    answer = client.post("/login", data={"email": world.buyer.email, "password": PASSWORD, "next": target})
    assert answer.status_code == 302
    # Read the target as a browser would: tabs and newlines dropped, backslashes taken for slashes.
    location = re.sub(r"[\t\n\r]", "", answer.headers["Location"]).replace("\\", "/")
    resolved = urlsplit(urljoin("http://datavet.test/login", location))
    assert resolved.scheme == "http" and resolved.netloc == "datavet.test", answer.headers["Location"]


def test_login_follows_a_local_next(client, world):
    answer = client.post(
        "/login", data={"email": world.buyer.email, "password": PASSWORD, "next": f"/evaluations/{world.evaluation.id}"}
    )
    assert answer.headers["Location"].endswith(f"/evaluations/{world.evaluation.id}")


def test_signing_in_starts_a_new_session(client, world):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker before sign-in"
    before = client.get_cookie("session", domain="datavet.test").value
    assert _attempt(client, world.buyer.email, PASSWORD).status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session and session.get("_user_id") == world.buyer.get_id()
    assert client.get_cookie("session", domain="datavet.test").value != before


# --- rate limits (an app of their own: the shared test app switches them off) ---------------------


def _limited_app(fresh_app, **overrides):
    return fresh_app(
        "limited",
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="3 per minute",
        PASSWORD_RESET_RATE_LIMIT="2 per minute",
        RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
        **overrides,
    )


def test_sign_in_attempts_are_rate_limited_per_address(fresh_app):
    application = _limited_app(fresh_app)
    client = application.test_client()
    statuses = [
        client.post("/login", data={"email": "x@example.com", "password": "nope"}).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    page = client.post("/login", data={"email": "x@example.com", "password": "nope"})
    assert "Too many sign-in attempts from your network" in page.get_data(as_text=True)
    assert page.headers.get("Retry-After")
    assert client.get("/login").status_code == 200  # reading the form is not limited
    other = application.test_client()
    other_address = other.post(
        "/login", data={"email": "x@example.com", "password": "nope"}, environ_base={"REMOTE_ADDR": "10.9.8.7"}
    )
    assert other_address.status_code == 200


def test_password_reset_requests_are_rate_limited(fresh_app):
    client = _limited_app(fresh_app).test_client()
    statuses = [client.post("/password/forgot", data={"email": "x@example.com"}).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="needs a Redis server: set TEST_REDIS_URL")
def test_limits_are_kept_in_redis_when_configured(fresh_app):
    import redis

    prefix = f"test-{uuid.uuid4().hex}"
    application = fresh_app(
        "redis",
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="2 per minute",
        REDIS_URL=os.environ["TEST_REDIS_URL"],
        RATELIMIT_KEY_PREFIX=prefix,
    )
    assert application.config["RATELIMIT_STORAGE_URI"] == os.environ["TEST_REDIS_URL"]
    client = application.test_client()
    statuses = [
        client.post("/login", data={"email": "x@example.com", "password": "nope"}).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    server = redis.Redis.from_url(os.environ["TEST_REDIS_URL"])
    keys = list(server.scan_iter(f"*{prefix}*"))
    assert keys, "the counters should live in Redis, shared by every worker"
    server.delete(*keys)
