"""The hash chain after a restore: stand-ins for withheld events verify only when a restore vouches for them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app import audit
from app.extensions import db
from app.models import AuditEvent


def _archived_events(world, other_id):
    """Events as an archive would hold them: this evaluation's only, with others chained in between."""
    audit.record("evaluation.created", actor=world.buyer, evaluation_id=world.evaluation.id)
    audit.record("user.login", actor=world.buyer)
    audit.record("evaluation.created", actor=world.buyer, evaluation_id=other_id)
    audit.record("answer.saved", actor=world.vendor_a, evaluation_id=world.evaluation.id, details={"questions": ["X"]})
    audit.record("user.login", actor=world.vendor_a)
    audit.record("response.submitted", actor=world.vendor_a, evaluation_id=world.evaluation.id)
    db.session.flush()
    kept = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.evaluation_id == world.evaluation.id).order_by(AuditEvent.id)
    ).all()
    copies = [AuditEvent(**{c.name: getattr(e, c.name) for c in AuditEvent.__table__.columns}) for e in kept]
    db.session.execute(sa.delete(AuditEvent))
    db.session.flush()
    return copies


def _restored(world):
    from tests.factories import EvaluationFactory

    other = EvaluationFactory(organisation=world.buyer_org)
    db.session.flush()
    events = _archived_events(world, other.id)
    audit.restore(events, evaluation_id=world.evaluation.id, archive_sha256="0" * 64)
    db.session.commit()
    return events


def test_a_restored_trail_verifies_and_grows(app_ctx, world):
    _restored(world)
    stand_ins = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == audit.WITHHELD)).all()
    assert len(stand_ins) == 2, "one stand-in per gap in the archived events"
    assert audit.verify_chain().ok
    audit.record("answer.saved", actor=world.vendor_a, evaluation_id=world.evaluation.id)
    db.session.commit()
    assert audit.verify_chain().ok


def test_a_real_event_turned_into_a_stand_in_is_detected(app_ctx, world):
    events = _restored(world)
    db.session.execute(
        sa.update(AuditEvent).where(AuditEvent.id == events[1].id).values(action=audit.WITHHELD, details={}, subject="")
    )
    db.session.commit()
    report = audit.verify_chain()
    assert not report.ok and "vouch" in report.reason


def test_a_stand_in_without_a_restore_is_detected(app_ctx, world):
    audit.record("answer.saved", actor=world.vendor_a, evaluation_id=world.evaluation.id)
    audit.record("answer.saved", actor=world.vendor_a, evaluation_id=world.evaluation.id)
    db.session.commit()
    last = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == last.id).values(action=audit.WITHHELD))
    db.session.commit()
    report = audit.verify_chain()
    assert not report.ok and report.broken_at == last.id


def test_restore_refuses_events_that_do_not_match_their_hash(app_ctx, world):
    from tests.factories import EvaluationFactory

    other = EvaluationFactory(organisation=world.buyer_org)
    db.session.flush()
    events = _archived_events(world, other.id)
    events[0].details = {"forged": True}
    with pytest.raises(ValueError, match="does not match its hash"):
        audit.restore(events, evaluation_id=world.evaluation.id, archive_sha256="0" * 64)
