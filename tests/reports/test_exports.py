"""Spreadsheets: the same numbers as the ranking, every table, formula-like text neutralised."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Answer, AuditEvent, ConsensusScore, Organisation, Score
from app.reports.exports import SHEETS, XLSX_SHEETS, neutralise
from app.reports.ranking import compute_results

FORMULAS = ('=HYPERLINK("http://evil.example","click")', "+1+2", "-3+cmd|' /C calc'!A0", "@SUM(A1:A2)", "\tx", "\r=1")


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_text_is_neutralised(text):
    safe = neutralise(text)
    assert safe.startswith("'") and safe[1:] == text


@pytest.mark.parametrize("value", ["Plain text", "ポリグロット", "1-2", "", 42, -3.5, None, True])
def test_other_values_are_left_alone(value):
    assert neutralise(value) == value


def _totals(results) -> dict[str, float]:
    return {v.vendor: round(v.total, 4) for v in results.ranked + results.disqualified}


def test_xlsx_carries_the_ranking_totals_and_every_table(client, demo, demo_user):
    demo_user("viewer@acme.example")
    answer = client.get(f"/evaluations/{demo.id}/export.xlsx")
    assert answer.status_code == 200 and answer.headers["Content-Disposition"].endswith('.xlsx"')
    sheets = pd.read_excel(io.BytesIO(answer.data), sheet_name=None)
    assert tuple(sheets) == XLSX_SHEETS
    results = compute_results(demo)
    ranking = sheets["Ranking"]
    assert dict(zip(ranking["Vendor"], ranking["Total (0-100)"], strict=True)) == pytest.approx(_totals(results))
    assert list(ranking["Vendor"]) == [v.vendor for v in results.ranked + results.disqualified]
    set_apart = ranking[ranking["Vendor"] == "QuickData Collect"].iloc[0]
    assert pd.isna(set_apart["Rank"]) and "PRV-01" in set_apart["Failed must-haves"]
    first = results.ranked[0]
    for section in first.sections:
        assert ranking.loc[0, f"{section.title} (0-100)"] == pytest.approx(section.score, abs=1e-4)
    criteria = sheets["Criteria"]
    assert criteria.groupby("Vendor")["Points"].sum().to_dict() == pytest.approx(_totals(results), abs=1e-3)
    assert len(sheets["Scores"]) == db.session.scalar(
        sa.select(sa.func.count()).select_from(Score).where(Score.submitted_at.is_not(None))
    )
    assert set(sheets["Scores"]["Evaluator"]) == {"Eli Evaluator", "Eva Evaluator"}
    assert len(sheets["Consensus"]) == db.session.scalar(sa.select(sa.func.count()).select_from(ConsensusScore))
    assert len(sheets["Answers"]) == db.session.scalar(sa.select(sa.func.count()).select_from(Answer))
    coverage_rows = sheets["Answer tables"].query("`Question id` == 'COV-02' and Column == 'Committed contributors'")
    assert len(coverage_rows) == 3 * 4, "one row per vendor and required locale"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "export.downloaded"))
    assert event.subject == "spreadsheet:xlsx" and event.evaluation_id == demo.id


def test_csv_zip_has_one_file_per_table_with_the_same_totals(client, demo, demo_user):
    demo_user("buyer@acme.example")
    answer = client.get(f"/evaluations/{demo.id}/export.zip")
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(answer.data)) as archive:
        assert sorted(archive.namelist()) == sorted(f"{name.lower().replace(' ', '-')}.csv" for name in SHEETS)
        ranking = pd.read_csv(archive.open("ranking.csv"), encoding="utf-8-sig")
        scores = pd.read_csv(archive.open("scores.csv"), encoding="utf-8-sig")
    assert dict(zip(ranking["Vendor"], ranking["Total (0-100)"], strict=True)) == pytest.approx(
        _totals(compute_results(demo))
    )
    assert scores["Score (0-4)"].between(0, 4).all()


def test_typed_formulas_reach_the_spreadsheet_as_text(client, demo, demo_user):
    vendor = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Crowdsource Audio Co"))
    vendor.name = '=HYPERLINK("http://evil.example","Crowdsource")'
    comment = db.session.scalars(sa.select(Score)).first()
    comment.comment = "@SUM(1+1)*cmd|' /C calc'!A0"
    text_answer = db.session.scalar(sa.select(Answer).where(Answer.question_id == "COV-12").limit(1))
    text_answer.value = "-2+3 and +4"
    db.session.commit()
    demo_user("buyer@acme.example")
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/evaluations/{demo.id}/export.xlsx").data))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    # Only the audit sheets hold formulas, and only those the export writes (see test_audit_sheets.py).
    typed = [
        cell for sheet in workbook.worksheets if sheet.title in SHEETS for row in sheet.iter_rows() for cell in row
    ]
    assert not [cell.coordinate for cell in typed if cell.data_type == "f"], "no cell of typed text is a formula"
    assert all(
        cell.value.startswith(("=SUM", "=25*SUMPRODUCT(", "=SUMPRODUCT("))
        or re.fullmatch(r"=[A-Z]+\d+/SUM\(.*\)", cell.value)
        for cell in cells
        if cell.data_type == "f"
    )
    values = {cell.value for cell in cells if isinstance(cell.value, str)}
    assert '\'=HYPERLINK("http://evil.example","Crowdsource")' in values
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in values and "'-2+3 and +4" in values
    with zipfile.ZipFile(io.BytesIO(client.get(f"/evaluations/{demo.id}/export.zip").data)) as archive:
        ranking = archive.read("ranking.csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in ranking and "\n=HYPERLINK" not in ranking and ",=HYPERLINK" not in ranking
