"""The editor's background save: JSON endpoint, revisions, conflicts, field errors, deadline."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Answer, ResponseStatus
from app.models.base import utcnow
from tests.app.helpers import first_question
from tests.factories import PASSWORD, UserFactory
from tests.portal.helpers import autosave


def _stored(response, question_id):
    return db.session.scalar(
        sa.select(Answer.value).where(Answer.response_id == response.id, Answer.question_id == question_id)
    )


def test_editor_loads_the_autosave_script_without_inline_code(client, login, world):
    login(world.vendor_a)
    html = client.get(f"/responses/{world.response_a.id}").get_data(as_text=True)
    assert f'data-autosave="/responses/{world.response_a.id}/autosave"' in html
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert any("js/autosave.js" in tag for tag in scripts)
    assert all("src=" in tag for tag in scripts), "the CSP forbids inline scripts"
    assert 'id="autosave-status"' in html and 'data-progress="' in html and 'data-feedback="' in html
    script = client.get("/static/js/autosave.js")
    assert script.status_code == 200 and b"rev." in script.data
    script.close()


def test_autosave_stores_changed_answers_and_hands_back_revisions_and_progress(client, login, world):
    login(world.vendor_a)
    response = world.response_a
    text = first_question(response, "text")
    first = autosave(client, response, {text.id: "We recruit through local universities."})
    assert first.status_code == 200 and first.json["ok"], first.json
    assert first.json["saved"] == [text.id] and first.json["revisions"] == {text.id: 1}
    assert first.json["errors"] == {} and first.json["conflicts"] == []
    assert re.fullmatch(r"\d\d:\d\d \S+", first.json["saved_at"])
    section = first.json["progress"][text.section_id]
    assert section["answered"] == 1 and section["label"].startswith("1/")
    # The editor starts the next save from the revision it was given: no conflict with itself.
    second = autosave(client, response, {text.id: "Universities and community groups."}, {text.id: 1})
    assert second.status_code == 200 and second.json["revisions"] == {text.id: 2}
    assert _stored(response, text.id) == "Universities and community groups."
    unchanged = autosave(client, response, {text.id: "Universities and community groups."}, {text.id: 2})
    assert unchanged.json["saved"] == [] and unchanged.json["revisions"] == {text.id: 2}


def test_invalid_answer_gets_a_field_message_and_the_others_are_saved(client, login, world):
    login(world.vendor_a)
    response = world.response_a
    number, text = first_question(response, "number"), first_question(response, "text")
    page = autosave(client, response, {number.id: "twelve-ish", text.id: "Kept"})
    assert page.status_code == 200 and page.json["ok"] is False
    assert list(page.json["errors"]) == [number.id] and page.json["errors"][number.id]
    assert page.json["saved"] == [text.id]
    assert page.json["revisions"] == {text.id: 1}, "an invalid answer keeps the revision it started from"
    assert page.json["message"] == "1 answer(s) need attention"
    assert _stored(response, number.id) is None and _stored(response, text.id) == "Kept"


def test_concurrent_edit_through_autosave_reports_both_values_and_overwrites_nothing(client, login, world, app):
    colleague = UserFactory(
        role="vendor", organisation=world.vendor_a.organisation, name="Colleague Cleo", email="cleo@vendor-a.example"
    )
    db.session.commit()
    response = world.response_a
    text = first_question(response, "text")
    login(colleague)
    assert autosave(client, response, {text.id: "Cleo's wording"}).json["revisions"] == {text.id: 1}

    mine = app.test_client()
    assert mine.post("/login", data={"email": world.vendor_a.email, "password": PASSWORD}).status_code == 302
    clash = autosave(mine, response, {text.id: "My wording"}, {text.id: 0})  # opened before Cleo saved
    assert clash.json["ok"] is False
    [conflict] = clash.json["conflicts"]
    assert conflict["question_id"] == text.id and conflict["changed_by"] == "Colleague Cleo"
    assert conflict["yours"] == "My wording" and conflict["theirs"] == "Cleo's wording"
    assert conflict["theirs_text"] == "Cleo's wording" and conflict["revision"] == 1
    assert text.id not in clash.json["revisions"], "no revision is handed back that would overwrite Cleo silently"
    assert _stored(response, text.id) == "Cleo's wording"
    again = autosave(mine, response, {text.id: "My wording, edited"}, {text.id: 0})
    assert again.json["conflicts"] and _stored(response, text.id) == "Cleo's wording"

    kept = autosave(mine, response, {text.id: "My wording"}, {text.id: conflict["revision"]})  # "Keep mine"
    assert kept.json["ok"] and _stored(response, text.id) == "My wording"
    late = autosave(client, response, {text.id: "Cleo again"}, {text.id: 1})
    assert late.json["conflicts"][0]["theirs"] == "My wording"


def test_autosave_uses_the_same_csrf_token_as_the_form(client, login, world, app, monkeypatch):
    login(world.vendor_a)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    html = client.get(f"/responses/{world.response_a.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    text = first_question(world.response_a, "text")
    refused = autosave(client, world.response_a, {text.id: "no token"})
    assert refused.status_code == 400 and refused.is_json
    assert _stored(world.response_a, text.id) is None
    accepted = autosave(client, world.response_a, {text.id: "with token"}, csrf_token=token)
    assert accepted.status_code == 200 and _stored(world.response_a, text.id) == "with token"


def test_after_the_deadline_autosave_and_submission_are_refused_and_the_draft_kept(client, login, world):
    login(world.vendor_a)
    response = world.response_a
    text = first_question(response, "text")
    autosave(client, response, {text.id: "Draft before the deadline"})
    world.evaluation.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    late = autosave(client, response, {text.id: "Too late"}, {text.id: 1})
    assert late.status_code == 409 and "deadline passed" in late.json["message"]
    submitted = client.post(f"/responses/{response.id}/submit", follow_redirects=True)
    assert "deadline passed" in submitted.get_data(as_text=True)
    db.session.refresh(response)
    assert response.status == ResponseStatus.DRAFT
    assert _stored(response, text.id) == "Draft before the deadline"


def test_submitted_response_and_signed_out_editor_are_refused(client, login, world):
    login(world.vendor_a)
    response = world.response_a
    text = first_question(response, "text")
    response.status, response.submitted_at = ResponseStatus.SUBMITTED, utcnow()
    db.session.commit()
    refused = autosave(client, response, {text.id: "after submitting"})
    assert refused.status_code == 403 and refused.is_json
    client.post("/logout")
    signed_out = autosave(client, response, {text.id: "signed out"})
    assert signed_out.status_code == 302 and "/login" in signed_out.headers["Location"]
    assert _stored(response, text.id) is None


def test_a_revision_for_an_answer_that_is_not_stored_saves_instead_of_failing(client, login, world):
    login(world.vendor_a)
    text = first_question(world.response_a, "text")
    page = autosave(client, world.response_a, {text.id: "First answer"}, {text.id: 4})
    assert page.status_code == 200 and page.json["saved"] == [text.id]
    assert _stored(world.response_a, text.id) == "First answer"
