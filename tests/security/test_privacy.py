"""Personal data: export one person's data (GDPR Art. 15), erase it (Art. 17), audit chain intact."""

from __future__ import annotations

import json

import sqlalchemy as sa

from app import audit
from app.extensions import db
from app.models import AccountToken, AuditEvent, Invitation, TokenPurpose, User
from app.models.base import utcnow
from app.privacy import services
from tests.app.helpers import complete_response
from tests.factories import PASSWORD


def _vendor_with_history(client, login, world):
    login(world.vendor_a)
    complete_response(client, world.response_a, seed=5)
    client.post("/logout")
    db.session.add(
        Invitation(
            evaluation=world.evaluation,
            vendor_organisation=world.response_a.vendor_organisation,
            email=world.vendor_a.email,
            token_hash="b" * 64,
            expires_at=utcnow(),
        )
    )
    db.session.commit()


def test_export_holds_the_account_answers_and_audit_events(client, login, world, runner, tmp_path):
    _vendor_with_history(client, login, world)
    out = tmp_path / "data.json"
    result = runner.invoke(args=["user", "export-data", world.vendor_a.email.upper(), "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["account"]["email"] == world.vendor_a.email
    assert data["answers_last_changed_by_you"] and data["evidence_uploaded"]
    assert {e["action"] for e in data["audit_events_as_actor"]} >= {"user.login", "answer.saved"}
    assert data["invitations_to_your_address"]
    text = out.read_text()
    assert "password_hash" not in text and "token_hash" not in text and "b" * 64 not in text
    assert world.buyer.email not in text, "nobody else's data"
    assert (
        db.session.scalar(sa.select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1))
        == "privacy.data_exported"
    )


def test_erasure_anonymises_but_keeps_the_chain_verifiable(client, login, world, runner):
    _vendor_with_history(client, login, world)
    db.session.add(
        AccountToken(
            user_id=world.vendor_a.id, purpose=TokenPurpose.PASSWORD_RESET, token_hash="c" * 64, expires_at=utcnow()
        )
    )
    db.session.commit()
    email, user_id = world.vendor_a.email, world.vendor_a.id
    answers_before = db.session.scalar(sa.text("SELECT count(*) FROM answer WHERE updated_by_id = :u"), {"u": user_id})

    result = runner.invoke(args=["user", "erase", email, "--yes"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    erased = db.session.get(User, user_id)
    assert erased.email != email and erased.name == "" and not erased.active and erased.password_hash is None
    assert services.is_erased(erased)
    assert not db.session.scalars(sa.select(AuditEvent).where(AuditEvent.actor_label == email)).all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccountToken)) == 0
    assert email not in db.session.scalars(sa.select(Invitation.email)).all()
    assert (
        answers_before
        and db.session.scalar(sa.text("SELECT count(*) FROM answer WHERE updated_by_id = :u"), {"u": user_id})
        == answers_before
    )
    assert audit.verify_chain().ok
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 200
    assert runner.invoke(args=["user", "erase", erased.email, "--yes"]).exit_code == 1, "erased only once"


def test_admin_erases_a_member_after_typing_their_address(client, login, world):
    login(world.admin)
    url = f"/privacy/people/{world.viewer.id}/erase"
    assert world.viewer.email in client.get(url).get_data(as_text=True)
    wrong = client.post(url, data={"confirm_email": "someone-else@acme.example"})
    assert wrong.status_code == 422 and "someone-else@acme.example" in wrong.get_data(as_text=True)
    assert db.session.get(User, world.viewer.id).active
    done = client.post(url, data={"confirm_email": world.viewer.email})
    assert done.status_code == 302
    db.session.expire_all()
    assert services.is_erased(db.session.get(User, world.viewer.id))
    page = client.get(f"/evaluations/{world.evaluation.id}/audit").get_data(as_text=True)
    assert world.viewer.email not in page


def test_admin_cannot_erase_themselves_or_other_organisations(client, login, world):
    login(world.admin)
    assert client.get(f"/privacy/people/{world.admin.id}/erase").status_code == 403
    assert client.get(f"/privacy/people/{world.other_buyer.id}/erase").status_code == 404
    assert client.get(f"/privacy/people/{world.vendor_a.id}/data.json").status_code == 404


def test_everyone_downloads_their_own_data(client, login, world):
    login(world.vendor_b)
    answer = client.get("/privacy/my-data.json")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert "attachment" in answer.headers["Content-Disposition"]
    assert answer.get_json()["account"]["email"] == world.vendor_b.email


def test_admin_exports_a_member_and_the_export_is_recorded(client, login, world):
    login(world.admin)
    answer = client.get(f"/privacy/people/{world.evaluator.id}/data.json")
    assert answer.get_json()["account"]["email"] == world.evaluator.email
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "privacy.data_exported")).one()
    assert event.subject == f"user:{world.evaluator.id}" and event.actor_id == world.admin.id
    page = client.get("/privacy").get_data(as_text=True)
    assert world.evaluator.email in page and "Erase" in page


def test_unknown_address_on_the_command_line(runner):
    result = runner.invoke(args=["user", "erase", "nobody@nowhere.example", "--yes"])
    assert result.exit_code == 1 and "No account" in result.output
