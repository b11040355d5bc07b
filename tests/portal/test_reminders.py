"""`flask send-reminders`: 7, 3 and 1 days before the deadline, each once, only for unsubmitted responses."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, EvaluationStatus, Invitation, ResponseStatus, SentReminder
from app.models.base import utcnow
from app.responses.reminders import due_reminders
from tests.portal.conftest import body, free_port

DAY = timedelta(days=1)


def _run(runner, now, *extra):
    result = runner.invoke(args=["send-reminders", "--now", now.isoformat(), *extra])
    db.session.expire_all()
    return result


def _set_up(world):
    deadline = (utcnow() + 20 * DAY).replace(microsecond=0)
    world.evaluation.deadline = deadline
    world.response_b.status, world.response_b.submitted_at = ResponseStatus.SUBMITTED, utcnow()
    db.session.add(
        Invitation(
            evaluation=world.evaluation,
            vendor_organisation=world.response_a.vendor_organisation,
            email="ops@vendor-a.example",
            token_hash="3" * 64,
            expires_at=utcnow() + DAY,
        )
    )
    db.session.commit()
    return deadline


def test_each_reminder_goes_out_once_and_only_to_unsubmitted_responses(runner, world, mailbox):
    deadline = _set_up(world)
    assert _run(runner, deadline - 8 * DAY).exit_code == 0
    assert mailbox.messages == [], "more than 7 days before: nothing yet"

    result = _run(runner, deadline - 7 * DAY + timedelta(hours=1))
    assert result.exit_code == 0, result.output
    assert mailbox.recipients() == ["a@vendor-a.example", "ops@vendor-a.example"], "not the vendor that submitted"
    message = mailbox.to("a@vendor-a.example")[0]
    assert world.evaluation.title in message["Subject"] and "7 days" in message["Subject"]
    assert f"/responses/{world.response_a.id}" in body(message)
    assert "required question(s) still need an answer" in body(message)

    for later in (timedelta(hours=2), DAY):  # cron runs again: the 7-day reminder is not repeated
        mailbox.clear()
        assert _run(runner, deadline - 7 * DAY + later).exit_code == 0
        assert mailbox.messages == []

    for step, left in ((3, deadline - 3 * DAY + timedelta(hours=1)), (1, deadline - timedelta(hours=5))):
        mailbox.clear()
        _run(runner, left)
        assert len(mailbox.messages) == 2, f"{step}-day reminder"
        mailbox.clear()
        _run(runner, left + timedelta(minutes=30))
        assert mailbox.messages == [], f"{step}-day reminder only once"

    mailbox.clear()
    _run(runner, deadline + timedelta(minutes=1))
    assert mailbox.messages == [], "nothing after the deadline"
    steps = db.session.scalars(sa.select(SentReminder.days_before).order_by(SentReminder.id)).all()
    assert steps == [7, 3, 1]
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "reminder.sent")
        )
        == 3
    )


def test_a_late_invitation_gets_only_the_closest_reminder_and_a_moved_deadline_starts_afresh(runner, world, mailbox):
    deadline = _set_up(world)
    _run(runner, deadline - 2 * DAY)
    assert len(mailbox.messages) == 2, "one reminder per contact, not a 7-day and a 3-day one at once"
    assert db.session.scalars(sa.select(SentReminder.days_before)).all() == [3]

    world.evaluation.deadline = deadline + 10 * DAY
    db.session.commit()
    mailbox.clear()
    _run(runner, deadline + 10 * DAY - 6 * DAY)
    assert len(mailbox.messages) == 2, "the new deadline gets its own 7-day reminder"


def test_dry_run_sends_and_records_nothing(runner, world, mailbox):
    deadline = _set_up(world)
    result = _run(runner, deadline - 3 * DAY, "--dry-run")
    assert result.exit_code == 0 and "3-day reminder: due" in result.output
    assert mailbox.messages == [] and db.session.scalar(sa.select(sa.func.count()).select_from(SentReminder)) == 0


def test_a_reminder_that_could_not_be_sent_is_tried_again(runner, world, app, mailbox, monkeypatch):
    deadline = _set_up(world)
    port = app.config["MAIL_PORT"]
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    failed = _run(runner, deadline - 3 * DAY)
    assert failed.exit_code == 1 and "NOT sent" in failed.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SentReminder)) == 0
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    assert _run(runner, deadline - 3 * DAY + timedelta(hours=1)).exit_code == 0
    assert len(mailbox.messages) == 2


def test_due_reminders_skips_closed_and_far_evaluations(app_ctx, world):
    now = utcnow()
    world.evaluation.deadline = now + 2 * DAY
    db.session.commit()
    assert {(d.response_id, d.days_before) for d in due_reminders(now)} == {
        (world.response_a.id, 3),
        (world.response_b.id, 3),
    }
    world.evaluation.status = EvaluationStatus.CLOSED
    db.session.commit()
    assert due_reminders(now) == []


def test_links_in_reminders_use_public_url(runner, world, app, mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://datavet.example.com/portal/")
    deadline = _set_up(world)
    _run(runner, deadline - DAY)
    assert f"https://datavet.example.com/portal/responses/{world.response_a.id}" in body(mailbox.messages[0])
