"""static/js/autosave.js in headless Chromium: saves in the background, shows it, handles a conflict.

Uses the browser fixtures of tests/browser/conftest.py (skipped where Chromium is not installed).
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import Answer
from tests.app.helpers import first_question
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.factories import PASSWORD, UserFactory
from tests.portal.helpers import autosave

SAVED = re.compile(r"^Saved at \d\d:\d\d")


def _stored(response, question_id):
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Answer.value).where(Answer.response_id == response.id, Answer.question_id == question_id)
    )


def test_autosave_in_a_real_browser(page, live_server, world, app):
    response = world.response_a
    text, number = first_question(response, "text"), first_question(response, "number")
    colleague = UserFactory(
        role="vendor", organisation=world.vendor_a.organisation, name="Colleague Cleo", email="cleo@vendor-a.example"
    )
    db.session.commit()
    sign_in(page, live_server, world.vendor_a.email)
    page.goto(f"{live_server}/responses/{response.id}")
    status = page.locator("#autosave-status")
    assert "saved automatically" in status.inner_text()

    page.locator(f"#q-{text.id}").fill("Typed in the browser")
    expect(status).to_have_text(SAVED)
    assert _stored(response, text.id) == "Typed in the browser"
    assert page.locator(f'input[name="rev.{text.id}"]').input_value() == "1"
    badge = page.locator(f'[data-progress="{text.section_id}"]')
    assert badge.inner_text().startswith("1/")

    page.locator(f"#q-{number.id}").fill("twelve-ish")
    expect(status).to_have_text("1 answer needs attention")
    page.locator(".sticky-actions").screenshot(path=str(ARTIFACTS / "autosave-status.png"))
    feedback = page.locator(f'[data-feedback="{number.id}"] .invalid-feedback')
    assert feedback.count() == 1 and feedback.inner_text()
    page.locator(f"#q-{number.id}").fill("12")
    expect(status).to_have_text(SAVED)
    assert page.locator(f'[data-feedback="{number.id}"] .invalid-feedback').count() == 0

    other = app.test_client()
    other.post("/login", data={"email": colleague.email, "password": PASSWORD})
    assert autosave(other, response, {text.id: "Cleo's version"}, {text.id: 1}).status_code == 200
    page.locator(f"#q-{text.id}").fill("My later version")
    conflict = page.locator(f'[data-feedback="{text.id}"] .alert-warning')
    conflict.wait_for()
    assert "Colleague Cleo" in conflict.inner_text() and "Cleo's version" in conflict.inner_text()
    assert _stored(response, text.id) == "Cleo's version", "nothing overwritten silently"
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(f"#q-{text.id}-block").screenshot(path=str(ARTIFACTS / "autosave-conflict.png"))
    conflict.get_by_role("button", name="Keep mine").click()
    expect(status).to_have_text(SAVED)
    assert _stored(response, text.id) == "My later version"
    assert page.locator(f'[data-feedback="{text.id}"] .alert-warning').count() == 0

    assert autosave(other, response, {text.id: "Cleo's final word"}, {text.id: 3}).json["ok"]
    page.locator(f"#q-{text.id}").fill("Mine once more")
    conflict.wait_for()
    conflict.get_by_role("button", name="Use theirs").click()
    expect(status).to_have_text(SAVED)
    assert page.locator(f"#q-{text.id}").input_value() == "Cleo's final word"
    assert _stored(response, text.id) == "Cleo's final word"

    # An evidence upload reloads the page: what was typed just before is saved first.
    page.locator(f"#q-{text.id}").fill("Typed right before uploading")
    evidence = first_question(response, "file")
    page.locator(f"#q-{evidence.id}").set_input_files(
        files=[{"name": "consent.txt", "mimeType": "text/plain", "buffer": b"Consent text\n"}]
    )
    page.locator(f'button[form="upload-{evidence.id}"]').click()
    expect(page.get_by_text("'consent.txt' attached")).to_be_visible()
    assert _stored(response, text.id) == "Typed right before uploading"
    assert page.locator(f"#q-{text.id}").input_value() == "Typed right before uploading"
    assert page.console_errors == []
