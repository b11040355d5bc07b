"""The whole journey through the API alone: evaluation, requirements, invitation, answers, submission,
two evaluators scoring blind, consensus, ranking and the PDF scorecard."""

from __future__ import annotations

import io
import logging
import re
from datetime import timedelta

from pypdf import PdfReader

from app.models.base import utcnow
from tests.api.answering import all_items, answer_everything
from tests.api.helpers import ApiClient, as_user

PASSWORD = "a long enough password for the vendor"


def _vendor_signs_up_and_creates_a_token(client, link_token: str) -> ApiClient:
    """The invited contact follows the e-mailed link, then makes a token on the API tokens page."""
    accepted = client.post(
        f"/invitations/{link_token}", data={"name": "Nia", "password": PASSWORD, "confirm": PASSWORD}
    )
    assert accepted.status_code == 302
    page = client.post("/account/tokens", data={"name": "Answering script"})
    assert page.status_code == 201
    secret = re.search(r'value="(dvt_[A-Za-z0-9_-]+)"', page.get_data(as_text=True)).group(1)
    client.post("/logout")
    return ApiClient(client, {"Authorization": f"Bearer {secret}"})


def test_buyer_vendor_and_evaluators_complete_an_evaluation_through_the_api(client, world, caplog):
    buyer = as_user(client, world.buyer)
    questionnaire = next(
        q for q in all_items(buyer, "/questionnaires") if q["key"] == "data-collection-vendor" and q["latest"]
    )
    created = buyer.post(
        "/evaluations",
        json={
            "title": "Speech data by API",
            "questionnaire_id": questionnaire["id"],
            "modalities": ["speech"],
            "deadline": (utcnow() + timedelta(days=10)).isoformat(),
            "sealed": False,
        },
    )
    assert created.status_code == 201, created.get_json()
    evaluation = created.get_json()
    eid = evaluation["id"]

    requirements = buyer.put(
        f"/evaluations/{eid}/requirements",
        json={
            "locales": [{"locale": "en-gb", "min_contributors": 100, "min_hours": 200}],
            "demographics": {"gender": {"female": 50, "male": 50}},
            "devices": ["smartphone"],
            "environments": ["home"],
            "award_date": "2027-03-01",
        },
    )
    assert requirements.status_code == 200, requirements.get_json()
    assert requirements.get_json()["locales"][0]["locale"] == "en-GB"
    assert requirements.get_json()["demographics"]["gender"] == {"female": 0.5, "male": 0.5}
    weights = buyer.patch(f"/evaluations/{eid}", json={"weights": {"coverage": 40}})
    assert {w["section_id"]: w["weight"] for w in weights.get_json()["weights"]}["coverage"] == 40
    for evaluator, lead in ((world.evaluator, False), (world.lead, True)):
        assigned = buyer.post(f"/evaluations/{eid}/evaluators", json={"user_id": evaluator.id, "is_lead": lead})
        assert assigned.status_code == 201, assigned.get_json()

    with caplog.at_level(logging.INFO):
        invited = buyer.post(
            f"/evaluations/{eid}/invitations", json={"vendor_name": "Newco Data", "email": "sales@newco.example"}
        )
    assert invited.status_code == 201 and invited.get_json()["state"] == "pending"
    link = re.search(r"https?://\S+/invitations/(\S+)", caplog.text)
    assert link, "the invitation link is e-mailed (logged when no mail server is configured)"

    vendor = _vendor_signs_up_and_creates_a_token(client, link.group(1))
    [own] = all_items(vendor, "/responses")
    assert own["evaluation_id"] == eid and own["status"] == "draft"
    rid = own["id"]
    early = vendor.post(f"/responses/{rid}/submit")
    assert early.status_code == 422 and early.get_json()["errors"], "missing required answers are listed"
    answer_everything(vendor, rid)
    submitted = vendor.post(f"/responses/{rid}/submit")
    assert submitted.status_code == 200, submitted.get_json()
    assert submitted.get_json()["status"] == "submitted"
    assert buyer.get(f"/evaluations/{eid}/responses").get_json()["items"][0]["status"] == "submitted"

    evaluator, lead = as_user(client, world.evaluator), as_user(client, world.lead)
    assert evaluator.put(f"/responses/{rid}/scores", json={"scores": []}).status_code == 409, "declare first"
    for person, value in ((evaluator, 3), (lead, 1)):
        assert person.post(f"/responses/{rid}/declaration", json={"no_conflict": True}).status_code == 200
        questions = [q["question_id"] for q in person.get(f"/responses/{rid}/scores").get_json()["questions"]]
        assert questions, "rubric questions are offered for scoring"
        scores = [{"question_id": qid, "value": value, "comment": f"note-{value}"} for qid in questions]
        assert person.put(f"/responses/{rid}/scores", json={"scores": scores}).status_code == 200
        if person is lead:
            assert lead.get(f"/responses/{rid}/scores").get_json()["others"] == [], (
                "others' scores stay hidden before one's own are submitted"
            )
        done = person.post(f"/responses/{rid}/scores/submit")
        assert done.status_code == 200 and done.get_json()["submitted"], done.get_json()
    others = lead.get(f"/responses/{rid}/scores").get_json()["others"]
    assert {o["comment"] for o in others} == {"note-3"}, "after submitting, the other evaluator's scores show"
    assert evaluator.get(f"/responses/{rid}/consensus").status_code == 403, "only the lead sets consensus"

    disputed = all_items(lead, f"/responses/{rid}/consensus")[0]
    assert sorted(s["value"] for s in disputed["scores"]) == [1, 3]
    agreed = lead.put(
        f"/responses/{rid}/consensus/{disputed['question_id']}",
        json={"value": 2, "rationale": "Documented process, no artefact."},
    )
    assert agreed.status_code == 200 and agreed.get_json()["consensus"]["value"] == 2

    ranking = buyer.get(f"/evaluations/{eid}/ranking")
    assert ranking.status_code == 200, ranking.get_json()
    result = ranking.get_json()
    newco = (result["ranked"] + result["disqualified"])[0]
    assert newco["vendor"] == "Newco Data" and newco["total"] > 0
    criterion = next(c for c in newco["criteria"] if c["question_id"] == disputed["question_id"])
    assert criterion["method"] == "consensus" and criterion["score"] == 2
    assert result["robustness"]["available"] is False, "one vendor: there is no winner to challenge"

    pdf = buyer.get(f"/evaluations/{eid}/responses/{rid}/scorecard")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Newco Data" in text
