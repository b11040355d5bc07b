"""The API refuses a price in another unit than the evaluation's, at save and at submission."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Answer

REFUSED = "This evaluation compares prices per hour of speech in EUR; a price per image cannot be compared."


def _stored(response, question_id):
    return db.session.scalar(
        sa.select(Answer.value).where(Answer.response_id == response.id, Answer.question_id == question_id)
    )


def test_the_api_refuses_a_price_in_another_unit_at_save_and_submission(api_as, world):
    api = api_as(world.vendor_a)
    rid = world.response_a.id
    one = api.put(f"/responses/{rid}/answers/PRICE-02", json={"value": "image", "revision": 0})
    assert one.status_code == 422
    assert one.get_json()["errors"]["PRICE-02"][0].startswith(REFUSED)
    several = api.put(
        f"/responses/{rid}/answers",
        json={
            "answers": [
                {"question_id": "PRICE-01", "value": 2.5, "revision": 0},
                {"question_id": "PRICE-02", "value": "text_item", "revision": 0},
            ]
        },
    )
    assert several.status_code == 422 and "a price per text item" in several.get_json()["errors"]["PRICE-02"][0]
    assert _stored(world.response_a, "PRICE-01") is None, "all or nothing"
    db.session.add(Answer(response_id=rid, question_id="PRICE-02", value="image"))
    db.session.commit()
    submitted = api.post(f"/responses/{rid}/submit")
    assert submitted.status_code == 422
    assert submitted.get_json()["errors"]["PRICE-02"][0].startswith(REFUSED)
    assert api.put(f"/responses/{rid}/answers/PRICE-02", json={"value": "hour", "revision": 1}).status_code == 200
