"""Password reset by e-mail link: single use, newest link only, no hint whether an address has an account."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AccountToken, LoginThrottle, TokenPurpose
from app.models.base import utcnow

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def outbox(monkeypatch):
    sent = []
    monkeypatch.setattr("app.auth.services.send_mail", lambda to, subject, body: sent.append((to, subject, body)))
    return sent


def _link(body: str) -> str:
    return re.search(r"https?://\S+/activate/\S+", body).group(0).split("datavet.test", 1)[1]


def _choose(client, path, password=NEW_PASSWORD):
    return client.post(path, data={"name": "Pat Buyer", "password": password, "confirm": password})


def test_reset_link_sets_a_new_password_once(client, world, outbox):
    answer = client.post("/password/forgot", data={"email": "BUYER@acme.example "})
    assert answer.status_code == 302
    assert [(to, subject) for to, subject, _ in outbox] == [("buyer@acme.example", "Reset your DataVet password")]
    path = _link(outbox[0][2])
    assert "Choose a new password" in client.get(path).get_data(as_text=True)
    assert _choose(client, path).status_code == 302
    client.post("/logout")
    assert client.post("/login", data={"email": world.buyer.email, "password": NEW_PASSWORD}).status_code == 302
    client.post("/logout")
    again = client.get(path)
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, world, outbox):
    known = client.post("/password/forgot", data={"email": world.buyer.email}, follow_redirects=True)
    unknown = client.post("/password/forgot", data={"email": "nobody@acme.example"}, follow_redirects=True)
    message = "If an account uses this address"
    assert message in known.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert known.status_code == unknown.status_code == 200
    assert [to for to, _, _ in outbox] == [world.buyer.email]


def test_a_deactivated_account_gets_no_link(client, world, outbox):
    world.viewer.active = False
    db.session.commit()
    client.post("/password/forgot", data={"email": world.viewer.email})
    assert outbox == []


def test_only_the_newest_link_works(client, world, outbox):
    client.post("/password/forgot", data={"email": world.buyer.email})
    client.post("/password/forgot", data={"email": world.buyer.email})
    first, second = _link(outbox[0][2]), _link(outbox[1][2])
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_an_expired_link_says_how_to_get_a_new_one(client, world, outbox):
    client.post("/password/forgot", data={"email": world.buyer.email})
    db.session.execute(sa.update(AccountToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    page = client.get(_link(outbox[0][2]))
    assert page.status_code == 410 and "Forgot your password?" in page.get_data(as_text=True)


def test_reset_links_expire_within_hours_not_days(client, world, outbox):
    client.post("/password/forgot", data={"email": world.buyer.email})
    token = db.session.scalar(sa.select(AccountToken).where(AccountToken.purpose == TokenPurpose.PASSWORD_RESET))
    hours = client.application.config["PASSWORD_RESET_HOURS"]
    assert token.expires_at <= utcnow() + timedelta(hours=hours, minutes=1)


def test_a_reset_lifts_the_lockout(client, world, outbox):
    for _ in range(client.application.config["LOGIN_LOCKOUT_FAILURES"]):
        client.post("/login", data={"email": world.buyer.email, "password": "wrong password!"})
    assert db.session.scalar(sa.select(LoginThrottle.blocked_until)) is not None
    client.post("/password/forgot", data={"email": world.buyer.email})
    _choose(client, _link(outbox[0][2]))
    client.post("/logout")
    assert client.post("/login", data={"email": world.buyer.email, "password": NEW_PASSWORD}).status_code == 302


def test_sign_in_page_offers_the_reset(client):
    assert "/password/forgot" in client.get("/login").get_data(as_text=True)
