"""One limit per input on web and API; single-line fields refuse control characters; mail headers stay one line."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import limits
from app.extensions import db
from app.mail import Mail, _message, send_mail
from app.models import ConsensusScore, Evaluation, Invitation
from app.models.base import utcnow
from app.reviews import services as reviews
from tests.api.helpers import as_user

SINGLE_LINE = "Use a single line without control characters"


def _new_evaluation_form(world, **changes) -> dict:
    deadline = (utcnow() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    return {
        "title": "Speech data 2028",
        "description": "Line one.\n\tLine two.",
        "questionnaire": str(world.evaluation.questionnaire_id),
        "deadline": deadline,
        "modalities": ["speech"],
        **changes,
    }


def _new_evaluation_json(world, **changes) -> dict:
    return {
        "title": "Speech data 2028",
        "description": "Line one.\n\tLine two.",
        "questionnaire_id": world.evaluation.questionnaire_id,
        "deadline": (utcnow() + timedelta(days=30)).isoformat(),
        "modalities": ["speech"],
        **changes,
    }


@pytest.mark.parametrize("title", ["Speech data\r\nFrom: ceo@evil.example", "Tab\tin title", "Bell\x07", "NEL\x85"])
def test_a_title_with_control_characters_is_refused_on_web_and_api(client, login, world, title):
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Evaluation))
    api = as_user(client, world.buyer).post("/evaluations", json=_new_evaluation_json(world, title=title))
    assert api.status_code == 422 and SINGLE_LINE in api.get_json()["errors"]["title"][0]
    login(world.buyer)
    page = client.post("/evaluations/new", data=_new_evaluation_form(world, title=title))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and SINGLE_LINE in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evaluation)) == count


def test_multi_line_fields_keep_newlines_and_tabs(client, world):
    api = as_user(client, world.buyer).post("/evaluations", json=_new_evaluation_json(world))
    assert api.status_code == 201, api.get_json()
    assert api.get_json()["description"] == "Line one.\n\tLine two."


def test_too_long_values_are_refused_with_the_same_limit_on_web_and_api(client, login, world):
    too_long = "x" * (limits.EVALUATION_TITLE + 1)
    api = as_user(client, world.buyer).post("/evaluations", json=_new_evaluation_json(world, title=too_long))
    assert api.status_code == 422 and api.get_json()["errors"]["title"] == [limits.too_long_message(300)]
    login(world.buyer)
    page = client.post("/evaluations/new", data=_new_evaluation_form(world, title=too_long)).get_data(as_text=True)
    assert limits.too_long_message(300) in page and f'value="{too_long}"' in page  # kept as typed


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("vendor_name", "Vendor\nB"),
        ("email", "v@example.com\r\nBcc: x@y.z"),
        ("vendor_name", "V" * (limits.VENDOR_NAME + 1)),
    ],
)
def test_invitation_fields_are_checked_alike_on_web_and_api(client, login, world, field, value):
    data = {"vendor_name": "Vendor C", "email": "c@vendor-c.example", field: value}
    api = as_user(client, world.buyer).post(f"/evaluations/{world.evaluation.id}/invitations", json=data)
    assert api.status_code == 422 and field in api.get_json()["errors"]
    login(world.buyer)
    client.post(f"/evaluations/{world.evaluation.id}/invitations", data=data)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_a_person_name_with_a_line_break_is_refused(client, login, world):
    login(world.admin)
    page = client.post("/admin/people", data={"name": "Ann\nRoot", "email": "ann@acme.example", "role": "viewer"})
    assert SINGLE_LINE in page.get_data(as_text=True)


@pytest.fixture
def lead_ready(world):
    """Vendor A's response submitted and scored by both evaluators, so the lead can set consensus."""
    from tests.workflow.conftest import answer_and_submit

    world.evaluation.sealed = False
    answer_and_submit(world.response_a, world.vendor_a)
    for person in (world.evaluator, world.lead):
        reviews.declare_no_conflict(world.response_a, person)
        questions = reviews.questions_to_score(world.response_a, person)
        reviews.save_scores(world.response_a, person, {q.id: reviews.ScoreInput(2, "") for q in questions}, submit=True)
    db.session.commit()
    return world, reviews.questions_to_score(world.response_a, world.lead)[0].id


def test_the_consensus_rationale_has_the_apis_limit_on_the_web_too(client, login, lead_ready):
    world, question_id = lead_ready
    too_long = "because " * 700  # 5,600 characters: the API has always refused this
    api = as_user(client, world.lead).put(
        f"/responses/{world.response_a.id}/consensus/{question_id}", json={"value": 2, "rationale": too_long}
    )
    assert api.status_code == 422 and api.get_json()["errors"]["rationale"] == [limits.too_long_message(5000)]
    login(world.lead)
    page = client.post(
        f"/reviews/{world.response_a.id}/consensus",
        data={"question_id": question_id, "value": "2", "rationale": too_long},
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and limits.too_long_message(5000) in html and too_long.strip() in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsensusScore)) == 0


def test_a_too_long_score_comment_is_refused_not_cut(client, login, world):
    from tests.workflow.conftest import answer_and_submit

    world.evaluation.sealed = False
    answer_and_submit(world.response_a, world.vendor_a)
    db.session.commit()
    login(world.evaluator)
    client.post(f"/reviews/{world.response_a.id}", data={"declaration": "no_conflict"})
    question_id = reviews.questions_to_score(world.response_a, world.evaluator)[0].id
    comment = "z" * (limits.SCORE_COMMENT + 1)
    page = client.post(
        f"/reviews/{world.response_a.id}",
        data={"action": "save", f"score.{question_id}": "3", f"comment.{question_id}": comment},
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and limits.too_long_message(limits.SCORE_COMMENT) in html and comment in html


def test_mail_headers_never_carry_a_line_break(app_ctx, caplog):
    mail = Mail("v@example.com\r\nBcc: all@example.com", "Invitation: Speech\r\nBcc: x@evil.example", "Body\nline")
    message = _message(mail)
    assert "\n" not in message["Subject"] and "\r" not in message["Subject"] and "\n" not in message["To"]
    assert message.get_all("Bcc") is None
    with caplog.at_level(logging.INFO):
        send_mail("v@example.com", "Title\nINFO forged log line", "Body")
    assert not any(line.startswith("INFO forged") for line in caplog.text.splitlines())


def test_a_405_answer_says_which_methods_are_allowed(client, world):
    html = client.delete("/login")
    assert html.status_code == 405 and {"GET", "POST"} <= set(html.headers["Allow"].replace(" ", "").split(","))
    api = as_user(client, world.buyer).delete("/evaluations")
    assert api.status_code == 405 and "POST" in api.headers["Allow"] and api.get_json()["code"] == "method_not_allowed"
