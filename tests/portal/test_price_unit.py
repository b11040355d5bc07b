"""A price is given in the evaluation's unit: another unit is refused at save and at submission, on the web
and through the API alike (both go through app/responses/services.py)."""

from __future__ import annotations

import html

import sqlalchemy as sa

from app.extensions import db
from app.models import Answer, ResponseStatus
from tests.app.helpers import form_post
from tests.portal.helpers import autosave

REFUSED = "This evaluation compares prices per hour of speech in EUR; a price per image cannot be compared."


def _stored(response, question_id):
    return db.session.scalar(
        sa.select(Answer.value).where(Answer.response_id == response.id, Answer.question_id == question_id)
    )


def test_autosave_refuses_a_price_in_another_unit_and_keeps_the_rest(client, login, world):
    login(world.vendor_a)
    answer = autosave(client, world.response_a, {"PRICE-01": "2.50", "PRICE-02": "image"}).get_json()
    assert answer["ok"] is False
    assert answer["errors"]["PRICE-02"][0].startswith(REFUSED)
    assert "Convert your price to EUR per hour of speech (PRICE-01)" in answer["errors"]["PRICE-02"][0]
    assert _stored(world.response_a, "PRICE-02") is None
    assert _stored(world.response_a, "PRICE-01") == 2.5, "the other answers of the save are kept"


def test_the_editor_shows_the_refusal_and_accepts_the_evaluations_unit(client, login, world):
    login(world.vendor_a)
    page = client.post(f"/responses/{world.response_a.id}", data=form_post({"PRICE-02": "image"}))
    assert page.status_code == 422
    assert REFUSED in html.unescape(page.get_data(as_text=True))
    assert _stored(world.response_a, "PRICE-02") is None
    saved = client.post(f"/responses/{world.response_a.id}", data=form_post({"PRICE-02": "hour"}))
    assert saved.status_code == 302 and _stored(world.response_a, "PRICE-02") == "hour"


def test_the_unit_follows_the_buyers_requirements(client, login, world):
    world.evaluation.requirements = {"unit": "image", "currency": "USD", "budget_per_unit": 0.5}
    db.session.commit()
    login(world.vendor_a)
    answer = autosave(client, world.response_a, {"PRICE-02": "hour"}).get_json()
    assert (
        "compares prices per image in USD; a price per hour of speech cannot be compared"
        in (answer["errors"]["PRICE-02"][0])
    )
    assert autosave(client, world.response_a, {"PRICE-02": "image"}).get_json()["ok"] is True


def test_submission_refuses_a_price_stored_in_another_unit(client, login, world):
    # Saved before the buyer changed the unit: the refusal comes at submission.
    db.session.add(Answer(response_id=world.response_a.id, question_id="PRICE-02", value="video_minute"))
    db.session.commit()
    login(world.vendor_a)
    page = client.post(f"/responses/{world.response_a.id}/submit", data={})
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 422
    assert "a price per minute of video cannot be compared" in text and "Nothing was submitted." in text
    db.session.refresh(world.response_a)
    assert world.response_a.status == ResponseStatus.DRAFT
