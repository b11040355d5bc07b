"""The audit trail of one evaluation, as buyers and administrators read it: who, when, what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, render_template

from app import permissions
from app.extensions import db
from app.models import AuditEvent
from app.web.loaders import evaluation_or_404

bp = Blueprint("audit_trail", __name__, url_prefix="/evaluations")

EVENTS_PER_PAGE = 100

# What each recorded action means, in the buyer's words; unknown actions are shown as recorded.
ACTION_LABELS = {
    "evaluation.created": "Evaluation created",
    "evaluation.deadline_moved": "Deadline moved",
    "evaluation.weights_changed": "Weights changed",
    "evaluation.requirements_changed": "Requirements changed",
    "evaluation.evaluator_assigned": "Evaluator assigned",
    "evaluation.exported": "Evaluation backed up",
    "evaluation.restored": "Evaluation restored from a backup",
    "invitation.sent": "Vendor invited",
    "invitation.resent": "Invitation sent again",
    "invitation.revoked": "Invitation withdrawn",
    "invitation.accepted": "Invitation accepted",
    "answer.saved": "Answers saved",
    "evidence.uploaded": "Evidence file attached",
    "evidence.removed": "Evidence file removed",
    "evidence.downloaded": "Evidence file downloaded",
    "response.submitted": "Response submitted",
    "response.withdrawn": "Response withdrawn to draft",
    "review.no_conflict_declared": "No conflict of interest declared",
    "review.scores_saved": "Scores saved (not yet submitted)",
    "review.scores_submitted": "Scores submitted",
    "review.consensus_set": "Consensus score set",
    "evaluation.price_settings_changed": "Price scoring changed",
    "evaluation.vendors_told_deadline": "Vendors told of the new deadline",
    "clarification.asked": "Clarification asked",
    "clarification.answered": "Clarification answered",
    "clarification.published": "Clarification published to all vendors",
    "reminder.sent": "Deadline reminder sent",
    "review.evidence_level_set": "Evidence level set",
    "sample_batch.required": "Sample batch required",
    "sample_batch.uploaded": "Sample batch uploaded",
    "sample_batch.analysed": "Sample batch analysed",
    "export.requested": "Export requested",
    "export.downloaded": "Export downloaded",
}


@dataclass(frozen=True)
class TrailEntry:
    """One event as the trail page shows it (plain data for the template)."""

    id: int
    at: datetime
    who: str
    what: str
    subject: str
    changes: tuple[tuple[str, str], ...]
    hash: str


def _who(event: AuditEvent) -> str:
    if event.actor_label:
        return event.actor_label
    if event.actor_id is not None:
        return f"erased user #{event.actor_id}"
    return "DataVet (system)"


def _shown(value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"from", "to"}:
        return f"{_shown(value['from'])} → {_shown(value['to'])}"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_shown(item)}" for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_shown(item) for item in value)
    return "—" if value is None else str(value)


def describe(event: AuditEvent) -> TrailEntry:
    """Turn a stored event into who / when / what changed."""
    details = event.details if isinstance(event.details, dict) else {"value": event.details}
    return TrailEntry(
        id=event.id,
        at=event.at,
        who=_who(event),
        what=ACTION_LABELS.get(event.action, event.action),
        subject=event.subject,
        changes=tuple((str(key), _shown(value)) for key, value in details.items()),
        hash=event.hash,
    )


@bp.get("/<int:evaluation_id>/audit")
def evaluation_trail(evaluation_id: int):
    evaluation = evaluation_or_404(evaluation_id, permissions.can_view_audit_trail)
    page = db.paginate(
        sa.select(AuditEvent).where(AuditEvent.evaluation_id == evaluation.id).order_by(AuditEvent.id.desc()),
        per_page=EVENTS_PER_PAGE,
        max_per_page=EVENTS_PER_PAGE,
        error_out=False,
    )
    return render_template(
        "audit/trail.html", evaluation=evaluation, page=page, entries=[describe(event) for event in page.items]
    )
