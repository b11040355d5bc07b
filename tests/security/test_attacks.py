"""The attacks that once worked, replayed on the web and the API: each is refused now.

Tenancy (vendor organisations never joined by name), links from PUBLIC_URL only, blind consensus,
sessions that end, deadlines that cannot unseal bids, conflicts of interest that close the response,
and requirements that an empty request cannot wipe.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import (
    ApiToken,
    AuditEvent,
    ConsensusScore,
    Invitation,
    Organisation,
    Response,
    ResponseStatus,
    Role,
    User,
)
from app.models.base import utcnow
from app.reviews import services as reviews
from tests.api.helpers import as_user, bearer
from tests.factories import PASSWORD
from tests.workflow.conftest import answer_and_submit


@pytest.fixture
def outbox(monkeypatch):
    """Every e-mail sent one by one (invitations, password links)."""
    sent: list[tuple[str, str, str]] = []

    def keep(to, subject, body):
        sent.append((to, subject, body))

    for module in ("app.auth.services", "app.evaluations.invitations", "app.admin.accounts"):
        monkeypatch.setattr(f"{module}.send_mail", keep)
    return sent


def _path_of(link_body: str, path: str) -> str:
    found = re.search(r"(https?://[^/\s]+)(/" + path + r"/\S+)", link_body)
    assert found, link_body
    return found.group(1), found.group(2)


def _other_evaluation(world):
    """An evaluation of a second buying organisation to which vendor A was invited and answered."""
    from tests.factories import EvaluationFactory, ResponseFactory

    evaluation = EvaluationFactory(organisation=world.other_buyer.organisation, title="Other buyer's tender")
    response = ResponseFactory(evaluation=evaluation, vendor_organisation=world.vendor_a.organisation)
    db.session.commit()
    return evaluation, response


# --- 1. Vendor organisations are never attached by name ---------------------------------------------


@pytest.mark.parametrize("via", ["web", "api"])
def test_a_buyer_cannot_join_a_vendor_company_by_typing_its_name(client, login, world, outbox, via):
    world.evaluation.sealed = False
    answer_and_submit(world.response_a, world.vendor_a)
    db.session.commit()
    # The other buyer invites "Vendor A" (an existing vendor's name) with an address they control.
    evaluation, _ = _other_evaluation(world)
    body = {"vendor_name": world.vendor_a.organisation.name, "email": "me@attacker.example"}
    if via == "web":
        login(world.other_buyer)
        assert client.post(f"/evaluations/{evaluation.id}/invitations", data=body).status_code == 302
        client.post("/logout")
    else:
        assert (
            as_user(client, world.other_buyer).post(f"/evaluations/{evaluation.id}/invitations", body).status_code
            == 201
        )
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.email == "me@attacker.example"))
    assert invitation.vendor_organisation_id != world.vendor_a.organisation_id, "a new organisation, not Vendor A"
    host, path = _path_of(outbox[-1][2], "invitations")
    page = client.post(path, data={"name": "Mallory", "password": PASSWORD, "confirm": PASSWORD})
    assert page.status_code == 302
    intruder = db.session.scalar(sa.select(User).where(User.email == "me@attacker.example"))
    assert intruder.organisation_id == invitation.vendor_organisation_id
    # Vendor A's answers, in the first buyer's evaluation, stay out of reach.
    assert client.get(f"/responses/{world.response_a.id}/view").status_code == 404
    api = as_user(client, intruder)
    assert api.get(f"/responses/{world.response_a.id}/answers").status_code == 404
    assert api.post(f"/responses/{world.response_a.id}/withdraw").status_code == 404
    assert [r["id"] for r in api.get("/responses").get_json()["items"]] == [
        db.session.scalar(sa.select(Response.id).where(Response.vendor_organisation_id == intruder.organisation_id))
    ]


def test_inviting_an_existing_vendor_contact_invites_their_own_organisation(client, login, world, outbox):
    evaluation, _ = _other_evaluation(world)
    login(world.other_buyer)
    client.post(
        f"/evaluations/{evaluation.id}/invitations", data={"vendor_name": "Any name", "email": world.vendor_b.email}
    )
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.evaluation_id == evaluation.id))
    assert invitation.vendor_organisation_id == world.vendor_b.organisation_id
    names = db.session.scalars(sa.select(Organisation.name)).all()
    assert "Any name" not in names, "no organisation is made up for a known contact"


def test_a_buyer_cannot_become_a_vendor_of_their_own_evaluation(client, login, world, outbox):
    login(world.buyer)
    page = client.post(
        f"/evaluations/{world.evaluation.id}/invitations",
        data={"vendor_name": "Shadow bidder", "email": world.viewer.email},
        follow_redirects=True,
    )
    assert "belongs to a member of your own organisation" in page.get_data(as_text=True)
    api = as_user(client, world.buyer).post(
        f"/evaluations/{world.evaluation.id}/invitations", {"vendor_name": "Shadow bidder", "email": world.viewer.email}
    )
    assert api.status_code == 422 and "email" in api.get_json()["errors"]
    assert not db.session.scalars(sa.select(Invitation)).all()


def test_a_staff_address_of_another_buyer_gets_a_link_that_cannot_be_used(client, login, world, outbox):
    login(world.buyer)
    client.post(
        f"/evaluations/{world.evaluation.id}/invitations",
        data={"vendor_name": "Other's people", "email": world.other_buyer.email},
    )
    client.post("/logout")
    _, path = _path_of(outbox[-1][2], "invitations")
    login(world.other_buyer)
    refused = client.post(path)
    assert refused.status_code == 409 and "cannot answer for this vendor" in refused.get_data(as_text=True)
    assert db.session.get(User, world.other_buyer.id).role == Role.BUYER


def test_the_same_address_twice_is_one_invitation_sent_again(client, login, world, outbox):
    login(world.buyer)
    for _ in range(2):
        client.post(
            f"/evaluations/{world.evaluation.id}/invitations",
            data={"vendor_name": "Newco", "email": "sales@newco.example"},
        )
    assert len(db.session.scalars(sa.select(Invitation)).all()) == 1
    assert len(outbox) == 2, "the second request sends a fresh link"


# --- 2. Links never follow the Host header ------------------------------------------------------------


def test_a_reset_link_points_at_public_url_whatever_the_host_header(app, client, world, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://datavet.example")
    client.post("/password/forgot", data={"email": world.buyer.email}, headers={"Host": "evil.example"})
    host, _ = _path_of(outbox[-1][2], "activate")
    assert host == "https://datavet.example"


def test_an_invitation_link_points_at_public_url(app, client, world, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://datavet.example")
    answer = client.post(
        f"/api/v1/evaluations/{world.evaluation.id}/invitations",
        json={"vendor_name": "Newco", "email": "sales@newco.example"},
        headers={**bearer(world.buyer), "Host": "evil.example"},
    )
    assert answer.status_code == 201
    host, _ = _path_of(outbox[-1][2], "invitations")
    assert host == "https://datavet.example"


def test_unknown_hosts_are_refused(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["datavet.test"])
    assert client.get("/login", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/login").status_code == 200


def test_a_real_deployment_does_not_start_without_public_url(tmp_path):
    from app import create_app

    with pytest.raises(RuntimeError, match="PUBLIC_URL"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "PUBLIC_URL": "", "TRUSTED_HOSTS": None})
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "SECRET_KEY": "x",
            "PUBLIC_URL": "https://dv.example",
            "TRUSTED_HOSTS": None,
        }
    )
    assert app.config["TRUSTED_HOSTS"] == ["dv.example"]
    local = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "SECRET_KEY": "x",
            "PUBLIC_URL": "http://127.0.0.1:5000",
            "TRUSTED_HOSTS": None,
        }
    )
    assert "localhost" in local.config["TRUSTED_HOSTS"], "a local run answers on both loopback names"


# --- 3. The lead cannot read or overrule other evaluators before scoring ---------------------------


@pytest.fixture
def evaluator_submitted(world):
    world.evaluation.sealed = False
    answer_and_submit(world.response_a, world.vendor_a)
    reviews.declare_no_conflict(world.response_a, world.evaluator)
    questions = reviews.questions_to_score(world.response_a, world.evaluator)
    inputs = {q.id: reviews.ScoreInput(1, "secret-evaluator-comment") for q in questions}
    assert reviews.save_scores(world.response_a, world.evaluator, inputs, submit=True) == []
    reviews.declare_no_conflict(world.response_a, world.lead)
    db.session.commit()
    return world, questions[0].id


def test_the_lead_reads_and_sets_consensus_only_after_their_own_review(client, login, evaluator_submitted):
    world, question_id = evaluator_submitted
    api = as_user(client, world.lead)
    early = api.get(f"/responses/{world.response_a.id}/consensus")
    assert early.status_code == 403 and "secret-evaluator-comment" not in early.get_data(as_text=True)
    put = api.put(f"/responses/{world.response_a.id}/consensus/{question_id}", {"value": 4, "rationale": "I say so"})
    assert put.status_code == 403
    login(world.lead)
    page = client.post(
        f"/reviews/{world.response_a.id}/consensus",
        data={"question_id": question_id, "value": "4", "rationale": "I say so"},
    )
    assert page.status_code == 403 and "secret-evaluator-comment" not in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsensusScore)) == 0


def test_consensus_has_no_preselected_value_and_keeps_the_rationale(client, login, evaluator_submitted):
    world, question_id = evaluator_submitted
    questions = reviews.questions_to_score(world.response_a, world.lead)
    reviews.save_scores(world.response_a, world.lead, {q.id: reviews.ScoreInput(3, "") for q in questions}, submit=True)
    db.session.commit()
    login(world.lead)
    page = client.get(f"/reviews/{world.response_a.id}/consensus").get_data(as_text=True)
    select = re.search(rf'<select[^>]*id="v-{question_id}".*?</select>', page, re.S).group(0)
    assert re.search(r'<option value="" selected>', select), "no score is chosen for the lead"
    assert "Mean 2.00" in page and "median 2" in page
    refused = client.post(
        f"/reviews/{world.response_a.id}/consensus",
        data={"question_id": question_id, "value": "", "rationale": "Typed with care"},
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Choose the consensus score (0 to 4)." in html and "Typed with care" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsensusScore)) == 0


# --- 4. Sessions end on logout, a new password and deactivation -----------------------------------


def _session_cookie(client) -> str:
    return client.get_cookie("session", domain="datavet.test").value


def _replay(app, cookie: str):
    other = app.test_client()
    other.set_cookie("session", cookie, domain="datavet.test")
    return other.get("/")


def test_a_copied_session_stops_working_at_logout(app, client, login, world):
    login(world.buyer)
    stolen = _session_cookie(client)
    assert _replay(app, stolen).status_code == 200
    client.post("/logout")
    assert _replay(app, stolen).status_code == 302, "the old cookie no longer signs anyone in"


def test_a_password_reset_ends_sessions_and_revokes_api_tokens(app, client, login, world, outbox):
    login(world.buyer)
    stolen = _session_cookie(client)
    headers = bearer(world.buyer)
    client.post("/logout")
    client.post("/password/forgot", data={"email": world.buyer.email})
    other = app.test_client()
    other.post("/login", data={"email": world.buyer.email, "password": PASSWORD})
    second = _session_cookie(other)
    _, path = _path_of(outbox[-1][2], "activate")
    fresh = app.test_client()
    assert (
        fresh.post(
            path, data={"name": "Bea", "password": "a new passphrase!", "confirm": "a new passphrase!"}
        ).status_code
        == 302
    )
    assert _replay(app, stolen).status_code == 302 and _replay(app, second).status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken).where(ApiToken.revoked_at.is_(None))) == 0


def test_deactivation_ends_the_session(app, client, login, world):
    person = app.test_client()
    person.post("/login", data={"email": world.viewer.email, "password": PASSWORD})
    assert person.get("/").status_code == 200
    login(world.admin)
    client.post(f"/admin/people/{world.viewer.id}/active")
    db.session.refresh(world.viewer)
    world.viewer.active = True  # even re-activated, the old session stays ended
    db.session.commit()
    assert person.get("/").status_code == 302


# --- 5. Deadlines cannot unseal bids ------------------------------------------------------------------


def test_a_sealed_deadline_cannot_move_into_the_past_nor_earlier(client, login, world):
    login(world.buyer)
    original = world.evaluation.deadline
    for when in (utcnow() - timedelta(days=1), original - timedelta(days=1)):
        local = when.strftime("%Y-%m-%dT%H:%M")
        page = client.post(f"/evaluations/{world.evaluation.id}/settings", data={"deadline": local})
        assert page.status_code == 422
        api = as_user(client, world.buyer).patch(f"/evaluations/{world.evaluation.id}", {"deadline": when.isoformat()})
        assert api.status_code == 422 and "deadline" in api.get_json()["errors"]
    db.session.refresh(world.evaluation)
    assert world.evaluation.deadline == original
    later = (original + timedelta(days=3)).isoformat()
    assert (
        as_user(client, world.buyer).patch(f"/evaluations/{world.evaluation.id}", {"deadline": later}).status_code
        == 200
    )


def test_a_deadline_far_in_the_future_is_refused(client, world):
    body = {"deadline": utcnow().replace(year=9999).isoformat()}
    answer = as_user(client, world.buyer).patch(f"/evaluations/{world.evaluation.id}", body)
    assert answer.status_code == 422 and "within two years" in answer.get_json()["errors"]["deadline"][0]


def test_opening_early_is_explicit_audited_tells_vendors_and_closes_the_evaluation(client, login, world, monkeypatch):
    told: list[str] = []
    monkeypatch.setattr(
        "app.notifications.deliver",
        lambda mails: told.extend(m.to for m in mails) or type("R", (), {"sent": list(mails), "failed": []})(),
    )
    answer_and_submit(world.response_b, world.vendor_b)
    invitation = Invitation(
        evaluation=world.evaluation,
        vendor_organisation=world.vendor_b.organisation,
        email=world.vendor_b.email,
        token_hash="1" * 64,
        expires_at=utcnow() + timedelta(days=1),
        accepted_at=utcnow(),
    )
    db.session.add(invitation)
    db.session.commit()
    login(world.buyer)
    assert client.get(f"/responses/{world.response_b.id}/view").status_code == 403, "sealed"
    refused = client.post(
        f"/evaluations/{world.evaluation.id}/open-early", data={"open-reason": "", "open-confirm": "y"}
    )
    assert refused.status_code == 422
    opened = client.post(
        f"/evaluations/{world.evaluation.id}/open-early",
        data={"open-reason": "Board meeting moved forward", "open-confirm": "y"},
    )
    assert opened.status_code == 302
    assert client.get(f"/responses/{world.response_b.id}/view").status_code == 200
    assert sorted(told) == sorted([world.vendor_a.email, world.vendor_b.email]), "every invited vendor is told"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "evaluation.opened_early"))
    assert event.details["reason"] == "Board meeting moved forward"
    # Nobody answers after the buyer read the bids, and the deadline cannot move back.
    assert (
        as_user(client, world.vendor_a)
        .put(f"/responses/{world.response_a.id}/answers/PRV-01", {"value": "late", "revision": 0})
        .status_code
        == 409
    )
    again = as_user(client, world.buyer).patch(
        f"/evaluations/{world.evaluation.id}", {"deadline": (utcnow() + timedelta(days=5)).isoformat()}
    )
    assert again.status_code == 422 and "can no longer move" in again.get_json()["message"]
    assert (
        as_user(client, world.buyer)
        .post(f"/evaluations/{world.evaluation.id}/open-early", {"reason": "again"})
        .status_code
        == 409
    )


# --- 7. The conflict-of-interest declaration has teeth ------------------------------------------------


def test_an_evaluator_who_declares_a_conflict_is_recused(client, login, world):
    world.evaluation.sealed = False
    answer_and_submit(world.response_a, world.vendor_a)
    db.session.commit()
    login(world.evaluator)
    assert client.get(f"/responses/{world.response_a.id}/view").status_code == 403, "not declared yet"
    page = client.post(f"/reviews/{world.response_a.id}", data={"declaration": "conflict", "reason": ""})
    assert page.status_code == 422 and "Say what the conflict of interest is" in page.get_data(as_text=True)
    client.post(f"/reviews/{world.response_a.id}", data={"declaration": "conflict", "reason": "Former employer"})
    assert client.get(f"/reviews/{world.response_a.id}").status_code == 403
    assert client.get(f"/responses/{world.response_a.id}/view").status_code == 403
    api = as_user(client, world.evaluator)
    assert api.get(f"/responses/{world.response_a.id}/answers").status_code == 403
    assert api.put(f"/responses/{world.response_a.id}/scores", {"scores": []}).status_code == 403


# --- 8. An empty request cannot wipe the requirements ------------------------------------------------


def test_an_empty_requirements_request_changes_nothing(client, world):
    api = as_user(client, world.buyer)
    set_ = api.put(
        f"/evaluations/{world.evaluation.id}/requirements",
        {"locales": [{"locale": "en-GB", "min_contributors": 10, "min_hours": 20}]},
    )
    assert set_.status_code == 200
    empty = api.put(f"/evaluations/{world.evaluation.id}/requirements", {})
    assert empty.status_code == 422
    partial = api.put(f"/evaluations/{world.evaluation.id}/requirements", {"budget_per_unit": 12.5})
    assert partial.status_code == 200
    assert [t["locale"] for t in partial.get_json()["locales"]] == ["en-GB"], "fields left out keep their values"


# --- One commit point ----------------------------------------------------------------------------------

# The request's commit point, and the entry points that are their own boundary (commands, jobs).
COMMIT_BOUNDARIES = {
    "app/transaction.py",
    "app/cli.py",
    "app/admin/cli.py",
    "app/backup/cli.py",
    "app/privacy/cli.py",
    "app/reports/cli.py",
    "app/demo/seed.py",
    "app/jobs/service.py",
    "app/sample_batches/jobs.py",
    "app/responses/reminders.py",
}


def test_only_the_boundaries_commit():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    committing = {
        str(path.relative_to(root))
        for path in (root / "app").rglob("*.py")
        if re.search(r"session\.commit\(\)", path.read_text(encoding="utf-8"))
    }
    assert committing <= COMMIT_BOUNDARIES, (
        f"views, API handlers and services must not commit: {committing - COMMIT_BOUNDARIES}"
    )
    assert "app/transaction.py" in committing


def test_a_refused_request_leaves_nothing_behind(client, login, world):
    """An error answer rolls back what the view had already flushed."""
    login(world.buyer)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    page = client.post(f"/evaluations/{world.evaluation.id}/open-early", data={"open-reason": "x", "open-confirm": ""})
    assert page.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before
    assert db.session.get(Response, world.response_a.id).status == ResponseStatus.DRAFT
