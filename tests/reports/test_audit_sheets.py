"""The XLSX audit sheets: weights, question scores and totals as formulas that reproduce the ranking."""

from __future__ import annotations

import io

import openpyxl
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Organisation
from app.reports.audit_sheets import SCORE_SHEET, SECTION_SHEET, TOTALS_SHEET
from app.reports.exports import neutralise, spreadsheet_tables, to_xlsx
from app.reports.ranking import compute_results
from tests.reports.formula_eval import Formula, FormulaBook


def _workbook(client, evaluation):
    answer = client.get(f"/evaluations/{evaluation.id}/export.xlsx")
    assert answer.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(answer.data))


def _totals_row(sheet) -> int:
    return next(row for row in range(1, sheet.max_row + 1) if sheet.cell(row=row, column=2).value == "Total (0-100)")


def _check_formulas_reproduce(book, results):
    evaluator = FormulaBook(book)
    totals = book[TOTALS_SHEET]
    row = _totals_row(totals)
    vendors = results.ranked + results.disqualified
    headers = [totals.cell(row=1, column=3 + i).value for i in range(len(vendors))]
    assert headers == [neutralise(v.vendor) for v in vendors]
    for i, vendor in enumerate(vendors):
        cell = totals.cell(row=row, column=3 + i)
        assert isinstance(cell.value, str) and cell.value.startswith("=SUMPRODUCT("), "a real formula"
        assert evaluator.value(TOTALS_SHEET, cell.coordinate) == pytest.approx(vendor.total, abs=0.01)
        for s_row, section in enumerate(vendor.sections, start=2):
            shown = evaluator.value(TOTALS_SHEET, totals.cell(row=s_row, column=3 + i).coordinate)
            assert shown == pytest.approx(section.score, abs=0.01), section.id
    computed = [
        evaluator.value(TOTALS_SHEET, totals.cell(row=row, column=3 + i).coordinate) for i in range(len(vendors))
    ]
    ranked = [v.vendor for v in results.ranked]
    by_formula = sorted(ranked, key=lambda name: -computed[[v.vendor for v in vendors].index(name)])
    assert by_formula == ranked, "the formulas put the ranked vendors in the ranking's order"


def test_xlsx_formulas_reproduce_the_ranking_totals(client, demo, demo_user):
    demo_user("buyer@acme.example")
    book = _workbook(client, demo)
    assert {"Section weights", "Question weights", "Question scores", "Totals"} <= set(book.sheetnames)
    _check_formulas_reproduce(book, compute_results(demo))
    shares = book[SECTION_SHEET]
    share = shares.cell(row=2, column=4).value
    assert share.startswith("=C2/SUM("), "section shares are formulas over the weights"
    assert sum(FormulaBook(book).value(SECTION_SHEET, f"D{r}") for r in range(2, shares.max_row + 1)) == pytest.approx(
        1
    )


def test_formulas_follow_a_price_weight_and_a_section_without_a_target(client, login, demo, demo_user):
    # Another price weight (15) and the demographic target removed, so questions are left out.
    next(row for row in demo.section_weights if row.section_id == "_price").weight = 15.0
    demo.requirements = {**demo.requirements, "demographics": {}}
    db.session.commit()
    results = compute_results(demo)
    assert any(s.id == "_price" for s in results.sections)
    assert any(not q.counted for v in results.ranked for q in v.questions), "some questions are left out"
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(spreadsheet_tables(demo, results))))
    _check_formulas_reproduce(book, results)


def test_text_in_the_audit_sheets_is_neutralised_but_formulas_are_real(client, demo, demo_user):
    vendor = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Crowdsource Audio Co"))
    vendor.name = '=HYPERLINK("http://evil.example")'
    db.session.commit()
    demo_user("buyer@acme.example")
    book = _workbook(client, demo)
    headers = [cell.value for cell in book[SCORE_SHEET][1]]
    assert '\'=HYPERLINK("http://evil.example") (0-4)' in headers
    assert '\'=HYPERLINK("http://evil.example")' in [cell.value for cell in book[TOTALS_SHEET][1]]
    _check_formulas_reproduce(book, compute_results(demo))


def test_the_test_evaluator_reads_only_what_it_knows():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "S"
    sheet["A1"], sheet["A2"], sheet["B1"], sheet["B2"] = 2, 3, 4, None
    evaluator = FormulaBook(book)
    assert Formula(evaluator, "S", "SUMPRODUCT(A1:A2,B1:B2)/SUM('S'!$A$1:$A$2)+-1").evaluate() == pytest.approx(0.6)
    with pytest.raises(ValueError):
        Formula(evaluator, "S", "VLOOKUP(A1,A1:B2,2)").evaluate()
