"""The audit sheets of the XLSX export: weights, question scores and totals written as formulas.

A buyer can check the ranking in the spreadsheet itself: ``Totals`` computes every vendor's section
scores and total from ``Section weights``, ``Question weights`` and ``Question scores`` with SUM and
SUMPRODUCT, the same arithmetic as :func:`app.scoring.aggregate.score_response`:

- a section's score (0-100) = 25 × Σ(counted weight × score 0-4) ÷ Σ(counted weight) over its questions;
- the total = Σ(section share × section score), a share being the section's counted weight ÷ all counted.

"Counted" weights are the buyer's weights, with 0 for a question left out of a vendor's section average
(not scored for want of a buyer target, or not shown to that vendor) and for a section left with
nothing to score. Text cells are neutralised like every other cell; only the formulas written here
begin with ``=``.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook

from app.reports.ranking import EvaluationResults

SECTION_SHEET = "Section weights"
QUESTION_SHEET = "Question weights"
SCORE_SHEET = "Question scores"
TOTALS_SHEET = "Totals"
AUDIT_SHEETS = (SECTION_SHEET, QUESTION_SHEET, SCORE_SHEET, TOTALS_SHEET)


@dataclass(frozen=True)
class AuditSection:
    section_id: str
    title: str
    weight: float
    counted: tuple[float, ...]  # per vendor: the weight, or 0 when the section had nothing to score


@dataclass(frozen=True)
class AuditQuestion:
    section_id: str
    question_id: str
    text: str
    weight: float
    counted: tuple[float, ...]  # per vendor: the weight, or 0 when left out of that vendor's section
    scores: tuple[float | None, ...]  # per vendor, 0-4; None when not counted


@dataclass(frozen=True)
class AuditVendor:
    name: str
    rank: int | None
    total: float


@dataclass(frozen=True)
class AuditModel:
    """Plain data of the audit sheets: vendors are columns, questions grouped by section."""

    vendors: tuple[AuditVendor, ...]
    sections: tuple[AuditSection, ...]
    questions: tuple[AuditQuestion, ...]


def audit_model(results: EvaluationResults) -> AuditModel:
    """The weights and scores behind every vendor's total, as :func:`compute_results` used them."""
    vendors = results.ranked + results.disqualified
    sections = []
    for spec in results.sections:
        counted = []
        for vendor in vendors:
            section = next((s for s in vendor.sections if s.id == spec.id), None)
            counted.append(0.0 if section is None or section.not_scored else float(spec.weight))
        sections.append(AuditSection(spec.id, spec.title, float(spec.weight), tuple(counted)))
    by_vendor = [{q.question_id: q for q in vendor.questions} for vendor in vendors]
    questions = []
    for spec in results.sections:
        ids = list(
            dict.fromkeys(q.question_id for vendor in vendors for q in vendor.questions if q.section_id == spec.id)
        )
        for question_id in ids:
            found = [scored.get(question_id) for scored in by_vendor]
            first = next(q for q in found if q is not None)
            counted = tuple(q.weight if q is not None and q.counted else 0.0 for q in found)
            scores = tuple(
                (q.score or 0.0) if q is not None and q.counted else None for q in found
            )  # unanswered or awaiting evaluators counts 0, as in the ranking
            questions.append(AuditQuestion(spec.id, question_id, first.text, first.weight, counted, scores))
    return AuditModel(tuple(AuditVendor(v.vendor, v.rank, v.total) for v in vendors), tuple(sections), tuple(questions))


def _ref(sheet: str, column: int, first: int, last: int | None = None) -> str:
    letter = get_column_letter(column)
    cell = f"'{sheet}'!${letter}${first}"
    return cell if last is None else f"{cell}:${letter}${last}"


