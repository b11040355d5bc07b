"""Clarification questions: who sees what, the anonymised asker, e-mails and audit records."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Clarification
from app.models.base import utcnow
from tests.factories import EvaluationFactory, ResponseFactory, UserFactory, VendorOrganisationFactory
from tests.portal.conftest import body

QUESTION = "Vendor A here: our Lagos studio records at 44.1 kHz, is that acceptable for the Yoruba locale?"
REWORDED = "Are recordings at 44.1 kHz acceptable?"
ANSWER = "Yes, 44.1 kHz or more is fine."


def _ask(client, world, text=QUESTION, question_id="PRV-05"):
    return client.post(
        f"/evaluations/{world.evaluation.id}/clarifications", data={"question": text, "question_id": question_id}
    )


def _answer(client, clarification_id, *, text=ANSWER, audience="vendor", public_question=""):
    prefix = f"c{clarification_id}-"
    return client.post(
        f"/clarifications/{clarification_id}/answer",
        data={prefix + "answer": text, prefix + "audience": audience, prefix + "public_question": public_question},
    )


def _page(client, world):
    page = client.get(f"/evaluations/{world.evaluation.id}/clarifications")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _actions():
    return [event.action for event in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))]


def test_vendor_asks_and_the_buyer_is_told(client, login, world, mailbox):
    world.evaluation.created_by_id = world.buyer.id
    db.session.commit()
    login(world.vendor_a)
    assert _ask(client, world).status_code == 302
    clarification = db.session.scalar(sa.select(Clarification))
    assert clarification.vendor_organisation_id == world.vendor_a.organisation_id
    assert clarification.question_id == "PRV-05" and clarification.asked_by_id == world.vendor_a.id
    [message] = mailbox.messages
    assert message["To"] == world.buyer.email and "Vendor A" in body(message) and QUESTION in body(message)
    assert f"/evaluations/{world.evaluation.id}/clarifications" in body(message)
    assert "clarification.asked" in _actions()
    assert QUESTION in _page(client, world), "the asker sees its own question"


def test_private_answer_reaches_only_the_asking_vendor(client, login, world, mailbox):
    login(world.vendor_a)
    _ask(client, world)
    clarification = db.session.scalar(sa.select(Clarification))
    client.post("/logout")
    login(world.buyer)
    assert "Vendor A" in _page(client, world) and QUESTION in _page(client, world), "buyers see who asked"
    mailbox.clear()
    assert _answer(client, clarification.id).status_code == 302
    assert mailbox.recipients() == ["a@vendor-a.example"]
    assert ANSWER in body(mailbox.messages[0]) and QUESTION in body(mailbox.messages[0])
    assert "clarification.answered" in _actions()
    client.post("/logout")

    login(world.vendor_a)
    own = _page(client, world)
    assert QUESTION in own and ANSWER in own
    client.post("/logout")
    login(world.vendor_b)
    other = _page(client, world)
    assert QUESTION not in other and ANSWER not in other and "44.1" not in other


def test_published_answer_reaches_every_vendor_with_the_asker_anonymised(client, login, world, mailbox):
    login(world.vendor_a)
    _ask(client, world)
    clarification = db.session.scalar(sa.select(Clarification))
    client.post("/logout")
    login(world.buyer)
    mailbox.clear()
    assert _answer(client, clarification.id, audience="all", public_question=REWORDED).status_code == 302
    assert mailbox.recipients() == ["a@vendor-a.example", "b@vendor-b.example"]
    for message in mailbox.messages:
        text = body(message)
        assert REWORDED in text and ANSWER in text
        assert "Vendor A" not in text and "Lagos" not in text and world.vendor_a.name not in text
    assert "clarification.published" in _actions()
    buyer_page = _page(client, world)
    assert QUESTION in buyer_page and REWORDED in buyer_page
    client.post("/logout")

    login(world.vendor_b)
    other = _page(client, world)
    assert REWORDED in other and ANSWER in other and "A vendor" in other
    assert "Lagos" not in other and "Vendor A" not in other and world.vendor_a.name not in other
    client.post("/logout")
    login(world.vendor_a)
    own = _page(client, world)
    assert QUESTION in own and "Vendor A" in own


def test_published_answer_cannot_be_made_private_again(client, login, world):
    clarification = Clarification(
        evaluation_id=world.evaluation.id,
        question=QUESTION,
        answer=ANSWER,
        vendor_organisation_id=world.vendor_a.organisation_id,
        published=True,
        public_question=REWORDED,
        answered_at=utcnow(),
    )
    db.session.add(clarification)
    db.session.commit()
    login(world.buyer)
    page = _answer(client, clarification.id, text="Corrected answer")
    assert page.status_code == 409 and "cannot be made private" in page.get_data(as_text=True)
    db.session.refresh(clarification)
    assert clarification.published and clarification.answer == ANSWER


def test_invalid_input_is_shown_back_with_what_was_typed(client, login, world):
    login(world.vendor_a)
    empty = _ask(client, world, text="   ")
    assert empty.status_code == 422 and "Write your question." in empty.get_data(as_text=True)
    _ask(client, world)
    clarification = db.session.scalar(sa.select(Clarification))
    client.post("/logout")
    login(world.buyer)
    page = _answer(client, clarification.id, text="Half an answer", audience="all", public_question="")
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and "Write the question as every vendor will read it." in html
    assert "Half an answer" in html, "the typed answer is kept"
    db.session.refresh(clarification)
    assert clarification.answer is None


def test_questions_close_at_the_deadline(client, login, world):
    world.evaluation.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    login(world.vendor_a)
    assert "questions can no longer be asked" in _page(client, world)
    late = _ask(client, world, text="A late question we typed carefully")
    assert late.status_code == 409 and "questions can no longer be asked" in late.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Clarification)) == 0


def test_who_may_read_and_answer(client, login, world):
    clarification = Clarification(
        evaluation_id=world.evaluation.id, question=QUESTION, vendor_organisation_id=world.vendor_a.organisation_id
    )
    db.session.add(clarification)
    outsider_org = VendorOrganisationFactory(name="Vendor C")
    outsider = UserFactory(role="vendor", organisation=outsider_org, email="c@vendor-c.example")
    ResponseFactory(evaluation=EvaluationFactory(organisation=world.buyer_org), vendor_organisation=outsider_org)
    db.session.commit()
    for reader in (world.viewer, world.evaluator):
        login(reader)
        assert QUESTION in _page(client, world), "the buying side reads every question"
        assert _answer(client, clarification.id).status_code == 403, "but only buyers answer"
        client.post("/logout")
    login(outsider)
    assert client.get(f"/evaluations/{world.evaluation.id}/clarifications").status_code == 404
    assert _ask(client, world).status_code == 404, "a vendor not invited cannot ask"
    assert _answer(client, clarification.id).status_code == 404
    client.post("/logout")
    login(world.other_buyer)
    assert client.get(f"/evaluations/{world.evaluation.id}/clarifications").status_code == 404
