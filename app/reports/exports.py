"""Spreadsheets of an evaluation for analysts, built with pandas.

Tables (one XLSX sheet or one CSV file each): Ranking, Criteria (how every number was scored),
Answers, Answer tables (every row of every table answer), Scores (each evaluator's submitted
scores) and Consensus. Only submitted responses appear, as on the ranking page; the totals are
those of :func:`app.reports.ranking.compute_results`.

Text a vendor or evaluator typed could be read as a formula by a spreadsheet program, so every
text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
apostrophe (OWASP's advice for CSV injection); numbers stay numbers.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from app.extensions import db
from app.models import Answer, Attachment, ConsensusScore, Evaluation, Score, User
from app.questionnaires import store
from app.questionnaires.model import Question
from app.reports.audit_sheets import AUDIT_SHEETS, AuditModel, audit_model, write_audit_sheets
from app.reports.ranking import EvaluationResults, VendorResult, compute_results

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters no spreadsheet cell may hold (openpyxl refuses them).
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
SHEETS = ("Ranking", "Criteria", "Answers", "Answer tables", "Scores", "Consensus")
XLSX_SHEETS = SHEETS + AUDIT_SHEETS


class SpreadsheetTables(dict[str, pd.DataFrame]):
    """The export's tables by sheet name, plus the data of the XLSX audit sheets (formulas, not tables)."""

    audit: AuditModel | None = None


