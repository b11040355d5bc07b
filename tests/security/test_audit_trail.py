"""Every state change of an evaluation lands in the audit trail, and buyers read it per evaluation."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from app import audit
from app.extensions import db
from app.models import Attachment, AuditEvent
from app.models.base import utcnow
from tests.app.helpers import complete_response

REQUIRED_ACTIONS = {
    "answer.saved",
    "evidence.uploaded",
    "response.submitted",
    "review.scores_submitted",
    "evaluation.weights_changed",
    "review.consensus_set",
    "evaluation.deadline_moved",
    "export.downloaded",
    "evidence.downloaded",
}


def _actions(evaluation_id: int) -> list[tuple[str, str]]:
    return db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.actor_label)
        .where(AuditEvent.evaluation_id == evaluation_id)
        .order_by(AuditEvent.id)
    ).all()


def _walk_through_an_evaluation(client, login, world) -> None:
    """Move the deadline and weights, answer and submit, score, agree a consensus, download."""
    login(world.buyer)
    new_deadline = (utcnow() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    assert (
        client.post(f"/evaluations/{world.evaluation.id}/settings", data={"deadline": new_deadline}).status_code == 302
    )
    weights_url = f"/evaluations/{world.evaluation.id}/weights"
    criteria = re.findall(r'name="weight\.([^"]+)"', client.get(weights_url).get_data(as_text=True))
    assert criteria, "the weights page offers one weight per criterion"
    weights = {f"weight.{criterion}": str(index + 2) for index, criterion in enumerate(criteria)}
    assert client.post(weights_url, data=weights).status_code == 302
    client.post("/logout")

    login(world.vendor_a)
    complete_response(client, world.response_a, seed=3)
    assert client.post(f"/responses/{world.response_a.id}/submit").status_code == 302
    client.post("/logout")
    world.evaluation.sealed = False
    db.session.commit()

    url = f"/reviews/{world.response_a.id}"
    for evaluator, value in ((world.evaluator, "3"), (world.lead, "1")):
        login(evaluator)
        client.post(url, data={"declaration": "no_conflict"})
        qids = set(re.findall(r'name="score\.([A-Z]+-\d+)"', client.get(url).get_data(as_text=True)))
        assert client.post(url, data={f"score.{q}": value for q in qids} | {"action": "submit"}).status_code == 302
        if evaluator is world.lead:
            question = sorted(qids)[0]
            answer = client.post(
                f"{url}/consensus",
                data={"question_id": question, "value": "2", "rationale": "Met in the middle after discussion."},
            )
            assert answer.status_code == 302
        client.post("/logout")

    login(world.buyer)
    assert (
        client.get(f"/evaluations/{world.evaluation.id}/vendors/{world.response_a.id}/scorecard.pdf").status_code == 200
    )
    attachment = db.session.scalar(sa.select(Attachment).where(Attachment.response_id == world.response_a.id))
    download = client.get(f"/responses/evidence/{attachment.id}")
    assert download.status_code == 200
    download.close()


def test_every_state_change_is_recorded_with_who(client, login, world, runner):
    _walk_through_an_evaluation(client, login, world)
    recorded = _actions(world.evaluation.id)
    actions = {action for action, _ in recorded}
    assert actions >= REQUIRED_ACTIONS, f"not recorded: {REQUIRED_ACTIONS - actions}"
    who = dict(recorded)
    assert who["evaluation.deadline_moved"] == world.buyer.email
    assert who["response.submitted"] == world.vendor_a.email
    assert who["review.consensus_set"] == world.lead.email
    assert who["evidence.downloaded"] == world.buyer.email
    moved = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "evaluation.deadline_moved"))
    assert set(moved.details) == {"from", "to"}, "what changed: the old and the new deadline"
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "intact" in result.output


def test_buyer_reads_the_trail_of_the_evaluation(client, login, world):
    _walk_through_an_evaluation(client, login, world)
    page = client.get(f"/evaluations/{world.evaluation.id}/audit")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for words in (
        "Deadline moved",
        "Weights changed",
        "Answers saved",
        "Response submitted",
        "Scores submitted",
        "Consensus score set",
        "Export downloaded",
        "Evidence file downloaded",
    ):
        assert words in html, words
    assert world.vendor_a.email in html and world.lead.email in html
    assert "Met in the middle after discussion." in html, "what changed is shown, not only that something did"
    show = client.get(f"/evaluations/{world.evaluation.id}").get_data(as_text=True)
    assert f"/evaluations/{world.evaluation.id}/audit" in show, "the evaluation page links to its trail"


def test_trail_shows_only_this_evaluation_and_escapes_what_it_shows(client, login, world):
    from tests.factories import EvaluationFactory

    other = EvaluationFactory(organisation=world.buyer_org, title="Another one")
    db.session.flush()
    audit.record(
        "evaluation.requirements_changed",
        actor=world.buyer,
        evaluation_id=world.evaluation.id,
        details={"note": "<script>alert('x')</script>"},
    )
    audit.record(
        "evaluation.requirements_changed",
        actor=world.buyer,
        evaluation_id=other.id,
        details={"note": "belongs-to-the-other-evaluation"},
    )
    db.session.commit()
    login(world.admin)
    html = client.get(f"/evaluations/{world.evaluation.id}/audit").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in html and "<script>alert(" not in html
    assert "belongs-to-the-other-evaluation" not in html


def test_trail_pages_through_long_histories(client, login, world):
    from app.audit.views import EVENTS_PER_PAGE

    for n in range(EVENTS_PER_PAGE + 5):
        audit.record(
            "answer.saved",
            actor=world.vendor_a,
            evaluation_id=world.evaluation.id,
            subject=f"response:{world.response_a.id}",
            details={"questions": [f"Q-{n:03d}"]},
        )
    db.session.commit()
    login(world.buyer)
    first = client.get(f"/evaluations/{world.evaluation.id}/audit").get_data(as_text=True)
    second = client.get(f"/evaluations/{world.evaluation.id}/audit?page=2").get_data(as_text=True)
    assert f"Q-{EVENTS_PER_PAGE + 4:03d}" in first and "Q-000" not in first
    assert "Q-000" in second and "Page 2 of 2" in second


def test_only_buyers_and_administrators_read_the_trail(client, login, world):
    url = f"/evaluations/{world.evaluation.id}/audit"
    for user, status in (
        (world.viewer, 403),
        (world.evaluator, 403),
        (world.vendor_a, 404),
        (world.other_buyer, 404),
        (world.admin, 200),
    ):
        login(user)
        assert client.get(url).status_code == status, user.email
        client.post("/logout")
