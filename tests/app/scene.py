"""The permission matrices' scene, a plugin of the root conftest so other suites (CSP, accessibility) use it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from app.api import tokens
from app.extensions import db
from app.jobs.registry import JOB_KINDS, JobOutput
from app.models import (
    Attachment,
    Clarification,
    ConflictDeclaration,
    Invitation,
    Job,
    ResponseStatus,
)
from app.models.base import utcnow
from app.reports.pack import PACK_JOB
from tests.app.matrix import Scene


@pytest.fixture
def matrix_scene(app_ctx, world, monkeypatch) -> Scene:
    """The world with one of every object the permission matrices' URLs name (see tests/app/matrix.py).

    The comparison pack a matrix row starts is a stand-in: the rows check who may start it, and
    tests/reports render the real one.
    """
    monkeypatch.setitem(
        JOB_KINDS, PACK_JOB, lambda progress, **params: JobOutput(b"pack", "pack.pdf", "application/pdf")
    )
    world.response_b.status = ResponseStatus.SUBMITTED
    world.response_b.submitted_at = utcnow() - timedelta(days=1)
    world.evaluation.sealed = False
    invitation = Invitation(
        evaluation=world.evaluation,
        vendor_organisation=world.response_a.vendor_organisation,
        email="x@vendor-a.example",
        token_hash="0" * 64,
        expires_at=utcnow() + timedelta(days=1),
    )
    db.session.add(invitation)  # before anything else loads: an unsaved invitation would stop the autoflush
    attachment = Attachment(
        response_id=world.response_a.id,
        question_id="PRV-05",
        filename="consent.txt",
        stored_name="matrix-test-file",
        content_type="text/plain",
        size=5,
        sha256="0" * 64,
    )
    submitted_attachment = Attachment(
        response_id=world.response_b.id,
        question_id="PRV-05",
        filename="consent-b.txt",
        stored_name="matrix-test-file-b",
        content_type="text/plain",
        size=5,
        sha256="1" * 64,
    )
    job = Job(kind="report.test", owner_id=world.buyer.id, evaluation_id=world.evaluation.id)
    clarification = Clarification(
        evaluation_id=world.evaluation.id,
        question="Which locales?",
        vendor_organisation_id=world.response_a.vendor_organisation_id,
    )
    declarations = [
        ConflictDeclaration(response_id=world.response_b.id, user_id=user.id) for user in (world.evaluator, world.lead)
    ]
    db.session.add_all([attachment, submitted_attachment, job, clarification, *declarations])
    api_token, _ = tokens.create_token(world.buyer, "matrix")
    db.session.commit()
    uploads = Path(app_ctx.config["UPLOAD_FOLDER"])
    for stored in (attachment, submitted_attachment):
        (uploads / stored.stored_name).write_bytes(b"hello")
    return Scene(world, invitation, attachment, submitted_attachment, job, clarification, api_token)
