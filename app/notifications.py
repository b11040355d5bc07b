"""The e-mails the vendor portal sends: deadline moves, deadline reminders and clarifications.

Composing is separate from sending: the functions here return ``Mail`` objects, and the
caller delivers them with ``app.mail.deliver`` once its change is committed, so nobody is
told about a change that was rolled back. Deadlines are written in each recipient's own
time zone (from their profile) with UTC beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from app import audit
from app.extensions import db
from app.links import public_link
from app.mail import DeliveryReport, Mail, deliver
from app.models import Clarification, Evaluation, Invitation, Response, Role, User


@dataclass(frozen=True)
class Contact:
    email: str
    zone: str = "UTC"


@dataclass(frozen=True)
class InvitedVendor:
    """One vendor organisation invited to an evaluation, with the people to tell."""

    response_id: int
    organisation_id: int
    name: str
    submitted: bool
    contacts: tuple[Contact, ...]


def when(moment: datetime, zone_name: str = "UTC") -> str:
    """A moment as a person in ``zone_name`` reads it, with UTC beside it when that differs."""
    try:
        zone = ZoneInfo(zone_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = moment.astimezone(zone)
    text = f"{local:%A %d %B %Y, %H:%M} {local.tzname()}"
    if local.utcoffset() != timedelta(0):
        text += f" ({moment.astimezone(UTC):%d %b %Y %H:%M} UTC)"
    return text


def invited_vendors(evaluation: Evaluation, organisation_id: int | None = None) -> list[InvitedVendor]:
    """Every invited vendor of the evaluation (or just one) with its active accounts and the
    addresses it was invited at, except withdrawn invitations."""
    query = sa.select(Response).where(Response.evaluation_id == evaluation.id).order_by(Response.id)
    if organisation_id is not None:
        query = query.where(Response.vendor_organisation_id == organisation_id)
    responses = db.session.scalars(query.options(sa.orm.joinedload(Response.vendor_organisation))).all()
    org_ids = [r.vendor_organisation_id for r in responses]
    users = db.session.scalars(
        sa.select(User)
        .where(User.organisation_id.in_(org_ids), User.role == Role.VENDOR, User.active.is_(True))
        .order_by(User.id)
    ).all()
    invitations = db.session.scalars(
        sa.select(Invitation)
        .where(Invitation.evaluation_id == evaluation.id, Invitation.revoked_at.is_(None))
        .order_by(Invitation.id)
    ).all()
    vendors = []
    for response in responses:
        contacts: dict[str, Contact] = {}
        for user in users:
            if user.organisation_id == response.vendor_organisation_id:
                contacts[user.email.lower()] = Contact(user.email, user.timezone or "UTC")
        for invitation in invitations:
            if invitation.vendor_organisation_id == response.vendor_organisation_id:
                contacts.setdefault(invitation.email.lower(), Contact(invitation.email))
        vendors.append(
            InvitedVendor(
                response.id,
                response.vendor_organisation_id,
                response.vendor_organisation.name,
                response.is_submitted,
                tuple(contacts.values()),
            )
        )
    return vendors


def buyer_contacts(evaluation: Evaluation) -> list[Contact]:
    """Who hears about new clarification questions: the evaluation's creator, or, when that
    account is gone, every active buyer of the organisation."""
    creator = db.session.get(User, evaluation.created_by_id) if evaluation.created_by_id else None
    if creator is not None and creator.active and creator.role in (Role.BUYER, Role.ADMIN):
        return [Contact(creator.email, creator.timezone or "UTC")]
    buyers = db.session.scalars(
        sa.select(User)
        .where(User.organisation_id == evaluation.organisation_id, User.role == Role.BUYER, User.active.is_(True))
        .order_by(User.id)
    ).all()
    return [Contact(user.email, user.timezone or "UTC") for user in buyers]


def _remaining(delta: timedelta) -> str:
    hours = round(delta.total_seconds() / 3600)
    if hours >= 36:
        return f"{round(hours / 24)} days"
    return "1 hour" if hours <= 1 else f"{hours} hours"


def deadline_moved_mails(evaluation: Evaluation, previous: datetime) -> list[Mail]:
    """Tell every invited vendor contact the new deadline (and the old one)."""
    verb = "extended" if evaluation.deadline > previous else "moved"
    mails = []
    for vendor in invited_vendors(evaluation):
        url = public_link("responses.edit", response_id=vendor.response_id)
        state = (
            "Your response is submitted; you can withdraw it and change it until the new deadline."
            if vendor.submitted
            else "Your response is not submitted yet."
        )
        for contact in vendor.contacts:
            mails.append(
                Mail(
                    contact.email,
                    f"Deadline {verb}: {evaluation.title}",
                    (
                        f"{evaluation.organisation.name} has {verb} the deadline of '{evaluation.title}'.\n\n"
                        f"Responses are now due by {when(evaluation.deadline, contact.zone)}.\n"
                        f"The previous deadline was {when(previous, contact.zone)}.\n\n"
                        f"{state}\nOpen your response: {url}\n"
                    ),
                )
            )
    return mails


def notify_deadline_moved(evaluation: Evaluation, *, previous: datetime, actor: User) -> DeliveryReport:
    """E-mail the new deadline to every invited vendor contact and note it in the audit trail.

    Call after the deadline change is committed; the audit event is left for the caller to commit.
    """
    report = deliver(deadline_moved_mails(evaluation, previous))
    audit.record(
        "evaluation.vendors_told_deadline",
        actor=actor,
        evaluation_id=evaluation.id,
        details={"deadline": evaluation.deadline.isoformat(), "sent": len(report.sent), "failed": len(report.failed)},
    )
    return report


def opened_early_mails(evaluation: Evaluation, previous: datetime, reason: str) -> list[Mail]:
    """Tell every invited vendor contact that the buyer opened the responses before the deadline."""
    mails = []
    for vendor in invited_vendors(evaluation):
        state = (
            "Your submitted response is being evaluated."
            if vendor.submitted
            else "Your response was not submitted, so it is not part of the evaluation."
        )
        for contact in vendor.contacts:
            mails.append(
                Mail(
                    contact.email,
                    f"Responses opened early: {evaluation.title}",
                    (
                        f"{evaluation.organisation.name} opened the responses to '{evaluation.title}' on "
                        f"{when(evaluation.deadline, contact.zone)}, "
                        f"before the deadline of {when(previous, contact.zone)}. "
                        f"The evaluation is closed to every vendor from that moment.\n\n"
                        f"Reason given: {reason.strip()}\n\n{state}\n"
                    ),
                )
            )
    return mails


def notify_opened_early(evaluation: Evaluation, *, previous: datetime, reason: str, actor: User) -> DeliveryReport:
    """E-mail every invited vendor contact that responses were opened early; noted in the audit trail."""
    report = deliver(opened_early_mails(evaluation, previous, reason))
    audit.record(
        "evaluation.vendors_told_opened_early",
        actor=actor,
        evaluation_id=evaluation.id,
        details={"sent": len(report.sent), "failed": len(report.failed)},
    )
    return report


def reminder_mails(vendor: InvitedVendor, evaluation: Evaluation, *, now: datetime, missing: int) -> list[Mail]:
    """The deadline reminder for one vendor whose response is not submitted."""
    left = _remaining(evaluation.deadline - now)
    url = public_link("responses.edit", response_id=vendor.response_id)
    still = (
        f"{missing} required question(s) still need an answer before you can submit."
        if missing
        else "Every required question is answered: only the submission is missing."
    )
    return [
        Mail(
            contact.email,
            f"Reminder: '{evaluation.title}' is due in {left}",
            (
                f"Your response to '{evaluation.title}' for {evaluation.organisation.name} is not submitted yet.\n\n"
                f"It is due by {when(evaluation.deadline, contact.zone)} ({left} from now). {still}\n\n"
                f"Continue your response: {url}\n\n"
                "DataVet sends these reminders 7, 3 and 1 days before the deadline while a response is not submitted.\n"
            ),
        )
        for contact in vendor.contacts
    ]


def _about(clarification: Clarification) -> str:
    return f"question {clarification.question_id}" if clarification.question_id else "the evaluation"


def clarification_asked_mails(clarification: Clarification) -> list[Mail]:
    """Tell the buyer that a vendor asked a question."""
    evaluation = clarification.evaluation
    asker = clarification.asked_by.display_name if clarification.asked_by else "a vendor contact"
    url = public_link("clarifications.index", evaluation_id=evaluation.id, _anchor=f"clarification-{clarification.id}")
    return [
        Mail(
            contact.email,
            f"Clarification question: {evaluation.title}",
            (
                f"{clarification.vendor_organisation.name} ({asker}) asked about {_about(clarification)}:\n\n"
                f"{clarification.question}\n\nAnswer it to that vendor alone or to every invited vendor: {url}\n"
            ),
        )
        for contact in buyer_contacts(evaluation)
    ]


def clarification_answered_mails(clarification: Clarification) -> list[Mail]:
    """Tell the asking vendor (private answer) or every invited vendor (published answer).

    A published answer names nobody: every vendor, the asker included, gets the same text.
    """
    evaluation = clarification.evaluation
    url = public_link("clarifications.index", evaluation_id=evaluation.id, _anchor=f"clarification-{clarification.id}")
    if clarification.published:
        vendors = invited_vendors(evaluation)
        subject = f"Clarification for all vendors: {evaluation.title}"
        body = (
            f"{evaluation.organisation.name} answered a clarification question about {_about(clarification)} "
            f"for every invited vendor.\n\nQuestion: {clarification.public_question}\n\n"
            f"Answer: {clarification.answer}\n\nAll clarifications: {url}\n"
        )
    else:
        vendors = invited_vendors(evaluation, clarification.vendor_organisation_id)
        subject = f"Your clarification question was answered: {evaluation.title}"
        body = (
            f"{evaluation.organisation.name} answered your question about {_about(clarification)} "
            f"(to your organisation only).\n\nQuestion: {clarification.question}\n\n"
            f"Answer: {clarification.answer}\n\nAll clarifications: {url}\n"
        )
    return [Mail(contact.email, subject, body) for vendor in vendors for contact in vendor.contacts]
