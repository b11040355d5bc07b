"""Fixtures for the scoring workflow: vendors with submitted answers, and a SQL statement counter."""

from __future__ import annotations

import random
import re
from datetime import date

import pytest
from sqlalchemy import event

from app.demo import VENDOR_PROFILES, demo_answer, demo_requirements
from app.extensions import db
from app.models import ResponseStatus, Role
from app.models.base import utcnow
from app.responses.services import save_answers
from app.scoring.model import Requirements
from tests.app.helpers import questions_of, raw_answers
from tests.factories import ResponseFactory, UserFactory, VendorOrganisationFactory

PRICE = {"PRICE-01": "100", "PRICE-02": "hour", "QA-05": "4"}


@pytest.fixture
def count_queries(app_ctx):
    """The SQL statements sent to the database while the test runs (clear it before the part you count)."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield statements
    event.remove(db.engine, "before_cursor_execute", record)


def answer_and_submit(response, contact, *, profile=VENDOR_PROFILES[0], seed: int = 1, overrides=None):
    """Answer every question the vendor sees through the response service, then mark it submitted."""
    raw = raw_answers(response, profile, seed=seed) | dict(overrides or {})
    result = save_answers(response, user=contact, raw=raw, revisions={})
    assert not result.errors, result.errors
    # Questions shown only after an earlier answer appear once the first save is stored.
    rng = random.Random(seed)
    requirements = Requirements.from_dict(response.evaluation.requirements or {})
    stored = {a.question_id: a.value for a in response.answers}
    later = {
        q.id: demo_answer(q, profile, requirements, rng)
        for q in questions_of(response, stored)
        if q.id not in raw and q.type != "file"
    }
    if later:
        assert not save_answers(response, user=contact, raw=later, revisions={}).errors
    response.status = ResponseStatus.SUBMITTED
    response.submitted_at = utcnow()
    db.session.flush()
    return response


def add_vendor(evaluation, name: str, *, profile=VENDOR_PROFILES[1], seed: int = 7, overrides=None):
    """A new vendor organisation with a submitted response to ``evaluation``."""
    organisation = VendorOrganisationFactory(name=name)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    contact = UserFactory(role=Role.VENDOR, organisation=organisation, email=f"contact@{slug}.example")
    response = ResponseFactory(evaluation=evaluation, vendor_organisation=organisation)
    answer_and_submit(response, contact, profile=profile, seed=seed, overrides=overrides)
    db.session.commit()
    return response


@pytest.fixture
def scored_world(world):
    """The ``world`` with requirements (budget 90 per hour), opened, and both vendors' responses submitted."""
    world.evaluation.requirements = demo_requirements(date(2027, 3, 1)).to_dict()
    world.evaluation.sealed = False
    db.session.flush()
    answer_and_submit(world.response_a, world.vendor_a, profile=VENDOR_PROFILES[0], seed=1, overrides=PRICE)
    answer_and_submit(
        world.response_b,
        world.vendor_b,
        profile=VENDOR_PROFILES[1],
        seed=2,
        overrides={"PRICE-01": "80", "PRICE-02": "hour", "QA-05": "20"},
    )
    db.session.commit()
    return world
