"""Consistency findings beside the answers, and evidence levels set by the assigned evaluators."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Answer, AuditEvent, EvaluatorAssignment, EvidenceLevel, ResponseStatus, Role
from app.models.base import utcnow
from app.questionnaires import store
from app.questionnaires.schema import parse_yaml
from app.reports.ranking import compute_results
from app.responses.services import save_answers
from tests.factories import EvaluationFactory, ResponseFactory, UserFactory

QUESTIONNAIRE = """
id: workflow-consistency
title: Consistency checks test
version: 1
sections:
  - id: coverage
    title: Contributor coverage
    weight: 60
    questions:
      - id: COV-01
        type: number
        text: How many contributors do you commit in total?
        required: true
        min: 0
        references: ["Datasheets for Datasets: Composition"]
      - id: COV-02
        type: table
        text: Per locale, how many contributors, and what share of the total?
        required: true
        references: ["Datasheets for Datasets: Composition"]
        columns:
          - {id: locale, type: locale, label: Locale, required: true}
          - {id: contributors, type: integer, label: Contributors, required: true, min: 0}
          - {id: share, type: percentage, label: Share}
        min_rows: 1
        checks:
          - {kind: total_matches, column: contributors, total_question: COV-01}
          - {kind: percent_sum, column: share}
  - id: privacy
    title: Privacy and consent
    weight: 40
    questions:
      - id: PRV-01
        type: text
        text: How do contributors consent to AI training?
        required: true
        references: ["GDPR Art. 7"]
"""
FINDINGS = ("contributors in this table adds up to 150, but COV-01 states 200", "share adds up to 90%, not 100%")


@pytest.fixture
def checked(world):
    """An opened evaluation on a questionnaire with checks; a vendor's numbers that do not add up."""
    version, _ = store.import_parsed(parse_yaml(QUESTIONNAIRE, source="test"))
    evaluation = EvaluationFactory(
        organisation=world.buyer_org,
        questionnaire=version,
        modalities=["speech"],
        sealed=False,
        title="Checked evaluation",
    )
    privacy_only = UserFactory(role=Role.EVALUATOR, organisation=world.buyer_org, email="privacy@acme.example")
    evaluation.assignments = [
        EvaluatorAssignment(user=world.evaluator, section_id=""),
        EvaluatorAssignment(user=privacy_only, section_id="privacy"),
    ]
    response = ResponseFactory(evaluation=evaluation, vendor_organisation=world.vendor_a.organisation)
    result = save_answers(
        response,
        user=world.vendor_a,
        revisions={},
        raw={
            "COV-01": "200",
            "PRV-01": "Consent screen in each language names AI training.",
            "COV-02": [
                {"locale": "en-US", "contributors": "100", "share": "60"},
                {"locale": "de-DE", "contributors": "50", "share": "30"},
            ],
        },
    )
    assert not result.errors, result.errors
    response.status, response.submitted_at = ResponseStatus.SUBMITTED, utcnow()
    db.session.commit()
    return world, evaluation, response, privacy_only


def block(page, element_id: str) -> str:
    text = " ".join(html.unescape(page.get_data(as_text=True)).split())
    return re.search(rf'id="{element_id}">(.*?)(?=<div class="question|</section>|</form>)', text).group(1)


def evidence(response, question_id: str) -> Answer:
    answer = db.session.scalar(
        sa.select(Answer).where(Answer.response_id == response.id, Answer.question_id == question_id)
    )
    db.session.refresh(answer)
    return answer


def test_findings_are_shown_beside_the_answer_to_evaluators_and_the_buyer(client, login, checked):
    world, evaluation, response, _ = checked
    login(world.evaluator)
    client.post(f"/reviews/{response.id}", data={"declaration": "no_conflict"})
    scoring = client.get(f"/reviews/{response.id}")
    assert all(f in block(scoring, "s-COV-02") for f in FINDINGS)
    assert not any(f in block(scoring, "s-COV-01") for f in FINDINGS), "findings sit beside the answer they concern"
    client.post("/logout")
    login(world.buyer)
    view = client.get(f"/responses/{response.id}/view")
    assert all(f in block(view, "answer-COV-02") for f in FINDINGS)
    client.post("/logout")
    login(world.vendor_a)
    assert FINDINGS[0] not in client.get(f"/responses/{response.id}/view").get_data(as_text=True)


