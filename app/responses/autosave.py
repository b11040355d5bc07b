"""What the editor's background save answers (read by static/js/autosave.js).

The editor posts only the questions changed since its last save, each with the
``rev.<QID>`` it started from. The answer tells it, per question, what was saved, what
is invalid, what someone else changed meanwhile, and the revisions to start from next:
a conflicted or invalid question keeps its old revision, so a later background save can
never overwrite a colleague's answer without the vendor choosing to.
"""

from __future__ import annotations

from typing import Any

from app.models import Response
from app.models.base import utcnow
from app.questionnaires.answers import visible_questions
from app.responses.formdata import answer_summary, display_value
from app.responses.services import Conflict, SaveResult, answers_by_question, section_progress
from app.web.formatting import local_datetime


def conflict_view(question, conflict: Conflict) -> dict[str, Any]:
    """A conflict in words for both the page and the JSON answer."""
    return {
        "question_id": conflict.question_id,
        "yours": display_value(question, conflict.yours),
        "theirs": display_value(question, conflict.theirs),
        "yours_text": answer_summary(question, conflict.yours),
        "theirs_text": answer_summary(question, conflict.theirs),
        "changed_by": conflict.changed_by,
        "changed_at": local_datetime(conflict.changed_at),
        "revision": conflict.revision,
    }


def progress_view(questionnaire, response: Response, values: dict[str, Any]) -> tuple[list, dict]:
    """The questions the vendor sees now and each section's progress."""
    questions = visible_questions(questionnaire, response.evaluation.modalities, values)
    return questions, section_progress(questionnaire, questions, values)


def payload(response: Response, questionnaire, result: SaveResult, sent: list[str]) -> dict[str, Any]:
    """The JSON answer to one background save (after it is committed)."""
    stored = answers_by_question(response)
    values = {qid: answer.value for qid, answer in stored.items()}
    questions, progress = progress_view(questionnaire, response, values)
    by_id = {question.id: question for question in questionnaire.questions}
    failed = set(result.errors) | {conflict.question_id for conflict in result.conflicts}
    problems = len(failed)
    return {
        "ok": result.ok,
        "saved": result.saved,
        "errors": result.errors,
        "conflicts": [conflict_view(by_id[c.question_id], c) for c in result.conflicts],
        "revisions": {qid: stored[qid].revision if qid in stored else 0 for qid in sent if qid not in failed},
        "progress": {
            section_id: {
                "answered": p.answered,
                "total": p.total,
                "required_answered": p.required_answered,
                "required": p.required,
                "label": p.label,
            }
            for section_id, p in progress.items()
        },
        "visible": [question.id for question in questions],
        "saved_at": local_datetime(utcnow(), "%H:%M"),
        "message": f"{problems} answer(s) need attention" if problems else "Saved",
    }
