"""Many vendor users saving and submitting at once on PostgreSQL: nothing lost, nothing half-written.

Each thread works in its own app context (its own session and connection) against a
database created for this test, through the same services the editor uses.
"""

from __future__ import annotations

import os
import random
import threading
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL"),
        reason="needs a PostgreSQL server: set TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1/test)",
    ),
]

VENDORS = 6
EDITORS_PER_VENDOR = 4
ROUNDS = 12
# Free-text questions every editor writes to; two so that saves of one response also touch different rows.
CONTESTED = ("COV-12", "PRO-01")


@dataclass
class Outcomes:
    saved: list[tuple[int, str, str, int]] = field(default_factory=list)  # response, question, value, base revision
    submitted: list[int] = field(default_factory=list)
    closed: int = 0
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def pg_app(tmp_path):
    from tests.pg import created_database
    from tests.security.conftest import separate_app

    with (
        created_database(os.environ["TEST_DATABASE_URL"], f"datavet_conc_{uuid.uuid4().hex[:10]}") as url,
        separate_app(
            url,
            tmp_path / "uploads",
            questionnaires=True,
            SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 30, "max_overflow": 10, "pool_pre_ping": True},
        ) as app,
    ):
        yield app


def _setup(app) -> tuple[list[int], dict[int, list[int]]]:
    """One evaluation, several vendors each with a complete draft and several editors."""
    from app.demo import VENDOR_PROFILES, demo_answer
    from app.extensions import db
    from app.models import Role
    from app.responses import services
    from app.scoring.model import Requirements
    from tests.app.helpers import questions_of, raw_answers
    from tests.factories import (
        EvaluationFactory,
        OrganisationFactory,
        ResponseFactory,
        UserFactory,
        VendorOrganisationFactory,
    )

    with app.app_context():
        evaluation = EvaluationFactory(organisation=OrganisationFactory(), modalities=["speech", "text"])
        responses, editors = [], {}
        for n in range(VENDORS):
            vendor = VendorOrganisationFactory()
            response = ResponseFactory(evaluation=evaluation, vendor_organisation=vendor)
            people = [UserFactory(role=Role.VENDOR, organisation=vendor) for _ in range(EDITORS_PER_VENDOR)]
            db.session.flush()
            # Every required answer is there, so any editor may submit at any moment.
            first = raw_answers(response, seed=n)
            assert services.save_answers(response, user=people[0], raw=first, revisions={}).ok
            db.session.flush()
            later = {
                q.id: demo_answer(q, VENDOR_PROFILES[0], Requirements.from_dict({}), random.Random(n))
                for q in questions_of(response, services.answer_values(response))
                if q.id not in first and q.type != "file"
            }
            assert services.save_answers(response, user=people[0], raw=later, revisions={}).ok
            responses.append(response.id)
            editors[response.id] = [person.id for person in people]
        db.session.commit()
        _fill_files(response_ids=responses)
        return responses, editors


def _fill_files(response_ids) -> None:
    # File questions are answered by uploads; a stored description stands in for them here.
    from app.extensions import db
    from app.models import Answer, Response
    from app.questionnaires import store

    for response in db.session.scalars(sa.select(Response).where(Response.id.in_(response_ids))):
        for question in store.parsed(response.questionnaire).questions:
            if question.type == "file":
                db.session.add(
                    Answer(
                        response_id=response.id,
                        question_id=question.id,
                        value=[{"id": 0, "name": "consent.pdf", "sha256": "0" * 64, "size": 1}],
                    )
                )
    db.session.commit()


