"""The three journeys of the walking skeleton, through the test client."""

from __future__ import annotations

import io
import logging
import re
from datetime import timedelta

import sqlalchemy as sa
from pypdf import PdfReader

from app.extensions import db
from app.models import Answer, Evaluation, Invitation, ResponseStatus, Score
from app.models.base import utcnow
from tests.app.helpers import complete_response, first_question, form_post, questions_of, raw_answers
from tests.factories import questionnaire_version


def test_buyer_creates_an_evaluation(client, login, world):
    login(world.buyer)
    deadline = (utcnow() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    page = client.post(
        "/evaluations/new",
        data={
            "title": "Image collection",
            "description": "Street scenes",
            "questionnaire": questionnaire_version().id,
            "deadline": deadline,
            "modalities": ["vision"],
            "sealed": "y",
        },
    )
    assert page.status_code == 302
    evaluation = db.session.scalar(sa.select(Evaluation).where(Evaluation.title == "Image collection"))
    assert evaluation.modalities == ["vision"]
    assert evaluation.section_weights, "default section weights come from the questionnaire"
    assert evaluation.deadline.strftime("%Y-%m-%dT%H:%M") == deadline  # buyer's time zone is UTC here


def test_invalid_evaluation_form_keeps_what_was_typed(client, login, world):
    login(world.buyer)
    page = client.post(
        "/evaluations/new",
        data={
            "title": "Kept title",
            "description": "Kept description",
            "questionnaire": questionnaire_version().id,
            "deadline": "2001-01-01T10:00",
            "modalities": ["speech"],
        },
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "The deadline must be in the future." in html
    assert 'value="Kept title"' in html and "Kept description" in html and 'value="2001-01-01T10:00"' in html


def test_vendor_invitation_journey(client, login, world, caplog):
    login(world.buyer)
    with caplog.at_level(logging.INFO):
        client.post(
            f"/evaluations/{world.evaluation.id}/invitations",
            data={"vendor_name": "Newco Data", "email": "Sales@Newco.example"},
        )
    link = re.search(r"https?://\S+/invitations/(\S+)", caplog.text)
    assert link, "the invitation link is written to the log when no mail server is configured"
    client.post("/logout")
    page = client.post(
        f"/invitations/{link.group(1)}",
        data={"name": "Nia", "password": "a long enough password", "confirm": "a long enough password"},
    )
    assert page.status_code == 302 and "/responses/" in page.headers["Location"]
    assert client.get(page.headers["Location"]).status_code == 200
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.email == "sales@newco.example"))
    assert invitation.accepted_at is not None
    client.post("/logout")
    reused = client.get(f"/invitations/{link.group(1)}")
    assert reused.status_code == 410 and "already been used" in reused.get_data(as_text=True)


def test_expired_invitation_is_refused(client, login, world, caplog):
    login(world.buyer)
    with caplog.at_level(logging.INFO):
        client.post(
            f"/evaluations/{world.evaluation.id}/invitations",
            data={"vendor_name": "Lateco", "email": "late@lateco.example"},
        )
    token = re.search(r"/invitations/(\S+)", caplog.text).group(1)
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.email == "late@lateco.example"))
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    client.post("/logout")
    page = client.get(f"/invitations/{token}")
    assert page.status_code == 410 and "expired" in page.get_data(as_text=True)


def test_vendor_saves_draft_returns_and_submits(client, login, world):
    login(world.vendor_a)
    response = world.response_a
    raw = complete_response(client, response)
    stored = {
        a.question_id: a.value for a in db.session.scalars(sa.select(Answer).where(Answer.response_id == response.id))
    }
    assert set(raw) <= set(stored)
    text_question = first_question(response, "text")
    again = client.get(f"/responses/{response.id}").get_data(as_text=True)
    assert raw[text_question.id] in again, "a draft comes back as it was saved"

    submitted = client.post(f"/responses/{response.id}/submit")
    assert submitted.status_code == 302
    db.session.refresh(response)
    assert response.status == ResponseStatus.SUBMITTED
    assert client.get(f"/responses/{response.id}").status_code == 302, "a submitted response opens read-only"
    changed = client.post(f"/responses/{response.id}", data=form_post({text_question.id: "changed"}))
    assert changed.status_code == 403
    assert (
        db.session.scalar(
            sa.select(Answer.value).where(Answer.response_id == response.id, Answer.question_id == text_question.id)
        )
        == raw[text_question.id]
    )


def test_submit_lists_missing_required_answers(client, login, world):
    login(world.vendor_a)
    page = client.post(f"/responses/{world.response_a.id}/submit")
    assert page.status_code == 422
    assert "required question(s) still need an answer" in page.get_data(as_text=True)
    db.session.refresh(world.response_a)
    assert world.response_a.status == ResponseStatus.DRAFT


