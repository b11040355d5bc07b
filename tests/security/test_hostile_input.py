"""Hostile input everywhere a person can type or upload: never a server error, always inert on the way out.

HTML and script in every text field, spreadsheet formulas, template syntax, path names
in uploads, oversized and malformed files. Pages must show the payload escaped, the
PDF scorecard as plain text, and spreadsheet exports without live formulas.
"""

from __future__ import annotations

import io
import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings, strategies as st
from markupsafe import escape
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.extensions import db
from app.models import Answer, Attachment, Evaluation, Invitation, ResponseStatus
from app.models.base import utcnow
from tests.app.helpers import first_question, form_post
from tests.factories import questionnaire_version

FRAGMENTS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    '<a href="http://evil.example">x</a>',
    "<b>bold</b>",
    "{{ 7*7 }}",
    "{% print 1 %}",
    "${7*7}",
    '=HYPERLINK("http://evil.example","x")',
    "+SUM(1,1)",
    "-2+3",
    "@cmd",
    "javascript:alert(1)",
    "../../etc/passwd",
    "..\\..\\win.ini",
    "\u202eevil\u202c",
    "' OR 1=1 --",
    "&lt;b&gt;",
    "</textarea><p>",
    "</title><script>x()</script>",
    "<!--",
    "]]>",
    "\U0001f600",
]
# Printable text: control characters are refused by the forms themselves (tested separately below).
PLAIN = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=24)
HOSTILE = (
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), PLAIN), min_size=1, max_size=4)
    .map("".join)
    .filter(lambda text: text.strip() and any(mark in text for mark in "<>\"'&=+-@{"))
)
PROPERTY = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_inert(html: str, payload: str, *, shown: bool = True) -> None:
    """The payload never appears as markup; when ``shown`` it appears escaped, as text."""
    payload = payload.strip()
    # Only text that would form markup is meaningful to look for: a lone "<" or ">" is in every page anyway.
    if re.search(r'<[A-Za-z!/?]|"[^"]*>', payload):
        assert payload not in html, f"unescaped payload in the page: {payload!r}"
    if shown:
        assert str(escape(payload)) in html, f"payload not shown as text: {payload!r}"


