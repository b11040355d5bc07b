"""The web's permission rules, errors in one shape, conflicts with both values, pages."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Answer, Attachment, Evaluation, Invitation, ResponseStatus
from app.models.base import utcnow
from tests.factories import UserFactory


def _submit(response, answers: dict[str, object] | None = None):
    for question_id, value in (answers or {}).items():
        db.session.add(Answer(response_id=response.id, question_id=question_id, value=value))
    response.status, response.submitted_at = ResponseStatus.SUBMITTED, utcnow()
    db.session.commit()


def test_a_vendor_cannot_read_another_vendors_response_answers_or_evidence(api_as, world):
    vendor_b = api_as(world.vendor_b)
    own = api_as(world.vendor_a).post(
        f"/responses/{world.response_a.id}/questions/PRV-05/evidence",
        data={"file": (io.BytesIO(b"Our consent text.\n"), "consent.txt")},
        content_type="multipart/form-data",
    )
    assert own.status_code == 201, own.get_json()
    _submit(world.response_a, {"PRV-01": "Consent"})
    world.evaluation.sealed = False
    db.session.commit()
    rid = world.response_a.id
    for path in (
        f"/responses/{rid}",
        f"/responses/{rid}/answers",
        f"/responses/{rid}/questions",
        f"/responses/{rid}/evidence",
        f"/evidence/{own.get_json()['id']}",
    ):
        answer = vendor_b.get(path)
        assert answer.status_code == 404, path
        assert answer.get_json()["code"] == "not_found"
    assert vendor_b.put(f"/responses/{rid}/answers/PRV-01", json={"value": "x", "revision": 1}).status_code == 404
    assert vendor_b.post(f"/responses/{rid}/withdraw").status_code == 404
    listed = vendor_b.get("/responses").get_json()["items"]
    assert [r["id"] for r in listed] == [world.response_b.id]


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("post", "/evaluations", {}),
        ("patch", "/evaluations/{eid}", {"weights": {"coverage": 1}}),
        ("put", "/evaluations/{eid}/requirements", {}),
        ("post", "/evaluations/{eid}/invitations", {"vendor_name": "X", "email": "x@x.example"}),
        ("post", "/evaluations/{eid}/invitations/{iid}/revoke", None),
        ("post", "/evaluations/{eid}/evaluators", {"user_id": 1}),
        ("put", "/responses/{rid}/answers", {"answers": [{"question_id": "PRV-01", "value": "x", "revision": 0}]}),
        ("post", "/responses/{rid}/declaration", {"no_conflict": True}),
    ],
)
def test_a_viewer_token_cannot_write(api_as, world, method, path, body):
    invitation = Invitation(
        evaluation=world.evaluation,
        vendor_organisation=world.response_a.vendor_organisation,
        email="x@vendor-a.example",
        token_hash="0" * 64,
        expires_at=utcnow() + timedelta(days=1),
    )
    db.session.add(invitation)
    _submit(world.response_b)
    world.evaluation.sealed = False
    db.session.commit()
    url = path.format(eid=world.evaluation.id, iid=invitation.id, rid=world.response_b.id)
    viewer = api_as(world.viewer)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Evaluation))
    answer = viewer.call(method, url, json=body)
    assert answer.status_code in (403, 404), "refused before the body is even read"
    assert set(answer.get_json()) == {"code", "message", "errors"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evaluation)) == before
    assert viewer.get(f"/evaluations/{world.evaluation.id}").status_code == 200, "but may read"


def test_sealed_answers_stay_hidden_from_the_buyer_until_the_deadline(api_as, world):
    _submit(world.response_b, {"PRV-01": "Consent"})
    buyer = api_as(world.buyer)
    assert buyer.get(f"/evaluations/{world.evaluation.id}/responses").get_json()["items"][1]["status"] == "submitted"
    assert buyer.get(f"/responses/{world.response_b.id}/answers").status_code == 403
    ranking = buyer.get(f"/evaluations/{world.evaluation.id}/ranking")
    assert ranking.status_code == 403 and "sealed" in ranking.get_json()["message"]
    world.evaluation.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    answers = buyer.get(f"/responses/{world.response_b.id}/answers").get_json()["items"]
    assert [(a["question_id"], a["value"]) for a in answers] == [("PRV-01", "Consent")]


def test_invalid_fields_are_named_with_their_messages(api_as, world):
    buyer = api_as(world.buyer)
    answer = buyer.post(
        "/evaluations",
        json={"title": "New", "questionnaire_id": 1, "modalities": ["smell"], "deadline": "2001-01-01T00:00:00Z"},
    )
    body = answer.get_json()
    assert answer.status_code == 422 and body["code"] == "unprocessable_entity"
    assert body["errors"]["deadline"] == ["The deadline must be in the future."]
    assert "modalities.0" in body["errors"]
    bad_profile = buyer.put(
        f"/evaluations/{world.evaluation.id}/requirements",
        json={
            "locales": [{"locale": "not a locale"}],
            "demographics": {"gender": {"female": 30, "male": 30}},
            "devices": ["smartphone", "telepathy"],
        },
    )
    assert bad_profile.status_code == 422
    assert set(bad_profile.get_json()["errors"]) == {"locales.0.locale", "demographics.gender", "devices.1"}
    assert world.evaluation.requirements == {}, "nothing was changed"


def test_unknown_paths_methods_and_broken_json_answer_in_the_same_shape(api_as, world):
    buyer = api_as(world.buyer)
    broken = buyer.call("post", "/evaluations", data="{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.get_json()["code"] == "bad_request"
    for answer, code in (
        (buyer.get("/nothing-here"), "not_found"),
        (buyer.delete("/evaluations"), "method_not_allowed"),
        (buyer.get("/evaluations/999999"), "not_found"),
    ):
        assert answer.get_json() == {"code": code, "message": answer.get_json()["message"], "errors": {}}


def test_a_concurrent_change_is_refused_with_both_values(api_as, world):
    colleague = UserFactory(role="vendor", organisation=world.vendor_a.organisation, name="Colleague")
    db.session.commit()
    mine, theirs = api_as(world.vendor_a), api_as(colleague)
    rid = world.response_a.id
    first = theirs.put(f"/responses/{rid}/answers/PRO-01", json={"value": "Colleague's text", "revision": 0})
    assert first.status_code == 200 and first.get_json()["answers"][0]["revision"] == 1
    late = mine.put(
        f"/responses/{rid}/answers",
        json={
            "answers": [
                {"question_id": "PRO-01", "value": "My text", "revision": 0},
                {"question_id": "COV-12", "value": "Saved with it, or not at all", "revision": 0},
            ]
        },
    )
    body = late.get_json()
    assert late.status_code == 409 and body["code"] == "conflict"
    [conflict] = body["conflicts"]
    assert (conflict["yours"], conflict["theirs"], conflict["revision"], conflict["changed_by"]) == (
        "My text",
        "Colleague's text",
        1,
        "Colleague",
    )
    stored = dict(db.session.execute(sa.select(Answer.question_id, Answer.value)).all())
    assert stored == {"PRO-01": "Colleague's text"}, "nothing of the refused request was saved"
    again = mine.put(f"/responses/{rid}/answers/PRO-01", json={"value": "My text", "revision": 1})
    assert again.status_code == 200 and again.get_json()["answers"][0]["value"] == "My text"


def test_answers_that_reveal_follow_ups_are_saved_in_one_request(api_as, world):
    vendor = api_as(world.vendor_a)
    rid = world.response_a.id
    shown = {q["id"] for q in vendor.get(f"/responses/{rid}/questions").get_json()["items"]}
    assert "PRO-04" not in shown, "pilot turnaround is asked only when a pilot is offered"
    saved = vendor.put(
        f"/responses/{rid}/answers",
        json={
            "answers": [
                {"question_id": "PRO-04", "value": 12, "revision": 0},
                {"question_id": "PRO-03", "value": "paid_pilot", "revision": 0},
            ]
        },
    )
    assert saved.status_code == 200, saved.get_json()
    assert set(saved.get_json()["saved"]) == {"PRO-03", "PRO-04"}


def test_an_answer_to_a_hidden_question_is_refused(api_as, world):
    hidden = api_as(world.vendor_a).put(
        f"/responses/{world.response_a.id}/answers/PRO-04", json={"value": 14, "revision": 0}
    )
    assert hidden.status_code == 422 and "hidden" in hidden.get_json()["errors"]["PRO-04"][0]


def test_submitted_and_late_responses_cannot_change(api_as, world):
    vendor = api_as(world.vendor_a)
    _submit(world.response_a)
    rid = world.response_a.id
    refused = vendor.put(f"/responses/{rid}/answers/PRO-01", json={"value": "x", "revision": 0})
    assert refused.status_code == 409 and "Withdraw it first" in refused.get_json()["message"]
    assert vendor.post(f"/responses/{rid}/withdraw").get_json()["status"] == "draft"
    world.evaluation.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    late = vendor.put(f"/responses/{rid}/answers/PRO-01", json={"value": "x", "revision": 0})
    assert late.status_code == 409 and "deadline passed" in late.get_json()["message"]


def test_evidence_is_checked_by_content_and_downloaded_as_uploaded(api_as, world):
    vendor = api_as(world.vendor_a)
    url = f"/responses/{world.response_a.id}/questions/PRV-05/evidence"
    refused = vendor.post(
        url, data={"file": (io.BytesIO(b"\x00\x01binary"), "consent.pdf")}, content_type="multipart/form-data"
    )
    assert refused.status_code == 422 and "file" in refused.get_json()["errors"]
    stored = vendor.post(
        url, data={"file": (io.BytesIO(b"Consent v3.\n"), "consent.txt")}, content_type="multipart/form-data"
    ).get_json()
    download = vendor.get(f"/evidence/{stored['id']}")
    assert download.status_code == 200 and download.data == b"Consent v3.\n"
    assert vendor.delete(f"/evidence/{stored['id']}").status_code == 204
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0


def test_lists_are_paginated(api_as, world):
    buyer = api_as(world.buyer)
    for n in range(3):
        buyer.post(
            f"/evaluations/{world.evaluation.id}/invitations",
            json={"vendor_name": f"Vendor {n}", "email": f"v{n}@example.com"},
        )
    page = buyer.get(f"/evaluations/{world.evaluation.id}/invitations?page=2&per_page=2").get_json()
    assert (page["page"], page["per_page"], page["total"], page["pages"], len(page["items"])) == (2, 2, 3, 2, 1)
    beyond = buyer.get(f"/evaluations/{world.evaluation.id}/invitations?page=9&per_page=2").get_json()
    assert beyond["items"] == [] and beyond["total"] == 3
    assert buyer.get("/questionnaires?per_page=0").status_code == 422


def test_weights_follow_the_web_rule(api_as, world):
    """One rule for new weights on the web and the API: known criteria, one scored criterion above zero."""
    from app.evaluations.services import active_sections

    buyer = api_as(world.buyer)
    sections = [section.id for section in active_sections(world.evaluation)]
    unknown = buyer.patch(f"/evaluations/{world.evaluation.id}", json={"weights": {"astrology": 3}})
    assert unknown.status_code == 422 and "weights.astrology" in unknown.get_json()["errors"]
    zero = buyer.patch(f"/evaluations/{world.evaluation.id}", json={"weights": dict.fromkeys(sections, 0)})
    assert zero.status_code == 422
    assert zero.get_json()["errors"]["weights"] == ["At least one criterion that is scored needs a weight above zero."]
