"""A vendor answering a whole questionnaire through the API, as a script would."""

from __future__ import annotations

import io
import random

from app.demo import VENDOR_PROFILES, demo_answer
from app.extensions import db
from app.models import Response
from app.questionnaires import store
from app.scoring.model import Requirements


def all_items(api, path: str) -> list[dict]:
    """Every item of a paginated list, page by page."""
    items, page = [], 1
    while True:
        answer = api.get(f"{path}?page={page}&per_page=20")
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
        items += body["items"]
        if page >= body["pages"]:
            return items
        page += 1


def answer_everything(api, response_id: int, *, seed: int = 1, profile=VENDOR_PROFILES[0]) -> None:
    """Answer every question that applies (follow-ups included) and attach a file to file questions.

    The values come from the demo's answer generator; everything is sent through the API.
    """
    response = db.session.get(Response, response_id)
    questionnaire = store.parsed(response.questionnaire)
    requirements = Requirements.from_dict(response.evaluation.requirements or {})
    rng = random.Random(seed)
    for _ in range(3):  # answers can reveal follow-up questions
        answered = {a["question_id"] for a in all_items(api, f"/responses/{response_id}/answers")}
        todo = [
            q
            for q in all_items(api, f"/responses/{response_id}/questions")
            if q["id"] not in answered and q["type"] != "file"
        ]
        if not todo:
            break
        items = [
            {
                "question_id": q["id"],
                "revision": 0,
                "value": demo_answer(questionnaire.question(q["id"]), profile, requirements, rng),
            }
            for q in todo
        ]
        saved = api.put(f"/responses/{response_id}/answers", json={"answers": items})
        assert saved.status_code == 200, saved.get_json()
    for question in all_items(api, f"/responses/{response_id}/questions"):
        if question["type"] == "file":
            upload = api.post(
                f"/responses/{response_id}/questions/{question['id']}/evidence",
                data={"file": (io.BytesIO(b"Consent text, English version.\n"), "consent.txt")},
                content_type="multipart/form-data",
            )
            assert upload.status_code == 201, upload.get_json()