def test_invalid_answer_is_shown_with_typed_value_and_others_are_saved(client, login, world):
    login(world.vendor_a)
    response = world.response_a
    number = first_question(response, "number")
    text = first_question(response, "text")
    page = client.post(f"/responses/{response.id}", data=form_post({number.id: "twelve-ish", text.id: "Kept text"}))
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert 'value="twelve-ish"' in html, "the rejected value is shown back"
    stored = dict(
        db.session.execute(sa.select(Answer.question_id, Answer.value).where(Answer.response_id == response.id)).all()
    )
    assert stored == {text.id: "Kept text"}


def test_late_submission_is_refused_and_draft_kept(client, login, world):
    login(world.vendor_a)
    response = world.response_a
    raw = raw_answers(response)
    client.post(f"/responses/{response.id}", data=form_post(raw))
    world.evaluation.deadline = utcnow() - timedelta(minutes=5)
    db.session.commit()
    page = client.post(f"/responses/{response.id}/submit", follow_redirects=True)
    assert "deadline passed" in page.get_data(as_text=True)
    db.session.refresh(response)
    assert response.status == ResponseStatus.DRAFT
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(Answer).where(Answer.response_id == response.id)
    ) == len(raw)
    late_save = client.post(f"/responses/{response.id}", data=form_post({first_question(response, "text").id: "late"}))
    assert late_save.status_code == 409 and "deadline passed" in late_save.get_data(as_text=True)


def test_vendor_cannot_open_another_vendors_response(client, login, world):
    login(world.vendor_a)
    other = world.response_b.id
    for method, url in (
        ("get", f"/responses/{other}"),
        ("get", f"/responses/{other}/view"),
        ("post", f"/responses/{other}"),
        ("post", f"/responses/{other}/submit"),
        ("post", f"/responses/{other}/withdraw"),
    ):
        assert getattr(client, method)(url).status_code == 404, url


def test_concurrent_edit_reports_conflict_with_both_values(client, login, world, app):
    from tests.factories import UserFactory

    colleague = UserFactory(role="vendor", organisation=world.vendor_a.organisation, email="colleague@vendor-a.example")
    db.session.commit()
    text = first_question(world.response_a, "text")
    login(colleague)
    assert (
        client.post(f"/responses/{world.response_a.id}", data=form_post({text.id: "Colleague's text"})).status_code
        == 302
    )
    other_client = app.test_client()
    other_client.post("/login", data={"email": world.vendor_a.email, "password": "correct horse battery"})
    # The second editor started from revision 0, before the colleague's save.
    page = other_client.post(f"/responses/{world.response_a.id}", data=form_post({text.id: "My text"}))
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Colleague&#39;s text" in html and "My text" in html
    assert db.session.scalar(sa.select(Answer.value).where(Answer.question_id == text.id)) == "Colleague's text"


def _submit_both(client, login, world):
    for user, response in ((world.vendor_a, world.response_a), (world.vendor_b, world.response_b)):
        login(user)
        complete_response(client, response, seed=response.id)
        assert client.post(f"/responses/{response.id}/submit").status_code == 302
        client.post("/logout")
    world.evaluation.sealed = False
    db.session.commit()


def test_evaluators_score_blind_and_ranking_and_pdf(client, login, world):
    _submit_both(client, login, world)
    login(world.evaluator)
    url = f"/reviews/{world.response_a.id}"
    assert "no conflict of interest" in client.get(url).get_data(as_text=True)
    client.post(url, data={"declaration": "no_conflict"})
    page = client.get(url).get_data(as_text=True)
    qids = re.findall(r'name="score\.([A-Z]+-\d+)"', page)
    assert qids, "rubric questions are offered for scoring"
    data = {f"score.{q}": "3" for q in set(qids)} | {f"comment.{q}": "zebra-evidence-note" for q in set(qids)}
    assert client.post(url, data=data | {"action": "submit"}).status_code == 302
    client.post("/logout")

    login(world.lead)
    client.post(url, data={"declaration": "no_conflict"})
    lead_page = client.get(url).get_data(as_text=True)
    assert "zebra-evidence-note" not in lead_page, (
        "another evaluator's scores stay hidden before one's own are submitted"
    )
    client.post(url, data={f"score.{q}": "1" for q in set(qids)} | {"action": "submit"})
    after = client.get(url).get_data(as_text=True)
    assert "zebra-evidence-note" in after, "after submitting, the other evaluators' scores are shown"
    consensus = client.get(f"/reviews/{world.response_a.id}/consensus").get_data(as_text=True)
    assert "2 points apart" in consensus
    client.post("/logout")

    login(world.viewer)
    ranking = client.get(f"/evaluations/{world.evaluation.id}/ranking")
    html = ranking.get_data(as_text=True)
    assert ranking.status_code == 200 and "Vendor A" in html and "Vendor B" in html
    total = re.search(
        rf'<a href="#vendor-{world.response_a.id}">Vendor A</a></td>\s*'
        r'<td class="text-end fw-semibold">([\d.]+)</td>',
        html,
    )
    pdf = client.get(f"/evaluations/{world.evaluation.id}/vendors/{world.response_a.id}/scorecard.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Vendor A" in text
    if total:
        assert total.group(1) in text, "the PDF carries the same total as the ranking page"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Score)) >= 2 * len(set(qids))


