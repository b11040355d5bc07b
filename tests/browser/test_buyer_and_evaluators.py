"""The buyer's and the evaluators' journeys in a real browser."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import ConsensusScore, Evaluation, Invitation, Score
from app.models.base import utcnow
from tests.app.helpers import complete_response
from tests.browser.conftest import shot, sign_in, sign_out


def test_buyer_sets_up_an_evaluation_and_invites(page, live_server, world, caplog):
    sign_in(page, live_server, world.buyer.email)
    page.get_by_role("link", name="New evaluation").first.click()
    page.get_by_label("Title").fill("Kitchen voice commands")
    page.get_by_label("What you are buying").fill("Short commands recorded in kitchens.")
    deadline = (utcnow() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Response deadline (your time zone)").fill(deadline)
    page.get_by_label("Speech and audio").check()
    shot(page, "buyer-new-evaluation")
    page.get_by_role("button", name="Create evaluation").click()
    page.wait_for_url(re.compile(r"/evaluations/\d+$"))
    assert page.get_by_role("heading", name="Kitchen voice commands").is_visible()

    page.get_by_role("link", name="Requirements").click()
    page.get_by_label("Required locales").fill("en-GB, 120, 300\nfr-FR, 80, 150")
    page.get_by_label("Demographic targets").fill("gender: female=50, male=50")
    page.get_by_label("Smartphone").check()
    page.get_by_role("button", name="Save requirements").click()
    page.wait_for_url(re.compile(r"/evaluations/\d+$"))
    assert page.get_by_role("cell", name="fr-FR").is_visible()

    with caplog.at_level(logging.INFO):
        page.get_by_label("Vendor organisation").fill("Chef Voices")
        page.get_by_label("Contact e-mail").fill("sales@chefvoices.example")
        page.get_by_role("button", name="Invite").click()
        page.wait_for_selector("text=Invitation sent to sales@chefvoices.example")
    shot(page, "buyer-evaluation-page")
    evaluation = db.session.scalar(sa.select(Evaluation).where(Evaluation.title == "Kitchen voice commands"))
    assert [t["locale"] for t in evaluation.requirements["locales"]] == ["en-GB", "fr-FR"]
    assert (
        db.session.scalar(sa.select(Invitation.email).where(Invitation.evaluation_id == evaluation.id))
        == "sales@chefvoices.example"
    )
    link = re.search(r"https?://\S+/invitations/\S+", caplog.text)
    assert link, "the invitation e-mail (logged without a mail server) carries the link"

    assert link.group(0).startswith(f"{live_server}/invitations/"), "e-mail links are built from PUBLIC_URL"

    sign_out(page)
    page.goto(link.group(0))
    page.get_by_label("Your name").fill("Claude Chef")
    page.get_by_label("Password", exact=True).fill("a long enough password")
    page.get_by_label("Repeat password").fill("a long enough password")
    page.get_by_role("button", name="Accept and start").click()
    page.wait_for_url(re.compile(r"/responses/\d+$"))
    assert page.get_by_role("heading", name="Kitchen voice commands").is_visible()
    assert not page.console_errors, page.console_errors


def test_two_evaluators_score_blind_and_reach_consensus(page, live_server, world, app):
    client = app.test_client()
    for vendor, response in ((world.vendor_a, world.response_a), (world.vendor_b, world.response_b)):
        client.post("/login", data={"email": vendor.email, "password": "correct horse battery"})
        complete_response(client, response)
        assert client.post(f"/responses/{response.id}/submit").status_code == 302
        client.post("/logout")
    world.evaluation.sealed = False
    db.session.commit()

    def score_all(email: str, value: str, comment: str) -> None:
        sign_in(page, live_server, email)
        page.goto(f"{live_server}/reviews/{world.response_a.id}")
        declaration = page.get_by_label(re.compile("I have no conflict of interest"))
        if declaration.count():
            declaration.check()
            page.get_by_role("button", name="Declare").click()
        groups = page.locator("fieldset", has=page.locator("legend", has_text="Score for"))
        assert groups.count() > 0
        for index in range(groups.count()):
            groups.nth(index).get_by_label(value, exact=True).check()
        page.locator("textarea[name^='comment.']").first.fill(comment)
        shot(page, f"scoring-{email.split('@')[0]}")
        page.get_by_role("button", name="Submit my review").click()
        page.wait_for_selector("text=Review submitted.")

    score_all(world.evaluator.email, "4", "strong-evidence-note")
    sign_out(page)

    sign_in(page, live_server, world.lead.email)
    page.goto(f"{live_server}/reviews/{world.response_a.id}")
    page.get_by_label(re.compile("I have no conflict of interest")).check()
    page.get_by_role("button", name="Declare").click()
    expect(page.get_by_role("button", name="Submit my review")).to_be_visible()
    assert page.locator("text=strong-evidence-note").count() == 0, "scores are blind until one's own are submitted"
    sign_out(page)
    score_all(world.lead.email, "1", "weak-evidence-note")
    assert page.locator("text=strong-evidence-note").count() >= 1, "after submitting, the others' scores show"

    page.goto(f"{live_server}/reviews/{world.response_a.id}/consensus")
    flagged = page.locator(".question.has-error").first
    choice = flagged.get_by_label("Consensus score")
    assert choice.input_value() == "", "no consensus score is chosen for the lead"
    assert choice.locator("option:checked").inner_text() == "Choose…"
    flagged.get_by_label("Rationale").fill("Process documented, no audit yet.")
    flagged.get_by_role("button", name="Set consensus").click()
    expect(flagged.get_by_text("Choose the consensus score (0 to 4).")).to_be_visible()
    rationale = flagged.get_by_label("Rationale").input_value()
    assert rationale == "Process documented, no audit yet.", "nothing typed is lost"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsensusScore)) == 0
    shot(page, "consensus-refused-without-a-score")

    choice.select_option("2")
    flagged.get_by_label("Rationale").fill("Process documented, no audit yet.")
    flagged.get_by_role("button", name="Set consensus").click()
    expect(page.get_by_text(re.compile(r"^Consensus for \S+ recorded\.$"))).to_be_visible()
    shot(page, "consensus")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsensusScore)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Score).where(Score.submitted_at.is_not(None))) > 0
    # The refused consensus answers 422 on purpose; Chromium reports that status as a console error.
    unexpected = [e for e in page.console_errors if "status of 422" not in e]
    assert not unexpected, unexpected
