"""Recording and verifying the append-only, hash-chained audit trail.

Each event's hash covers the previous hash and the event's content, so editing,
deleting or reordering any stored event breaks every later link. Personal data
(the actor's e-mail) is kept beside the chain, not inside it, so it can be erased
on request without breaking verification.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, User
from app.models.base import utcnow

GENESIS = "0" * 64


def _digest(prev_hash: str, event: AuditEvent) -> str:
    content = {
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "evaluation_id": event.evaluation_id,
        "action": event.action,
        "subject": event.subject,
        "details": event.details,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _lock_chain() -> None:
    # Two writers must not both extend the same head; PostgreSQL serialises them here,
    # SQLite already serialises writers per database.
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(424242)"))


def record(
    action: str,
    *,
    actor: User | None,
    evaluation_id: int | None = None,
    subject: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the trail (flushed, committed with the request's transaction)."""
    _lock_chain()
    head = db.session.scalar(sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        at=utcnow().replace(microsecond=0),
        actor_id=actor.id if actor else None,
        actor_label=actor.email if actor else "system",
        evaluation_id=evaluation_id,
        action=action,
        subject=subject,
        details=json.loads(json.dumps(details or {}, default=str)),
        prev_hash=head or GENESIS,
    )
    event.hash = _digest(event.prev_hash, event)
    db.session.add(event)
    db.session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    events: int
    broken_at: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain() -> ChainReport:
    """Walk the whole trail in order and report the first event that does not verify."""
    expected_prev = GENESIS
    count = 0
    for event in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).yield_per(500):
        count += 1
        if event.prev_hash != expected_prev:
            return ChainReport(count, event.id, f"event {event.id} does not follow the event before it")
        if _digest(event.prev_hash, event) != event.hash:
            return ChainReport(count, event.id, f"event {event.id} was altered after it was recorded")
        expected_prev = event.hash
    return ChainReport(count, None, "intact")
