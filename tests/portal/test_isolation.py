"""A vendor trying every URL of another vendor's response, evidence files and clarifications.

The URLs come from the app's URL map, so a route added later to these blueprints is
tried too.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Answer, Attachment, Clarification, ResponseStatus
from app.models.base import utcnow
from tests.app.helpers import first_question
from tests.factories import EvaluationFactory, ResponseFactory
from tests.portal.helpers import autosave

BLUEPRINTS = ("responses", "clarifications")
SECRET = "Vendor B private question about pricing zebra"


def _prepare_vendor_b(client, login, world, app):
    """Vendor B's draft with an answer, an evidence file and a private clarification,
    plus an evaluation vendor A was never invited to."""
    login(world.vendor_b)
    text = first_question(world.response_b, "text")
    assert autosave(client, world.response_b, {text.id: "B's own answer"}).status_code == 200
    question = first_question(world.response_b, "file")
    client.post(
        f"/responses/{world.response_b.id}/evidence",
        content_type="multipart/form-data",
        data={"question_id": question.id, "file": (io.BytesIO(b"B consent text\n"), "consent.txt")},
    )
    client.post(f"/evaluations/{world.evaluation.id}/clarifications", data={"question": SECRET, "question_id": ""})
    client.post("/logout")
    elsewhere = EvaluationFactory(organisation=world.buyer_org, title="B only")
    ResponseFactory(evaluation=elsewhere, vendor_organisation=world.response_b.vendor_organisation)
    db.session.commit()
    attachment = db.session.scalar(sa.select(Attachment).where(Attachment.response_id == world.response_b.id))
    clarification = db.session.scalar(sa.select(Clarification))
    assert attachment is not None and clarification is not None
    return {
        "response_id": world.response_b.id,
        "attachment_id": attachment.id,
        "clarification_id": clarification.id,
        "evaluation_id": elsewhere.id,
    }


def _urls(app, ids):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in BLUEPRINTS:
            continue
        values = {name: ids[name] for name in rule.arguments}
        with app.test_request_context():
            path = app.url_for(rule.endpoint, **values, _external=False)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, path


@pytest.mark.parametrize("submitted", [False, True], ids=["draft", "submitted"])
def test_vendor_reaches_nothing_of_another_vendor(client, login, world, app, submitted):
    ids = _prepare_vendor_b(client, login, world, app)
    if submitted:
        world.response_b.status, world.response_b.submitted_at = ResponseStatus.SUBMITTED, utcnow()
        world.evaluation.deadline = utcnow() - timedelta(minutes=1)  # and the seal is off
        db.session.commit()
    stored_file = Path(app.config["UPLOAD_FOLDER"]) / db.session.get(Attachment, ids["attachment_id"]).stored_name
    login(world.vendor_a)
    tried = set()
    for endpoint, method, path in _urls(app, ids):
        answer = client.open(path, method=method, data={"question": "x", "answer": "x", "c1-answer": "x"})
        answer.close()
        assert answer.status_code in (403, 404), f"{method} {path} ({endpoint}) gave {answer.status_code}"
        tried.add(endpoint)
    assert {
        "responses.edit",
        "responses.autosave",
        "responses.download_evidence",
        "responses.delete_evidence",
        "clarifications.index",
        "clarifications.answer",
    } <= tried

    db.session.expire_all()
    assert (
        db.session.scalar(
            sa.select(Answer.value).where(
                Answer.response_id == world.response_b.id,
                Answer.question_id == first_question(world.response_b, "text").id,
            )
        )
        == "B's own answer"
    )
    assert db.session.get(Attachment, ids["attachment_id"]) is not None and stored_file.exists()
    assert db.session.get(Clarification, ids["clarification_id"]).answer is None
    # On the evaluation both were invited to, B's private question stays out of A's sight.
    page = client.get(f"/evaluations/{world.evaluation.id}/clarifications").get_data(as_text=True)
    assert SECRET not in page and not re.search(r"Vendor B\b", page)
