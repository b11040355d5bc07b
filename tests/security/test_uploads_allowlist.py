"""Evidence uploads: allowed by extension AND by content, per question; downloads only ever as attachments."""

from __future__ import annotations

import io
import zipfile

import pytest
import sqlalchemy as sa
import yaml

from app.extensions import db
from app.models import Answer, Attachment
from app.responses import evidence
from tests.api.helpers import as_user

QUESTION = "PRV-05"  # file: {types: [pdf, png, jpeg, docx, txt]}
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    b"\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
CONTENT_TYPES_XML = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/word/document.xml" ContentType="{kind}"/></Types>'
)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def _zip(parts: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _docx(**extra) -> bytes:
    return _zip(
        {"[Content_Types].xml": CONTENT_TYPES_XML.format(kind=DOCX_TYPE), "word/document.xml": "<w:document/>", **extra}
    )


DOCX = _docx()
DOCX_WITH_VBA = _docx(**{"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})
DOCX_MACRO_TYPE = _zip(
    {
        "[Content_Types].xml": CONTENT_TYPES_XML.format(kind="application/vnd.ms-word.document.macroEnabled.main+xml"),
        "word/document.xml": "<w:document/>",
    }
)
ZIP = _zip({"notes.txt": "not a document"})

ACCEPTED = [(PDF, "consent.pdf"), (PNG, "screen.png"), (DOCX, "consent.docx"), (b"Consent text.\n", "consent.txt")]
REFUSED = [
    # scripts and programs, even when the content is plain text
    (b"@echo off\r\ndel /q *\r\n", "setup.bat", "never accepted"),
    (b"alert('hi');\n", "consent.js", "never accepted"),
    (b"echo hello\n", "consent.sh", "never accepted"),
    (b"Write-Host hi\n", "consent.ps1", "never accepted"),
    (b"print('hi')\n", "consent.py", "never accepted"),
    (b"MZ\x90\x00" + b"\x00" * 60, "consent.exe", "never accepted"),
    (b"<html><body>Consent</body></html>", "consent.html", "never accepted"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg", "never accepted"),
    # macro-enabled Office files
    (DOCX, "consent.docm", "macros"),
    (DOCX_WITH_VBA, "consent.docx", "macros"),
    (DOCX_MACRO_TYPE, "consent.docx", "macros"),
    # the name says one type, the content is another
    (PDF, "consent.docx", "its name says DOCX but its content is PDF"),
    (PNG, "consent.pdf", "its name says PDF but its content is PNG"),
    (b"<!DOCTYPE html><script>alert(1)</script>", "consent.txt", "web page or script"),
    (ZIP, "consent.docx", "ZIP archive"),
    # polyglots
    (PDF + ZIP, "consent.pdf", "both PDF and a ZIP archive"),
    (PNG + ZIP, "screen.png", "both PNG and a ZIP archive"),
    (b"\xff\xd8\xff\xe0 %PDF-1.4 hidden", "photo.jpg", "several types"),
    # not on this question's list, though evidence elsewhere may be
    (b"a,b\n1,2\n", "table.csv", "not accepted for this question"),
    (b"Consent text.\n", "consent", "needs an extension"),
]


def _web_upload(client, response, data: bytes, name: str):
    return client.post(
        f"/responses/{response.id}/evidence",
        follow_redirects=True,
        data={"question_id": QUESTION, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _api_upload(api, response, data: bytes, name: str):
    return api.post(
        f"/responses/{response.id}/questions/{QUESTION}/evidence",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _answers(response):
    return dict(
        db.session.execute(sa.select(Answer.question_id, Answer.value).where(Answer.response_id == response.id)).all()
    )


@pytest.mark.parametrize(("data", "name", "reason"), REFUSED, ids=[f"{n}-{r[:12]}" for _, n, r in REFUSED])
def test_web_refuses_with_a_message_and_keeps_the_draft(client, login, world, data, name, reason):
    login(world.vendor_a)
    before = _answers(world.response_a)
    page = _web_upload(client, world.response_a, data, name).get_data(as_text=True)
    assert "cannot be accepted" in page and reason in page.replace("&#39;", "'") and "Your draft is unchanged" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0
    assert _answers(world.response_a) == before


@pytest.mark.parametrize(("data", "name", "reason"), REFUSED, ids=[f"{n}-{r[:12]}" for _, n, r in REFUSED])
def test_api_refuses_with_a_message(client, world, data, name, reason):
    answer = _api_upload(as_user(client, world.vendor_a), world.response_a, data, name)
    assert answer.status_code == 422
    body = answer.get_json()
    assert reason in body["message"] and body["errors"]["file"] == [body["message"]]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0


@pytest.mark.parametrize(("data", "name"), ACCEPTED)
def test_genuine_files_are_accepted_on_web_and_api(client, login, world, data, name):
    assert _api_upload(as_user(client, world.vendor_a), world.response_a, data, name).status_code == 201
    login(world.vendor_a)
    assert "attached" in _web_upload(client, world.response_a, data, name).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 2


@pytest.mark.parametrize("path", ["/responses/evidence/{id}", "/api/v1/evidence/{id}"])
def test_downloads_are_attachments_under_a_safe_name_with_the_detected_type(client, login, world, path):
    api = as_user(client, world.vendor_a)
    stored = _api_upload(api, world.response_a, b"Consent, version 3.\n", "Cons\u00e9nt\t\u2014 final <b>.txt")
    assert stored.status_code == 201, stored.get_json()
    login(world.vendor_a)
    download = client.get(path.format(id=stored.get_json()["id"]), headers=api.headers)
    assert download.status_code == 200 and download.data == b"Consent, version 3.\n"
    assert download.headers["Content-Disposition"] == 'attachment; filename="Consent_final_b.txt"'
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.mimetype == "text/plain"
    download.close()


def test_a_stored_file_with_a_foreign_content_type_is_never_served_as_html(app_ctx, world):
    attachment = Attachment(filename="page.html", content_type="text/html")
    assert evidence.download_content_type(attachment) == "application/octet-stream"
    assert evidence.download_name(attachment) == "page.bin"


def test_a_questionnaire_cannot_allow_a_type_evidence_may_not_be():
    from app.questionnaires.errors import QuestionnaireError
    from app.questionnaires.schema import parse_questionnaire
    from tests.conftest import QUESTIONNAIRE_DIR

    source = yaml.safe_load((QUESTIONNAIRE_DIR / "data-collection-vendor.yaml").read_text())
    question = next(q for section in source["sections"] for q in section["questions"] if q["id"] == QUESTION)
    question["file"]["types"] = ["pdf", "exe"]
    with pytest.raises(QuestionnaireError, match="exe"):
        parse_questionnaire(source, source="vendor.yaml")