def neutralise(value: Any) -> Any:
    """A cell value safe to open in a spreadsheet program: formula-like text gets a leading apostrophe."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS.sub("", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _safe(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.rename(columns=neutralise)
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(neutralise).astype(object)
    return frame


def _utc(moment: datetime | None) -> datetime | None:
    # Spreadsheet cells have no time zone: write UTC wall time and say so in the column name.
    return None if moment is None else moment.astimezone(UTC).replace(tzinfo=None)


def _answer_text(question: Question | None, value: Any, files: list[str]) -> Any:
    if question is None:
        return "" if value is None else str(value)
    if question.type == "file":
        return "; ".join(files)
    if value is None:
        return ""
    labels = {option.key: option.label for option in question.options}
    if question.type == "yes_no":
        return "yes" if value is True else "no" if value is False else str(value)
    if question.type == "single_choice":
        return labels.get(value, str(value))
    if question.type == "multi_choice":
        return "; ".join(labels.get(item, str(item)) for item in value)
    if question.type == "table":
        return f"{len(value)} rows (see Answer tables)"
    if question.type in ("number", "percentage") and isinstance(value, (int, float)):
        return value
    return str(value)


PRICE_COLUMNS = (
    "Currency",
    "Price unit",
    "Price per unit",
    "Rejection rate (%)",
    "Cost per accepted unit",
    "Cost ÷ budget",
    "Budget per accepted unit",
    "Price",
)


def _price_columns(results: EvaluationResults, vendor: VendorResult) -> dict[str, Any]:
    settings = results.price
    if settings is None or settings.price_question is None:
        return {}
    cost = vendor.price.cost if vendor.price else None
    ratio = settings.budget_ratio(cost) if cost else None
    return {
        "Currency": settings.currency,
        "Price unit": settings.unit_words,
        "Price per unit": cost.price if cost else None,
        "Rejection rate (%)": cost.rejection_rate if cost else None,
        "Cost per accepted unit": None if cost is None or cost.cost is None else round(cost.cost, 4),
        "Cost ÷ budget": None if ratio is None else round(ratio, 4),
        "Budget per accepted unit": settings.budget,
        "Price": settings.describe(cost) if cost else "",
    }


def _ranking(results: EvaluationResults) -> pd.DataFrame:
    priced = results.price is not None and results.price.price_question is not None
    rows = []
    for vendor in results.ranked + results.disqualified:
        row = {
            "Rank": vendor.rank,
            "Vendor": vendor.vendor,
            "Response id": vendor.response_id,
            "Status": "ranked" if vendor.rank else "not ranked: failed a must-have",
            "Total (0-100)": round(vendor.total, 4),
        }
        row |= {f"{s.title} (0-100)": round(s.score, 4) for s in vendor.sections}
        row |= _price_columns(results, vendor)
        row |= {
            "Failed must-haves": "; ".join(f"{f.question_id}: {f.reason} ({f.detail})" for f in vendor.failures),
            "Criteria scored by people": vendor.scored_by_people,
            "Criteria awaiting evaluators": vendor.awaiting_people,
        }
        rows.append(row)
    return pd.DataFrame(
        rows,
        columns=[
            "Rank",
            "Vendor",
            "Response id",
            "Status",
            "Total (0-100)",
            *[f"{s.title} (0-100)" for s in results.sections],
            *(PRICE_COLUMNS if priced else ()),
            "Failed must-haves",
            "Criteria scored by people",
            "Criteria awaiting evaluators",
        ],
    )


def _criteria(results: EvaluationResults) -> pd.DataFrame:
    titles = {s.id: s.title for s in results.sections}
    return pd.DataFrame(
        [
            {
                "Vendor": v.vendor,
                "Response id": v.response_id,
                "Section": titles.get(q.section_id, q.section_id),
                "Question id": q.question_id,
                "Question": q.text,
                "Method": q.method,
                "Score (0-4)": None if q.score is None else round(q.score, 4),
                "Points": round(q.points, 4),
                "Explanation": q.explanation,
            }
            for v in results.ranked + results.disqualified
            for q in v.questions
        ],
        columns=[
            "Vendor",
            "Response id",
            "Section",
            "Question id",
            "Question",
            "Method",
            "Score (0-4)",
            "Points",
            "Explanation",
        ],
    )


def spreadsheet_tables(evaluation: Evaluation, results: EvaluationResults | None = None) -> dict[str, pd.DataFrame]:
    """Every table of the export, keyed by sheet name (see :data:`SHEETS`), formula-like text neutralised."""
    results = results or compute_results(evaluation)
    vendors = {v.response_id: v.vendor for v in results.ranked + results.disqualified}
    order = {rid: i for i, rid in enumerate(vendors)}
    ids = list(vendors)
    questionnaire = store.parsed(evaluation.questionnaire)
    questions = {q.id: q for q in questionnaire.questions}
    sections = {s.id: s.title for s in questionnaire.sections}
    position = {q.id: i for i, q in enumerate(questionnaire.questions)}

    files: dict[tuple[int, str], list[str]] = defaultdict(list)
    for rid, qid, name in db.session.execute(
        sa.select(Attachment.response_id, Attachment.question_id, Attachment.filename)
        .where(Attachment.response_id.in_(ids))
        .order_by(Attachment.id)
    ):
        files[(rid, qid)].append(name)
    answers, table_rows = [], []
    stored = db.session.execute(
        sa.select(Answer.response_id, Answer.question_id, Answer.value, Answer.evidence_level, Answer.updated_at).where(
            Answer.response_id.in_(ids)
        )
    ).all()
    stored.sort(key=lambda a: (order[a.response_id], position.get(a.question_id, len(position)), a.question_id))
    for rid, qid, value, level, updated in stored:
        question = questions.get(qid)
        answers.append(
            {
                "Vendor": vendors[rid],
                "Response id": rid,
                "Section": sections.get(question.section_id, "") if question else "",
                "Question id": qid,
                "Question": question.text if question else "",
                "Answer": _answer_text(question, value, files[(rid, qid)]),
                "Evidence files": "; ".join(files[(rid, qid)]),
                "Evidence level": str(level.value if level else ""),
                "Updated at (UTC)": _utc(updated),
            }
        )
        if question is not None and question.type == "table" and isinstance(value, list):
            for number, row in enumerate(value, start=1):
                for column in question.columns:
                    table_rows.append(
                        {
                            "Vendor": vendors[rid],
                            "Response id": rid,
                            "Question id": qid,
                            "Row": number,
                            "Column": column.label,
                            "Value": row.get(column.id),
                        }
                    )

    people = db.session.execute(
        sa.select(
            Score.response_id, Score.question_id, User.name, User.email, Score.value, Score.comment, Score.submitted_at
        )
        .join(User, User.id == Score.evaluator_id)
        .where(Score.response_id.in_(ids), Score.submitted_at.is_not(None))
    ).all()
    people.sort(key=lambda s: (order[s.response_id], position.get(s.question_id, 0), s.email))
    given: dict[tuple[int, str], list[str]] = defaultdict(list)
    scores = []
    for rid, qid, name, email, value, comment, submitted in people:
        given[(rid, qid)].append(f"{name or email} {value}")
        scores.append(
            {
                "Vendor": vendors[rid],
                "Response id": rid,
                "Question id": qid,
                "Section": sections.get(questions[qid].section_id, "") if qid in questions else "",
                "Evaluator": name or email,
                "Evaluator e-mail": email,
                "Score (0-4)": value,
                "Comment": comment,
                "Submitted at (UTC)": _utc(submitted),
            }
        )
    settled = db.session.execute(
        sa.select(
            ConsensusScore.response_id,
            ConsensusScore.question_id,
            ConsensusScore.value,
            ConsensusScore.rationale,
            User.name,
            User.email,
            ConsensusScore.set_at,
        )
        .join(User, User.id == ConsensusScore.set_by_id)
        .where(ConsensusScore.response_id.in_(ids))
    ).all()
    settled.sort(key=lambda c: (order[c.response_id], position.get(c.question_id, 0)))
    consensus = [
        {
            "Vendor": vendors[rid],
            "Response id": rid,
            "Question id": qid,
            "Consensus score (0-4)": value,
            "Rationale": rationale,
            "Evaluators' scores": "; ".join(given[(rid, qid)]),
            "Set by": name or email,
            "Set at (UTC)": _utc(set_at),
        }
        for rid, qid, value, rationale, name, email, set_at in settled
    ]

    def frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
        return pd.DataFrame(rows, columns=columns)

    tables = {
        "Ranking": _ranking(results),
        "Criteria": _criteria(results),
        "Answers": frame(
            answers,
            [
                "Vendor",
                "Response id",
                "Section",
                "Question id",
                "Question",
                "Answer",
                "Evidence files",
                "Evidence level",
                "Updated at (UTC)",
            ],
        ),
        "Answer tables": frame(table_rows, ["Vendor", "Response id", "Question id", "Row", "Column", "Value"]),
        "Scores": frame(
            scores,
            [
                "Vendor",
                "Response id",
                "Question id",
                "Section",
                "Evaluator",
                "Evaluator e-mail",
                "Score (0-4)",
                "Comment",
                "Submitted at (UTC)",
            ],
        ),
        "Consensus": frame(
            consensus,
            [
                "Vendor",
                "Response id",
                "Question id",
                "Consensus score (0-4)",
                "Rationale",
                "Evaluators' scores",
                "Set by",
                "Set at (UTC)",
            ],
        ),
    }
    safe = SpreadsheetTables({name: _safe(table) for name, table in tables.items()})
    safe.audit = audit_model(results)
    return safe


def to_xlsx(tables: dict[str, pd.DataFrame]) -> bytes:
    """One sheet per table, header row frozen, columns sized to their content (within reason); then the
    audit sheets whose formulas recompute the totals (see :mod:`app.reports.audit_sheets`)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in tables.items():
            table.to_excel(writer, sheet_name=name[:31], index=False, freeze_panes=(1, 0))
            sheet = writer.sheets[name[:31]]
            for index, column in enumerate(table.columns, start=1):
                longest = max([len(str(column))] + [len(str(v)) for v in table[column].head(200)])
                sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(60, longest + 2)
        audit = getattr(tables, "audit", None)
        if audit is not None:
            write_audit_sheets(writer.book, audit, neutralise)
    return buffer.getvalue()


def to_csv_zip(tables: dict[str, pd.DataFrame]) -> bytes:
    """A zip with one UTF-8 CSV per table (with a byte-order mark so spreadsheet programs read any script)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, table in tables.items():
            filename = name.lower().replace(" ", "-") + ".csv"
            archive.writestr(filename, table.to_csv(index=False).encode("utf-8-sig"))
    return buffer.getvalue()
