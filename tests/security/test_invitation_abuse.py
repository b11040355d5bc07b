"""Invitations: no account enumeration across organisations, and a rate limit per user on web and API."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from app.extensions import db
from app.models import Role, User
from tests.api.helpers import as_user
from tests.factories import PASSWORD, EvaluationFactory, OrganisationFactory, UserFactory


def _invite(client, email):
    return client.post("/admin/people", data={"name": "Sam", "email": email, "role": "viewer"}, follow_redirects=True)


def test_an_address_with_an_account_elsewhere_gets_the_answer_of_a_new_one(client, login, world, monkeypatch):
    sent = []
    monkeypatch.setattr("app.admin.accounts.send_mail", lambda to, subject, body: sent.append((to, subject)))
    monkeypatch.setattr("app.auth.services.send_mail", lambda to, subject, body: sent.append((to, subject)))
    login(world.admin)
    elsewhere = _invite(client, world.other_buyer.email).get_data(as_text=True)
    new = _invite(client, "fresh@acme.example").get_data(as_text=True)
    assert f"{world.other_buyer.email} is invited" in elsewhere and "fresh@acme.example is invited" in new
    assert "already" not in elsewhere
    # The other organisation's account is untouched; its owner is told, and gets no activation link.
    other = db.session.get(User, world.other_buyer.id)
    assert other.organisation_id != world.admin.organisation_id and other.role == Role.BUYER
    assert sent == [
        (world.other_buyer.email, "Someone tried to add you on DataVet"),
        ("fresh@acme.example", "Your DataVet account"),
    ]


def test_an_address_in_the_admins_own_organisation_is_reported(client, login, world):
    login(world.admin)
    page = _invite(client, world.viewer.email).get_data(as_text=True)
    assert "Someone in your organisation already uses this e-mail address" in page


def test_invitations_are_rate_limited_per_user_on_web_and_api(fresh_app):
    application = fresh_app(
        "invites",
        questionnaires=True,
        RATELIMIT_ENABLED=True,
        INVITATION_RATE_LIMIT="3 per hour",
        LOGIN_RATE_LIMIT="1000 per minute",
        RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
    )
    with application.app_context():
        org = OrganisationFactory(name="Acme")
        buyer = UserFactory(role=Role.BUYER, organisation=org, email="buyer@acme.example")
        colleague = UserFactory(role=Role.BUYER, organisation=org, email="colleague@acme.example")
        evaluation = EvaluationFactory(organisation=org)
        db.session.commit()
        client = application.test_client()
        api = as_user(client, buyer)
        url = f"/evaluations/{evaluation.id}/invitations"
        statuses = [
            api.post(url, json={"vendor_name": f"V{n}", "email": f"v{n}@example.com"}).status_code for n in range(3)
        ]
        assert statuses == [201, 201, 201]
        refused = api.post(url, json={"vendor_name": "V9", "email": "v9@example.com"})
        assert refused.status_code == 429
        body = refused.get_json()
        assert set(body) == {"code", "message", "errors"} and body["code"] == "too_many_requests"
        assert "Too many invitations" in body["message"]
        # The web form shares the budget of the same user, and says so.
        client.post("/login", data={"email": buyer.email, "password": PASSWORD})
        page = client.post(
            f"/evaluations/{evaluation.id}/invitations", data={"vendor_name": "V10", "email": "v10@example.com"}
        )
        assert page.status_code == 429 and "sent many invitations" in page.get_data(as_text=True)
        # Another user of the same organisation has a budget of their own.
        assert (
            as_user(client, colleague).post(url, json={"vendor_name": "V11", "email": "v11@example.com"}).status_code
            == 201
        )
        assert db.session.scalar(sa.select(sa.func.count()).select_from(sa.text("invitation"))) == 4
