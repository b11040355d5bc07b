from __future__ import annotations

import sqlalchemy as sa

from app import audit
from app.extensions import db
from app.models import AuditEvent


def test_chain_verifies_and_detects_tampering(app_ctx, world, runner):
    for n in range(3):
        audit.record(
            "answer.saved",
            actor=world.vendor_a,
            evaluation_id=world.evaluation.id,
            subject=f"response:{n}",
            details={"questions": [f"COV-0{n}"]},
        )
    db.session.commit()
    assert audit.verify_chain().ok
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "intact" in result.output

    middle = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()[1]
    db.session.execute(
        sa.update(AuditEvent).where(AuditEvent.id == middle.id).values(details={"questions": ["forged"]})
    )
    db.session.commit()
    report = audit.verify_chain()
    assert not report.ok and report.broken_at == middle.id
    assert runner.invoke(args=["audit", "verify"]).exit_code == 1


def test_deleting_an_event_breaks_the_chain(app_ctx, world):
    for n in range(3):
        audit.record("score.given", actor=world.evaluator, subject=str(n))
    db.session.commit()
    first = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).first()
    db.session.delete(first)
    db.session.commit()
    assert not audit.verify_chain().ok


def test_erasing_the_actor_label_keeps_the_chain_verifiable(app_ctx, world):
    audit.record("user.login", actor=world.buyer)
    db.session.commit()
    db.session.execute(sa.update(AuditEvent).values(actor_label="erased"))
    db.session.commit()
    assert audit.verify_chain().ok
