"""Vendors see what they are scored against: weights, required locales, price unit, targets, must-haves."""

from __future__ import annotations

import html
import io
import re

import openpyxl

from app.evaluations.brief import scoring_brief
from app.extensions import db
from app.questionnaires import store
from app.scoring.model import LocaleTarget, Requirements


def _set_requirements(evaluation) -> None:
    evaluation.requirements = Requirements(
        locales=(LocaleTarget("de-DE", 120, 300.0),),
        demographics={"gender": {"female": 0.5, "male": 0.5}},
        unit="hour",
    ).to_dict()
    db.session.commit()


def _text(page) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.get_data(as_text=True))).split())


def test_the_editor_shows_weights_locales_price_unit_targets_and_must_haves(client, login, world):
    _set_requirements(world.evaluation)
    brief = scoring_brief(world.evaluation)
    login(world.vendor_a)
    text = _text(client.get(f"/responses/{world.response_a.id}"))
    assert "What your response is scored against" in text
    assert "de-DE: at least 120 contributors and 300 hours" in text
    assert "per hour of speech" in text and "Female 50 %" in text
    for line in brief.weights:
        assert f"{line.title}: {line.share * 100:.0f} %" in text
    assert round(sum(line.share for line in brief.weights), 6) == 1
    questionnaire = store.parsed(world.evaluation.questionnaire)
    must = [q for q in questionnaire.questions if q.must_have and q.id in {m.question_id for m in brief.must_haves}]
    assert must, "the shipped questionnaire has must-haves"
    assert all(q.must_have.reason in text for q in must)


def test_the_budget_is_not_shown_to_vendors(client, login, world):
    world.evaluation.requirements = Requirements(budget_per_unit=987.65).to_dict()
    db.session.commit()
    login(world.vendor_a)
    assert "987.65" not in client.get(f"/responses/{world.response_a.id}").get_data(as_text=True)


def test_the_workbook_carries_the_same_and_still_imports(client, login, world):
    _set_requirements(world.evaluation)
    login(world.vendor_a)
    data = client.get(f"/responses/{world.response_a.id}/workbook.xlsx").data
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Scored against"]
    rows = [(sheet.cell(r, 1).value, sheet.cell(r, 2).value) for r in range(2, sheet.max_row + 1)]
    assert ("Required locale", "de-DE: at least 120 contributors and 300 hours") in rows
    assert any(topic == "Must-have" for topic, _ in rows) and any(topic == "Weights" for topic, _ in rows)
    answer = client.post(
        f"/responses/{world.response_a.id}/workbook",
        data={"workbook": (io.BytesIO(data), "mine.xlsx")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
