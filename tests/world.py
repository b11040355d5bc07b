"""The `world` fixture: one buyer, its people, one evaluation, two vendors (available to every test)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.extensions import db
from app.models import EvaluatorAssignment, Role
from tests.factories import (
    EvaluationFactory,
    OrganisationFactory,
    ResponseFactory,
    UserFactory,
    VendorOrganisationFactory,
)


@dataclass
class World:
    buyer_org: object
    admin: object
    buyer: object
    evaluator: object
    lead: object
    viewer: object
    evaluation: object
    vendor_a: object
    vendor_b: object
    response_a: object
    response_b: object
    other_buyer: object


@pytest.fixture
def world(app_ctx) -> World:
    org = OrganisationFactory(name="Acme")
    people = {
        role: UserFactory(role=role, organisation=org, email=f"{role}@acme.example")
        for role in (Role.ADMIN, Role.BUYER, Role.EVALUATOR, Role.VIEWER)
    }
    lead = UserFactory(role=Role.EVALUATOR, organisation=org, email="lead@acme.example")
    evaluation = EvaluationFactory(organisation=org, title="Speech data 2027")
    evaluation.assignments = [
        EvaluatorAssignment(user=people[Role.EVALUATOR], section_id=""),
        EvaluatorAssignment(user=lead, section_id="", is_lead=True),
    ]
    vendor_org_a, vendor_org_b = VendorOrganisationFactory(name="Vendor A"), VendorOrganisationFactory(name="Vendor B")
    vendor_a = UserFactory(role=Role.VENDOR, organisation=vendor_org_a, email="a@vendor-a.example")
    vendor_b = UserFactory(role=Role.VENDOR, organisation=vendor_org_b, email="b@vendor-b.example")
    response_a = ResponseFactory(evaluation=evaluation, vendor_organisation=vendor_org_a)
    response_b = ResponseFactory(evaluation=evaluation, vendor_organisation=vendor_org_b)
    other_org = OrganisationFactory(name="Other buyer")
    other_buyer = UserFactory(role=Role.BUYER, organisation=other_org, email="buyer@other.example")
    db.session.commit()
    return World(
        org,
        people[Role.ADMIN],
        people[Role.BUYER],
        people[Role.EVALUATOR],
        lead,
        people[Role.VIEWER],
        evaluation,
        vendor_a,
        vendor_b,
        response_a,
        response_b,
        other_buyer,
    )
