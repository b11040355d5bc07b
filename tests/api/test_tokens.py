"""Personal API tokens: made and revoked on the web page, stored hashed, acting as their owner."""

from __future__ import annotations

import hashlib
import re

import sqlalchemy as sa

from app.extensions import db
from app.models import ApiToken, AuditEvent
from tests.api.helpers import API, bearer


def _create(client, name: str = "Sourcing suite"):
    page = client.post("/account/tokens", data={"name": name})
    match = re.search(r'value="(dvt_[A-Za-z0-9_-]+)"', page.get_data(as_text=True))
    return page, match.group(1) if match else None


def test_token_is_shown_once_and_only_its_hash_is_stored(client, login, world):
    login(world.buyer)
    page, secret = _create(client)
    assert page.status_code == 201 and secret
    token = db.session.scalar(sa.select(ApiToken))
    assert token.user_id == world.buyer.id and token.name == "Sourcing suite"
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str([token.name, token.prefix, token.token_hash]), "the secret itself is never stored"
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert "Sourcing suite" in listing and token.prefix in listing and secret not in listing
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.action == "api_token.created"))


def test_a_token_acts_as_its_owner_and_records_its_last_use(client, login, world):
    login(world.vendor_a)
    _, secret = _create(client, "Answering script")
    client.post("/logout")
    me = client.get(f"{API}/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    assert me.get_json() | {"id": 0} == {
        "id": 0,
        "email": world.vendor_a.email,
        "name": world.vendor_a.name,
        "role": "vendor",
        "organisation_id": world.vendor_a.organisation_id,
        "organisation": "Vendor A",
    }
    assert db.session.scalar(sa.select(ApiToken.last_used_at)) is not None


def test_a_revoked_token_stops_working_at_once(client, login, world):
    login(world.buyer)
    _, secret = _create(client)
    token = db.session.scalar(sa.select(ApiToken))
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    answer = client.get(f"{API}/me", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 401 and "revoked" in answer.get_json()["message"]
    assert "revoked" in client.get("/account/tokens").get_data(as_text=True)


def test_nobody_else_can_revoke_a_token(client, login, world):
    headers = bearer(world.buyer)
    token = db.session.scalar(sa.select(ApiToken))
    login(world.admin)
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert client.get(f"{API}/me", headers=headers).status_code == 200


def test_a_nameless_token_is_refused_with_a_message(client, login, world):
    login(world.viewer)
    page, secret = _create(client, "  ")
    assert page.status_code == 422 and secret is None
    assert "Name the token" in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_requests_without_a_valid_token_get_401_json(client, login, world):
    for headers in (
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer dvt_not-a-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ):
        answer = client.get(f"{API}/evaluations", headers=headers)
        assert answer.status_code == 401, headers
        assert set(answer.get_json()) == {"code", "message", "errors"}
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_web_session_does_not_sign_in_to_the_api(client, login, world):
    login(world.buyer)
    assert client.get("/").status_code == 200
    assert client.get(f"{API}/evaluations").status_code == 401


def test_a_deactivated_users_token_stops_working(client, world):
    headers = bearer(world.buyer)
    world.buyer.active = False
    db.session.commit()
    assert client.get(f"{API}/me", headers=headers).status_code == 401


def test_the_api_needs_no_csrf_token_but_the_web_still_does(client, login, world, app):
    headers = bearer(world.buyer)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        invited = client.post(
            f"{API}/evaluations/{world.evaluation.id}/invitations",
            headers=headers,
            json={"vendor_name": "Newco", "email": "sales@newco.example"},
        )
        assert invited.status_code == 201
        login_page = client.post("/login", data={"email": world.buyer.email, "password": "x"})
        assert login_page.status_code == 400, "web forms still need the CSRF token"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