def submit_review(client, response) -> None:
    """Score every rubric question offered and submit the review."""
    page = client.get(f"/reviews/{response.id}").get_data(as_text=True)
    scores = {f"score.{qid}": "3" for qid in re.findall(r'name="score\.([A-Z]+-\d+)"', page)}
    answer = client.post(f"/reviews/{response.id}", data={"action": "submit", **scores})
    assert answer.status_code == 302, answer.get_data(as_text=True)


def test_an_assigned_evaluator_marks_evidence_and_it_reaches_the_ranking(client, login, checked):
    world, evaluation, response, _ = checked
    revision = evidence(response, "COV-02").revision
    login(world.evaluator)
    client.post(f"/reviews/{response.id}", data={"declaration": "no_conflict"})
    page = client.post(
        f"/reviews/{response.id}",
        data={"action": "evidence", "evidence.COV-02": "verified", "evidence.COV-01": "evidenced"},
    )
    assert page.status_code == 302
    assert evidence(response, "COV-02").evidence_level == EvidenceLevel.SELF_ATTESTED, "marks are blind until submitted"
    assert "verified" in block(client.get(f"/reviews/{response.id}"), "s-COV-02"), "the evaluator sees their own mark"
    submit_review(client, response)
    assert evidence(response, "COV-02").evidence_level == EvidenceLevel.VERIFIED
    assert evidence(response, "COV-01").evidence_level == EvidenceLevel.EVIDENCED
    assert evidence(response, "COV-02").revision == revision, "the vendor's answer itself is untouched"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "review.evidence_level_set"))
    assert event.actor_id == world.evaluator.id
    assert event.details["COV-02"] == {"from": "self_attested", "to": "verified"}
    assert "verified" in block(client.get(f"/reviews/{response.id}"), "s-COV-02")
    client.post("/logout")

    login(world.buyer)
    assert "verified" in block(client.get(f"/responses/{response.id}/view"), "answer-COV-02")
    results = compute_results(evaluation)
    rows = {q.question_id: q for q in results.vendor(response.id).questions}
    assert rows["COV-02"].evidence_level == "verified" and rows["PRV-01"].evidence_level == "self-attested"
    assert rows["COV-02"].findings == FINDINGS
    ranking = " ".join(
        html.unescape(client.get(f"/evaluations/{evaluation.id}/ranking").get_data(as_text=True)).split()
    )
    row = re.search(r'answer-COV-02">COV-02</a>(.*?)</tr>', ranking).group(1)
    assert "verified" in row and FINDINGS[1] in row


def test_evidence_levels_only_from_evaluators_assigned_to_the_section(client, login, checked):
    world, evaluation, response, privacy_only = checked
    login(privacy_only)
    client.post(f"/reviews/{response.id}", data={"declaration": "no_conflict"})
    page = client.get(f"/reviews/{response.id}").get_data(as_text=True)
    assert 'name="evidence.PRV-01"' in page and 'name="evidence.COV-02"' not in page
    refused = client.post(
        f"/reviews/{response.id}", data={"action": "evidence", "evidence.COV-02": "verified"}, follow_redirects=True
    )
    assert "You are not assigned to judge COV-02" in refused.get_data(as_text=True)
    assert evidence(response, "COV-02").evidence_level == EvidenceLevel.SELF_ATTESTED
    assert (
        client.post(f"/reviews/{response.id}", data={"action": "evidence", "evidence.PRV-01": "evidenced"}).status_code
        == 302
    )
    submit_review(client, response)
    assert evidence(response, "PRV-01").evidence_level == EvidenceLevel.EVIDENCED
    client.post("/logout")

    for user, status in (
        (world.lead, 403),
        (world.buyer, 403),
        (world.viewer, 403),
        (world.vendor_a, 403),
        (world.other_buyer, 404),
    ):
        login(user)
        answer = client.post(f"/reviews/{response.id}", data={"action": "evidence", "evidence.COV-02": "verified"})
        assert answer.status_code == status, user.email
        client.post("/logout")
    assert evidence(response, "COV-02").evidence_level == EvidenceLevel.SELF_ATTESTED


def test_an_unknown_evidence_level_is_refused(client, login, checked):
    world, _, response, _ = checked
    login(world.evaluator)
    client.post(f"/reviews/{response.id}", data={"declaration": "no_conflict"})
    page = client.post(f"/reviews/{response.id}", data={"action": "evidence", "evidence.COV-02": "gold-plated"})
    assert page.status_code == 422 and "Choose self-attested, evidenced or verified." in page.get_data(as_text=True)
    assert evidence(response, "COV-02").evidence_level == EvidenceLevel.SELF_ATTESTED