def test_viewer_reads_but_changes_nothing(client, login, world):
    login(world.viewer)
    assert client.get(f"/evaluations/{world.evaluation.id}").status_code == 200
    assert client.post(f"/evaluations/{world.evaluation.id}/settings", data={}).status_code == 403
    assert client.post(f"/evaluations/{world.evaluation.id}/invitations", data={}).status_code == 403
    assert client.get("/evaluations/new").status_code == 403


def test_sealed_responses_are_hidden_from_the_buyer_until_the_deadline(client, login, world):
    _submit_both(client, login, world)
    world.evaluation.sealed = True
    db.session.commit()
    login(world.buyer)
    assert client.get(f"/responses/{world.response_a.id}/view").status_code == 403
    assert "sealed until the deadline" in client.get(f"/evaluations/{world.evaluation.id}/ranking").get_data(
        as_text=True
    )
    world.evaluation.deadline = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(f"/responses/{world.response_a.id}/view").status_code == 200


def test_health_check(client):
    page = client.get("/healthz")
    assert page.status_code == 200 and page.json == {"status": "ok", "database": "ok"}


def test_full_form_save_touches_only_what_the_person_changed(client, login, world, app):
    from tests.factories import UserFactory

    response = world.response_a
    text = first_question(response, "text")
    number = first_question(response, "number")
    login(world.vendor_a)
    page = client.get(f"/responses/{response.id}").get_data(as_text=True)
    # The whole form as the browser would send it back: every field, its revision and its starting value.
    fields = dict(re.findall(r'<input type="hidden" name="((?:rev|base)\.[A-Z]+-\d+)" value="([^"]*)"', page))
    colleague = UserFactory(role="vendor", organisation=world.vendor_a.organisation, email="c2@vendor-a.example")
    db.session.commit()
    other = app.test_client()
    other.post("/login", data={"email": colleague.email, "password": "correct horse battery"})
    assert other.post(f"/responses/{response.id}", data=form_post({text.id: "Colleague wrote this"})).status_code == 302

    answer = client.post(f"/responses/{response.id}", data=fields | {f"q.{text.id}": "", f"q.{number.id}": "42"})
    assert answer.status_code == 302, "an untouched question is neither saved nor a conflict"
    stored = dict(
        db.session.execute(sa.select(Answer.question_id, Answer.value).where(Answer.response_id == response.id)).all()
    )
    assert stored == {text.id: "Colleague wrote this", number.id: 42}, "no empty rows, the colleague's text kept"


def test_read_only_answers_show_labels_not_stored_keys(client, login, world):
    login(world.vendor_a)
    response = world.response_a
    table = next(q for q in questions_of(response) if q.type == "table" and any(c.type == "choice" for c in q.columns))
    column = next(c for c in table.columns if c.type == "choice")
    option = column.options[-1]
    row = {
        c.id: ("1" if c.type in ("integer", "decimal") else "de-DE" if c.type == "locale" else "x")
        for c in table.columns
        if c.required
    }
    row[column.id] = option.key
    assert client.post(f"/responses/{response.id}", data=form_post({table.id: [row]})).status_code == 302
    html = client.get(f"/responses/{response.id}/view").get_data(as_text=True)
    block = html[html.index(f'id="answer-{table.id}"') :]
    assert f"<td>{option.label}</td>" in block[: block.index("</table>")]


def test_evaluation_page_links_every_buyer_tool(client, login, world):
    login(world.buyer)
    html = client.get(f"/evaluations/{world.evaluation.id}").get_data(as_text=True)
    for path in ("/ranking", "/comparison", "/settings", "/requirements", "/weights", "/samples", "/clarifications"):
        assert f'href="/evaluations/{world.evaluation.id}{path}"' in html, path
