"""How far an answer can be trusted: consistency findings on its numbers, and its evidence level.

Findings come from the questionnaire's ``checks`` (run by ``app.scoring.consistency``); they never
change a score, they tell the evaluator where the numbers do not add up. The evidence level says
whether an answer is the vendor's word (self-attested), backed by a document (evidenced) or checked
by an evaluator (verified); only the evaluators assigned to the answer's section may set it. Each
evaluator's marks are their own and blind until they submit; the answer's level is then the most
cautious of the submitted marks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from app import audit, permissions
from app.extensions import db
from app.models import Answer, EvidenceLevel, EvidenceMark, Response, User
from app.questionnaires.model import Question
from app.scoring.consistency import Finding, check_answers

EVIDENCE_LABELS = {
    EvidenceLevel.SELF_ATTESTED: "self-attested",
    EvidenceLevel.EVIDENCED: "evidenced",
    EvidenceLevel.VERIFIED: "verified",
}
EVIDENCE_HELP = {
    EvidenceLevel.SELF_ATTESTED: "the vendor's word only",
    EvidenceLevel.EVIDENCED: "backed by a document or data the vendor supplied",
    EvidenceLevel.VERIFIED: "checked by an evaluator (audit, reference call, sample, certificate register)",
}


class EvidenceError(ValueError):
    """An evidence level that cannot be set, with a message for the evaluator."""


def evidence_label(level: EvidenceLevel | str | None) -> str:
    """The buyer's word for a stored level; unanswered questions have none."""
    if level is None or level == "":
        return ""
    return EVIDENCE_LABELS[EvidenceLevel(level)]


def answer_findings(questions: Iterable[Question], answers: Mapping[str, Any]) -> dict[str, tuple[Finding, ...]]:
    """Consistency findings per question id, for the questions given that declare ``checks``."""
    checks = {q.id: [{"kind": c.kind, **c.params} for c in q.checks] for q in questions if q.checks}
    found: dict[str, tuple[Finding, ...]] = {}
    for finding in check_answers(checks, answers):
        found[str(finding.question_id)] = found.get(str(finding.question_id), ()) + (finding,)
    return found


def evidence_levels(response: Response) -> dict[str, EvidenceLevel]:
    """The evidence level of every stored answer of the response (one query)."""
    return dict(
        db.session.execute(
            sa.select(Answer.question_id, Answer.evidence_level).where(Answer.response_id == response.id)
        ).all()
    )


def parse_levels(
    raw: Mapping[str, str], question_ids: Iterable[str]
) -> tuple[dict[str, EvidenceLevel], dict[str, str]]:
    """Read ``evidence.<question id>`` choices; returns ``(levels, errors)`` (blank means unchanged)."""
    levels, errors = {}, {}
    for question_id in question_ids:
        value = (raw.get(f"evidence.{question_id}") or "").strip()
        if not value:
            continue
        try:
            levels[question_id] = EvidenceLevel(value)
        except ValueError:
            errors[question_id] = "Choose self-attested, evidenced or verified."
    return levels, errors


ORDER = (EvidenceLevel.SELF_ATTESTED, EvidenceLevel.EVIDENCED, EvidenceLevel.VERIFIED)


def own_marks(response: Response, user: User) -> dict[str, EvidenceLevel]:
    """The evidence levels this evaluator chose for the response (private until they submit)."""
    return dict(
        db.session.execute(
            sa.select(EvidenceMark.question_id, EvidenceMark.level).where(
                EvidenceMark.response_id == response.id, EvidenceMark.evaluator_id == user.id
            )
        ).all()
    )


def submitted_marks(response: Response) -> dict[str, dict[int, EvidenceMark]]:
    """Evidence marks of the evaluators who submitted their review, by question then evaluator."""
    submitted = {d.user_id for d in response.declarations if d.review_submitted_at is not None}
    marks: dict[str, dict[int, EvidenceMark]] = {}
    if not submitted:
        return marks
    for mark in db.session.scalars(
        sa.select(EvidenceMark)
        .where(EvidenceMark.response_id == response.id, EvidenceMark.evaluator_id.in_(submitted))
        .options(sa.orm.joinedload(EvidenceMark.evaluator))
    ):
        marks.setdefault(mark.question_id, {})[mark.evaluator_id] = mark
    return marks


def publish_evidence_marks(response: Response) -> None:
    """Set each answer's evidence level from the submitted marks: the most cautious of them.

    Called when an evaluator submits their review; answers nobody marked keep their level
    (self-attested, or verified by a sample batch).
    """
    marks = submitted_marks(response)
    if not marks:
        return
    for answer in db.session.scalars(
        sa.select(Answer).where(Answer.response_id == response.id, Answer.question_id.in_(list(marks)))
    ):
        level = min((m.level for m in marks[answer.question_id].values()), key=ORDER.index)
        if answer.evidence_level != level:
            # Only the buyer's judgement changes: the vendor's value, revision and time stay as they were.
            db.session.execute(
                sa.update(Answer)
                .where(Answer.id == answer.id)
                .values(evidence_level=level, updated_at=Answer.updated_at)
                .execution_options(synchronize_session="fetch")
            )


def set_evidence_levels(
    response: Response, user: User, levels: Mapping[str, EvidenceLevel], allowed: Iterable[str]
) -> dict[str, dict[str, str]]:
    """Store this evaluator's evidence marks for answered questions they may judge; audited per save.

    Marks stay the evaluator's own (no other evaluator sees or overwrites them) until they submit
    their review, when :func:`publish_evidence_marks` turns them into the answers' levels.
    ``allowed`` are the question ids in the evaluator's sections; anything else raises
    :class:`EvidenceError` (an unanswered question has nothing to back). Returns the changes.
    """
    if levels and permissions.is_scoring_closed(response.evaluation):
        raise EvidenceError("Scoring of this evaluation is closed: evidence levels can no longer change.")
    allowed = set(allowed)
    refused = sorted(qid for qid in levels if qid not in allowed)
    if refused:
        raise EvidenceError(f"You are not assigned to judge {', '.join(refused)}.")
    answers = {
        a.question_id: a
        for a in db.session.scalars(
            sa.select(Answer).where(Answer.response_id == response.id, Answer.question_id.in_(list(levels)))
        )
    }
    mine = {
        m.question_id: m
        for m in db.session.scalars(
            sa.select(EvidenceMark).where(EvidenceMark.response_id == response.id, EvidenceMark.evaluator_id == user.id)
        )
    }
    changes: dict[str, dict[str, str]] = {}
    for question_id, level in sorted(levels.items()):
        answer = answers.get(question_id)
        if answer is None or answer.value in (None, "", []):
            if level != EvidenceLevel.SELF_ATTESTED:
                raise EvidenceError(
                    f"{question_id} is unanswered: there is nothing to mark as {EVIDENCE_LABELS[level]}."
                )
            continue
        mark = mine.get(question_id)
        before = mark.level if mark is not None else answer.evidence_level
        if before != level or mark is None:
            if before != level:
                changes[question_id] = {"from": str(before), "to": str(level)}
            if mark is None:
                db.session.add(
                    EvidenceMark(response_id=response.id, question_id=question_id, evaluator_id=user.id, level=level)
                )
            else:
                mark.level = level
    db.session.flush()
    if changes:
        audit.record(
            "review.evidence_level_set",
            actor=user,
            evaluation_id=response.evaluation_id,
            subject=f"response:{response.id}",
            details=changes,
        )
    return changes
