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
# A stand-in for chained events that were not restored (they belong to other evaluations).
WITHHELD = "audit.withheld"
RESTORED = "evaluation.restored"


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
    """Walk the whole trail in order and report the first event that does not verify.

    Stand-ins for withheld events (see :func:`restore`) carry no content to check; each
    must be vouched for by the restore event that follows them, whose own hash is checked.
    """
    expected_prev = GENESIS
    count = 0
    withheld: list[tuple[int, str]] = []
    for event in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).yield_per(500):
        count += 1
        if event.prev_hash != expected_prev:
            return ChainReport(count, event.id, f"event {event.id} does not follow the event before it")
        if event.action == WITHHELD:
            withheld.append((event.id, event.hash))
        elif _digest(event.prev_hash, event) != event.hash:
            return ChainReport(count, event.id, f"event {event.id} was altered after it was recorded")
        elif event.action == RESTORED and withheld:
            if event.details.get("withheld_digest") != _withheld_digest([h for _, h in withheld]):
                return ChainReport(count, event.id, f"event {event.id} does not vouch for the events before it")
            withheld = []
        expected_prev = event.hash
    if withheld:
        return ChainReport(count, withheld[0][0], f"event {withheld[0][0]} stands in for events no restore vouches for")
    return ChainReport(count, None, "intact")


def _withheld_digest(hashes: list[str]) -> str:
    return hashlib.sha256("".join(hashes).encode()).hexdigest()


def event_verifies(event: AuditEvent) -> bool:
    """Whether one event's hash matches its content and stored predecessor (archives are checked so)."""
    return _digest(event.prev_hash, event) == event.hash


def restore(events: list[AuditEvent], *, evaluation_id: int, archive_sha256: str) -> AuditEvent:
    """Put an archive's events back into an empty trail, keeping their ids and hashes.

    The archive holds one evaluation's events, not the other events chained between them,
    so each gap gets a stand-in row holding only the hash the next event links to. The
    restore event appended last vouches for the stand-ins (their digest is in its hashed
    details), so a stand-in cannot later replace a real event unnoticed.
    """
    _lock_chain()
    if db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)):
        raise ValueError("the audit trail is not empty")
    previous_hash = GENESIS
    stand_ins: list[str] = []
    for event in sorted(events, key=lambda e: e.id):
        if not event_verifies(event):
            raise ValueError(f"archived audit event {event.id} does not match its hash")
        if event.prev_hash != previous_hash:
            stand_ins.append(event.prev_hash)
            db.session.add(
                AuditEvent(
                    id=event.id - 1,
                    at=event.at,
                    actor_id=None,
                    actor_label="",
                    evaluation_id=None,
                    action=WITHHELD,
                    subject="",
                    details={"reason": "events of other evaluations, not in the archive"},
                    prev_hash=previous_hash,
                    hash=event.prev_hash,
                )
            )
        db.session.add(event)
        previous_hash = event.hash
    db.session.flush()
    if db.session.get_bind().dialect.name == "postgresql":
        # Rows inserted with their own ids leave the id sequence behind; the next event needs a fresh id.
        db.session.execute(
            sa.text("SELECT setval(pg_get_serial_sequence('audit_event', 'id'), (SELECT max(id) FROM audit_event))")
        )
    return record(
        RESTORED,
        actor=None,
        evaluation_id=evaluation_id,
        details={
            "archive_sha256": archive_sha256,
            "events": len(events),
            "withheld": len(stand_ins),
            "withheld_digest": _withheld_digest(stand_ins),
        },
    )