def _deadline() -> str:
    return (utcnow() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.slow
@PROPERTY
@given(title=HOSTILE, description=HOSTILE)
def test_evaluation_form(client, login, world, title, description):
    login(world.buyer)
    answer = client.post(
        "/evaluations/new",
        data={
            "title": title,
            "description": description,
            "questionnaire": questionnaire_version().id,
            "deadline": _deadline(),
            "modalities": ["speech"],
            "sealed": "y",
        },
    )
    assert answer.status_code in (200, 302)
    if answer.status_code == 200:  # refused (too long, say): shown back, escaped, nothing lost
        assert_inert(answer.get_data(as_text=True), description)
        return
    page = client.get(answer.headers["Location"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert_inert(html, title)
    assert_inert(html, description)
    dashboard = client.get("/").get_data(as_text=True)
    assert_inert(dashboard, title)


@pytest.mark.slow
@PROPERTY
@given(vendor_name=HOSTILE)
def test_invite_form(client, login, world, vendor_name):
    login(world.buyer)
    answer = client.post(
        f"/evaluations/{world.evaluation.id}/invitations",
        data={"vendor_name": vendor_name, "email": f"contact-{uuid.uuid4().hex[:8]}@vendor.example"},
    )
    assert answer.status_code == 302
    html = client.get(f"/evaluations/{world.evaluation.id}").get_data(as_text=True)
    assert_inert(html, vendor_name, shown=len(vendor_name.strip()) <= 200)


@pytest.mark.parametrize(
    "email",
    [
        "<script>@x.example",
        "a@b.example<script>",
        'a@b.example"><svg onload=1>',
        '"><svg onload=1>@x.example',
        "a" * 300 + "@x.example",
    ],
)
def test_invite_form_refuses_hostile_addresses_with_a_message(client, login, world, email):
    login(world.buyer)
    answer = client.post(
        f"/evaluations/{world.evaluation.id}/invitations",
        data={"vendor_name": "Vendor", "email": email},
        follow_redirects=True,
    )
    assert answer.status_code == 200
    assert_inert(answer.get_data(as_text=True), email, shown=False)
    assert not db.session.scalars(sa.select(Invitation)).all()


@pytest.mark.slow
@PROPERTY
@given(text=HOSTILE, cell=HOSTILE)
def test_answers_in_the_editor_and_the_buyers_view(client, login, world, text, cell):
    login(world.vendor_a)
    question = first_question(world.response_a, "text")
    table = first_question(world.response_a, "table")
    text_column = next((c for c in table.columns if c.type == "text"), None)
    data = form_post({question.id: text})
    if text_column is not None:
        data[f"q.{table.id}.0.{text_column.id}"] = cell
        data[f"rev.{table.id}"] = "0"
    revisions = dict(
        db.session.execute(
            sa.select(Answer.question_id, Answer.revision).where(Answer.response_id == world.response_a.id)
        ).all()
    )
    for key in list(data):
        if key.startswith("rev."):
            data[key] = str(revisions.get(key[4:], 0))
    saved = client.post(f"/responses/{world.response_a.id}", data=data)
    assert saved.status_code in (302, 422)
    editor = client.get(f"/responses/{world.response_a.id}").get_data(as_text=True)
    assert_inert(editor, text, shown=saved.status_code == 302)
    if text_column is not None:
        assert_inert(editor, cell, shown=False)
    autosaved = client.post(
        f"/responses/{world.response_a.id}/autosave", data=data, headers={"Accept": "application/json"}
    )
    assert autosaved.status_code < 500 and autosaved.is_json


@pytest.mark.slow
@PROPERTY
@given(question=HOSTILE, reply=HOSTILE)
def test_clarification_questions_and_answers(client, login, world, question, reply):
    login(world.vendor_a)
    asked = client.post(
        f"/evaluations/{world.evaluation.id}/clarifications", data={"question": question, "question_id": ""}
    )
    assert asked.status_code < 500
    client.post("/logout")
    login(world.buyer)
    page = client.get(f"/evaluations/{world.evaluation.id}/clarifications").get_data(as_text=True)
    assert_inert(page, question, shown=False)
    from app.models import Clarification

    latest = db.session.scalars(sa.select(Clarification).order_by(Clarification.id.desc())).first()
    if latest is not None:
        prefix = f"c{latest.id}-"
        replied = client.post(
            f"/clarifications/{latest.id}/answer", data={prefix + "answer": reply, prefix + "audience": "vendor"}
        )
        assert replied.status_code < 500
        assert_inert(
            client.get(f"/evaluations/{world.evaluation.id}/clarifications").get_data(as_text=True), reply, shown=False
        )
    client.post("/logout")


@pytest.mark.parametrize("control", ["\x00", "\x1b[31m", "\x08", "\x07", "\ufffd", "\u2028"])
def test_control_characters_never_cause_a_server_error(client, login, world, control):
    login(world.buyer)
    answer = client.post(
        "/evaluations/new",
        data={
            "title": f"Title{control}",
            "description": f"x{control}y",
            "questionnaire": questionnaire_version().id,
            "deadline": _deadline(),
            "modalities": ["speech"],
        },
    )
    assert answer.status_code < 500
    invite = client.post(
        f"/evaluations/{world.evaluation.id}/invitations",
        data={"vendor_name": f"V{control}", "email": "v@vendor.example"},
    )
    assert invite.status_code < 500
    client.post("/logout")
    login(world.vendor_a)
    text = first_question(world.response_a, "text")
    saved = client.post(f"/responses/{world.response_a.id}", data=form_post({text.id: f"a{control}b"}))
    assert saved.status_code < 500


PDF_PAYLOAD = '<b>bold</b><a href="http://evil.example/x">link</a><img src="file:///etc/passwd">'


def test_pdf_scorecard_prints_hostile_names_as_text(client, login, world):
    """Evaluation title and vendor name reach the PDF: as literal text, no link, no fetched file."""
    from pypdf import PdfReader

    world.evaluation.title = "Title " + PDF_PAYLOAD
    world.response_b.vendor_organisation.name = "Vendor " + PDF_PAYLOAD
    world.response_b.status, world.response_b.submitted_at = ResponseStatus.SUBMITTED, utcnow()
    world.evaluation.sealed = False
    db.session.commit()
    login(world.buyer)
    pdf = client.get(f"/evaluations/{world.evaluation.id}/vendors/{world.response_b.id}/scorecard.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert "<b>bold</b>" in text and "evil.example" in text, "markup printed as text, not interpreted"
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            assert "evil.example" not in str(action.get("/URI", "")), "a hostile link became clickable"
    assert b"/JavaScript" not in pdf.data and b"/JS " not in pdf.data
    ranking = client.get(f"/evaluations/{world.evaluation.id}/ranking").get_data(as_text=True)
    assert_inert(ranking, PDF_PAYLOAD, shown=False)


FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0"]


def test_spreadsheet_export_holds_no_live_formula(client, login, world):
    from openpyxl import load_workbook

    if "reports.export" not in client.application.view_functions:
        pytest.skip("no spreadsheet export in this build")
    world.evaluation.title = FORMULAS[0]
    world.response_b.vendor_organisation.name = FORMULAS[1]
    world.response_b.status, world.response_b.submitted_at = ResponseStatus.SUBMITTED, utcnow()
    world.evaluation.sealed = False
    text = first_question(world.response_b, "text")
    db.session.add(Answer(response_id=world.response_b.id, question_id=text.id, value=FORMULAS[4]))
    db.session.commit()
    login(world.buyer)
    answer = client.get(f"/evaluations/{world.evaluation.id}/export.xlsx")
    assert answer.status_code == 200
    workbook = load_workbook(io.BytesIO(answer.data))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    # The only formulas are the audit sheets' own sums over weights and scores (app/reports/audit_sheets.py).
    formulas = [cell for cell in cells if cell.data_type == "f"]
    assert {cell.parent.title for cell in formulas} <= {"Section weights", "Question weights", "Totals"}, (
        "a cell holds a live formula"
    )
    assert not [c.value for c in formulas if re.search(r"HYPERLINK|cmd|@|1\+1|2\+3", c.value)], "typed text ran"
    values = {str(cell.value) for cell in cells if cell.value is not None}
    assert any("HYPERLINK" in value or "1+1" in value or "calc" in value for value in values), (
        "the hostile values are exported (as text)"
    )


UPLOAD_NAMES = [
    "../../../../tmp/datavet-escape.txt",
    "..\\..\\..\\win.ini",
    "/etc/passwd",
    "C:\\boot.ini",
    "<script>alert(1)</script>.txt",
    "=cmd.txt",
    "a" * 400 + ".txt",
    ".htaccess",
    "con.txt",
    "évidence 证据.txt",
    "",
    "   ",
    "\u202etxt.exe",
]


@pytest.mark.parametrize("filename", UPLOAD_NAMES)
def test_upload_names_never_leave_the_upload_folder(client, login, world, tmp_path, filename):
    login(world.vendor_a)
    question = first_question(world.response_a, "file")
    answer = client.post(
        f"/responses/{world.response_a.id}/evidence",
        content_type="multipart/form-data",
        data={"question_id": question.id, "file": (io.BytesIO(b"Consent text.\n"), filename)},
    )
    assert answer.status_code in (302, 400)
    folder = Path(client.application.config["UPLOAD_FOLDER"])
    for stored in db.session.scalars(sa.select(Attachment)):
        # The typed name is only ever shown or offered as a download name, never used as a path.
        assert "/" not in stored.filename and "\\" not in stored.filename and len(stored.filename) <= 255
        assert re.fullmatch(r"[0-9a-f]{32}", stored.stored_name) and (folder / stored.stored_name).is_file()
        download = client.get(f"/responses/evidence/{stored.id}")
        disposition = download.headers["Content-Disposition"]
        download.close()
        assert "/" not in disposition and "\\" not in disposition and "\n" not in disposition
    editor = client.get(f"/responses/{world.response_a.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in editor
    assert not Path("/tmp/datavet-escape.txt").exists()


MALFORMED = {
    "empty": b"",
    "pdf header, garbage body": b"%PDF-1.7\n" + bytes(range(256)) * 4,
    "zip that is no office file": b"PK\x03\x04" + b"\x00" * 200,
    "truncated png": b"\x89PNG\r\n\x1a\n\x00\x00",
    "binary noise": bytes((i * 37) % 256 for i in range(4096)),
    "html posing as text": b"<html><script>alert(1)</script></html>",
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_malformed_files_are_refused_with_a_message(client, login, world, kind):
    login(world.vendor_a)
    question = first_question(world.response_a, "file")
    answer = client.post(
        f"/responses/{world.response_a.id}/evidence",
        content_type="multipart/form-data",
        data={"question_id": question.id, "file": (io.BytesIO(MALFORMED[kind]), f"{kind}.pdf")},
        follow_redirects=True,
    )
    assert answer.status_code == 200
    assert_inert(answer.get_data(as_text=True), "<script>alert(1)</script>", shown=False)
    for route, field in ((f"/responses/{world.response_a.id}/workbook", "workbook"),):
        if client.application.url_map.bind("datavet.test").test(route, "POST"):
            imported = client.post(
                route, content_type="multipart/form-data", data={field: (io.BytesIO(MALFORMED[kind]), f"{kind}.xlsx")}
            )
            assert imported.status_code < 500, route
    client.post("/logout")
    login(world.buyer)
    upload = client.post(
        f"/evaluations/{world.evaluation.id}/requirements/upload",
        content_type="multipart/form-data",
        data={"requirements": (io.BytesIO(MALFORMED[kind]), f"{kind}.xlsx")},
    )
    assert upload.status_code < 500


def _multipart(client, url, fields, **kwargs):
    # Encoded in memory: the test client's own encoder spools big bodies to a temporary file it never closes.
    boundary, body = encode_multipart(fields)
    return client.post(url, data=body, content_type=f'multipart/form-data; boundary="{boundary}"', **kwargs)


def test_oversized_files_are_refused_not_crashed(client, login, world):
    login(world.vendor_a)
    question = first_question(world.response_a, "file")
    url = f"/responses/{world.response_a.id}/evidence"
    limit_mb = client.application.config["MAX_UPLOAD_MB"]
    over_limit = FileStorage(io.BytesIO(b"x" * (limit_mb * 1024 * 1024 + 1)), "big.txt")
    answer = _multipart(client, url, {"question_id": question.id, "file": over_limit}, follow_redirects=True)
    assert answer.status_code == 200 and "larger than" in answer.get_data(as_text=True)
    far_over = FileStorage(io.BytesIO(b"x" * (client.application.config["MAX_CONTENT_LENGTH"] + 1024)), "huge.txt")
    cut_off = _multipart(client, url, {"question_id": question.id, "file": far_over})
    assert cut_off.status_code in (302, 413)
    assert not db.session.scalars(sa.select(Attachment)).all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evaluation)) == 1


def _api_headers(user):
    from tests.api.helpers import bearer

    return bearer(user) | {"Accept": "application/json"}


@PROPERTY
@given(value=st.one_of(HOSTILE, HOSTILE.map(lambda text: text + "\x00")))
def test_api_answers_take_hostile_text_without_error(client, world, value):
    if not any(rule.rule.startswith("/api/") for rule in client.application.url_map.iter_rules()):
        pytest.skip("no JSON API in this build")
    question = first_question(world.response_a, "text")
    headers = _api_headers(world.vendor_a)
    revision = (
        db.session.scalar(
            sa.select(Answer.revision).where(
                Answer.response_id == world.response_a.id, Answer.question_id == question.id
            )
        )
        or 0
    )
    put = client.put(
        f"/api/v1/responses/{world.response_a.id}/answers/{question.id}",
        json={"value": value, "revision": revision},
        headers=headers,
    )
    assert put.status_code < 500 and put.is_json
    stored = db.session.scalar(
        sa.select(Answer.value).where(Answer.response_id == world.response_a.id, Answer.question_id == question.id)
    )
    if put.status_code == 200:
        assert stored == value.replace("\x00", "").strip()
    listing = client.get(f"/api/v1/responses/{world.response_a.id}/answers", headers=headers)
    assert listing.status_code == 200 and listing.mimetype == "application/json"


def test_nul_characters_are_dropped_from_json_bodies_and_file_names(client, login, world):
    if any(rule.rule.startswith("/api/") for rule in client.application.url_map.iter_rules()):
        created = client.post(
            "/api/v1/evaluations",
            headers=_api_headers(world.buyer),
            json={
                "title": "Speech\x00 data",
                "questionnaire_id": questionnaire_version().id,
                "deadline": (utcnow() + timedelta(days=9)).isoformat(),
                "modalities": ["speech"],
            },
        )
        assert created.status_code < 500
        if created.status_code in (200, 201):
            assert db.session.scalar(sa.select(Evaluation.title).where(Evaluation.title == "Speech data"))
    login(world.vendor_a)
    question = first_question(world.response_a, "file")
    upload = client.post(
        f"/responses/{world.response_a.id}/evidence",
        content_type="multipart/form-data",
        data={"question_id": question.id, "file": (io.BytesIO(b"Consent.\n"), "con\x00sent.txt")},
    )
    assert upload.status_code == 302
    assert db.session.scalars(sa.select(Attachment.filename)).all() == ["consent.txt"]
