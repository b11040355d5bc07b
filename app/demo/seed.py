"""``flask seed-demo``: a ready-to-explore demo, created once (running it again changes nothing)."""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.demo import DEMO_PASSWORD, VENDOR_PROFILES, demo_answer, demo_requirements
from app.evaluations import services as evaluations, weights
from app.evaluations.invitations import ensure_response
from app.evaluations.weights import PRICE_CRITERION
from app.extensions import db
from app.models import Organisation, OrganisationKind, Role, User
from app.models.base import utcnow
from app.questionnaires import store
from app.questionnaires.answers import visible_questions
from app.responses import evidence, services as responses
from app.reviews import services as reviews

BUYER = "Acme Speech AI"
STAFF = (
    ("admin@acme.example", "Ada Admin", Role.ADMIN),
    ("buyer@acme.example", "Bea Buyer", Role.BUYER),
    ("eval1@acme.example", "Eli Evaluator", Role.EVALUATOR),
    ("eval2@acme.example", "Eva Evaluator", Role.EVALUATOR),
    ("viewer@acme.example", "Vic Viewer", Role.VIEWER),
)
QUESTIONNAIRE_KEY = "data-collection-vendor"
CONSENT_TEXT = (
    "{vendor} - contributor consent (English)\n\n"
    "I agree that recordings of my voice and the transcripts made from them are collected by {vendor} and "
    "passed to its client to train and test speech recognition models. My voice is biometric data; I give "
    "explicit consent to this use. I can withdraw consent at any time at privacy@vendor.example; my "
    "recordings are then deleted within 30 days, including copies held by the client.\n"
)


def demo_accounts() -> list[tuple[str, str, str]]:
    """(e-mail, role, organisation) of every demo account."""
    rows = [(email, role.value, BUYER) for email, _, role in STAFF]
    rows += [(_vendor_email(p.name), "vendor", p.name) for p in VENDOR_PROFILES]
    return rows


def _vendor_email(name: str) -> str:
    return "contact@" + "".join(ch for ch in name.lower() if ch.isalnum())[:20] + ".example"


def _user(email: str, name: str, role: Role, organisation: Organisation) -> User:
    user = User(email=email, name=name, role=role, organisation=organisation)
    user.set_password(DEMO_PASSWORD)
    db.session.add(user)
    return user


def seed_demo() -> bool:
    """Create the demo if it is not there yet; returns whether anything was created."""
    store.import_directory(current_app.config["QUESTIONNAIRE_DIR"])
    if db.session.scalar(sa.select(Organisation.id).where(Organisation.name == BUYER)):
        db.session.commit()
        return False
    buyer = Organisation(name=BUYER, kind=OrganisationKind.BUYER)
    db.session.add(buyer)
    staff = {role: _user(email, name, role, buyer) for email, name, role in STAFF[:3] + STAFF[4:]}
    lead = _user(*STAFF[3][:3], buyer)
    db.session.flush()
    version = next(v for v in store.latest_versions() if v.key == QUESTIONNAIRE_KEY)
    now = utcnow().replace(second=0, microsecond=0)

    closed = evaluations.create_evaluation(
        owner=staff[Role.BUYER],
        questionnaire=version,
        title="Multilingual speech collection 2027",
        description="Read and spontaneous speech in four locales for an in-car voice assistant, with transcripts.",
        deadline=now - timedelta(days=1),
        modalities=["speech", "text"],
    )
    closed.requirements = demo_requirements((now + timedelta(days=30)).date()).to_dict()
    # Price counts, as it does for a real buyer: a fifth of the total, against the budget.
    weights.set_weights(closed, actor=staff[Role.BUYER], weights={PRICE_CRITERION: 25.0}, method="direct")
    for evaluator, is_lead in ((staff[Role.EVALUATOR], False), (lead, True)):
        evaluations.assign_evaluator(
            closed, actor=staff[Role.BUYER], evaluator=evaluator, section_id="", is_lead=is_lead
        )
    open_evaluation = evaluations.create_evaluation(
        owner=staff[Role.BUYER],
        questionnaire=version,
        title="Street-scene image collection pilot",
        description="Images of street scenes across lighting and weather conditions in three countries.",
        deadline=now + timedelta(days=21),
        modalities=["vision"],
    )
    open_evaluation.requirements = demo_requirements(
        (now + timedelta(days=60)).date(), unit="image", budget_per_unit=0.4
    ).to_dict()
    db.session.flush()

    rng = random.Random(2026)
    questionnaire = store.parsed(version)
    for profile in VENDOR_PROFILES:
        vendor = Organisation(name=profile.name, kind=OrganisationKind.VENDOR)
        db.session.add(vendor)
        contact = _user(_vendor_email(profile.name), f"{profile.name} contact", Role.VENDOR, vendor)
        db.session.flush()
        response = ensure_response(closed, vendor)
        answered_at = closed.deadline - timedelta(days=3)
        requirements = demo_requirements(now.date())
        questions = visible_questions(questionnaire, closed.modalities, {})
        raw = {q.id: demo_answer(q, profile, requirements, rng) for q in questions if q.type != "file"}
        responses.save_answers(response, user=contact, raw=raw, revisions={}, now=answered_at)
        # Questions shown only after an earlier answer: answer them in a second pass.
        current = responses.answer_values(response)
        later = [
            q
            for q in visible_questions(questionnaire, closed.modalities, current)
            if q.id not in raw and q.type != "file"
        ]
        if later:
            revisions = {q.id: 0 for q in later}
            responses.save_answers(
                response,
                user=contact,
                revisions=revisions,
                now=answered_at,
                raw={q.id: demo_answer(q, profile, requirements, rng) for q in later},
            )
        for question in questions:
            if question.type == "file":
                evidence.add_evidence(
                    response,
                    question,
                    filename="consent-text-en.txt",
                    user=contact,
                    now=answered_at,
                    data=CONSENT_TEXT.format(vendor=profile.name).encode(),
                )
        missing = responses.submit(response, user=contact, now=answered_at)
        if missing:
            raise RuntimeError(f"demo response of {profile.name} misses {[q.id for q in missing]}")
        _score(response, profile, staff[Role.EVALUATOR], lead, rng)
        ensure_response(open_evaluation, vendor)
    db.session.commit()
    return True


def _score(response, profile, evaluator, lead, rng: random.Random) -> None:
    for person in (evaluator, lead):
        reviews.declare_no_conflict(response, person)
        inputs = {
            q.id: reviews.ScoreInput(
                max(0, min(4, round(profile.quality * 4 + rng.uniform(-1.2, 0.8)))),
                "Checked against the evidence provided.",
            )
            for q in reviews.questions_to_score(response, person)
        }
        reviews.save_scores(response, person, inputs, submit=True)
    for question_id, per_evaluator in reviews.submitted_scores(response).items():
        values = [s.value for s in per_evaluator.values()]
        if max(values) - min(values) >= 2:
            reviews.set_consensus(
                response,
                lead,
                question_id,
                round(sum(values) / len(values)),
                "Discussed: the documents support the middle view.",
            )
