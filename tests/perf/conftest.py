"""Fixtures for query-count tests: a query counter and evaluations of any size, built fast.

Answers are the demo generator's, read by the real parser, and stored directly; scores and
consensus go through the review services, as an evaluator's would.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app

from app.demo import VendorProfile, demo_answer, demo_requirements
from app.extensions import db
from app.models import Answer, Attachment, EvaluatorAssignment, Invitation, ResponseStatus, Role
from app.models.base import utcnow
from app.questionnaires import store
from app.questionnaires.answers import parse_answer, visible_questions
from app.reviews import services as reviews
from tests.factories import (
    PASSWORD,
    EvaluationFactory,
    OrganisationFactory,
    ResponseFactory,
    UserFactory,
    VendorOrganisationFactory,
)


@pytest.fixture
def count_queries(app_ctx):
    """``with count_queries() as statements: ...`` collects every SQL statement sent meanwhile."""

    @contextmanager
    def counter():
        statements: list[str] = []

        def listener(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            yield statements
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)

    return counter


@dataclass
class Built:
    """One evaluation and the people who open its pages."""

    evaluation: object
    responses: list = field(default_factory=list)
    buyer: object = None
    evaluator: object = None  # assigned, not the lead
    lead: object = None
    vendors: list = field(default_factory=list)  # the vendor contact of each response, in order


def answers_for(questionnaire, modalities, requirements, quality: float, seed: int, *, share: float = 1.0) -> dict:
    """Canonical answers at a quality level; ``share`` < 1 leaves later questions unanswered."""
    profile = VendorProfile(f"Profile {seed}", quality)
    rng = random.Random(seed)
    values: dict = {}
    for _ in range(2):  # a second pass answers questions shown only after an earlier answer
        for question in visible_questions(questionnaire, modalities, values):
            if question.type != "file" and question.id not in values:
                parsed = parse_answer(question, demo_answer(question, profile, requirements, rng))
                assert parsed.ok, parsed.errors
                if parsed.value is not None:
                    values[question.id] = parsed.value
    keep = max(1, round(len(values) * share))
    return dict(list(values.items())[:keep])


@pytest.fixture
def build_evaluation(app_ctx):
    """``build_evaluation(vendors, evaluators, closed=True, share=1.0)``: a scored (or open) evaluation."""
    buyer_org = OrganisationFactory(name="Perf buyer")
    buyer = UserFactory(role=Role.BUYER, organisation=buyer_org, email="buyer@perf.example")
    panel = [UserFactory(role=Role.EVALUATOR, organisation=buyer_org, email=f"eval{n}@perf.example") for n in range(8)]
    counter = iter(range(10_000))

    def build(vendors: int, evaluators: int, *, closed: bool = True, share: float = 1.0) -> Built:
        now = utcnow()
        evaluation = EvaluationFactory(
            organisation=buyer_org, deadline=now + (-timedelta(days=1) if closed else timedelta(days=20))
        )
        requirements = demo_requirements((now + timedelta(days=30)).date())
        evaluation.requirements = requirements.to_dict()
        team = panel[:evaluators]
        evaluation.assignments = [EvaluatorAssignment(user=u, section_id="", is_lead=u is team[0]) for u in team]
        questionnaire = store.parsed(evaluation.questionnaire)
        built = Built(evaluation, buyer=buyer, evaluator=team[1], lead=team[0])
        for k in range(vendors):
            n = next(counter)
            organisation = VendorOrganisationFactory(name=f"Perf vendor {n}")
            contact = UserFactory(role=Role.VENDOR, organisation=organisation, email=f"v{n}@perf-vendor.example")
            response = ResponseFactory(evaluation=evaluation, vendor_organisation=organisation)
            db.session.add(
                Invitation(
                    evaluation=evaluation,
                    vendor_organisation=organisation,
                    email=contact.email,
                    token_hash=f"{n:064d}",
                    expires_at=now + timedelta(days=14),
                    accepted_at=now,
                )
            )
            values = answers_for(
                questionnaire, evaluation.modalities, requirements, 0.4 + 0.5 * (k % 3) / 2, n, share=share
            )
            db.session.add_all(
                Answer(response_id=response.id, question_id=qid, value=value, updated_by_id=contact.id)
                for qid, value in values.items()
            )
            for question in visible_questions(questionnaire, evaluation.modalities, values):
                if question.type == "file":
                    _evidence(response, question.id, contact)
            built.responses.append(response)
            built.vendors.append(contact)
            if closed:
                response.status, response.submitted_at = ResponseStatus.SUBMITTED, now - timedelta(days=2)
                db.session.flush()
                _score(response, team, seed=n)
        db.session.commit()
        return built

    return build


def _evidence(response, question_id: str, contact) -> None:
    stored = f"perf-{response.id}-{question_id}"
    data = b"Consent text, English version.\n"
    (Path(current_app.config["UPLOAD_FOLDER"]) / stored).write_bytes(data)
    attachment = Attachment(
        response_id=response.id,
        question_id=question_id,
        filename="consent.txt",
        stored_name=stored,
        content_type="text/plain",
        size=len(data),
        sha256="0" * 64,
        uploaded_by_id=contact.id,
    )
    db.session.add(attachment)
    db.session.flush()
    db.session.add(
        Answer(
            response_id=response.id,
            question_id=question_id,
            updated_by_id=contact.id,
            value=[{"id": attachment.id, "name": "consent.txt", "sha256": "0" * 64, "size": len(data)}],
        )
    )


def _score(response, team, *, seed: int) -> None:
    rng = random.Random(seed)
    for person in team:
        reviews.declare_no_conflict(response, person)
        inputs = {
            q.id: reviews.ScoreInput(rng.randint(0, 4), "Checked against the evidence.")
            for q in reviews.questions_to_score(response, person)
        }
        assert reviews.save_scores(response, person, inputs, submit=True) == []
    first = reviews.questions_to_score(response, team[0])[0]
    reviews.set_consensus(response, team[0], first.id, 2, "Agreed after discussion.")


@pytest.fixture
def signed_in(app_ctx):
    """``signed_in(user)``: a test client of its own, signed in through the login form."""
    clients: dict[int, object] = {}

    def client_for(user):
        if user.id not in clients:
            client = app_ctx.test_client()
            with app_ctx.app_context():  # its own g: the signed-in user must not leak between clients
                answer = client.post("/login", data={"email": user.email, "password": PASSWORD})
            assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
            clients[user.id] = client
        return clients[user.id]

    return client_for
