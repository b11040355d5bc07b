"""Spreadsheets through the web: the vendor's offline round trip and the buyer's requirements upload."""

from __future__ import annotations

import io

import openpyxl
import sqlalchemy as sa

from app.extensions import db
from app.models import Answer
from app.scoring.model import Requirements
from tests.app.helpers import first_question, form_post, raw_answers


def _answers(response):
    return dict(
        db.session.execute(sa.select(Answer.question_id, Answer.value).where(Answer.response_id == response.id)).all()
    )


def _upload(client, response, data: bytes):
    return client.post(
        f"/responses/{response.id}/workbook",
        content_type="multipart/form-data",
        data={"workbook": (io.BytesIO(data), "filled.xlsx")},
    )


def test_offline_round_trip_reproduces_the_answers(client, login, world):
    login(world.vendor_a)
    response = world.response_a
    client.post(f"/responses/{response.id}", data=form_post(raw_answers(response)))
    saved = _answers(response)
    exported = client.get(f"/responses/{response.id}/workbook.xlsx")
    assert exported.status_code == 200
    # Clearing the draft and importing the untouched workbook gives back exactly the same answers.
    db.session.execute(sa.delete(Answer).where(Answer.response_id == response.id))
    db.session.commit()
    imported = _upload(client, response, exported.data)
    assert imported.status_code == 302, imported.get_data(as_text=True)[-3000:]
    assert _answers(response) == saved


def test_a_filled_cell_is_imported(client, login, world):
    login(world.vendor_a)
    response = world.response_a
    text = first_question(response, "text")
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/responses/{response.id}/workbook.xlsx").data))
    sheet = book["Answers"]
    headers = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[headers.index("Question ID")].value == text.id:
            row[headers.index("Answer")].value = "Written offline"
    buffer = io.BytesIO()
    book.save(buffer)
    assert _upload(client, response, buffer.getvalue()).status_code == 302
    assert _answers(response)[text.id] == "Written offline"


def test_invalid_cells_are_listed_and_nothing_is_imported(client, login, world):
    login(world.vendor_a)
    response = world.response_a
    text, number = first_question(response, "text"), first_question(response, "number")
    client.post(f"/responses/{response.id}", data=form_post({text.id: "Saved before"}))
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/responses/{response.id}/workbook.xlsx").data))
    sheet = book["Answers"]
    headers = [cell.value for cell in sheet[1]]
    bad_row = None
    for row in sheet.iter_rows(min_row=2):
        qid = row[headers.index("Question ID")].value
        if qid == number.id:
            row[headers.index("Answer")].value = "about twelve"
            bad_row = row[0].row
        if qid == text.id:
            row[headers.index("Answer")].value = "Changed offline"
    buffer = io.BytesIO()
    book.save(buffer)
    page = _upload(client, response, buffer.getvalue())
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert f"row {bad_row}" in html and "Sheet <strong>Answers</strong>" in html
    assert _answers(response) == {text.id: "Saved before"}, "nothing is imported and nothing saved is lost"


def test_not_a_workbook_is_refused_clearly(client, login, world):
    login(world.vendor_a)
    page = _upload(client, world.response_a, b"%PDF-1.7 not a workbook")
    assert page.status_code == 422 and "not an Excel workbook" in page.get_data(as_text=True)


def test_requirements_upload_from_csv(client, login, world):
    login(world.buyer)
    csv = b"locale,min_contributors,min_hours\nen-us,200,500\nhi-IN,150,\n"
    page = client.post(
        f"/evaluations/{world.evaluation.id}/requirements/upload",
        content_type="multipart/form-data",
        data={"requirements": (io.BytesIO(csv), "locales.csv")},
    )
    assert page.status_code == 302
    db.session.refresh(world.evaluation)
    profile = Requirements.from_dict(world.evaluation.requirements)
    assert [(t.locale, t.min_contributors, t.min_hours) for t in profile.locales] == [
        ("en-US", 200, 500.0),
        ("hi-IN", 150, None),
    ]


def test_requirements_upload_with_a_bad_row_imports_nothing(client, login, world):
    login(world.buyer)
    csv = b"locale,min_contributors,min_hours\nen-US,200,500\nenglish,ten,\n"
    page = client.post(
        f"/evaluations/{world.evaluation.id}/requirements/upload",
        content_type="multipart/form-data",
        data={"requirements": (io.BytesIO(csv), "locales.csv")},
        follow_redirects=True,
    )
    html = page.get_data(as_text=True)
    assert "row 3" in html and "Nothing was imported" in html
    db.session.refresh(world.evaluation)
    assert world.evaluation.requirements == {}


def test_requirements_upload_from_xlsx_with_demographics(client, login, world):
    login(world.buyer)
    book = openpyxl.Workbook()
    book.active.title = "locales"
    book["locales"].append(["locale", "min_contributors", "min_hours"])
    book["locales"].append(["ja-JP", 80, 100])
    demo = book.create_sheet("demographics")
    demo.append(["attribute", "category", "share"])
    demo.append(["gender", "female", 60])
    demo.append(["gender", "male", 40])
    buffer = io.BytesIO()
    book.save(buffer)
    client.post(
        f"/evaluations/{world.evaluation.id}/requirements/upload",
        content_type="multipart/form-data",
        data={"requirements": (io.BytesIO(buffer.getvalue()), "profile.xlsx")},
    )
    db.session.refresh(world.evaluation)
    profile = Requirements.from_dict(world.evaluation.requirements)
    assert profile.locales[0].locale == "ja-JP"
    assert profile.demographics["gender"] == {"female": 0.6, "male": 0.4}