def write_audit_sheets(book: Workbook, model: AuditModel, neutralise) -> None:
    """Add the four audit sheets to ``book``; ``neutralise`` makes text cells safe (formulas are ours)."""
    names = [neutralise(v.name) for v in model.vendors]
    count = len(model.vendors)
    first_row, last_section_row = 2, len(model.sections) + 1

    sections = book.create_sheet(SECTION_SHEET)
    sections.append(
        ["Section id", "Section", "Weight", "Share of total weight"]
        + [header for name in names for header in (f"Weight counted: {name}", f"Share: {name}")]
    )
    weight_total = sum(s.weight for s in model.sections)
    counted_totals = [sum(s.counted[i] for s in model.sections) for i in range(count)]
    for row, section in enumerate(model.sections, start=first_row):
        cells = [
            neutralise(section.section_id),
            neutralise(section.title),
            section.weight,
            f"=C{row}/SUM($C${first_row}:$C${last_section_row})" if weight_total > 0 else 0,
        ]
        for i in range(count):
            counted_column = 5 + 2 * i
            letter = get_column_letter(counted_column)
            cells.append(section.counted[i])
            cells.append(
                f"={letter}{row}/SUM(${letter}${first_row}:${letter}${last_section_row})"
                if counted_totals[i] > 0
                else 0
            )
        sections.append(cells)
    share_columns = [6 + 2 * i for i in range(count)]

    weights = book.create_sheet(QUESTION_SHEET)
    weights.append(
        ["Section id", "Question id", "Question", "Weight in section", "Share within section"]
        + [f"Weight counted: {name}" for name in names]
    )
    scores = book.create_sheet(SCORE_SHEET)
    scores.append(["Section id", "Question id", "Question"] + [f"{name} (0-4)" for name in names])
    spans: dict[str, tuple[int, int]] = {}
    for row, question in enumerate(model.questions, start=first_row):
        start, _ = spans.get(question.section_id, (row, row))
        spans[question.section_id] = (start, row)
    for row, question in enumerate(model.questions, start=first_row):
        start, end = spans[question.section_id]
        mass = sum(q.weight for q in model.questions if q.section_id == question.section_id)
        weights.append(
            [
                neutralise(question.section_id),
                neutralise(question.question_id),
                neutralise(question.text),
                question.weight,
                f"=D{row}/SUM($D${start}:$D${end})" if mass > 0 else 0,
                *question.counted,
            ]
        )
        scores.append(
            [neutralise(question.section_id), neutralise(question.question_id), neutralise(question.text)]
            + list(question.scores)
        )

    totals = book.create_sheet(TOTALS_SHEET)
    totals.append(["Section id", "Section (score 0-100)", *names])
    for section in model.sections:
        cells: list = [neutralise(section.section_id), neutralise(section.title)]
        start, end = spans.get(section.section_id, (0, 0))
        for i in range(count):
            counted = sum(q.counted[i] for q in model.questions if q.section_id == section.section_id)
            if not start or counted <= 0:
                cells.append(0)
                continue
            counted_range = _ref(QUESTION_SHEET, 6 + i, start, end)
            score_range = _ref(SCORE_SHEET, 4 + i, start, end)
            cells.append(f"=25*SUMPRODUCT({counted_range},{score_range})/SUM({counted_range})")
        totals.append(cells)
    total_row = last_section_row + 1
    cells = ["", "Total (0-100)"]
    for i in range(count):
        letter = get_column_letter(3 + i)
        shares = _ref(SECTION_SHEET, share_columns[i], first_row, last_section_row)
        cells.append(f"=SUMPRODUCT({shares},{letter}{first_row}:{letter}{last_section_row})")
    totals.append(cells)
    totals.append(["", "Total in the ranking", *(round(v.total, 4) for v in model.vendors)])
    totals.append(["", "Rank", *(v.rank if v.rank else "not ranked: failed a must-have" for v in model.vendors)])
    for sheet in (sections, weights, scores, totals):
        sheet.freeze_panes = "A2"
    totals.cell(row=total_row, column=2).font = Font(bold=True)