def _editor(app, response_id: int, user_id: int, seed: int, start: threading.Barrier, out: Outcomes) -> None:
    from app.extensions import db
    from app.models import Answer, Response, User
    from app.responses import services

    rng = random.Random(seed)
    start.wait()
    for round_number in range(ROUNDS):
        with app.app_context():
            try:
                response = db.session.get(Response, response_id)
                user = db.session.get(User, user_id)
                action = rng.random()
                if action < 0.15:
                    missing = services.submit(response, user=user)
                    assert not missing, [q.id for q in missing]
                    db.session.commit()
                    with out.lock:
                        out.submitted.append(response_id)
                    continue
                if action < 0.25 and response.is_submitted:
                    services.withdraw(response, user=user)
                    db.session.commit()
                    continue
                question = rng.choice(CONTESTED)
                base = (
                    db.session.scalar(
                        sa.select(Answer.revision).where(
                            Answer.response_id == response_id, Answer.question_id == question
                        )
                    )
                    or 0
                )
                value = f"user {user_id} round {round_number} seed {seed}"
                result = services.save_answers(response, user=user, raw={question: value}, revisions={question: base})
                db.session.commit()
                with out.lock:
                    if question in result.saved:
                        out.saved.append((response_id, question, value, base))
                    out.conflicts += len(result.conflicts)
            except services.ResponseClosed:
                db.session.rollback()
                with out.lock:
                    out.closed += 1
            except Exception as error:  # noqa: BLE001  (every failure is reported by the test)
                db.session.rollback()
                with out.lock:
                    out.errors.append(f"{type(error).__name__}: {error}")
            finally:
                db.session.remove()


def test_concurrent_saves_and_submissions_lose_nothing(pg_app):
    from app import audit
    from app.extensions import db
    from app.models import Answer, AuditEvent, Response, ResponseStatus
    from app.responses import services

    responses, editors = _setup(pg_app)
    with pg_app.app_context():
        first_event = db.session.scalar(sa.select(sa.func.max(AuditEvent.id)))
        initial = {
            (r, q): rev
            for r, q, rev in db.session.execute(sa.select(Answer.response_id, Answer.question_id, Answer.revision))
        }
        db.session.remove()
    out = Outcomes()
    threads = []
    start = threading.Barrier(VENDORS * EDITORS_PER_VENDOR)
    for response_id in responses:
        for user_id in editors[response_id]:
            threads.append(threading.Thread(target=_editor, args=(pg_app, response_id, user_id, user_id, start, out)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "an editor hung"
    assert out.errors == [], out.errors[:5]
    assert out.saved and out.submitted, "the run should have saved and submitted something"

    with pg_app.app_context():
        stored = {
            (r, q): (value, rev)
            for r, q, value, rev in db.session.execute(
                sa.select(Answer.response_id, Answer.question_id, Answer.value, Answer.revision)
            )
        }
        by_answer = defaultdict(list)
        for response_id, question, value, base in out.saved:
            by_answer[(response_id, question)].append((base, value))
        for key, saves in by_answer.items():
            bases = sorted(base for base, _ in saves)
            start_revision = initial.get(key, 0)
            # Each acknowledged save moved the answer one revision on from a distinct base: none overwrote another.
            assert bases == list(range(start_revision, start_revision + len(saves))), key
            value, revision = stored[key]
            assert revision == start_revision + len(saves), f"{key}: an acknowledged save is missing"
            assert value == max(saves)[1], f"{key}: the stored value is not the last acknowledged save"

        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.id > first_event, AuditEvent.action == "answer.saved")
        ).all()
        assert len(events) == len(out.saved), "every acknowledged save is in the audit trail, once"
        assert audit.verify_chain().ok, "concurrent writers kept the hash chain whole"
        # The chain's order is commit order (writers queue for its head), so it shows what happened when.
        state = {}
        for event in db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.id > first_event).order_by(AuditEvent.id)
        ):
            response_id = int(event.subject.split(":")[1])
            if event.action == "response.submitted":
                assert state.get(response_id) != "submitted", f"response {response_id} submitted twice over"
                state[response_id] = "submitted"
            elif event.action == "response.withdrawn":
                state[response_id] = "draft"
            elif event.action == "answer.saved":
                assert state.get(response_id) != "submitted", (
                    f"response {response_id}: a save was accepted after the response was submitted"
                )

        for response in db.session.scalars(sa.select(Response).where(Response.id.in_(responses))):
            if response.status != ResponseStatus.SUBMITTED:
                continue
            assert response.submitted_at is not None
            assert services.missing_for_submission(response) == []
            last_change = db.session.scalar(
                sa.select(sa.func.max(Answer.updated_at)).where(Answer.response_id == response.id)
            )
            assert last_change <= response.submitted_at, f"response {response.id} changed after it was submitted"
        db.session.remove()
