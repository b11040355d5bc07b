"""Building form posts for the response editor from the questionnaire itself."""

from __future__ import annotations

import random

from app.demo import VENDOR_PROFILES, demo_answer
from app.questionnaires import store
from app.questionnaires.answers import visible_questions
from app.scoring.model import Requirements


def questions_of(response, answers=None):
    questionnaire = store.parsed(response.questionnaire)
    return visible_questions(questionnaire, response.evaluation.modalities, answers or {})


def raw_answers(response, profile=VENDOR_PROFILES[0], seed: int = 1) -> dict:
    rng = random.Random(seed)
    requirements = Requirements.from_dict(response.evaluation.requirements or {})
    return {q.id: demo_answer(q, profile, requirements, rng) for q in questions_of(response) if q.type != "file"}


def form_post(raw: dict, revisions: dict | None = None, action: str = "save") -> dict:
    """Flatten raw answers into the editor's field names (see app/responses/formdata.py)."""
    data: dict[str, object] = {"action": action}
    for qid, value in raw.items():
        data[f"rev.{qid}"] = str((revisions or {}).get(qid, 0))
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for index, row in enumerate(value):
                for column, cell in row.items():
                    data[f"q.{qid}.{index}.{column}"] = cell
        else:
            data[f"q.{qid}"] = value
    return data


def first_question(response, qtype: str):
    return next(q for q in questions_of(response) if q.type == qtype)


def complete_response(client, response, seed: int = 1) -> dict:
    """Answer every question a vendor sees, upload a file for file questions, as a vendor would."""
    import io

    import sqlalchemy as sa

    from app.extensions import db
    from app.models import Answer

    raw = raw_answers(response, seed=seed)
    revisions = dict(
        db.session.execute(
            sa.select(Answer.question_id, Answer.revision).where(Answer.response_id == response.id)
        ).all()
    )
    assert client.post(f"/responses/{response.id}", data=form_post(raw, revisions)).status_code == 302
    stored = dict(
        db.session.execute(sa.select(Answer.question_id, Answer.value).where(Answer.response_id == response.id)).all()
    )
    rng = random.Random(seed)
    requirements = Requirements.from_dict(response.evaluation.requirements or {})
    later = {
        q.id: demo_answer(q, VENDOR_PROFILES[0], requirements, rng)
        for q in questions_of(response, stored)
        if q.id not in raw and q.type != "file"
    }
    if later:
        assert client.post(f"/responses/{response.id}", data=form_post(later)).status_code == 302
    for question in questions_of(response, stored):
        if question.type == "file":
            upload = {
                "question_id": question.id,
                "file": (io.BytesIO(b"Consent text, English version.\n"), "consent.txt"),
            }
            client.post(f"/responses/{response.id}/evidence", data=upload, content_type="multipart/form-data")
    return raw | later
