"""Evidence files: type judged by content, size limits, a refused upload leaves the draft as it was."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Answer, Attachment
from tests.app.helpers import first_question
from tests.portal.helpers import autosave

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    b"\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
WINDOWS_EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8"
    + b"\x00" * 43
    + b"\x80\x00\x00\x00"
    + b"\x0e\x1f\xba\x0e\x00\xb4\t\xcd!\xb8\x01L\xcd!This program cannot be run in DOS mode.\r\r\n$"
    + b"\x00" * 64
    + b"PE\x00\x00L\x01"
)
HTML_PAGE = b"<!DOCTYPE html><html><head><script>alert('hi')</script></head><body>Consent</body></html>"


def _upload(client, response, question_id, data: bytes, name: str):
    return client.post(
        f"/responses/{response.id}/evidence",
        follow_redirects=True,
        data={"question_id": question_id, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _draft(response):
    return dict(
        db.session.execute(sa.select(Answer.question_id, Answer.value).where(Answer.response_id == response.id)).all()
    )


def _files(app):
    return sorted(p.name for p in Path(app.config["UPLOAD_FOLDER"]).iterdir())


@pytest.fixture
def draft(client, login, world):
    login(world.vendor_a)
    text = first_question(world.response_a, "text")
    assert autosave(client, world.response_a, {text.id: "Our consent flow, described."}).status_code == 200
    return _draft(world.response_a)


@pytest.mark.parametrize(
    ("content", "name"), [(WINDOWS_EXE, "consent.pdf"), (HTML_PAGE, "consent.png"), (WINDOWS_EXE, "consent.txt")]
)
def test_spoofed_file_type_is_refused_and_the_draft_is_intact(client, world, app, draft, content, name):
    question = first_question(world.response_a, "file")
    before = _files(app)
    page = _upload(client, world.response_a, question.id, content, name)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "cannot be accepted" in html and "Your draft is unchanged" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0
    assert _files(app) == before, "nothing refused is written to disk"
    assert _draft(world.response_a) == draft


def test_oversize_file_is_refused_with_the_limit_named(client, world, app, draft, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    question = first_question(world.response_a, "file")
    big_pdf = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10)
    html = _upload(client, world.response_a, question.id, big_pdf, "dpia.pdf").get_data(as_text=True)
    assert "larger than 1 MB" in html and "Your draft is unchanged" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0
    assert _draft(world.response_a) == draft


def test_request_far_beyond_the_limit_is_cut_off_with_a_message(client, world, app, draft, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    question = first_question(world.response_a, "file")
    page = _upload(client, world.response_a, question.id, b"%PDF-1.4\n" + b"0" * (128 * 1024), "huge.pdf")
    assert page.status_code == 200 and "was not uploaded" in page.get_data(as_text=True)
    assert page.request.path == f"/responses/{world.response_a.id}", "back in the editor"
    assert _draft(world.response_a) == draft


def test_genuine_file_is_stored_outside_static_under_a_generated_name_with_its_hash(client, world, app, draft):
    question = first_question(world.response_a, "file")
    html = _upload(client, world.response_a, question.id, PNG, "consent screen.png").get_data(as_text=True)
    assert "attached" in html
    attachment = db.session.scalar(sa.select(Attachment))
    assert attachment.content_type == "image/png" and attachment.sha256 == hashlib.sha256(PNG).hexdigest()
    stored = Path(app.config["UPLOAD_FOLDER"]) / attachment.stored_name
    assert stored.read_bytes() == PNG and attachment.stored_name != attachment.filename
    assert Path(app.static_folder).resolve() not in stored.resolve().parents
    download = client.get(f"/responses/evidence/{attachment.id}")
    assert download.status_code == 200 and download.data == PNG
    download.close()
