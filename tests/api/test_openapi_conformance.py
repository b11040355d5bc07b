"""schemathesis against the served OpenAPI document, through the WSGI app.

Every operation gets a bounded, derandomized number of generated requests, valid and invalid, sent as a
buyer, as a vendor and as the lead evaluator. Half of the cases take their path ids from the test's
world, so requests reach real objects and not only 404s. No answer may be a server error, and every
answer must match the document: status code, content type and body schema.

(schemathesis's own pytest fixture loader does not run under this project's pytest 9, so the cases come
from its documented ``APIOperation.as_strategy`` with Hypothesis' ``@given``.)
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings, strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.extensions import db
from app.models import Answer, Attachment, Invitation, ResponseStatus
from app.models.base import utcnow
from tests.api.helpers import bearer

MAX_EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
RESPONSE_PATHS = ("/api/v1/responses", "/api/v1/evidence")


@pytest.fixture
def scored_world(world, app):
    """Vendor B's response submitted and unsealed with an answer; a file on vendor A's draft."""
    world.evaluation.sealed = False
    world.response_b.status = ResponseStatus.SUBMITTED
    world.response_b.submitted_at = utcnow()
    db.session.add(Answer(response_id=world.response_b.id, question_id="PRV-01", value="Consent, art. 6(1)(a)"))
    attachment = Attachment(
        response_id=world.response_a.id,
        question_id="PRV-05",
        filename="consent.txt",
        stored_name="conformance-file",
        content_type="text/plain",
        size=5,
        sha256="0" * 64,
    )
    db.session.add(attachment)
    invitation = Invitation(
        evaluation=world.evaluation,
        vendor_organisation=world.response_a.vendor_organisation,
        email="new@vendor-a.example",
        token_hash="1" * 64,
        expires_at=utcnow() + timedelta(days=1),
    )
    db.session.add(invitation)
    db.session.commit()
    (Path(app.config["UPLOAD_FOLDER"]) / "conformance-file").write_bytes(b"hello")
    world.attachment_id, world.invitation_id = attachment.id, invitation.id
    return world


@pytest.fixture
def api_schema(app, scored_world):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def _strategy(operation, headers: dict, known_ids: dict):
    # The token is fixed, or most cases would only exercise the 401 answer.
    fixed = {p.name: known_ids[p.name] for p in operation.path_parameters if p.name in known_ids}
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    strategies = [operation.as_strategy(generation_mode=mode, headers=headers) for mode in modes]
    if fixed:
        strategies += [
            operation.as_strategy(generation_mode=mode, headers=headers, path_parameters=fixed) for mode in modes
        ]
    return st.one_of(strategies)


def _conformance_failures(schema, headers: dict, known_ids: dict, wanted=lambda operation: True) -> list[str]:
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if not wanted(operation):
            continue

        @settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=(Phase.explicit, Phase.generate),
            suppress_health_check=list(HealthCheck),
        )
        @given(case=_strategy(operation, headers, known_ids))
        def conforms(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            conforms()
        except (Exception, FailureGroup) as error:  # collect every operation's failures, then fail once
            failures.append(f"{operation.label}: {error}")
    return failures


@pytest.mark.slow
def test_buyer_requests_get_no_server_error_and_match_the_document(api_schema, scored_world):
    world = scored_world
    known = {
        "evaluation_id": world.evaluation.id,
        "response_id": world.response_b.id,
        "questionnaire_id": world.evaluation.questionnaire_id,
        "attachment_id": world.attachment_id,
        "invitation_id": world.invitation_id,
        "question_id": "PRV-01",
    }
    failures = _conformance_failures(api_schema, bearer(world.buyer), known)
    assert not failures, "\n\n".join(failures)


@pytest.mark.slow
def test_vendor_requests_get_no_server_error_and_match_the_document(api_schema, scored_world):
    world = scored_world
    known = {"response_id": world.response_a.id, "attachment_id": world.attachment_id, "question_id": "PRV-05"}
    failures = _conformance_failures(
        api_schema, bearer(world.vendor_a), known, lambda operation: operation.path.startswith(RESPONSE_PATHS)
    )
    assert not failures, "\n\n".join(failures)


def test_lead_evaluator_requests_get_no_server_error_and_match_the_document(api_schema, scored_world):
    world = scored_world
    known = {"response_id": world.response_b.id, "question_id": "PRV-01", "evaluation_id": world.evaluation.id}
    failures = _conformance_failures(
        api_schema,
        bearer(world.lead),
        known,
        lambda operation: (
            "/scores" in operation.path or "consensus" in operation.path or "declaration" in operation.path
        ),
    )
    assert not failures, "\n\n".join(failures)
