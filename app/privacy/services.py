"""One person's data: export it (GDPR Art. 15) and erase it (Art. 17) without breaking the audit chain.

Erasing anonymises the account instead of deleting it: answers, scores and audit
events keep pointing at the same (now nameless) user id, so rankings stay explainable
and the hash chain stays verifiable (the actor's e-mail is kept outside the hash).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa

from app import audit
from app.auth import lockout
from app.extensions import db
from app.models import (
    AccountToken,
    Answer,
    Attachment,
    AuditEvent,
    ConflictDeclaration,
    ConsensusScore,
    Evaluation,
    Invitation,
    Response,
    Score,
    User,
)

ERASED_DOMAIN = "erased.invalid"
# Columns never handed out, even to their owner: they would let a copy of the file sign in.
SECRET_COLUMNS = {"password_hash", "token_hash"}
# Tables read explicitly below (or holding only secrets); every other table pointing at a user is dumped as found.
_EXPLICIT_TABLES = {
    "user_account",
    "answer",
    "attachment",
    "score",
    "consensus_score",
    "conflict_declaration",
    "audit_event",
    "account_token",
    "invitation",
    "login_throttle",
}


class ErasureRefused(ValueError):
    """An erasure that must not happen, with the reason."""


def is_erased(user: User) -> bool:
    return user.email.endswith("@" + ERASED_DOMAIN)


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    return value


def _evaluation_titles(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Evaluation.id, Evaluation.title).where(Evaluation.id.in_(ids))).all())


def _other_records(user: User) -> dict[str, list[dict[str, Any]]]:
    """Rows of any other table that name this user (features added later are covered too)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for table in db.metadata.sorted_tables:
        if table.name in _EXPLICIT_TABLES:
            continue
        columns = [fk.parent for fk in table.foreign_keys if fk.column.table.name == "user_account"]
        if not columns:
            continue
        rows = db.session.execute(sa.select(table).where(sa.or_(*[column == user.id for column in columns])))
        dumped = [
            {key: _plain(value) for key, value in row._mapping.items() if key not in SECRET_COLUMNS} for row in rows
        ]
        if dumped:
            found[table.name] = dumped
    return found


def personal_data(user: User) -> dict[str, Any]:
    """Everything DataVet holds about one person, as plain JSON-ready data."""
    answers = db.session.execute(
        sa.select(Answer, Response.evaluation_id)
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.updated_by_id == user.id)
        .order_by(Answer.id)
    ).all()
    scores = db.session.execute(
        sa.select(Score, Response.evaluation_id)
        .join(Response, Response.id == Score.response_id)
        .where(Score.evaluator_id == user.id)
        .order_by(Score.id)
    ).all()
    titles = _evaluation_titles({evaluation_id for _, evaluation_id in [*answers, *scores]})
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.actor_id == user.id).order_by(AuditEvent.id))
    return {
        "account": {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "role": _plain(user.role),
            "organisation": user.organisation.name,
            "active": user.active,
            "timezone": user.timezone,
            "created_at": _plain(user.created_at),
            "last_login_at": _plain(user.last_login_at),
        },
        "answers_last_changed_by_you": [
            {
                "evaluation": titles.get(evaluation_id),
                "response_id": a.response_id,
                "question_id": a.question_id,
                "value": a.value,
                "revision": a.revision,
                "updated_at": _plain(a.updated_at),
            }
            for a, evaluation_id in answers
        ],
        "evidence_uploaded": [
            {
                "response_id": f.response_id,
                "question_id": f.question_id,
                "filename": f.filename,
                "size": f.size,
                "sha256": f.sha256,
                "uploaded_at": _plain(f.created_at),
            }
            for f in db.session.scalars(sa.select(Attachment).where(Attachment.uploaded_by_id == user.id))
        ],
        "scores_given": [
            {
                "evaluation": titles.get(evaluation_id),
                "response_id": s.response_id,
                "question_id": s.question_id,
                "value": s.value,
                "comment": s.comment,
                "submitted_at": _plain(s.submitted_at),
            }
            for s, evaluation_id in scores
        ],
        "consensus_scores_set": [
            {
                "response_id": c.response_id,
                "question_id": c.question_id,
                "value": c.value,
                "rationale": c.rationale,
                "set_at": _plain(c.set_at),
            }
            for c in db.session.scalars(sa.select(ConsensusScore).where(ConsensusScore.set_by_id == user.id))
        ],
        "conflict_of_interest_declarations": [
            {"response_id": d.response_id, "declared_at": _plain(d.declared_at)}
            for d in db.session.scalars(sa.select(ConflictDeclaration).where(ConflictDeclaration.user_id == user.id))
        ],
        "invitations_to_your_address": [
            {"evaluation_id": i.evaluation_id, "sent_at": _plain(i.created_at), "accepted_at": _plain(i.accepted_at)}
            for i in db.session.scalars(sa.select(Invitation).where(Invitation.email == user.email))
        ],
        "audit_events_as_actor": [
            {
                "id": e.id,
                "at": _plain(e.at),
                "action": e.action,
                "evaluation_id": e.evaluation_id,
                "subject": e.subject,
                "details": e.details,
            }
            for e in events
        ],
        "other_records": _other_records(user),
    }


def export_personal_data(user: User, *, requested_by: User | None) -> dict[str, Any]:
    """The person's data for download; the export itself is recorded in the audit trail."""
    data = personal_data(user)
    audit.record("privacy.data_exported", actor=requested_by, subject=f"user:{user.id}")
    return data


def erase_user(user: User, *, erased_by: User | None) -> None:
    """Anonymise and deactivate an account and blank the person's name in the audit trail.

    What the person did (answers, scores, audit events) stays, attributed to an
    anonymous user id; sign-in links and API keys are destroyed.
    """
    if erased_by is not None and erased_by.id == user.id:
        raise ErasureRefused("You cannot erase your own account; ask another administrator.")
    if is_erased(user):
        raise ErasureRefused("This account has already been erased.")
    old_email = user.email
    erased_email = f"erased-{user.id}@{ERASED_DOMAIN}"
    user.email, user.name, user.password_hash, user.active = erased_email, "", None, False
    user.end_sessions()
    user.timezone, user.last_login_at = "UTC", None
    db.session.execute(sa.delete(AccountToken).where(AccountToken.user_id == user.id))
    _revoke_other_secrets(user)
    db.session.execute(sa.update(Invitation).where(Invitation.email == old_email).values(email=erased_email))
    # actor_label sits outside the hash, so blanking it leaves the chain verifiable.
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.actor_id == user.id).values(actor_label=""))
    lockout.clear(old_email)
    db.session.flush()
    audit.record("user.erased", actor=erased_by, subject=f"user:{user.id}")


def _revoke_other_secrets(user: User) -> None:
    # Any other table holding a secret of this user (API keys, ...) loses those rows.
    for table in db.metadata.sorted_tables:
        if table.name in _EXPLICIT_TABLES or not (set(table.c.keys()) & SECRET_COLUMNS):
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == "user_account":
                db.session.execute(sa.delete(table).where(fk.parent == user.id))
