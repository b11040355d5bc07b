"""Deadline reminders: ``flask send-reminders``, meant to run from cron (hourly or daily).

A vendor whose response is not submitted is reminded 7, 3 and 1 days before the deadline,
each reminder once per deadline (recorded in ``sent_reminder``; a moved deadline starts
afresh). A run that finds several steps due at once (a vendor invited two days before the
deadline) sends only the closest one, so nobody gets three reminders in one morning.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import click
import sqlalchemy as sa

from app import audit
from app.extensions import db
from app.mail import deliver
from app.models import Evaluation, EvaluationStatus, Response, ResponseStatus, SentReminder
from app.models.base import utcnow
from app.notifications import invited_vendors, reminder_mails
from app.responses.services import missing_for_submission

REMINDER_DAYS = (7, 3, 1)


@dataclass(frozen=True)
class DueReminder:
    response_id: int
    evaluation_id: int
    days_before: int
    deadline: datetime


def due_reminders(now: datetime, days: tuple[int, ...] = REMINDER_DAYS) -> list[DueReminder]:
    """The reminders to send at ``now``: one per unsubmitted response whose closest due step
    (and every closer one) has not gone out yet for the current deadline."""
    horizon = now + timedelta(days=max(days))
    rows = db.session.execute(
        sa.select(Response.id, Evaluation.id, Evaluation.deadline)
        .join(Evaluation, Response.evaluation_id == Evaluation.id)
        .where(
            Response.status == ResponseStatus.DRAFT,
            Evaluation.status == EvaluationStatus.OPEN,
            Evaluation.deadline > now,
            Evaluation.deadline <= horizon,
        )
        .order_by(Evaluation.deadline, Response.id)
    ).all()
    sent: dict[int, list[tuple[int, datetime]]] = {}
    if rows:
        for response_id, step, deadline in db.session.execute(
            sa.select(SentReminder.response_id, SentReminder.days_before, SentReminder.deadline).where(
                SentReminder.response_id.in_([row[0] for row in rows])
            )
        ):
            sent.setdefault(response_id, []).append((step, deadline))
    due = []
    for response_id, evaluation_id, deadline in rows:
        step = min(d for d in days if deadline - now <= timedelta(days=d))
        if any(done <= step and when == deadline for done, when in sent.get(response_id, [])):
            continue
        due.append(DueReminder(response_id, evaluation_id, step, deadline))
    return due


def _parse_now(text: str | None) -> datetime:
    if not text:
        return utcnow()
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@click.command("send-reminders")
@click.option(
    "--now",
    "now_text",
    metavar="ISO-TIME",
    help="Act as if it were this moment (UTC unless an offset is given); for trying it out.",
)
@click.option("--dry-run", is_flag=True, help="List the reminders that are due without sending or recording them.")
def send_reminders_command(now_text: str | None, dry_run: bool) -> None:
    """E-mail vendors whose response is not submitted, 7, 3 and 1 days before the deadline (each once)."""
    now = _parse_now(now_text)
    sent = failed = 0
    for item in due_reminders(now):
        response = db.session.get(Response, item.response_id)
        evaluation = response.evaluation
        vendor = invited_vendors(evaluation, response.vendor_organisation_id)[0]
        label = f"{evaluation.title} / {vendor.name}: {item.days_before}-day reminder"
        if not vendor.contacts:
            click.echo(f"{label}: no contact to write to, skipped")
            continue
        if dry_run:
            click.echo(f"{label}: due, to {len(vendor.contacts)} contact(s)")
            continue
        mails = reminder_mails(vendor, evaluation, now=now, missing=len(missing_for_submission(response)))
        # Recorded before sending: a second run at the same time hits the unique key and stops here.
        db.session.add(
            SentReminder(
                response_id=response.id, days_before=item.days_before, deadline=item.deadline, recipients=len(mails)
            )
        )
        try:
            db.session.flush()
        except sa.exc.IntegrityError:
            db.session.rollback()
            continue
        report = deliver(mails)
        if not report.sent:
            db.session.rollback()  # nothing went out: the next run tries again
            failed += 1
            click.echo(f"{label}: NOT sent (mail server refused or unreachable)", err=True)
            continue
        audit.record(
            "reminder.sent",
            actor=None,
            evaluation_id=evaluation.id,
            subject=f"response:{response.id}",
            details={"days_before": item.days_before, "sent": len(report.sent), "failed": len(report.failed)},
        )
        db.session.commit()
        sent += 1
        click.echo(f"{label}: sent to {len(report.sent)} contact(s)")
    click.echo(f"{sent} reminder(s) sent" + (f", {failed} failed" if failed else "") + ".")
    if failed:
        sys.exit(1)
