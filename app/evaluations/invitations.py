"""Inviting vendor contacts to an evaluation and accepting those invitations."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app import audit
from app.auth.tokens import hash_token, new_token
from app.extensions import db
from app.links import public_link
from app.mail import send_mail
from app.models import Evaluation, Invitation, Organisation, OrganisationKind, Response, Role, User
from app.models.base import utcnow


class InvitationError(Exception):
    """An invitation link that cannot be used, with a message for the person holding it."""


def _vendor_for(evaluation: Evaluation, *, vendor_name: str, email: str) -> Organisation:
    """The vendor organisation an invitation to ``email`` is for.

    Never found by name: a name is only what the buyer typed, and anyone can type any name. When the
    address belongs to a vendor contact, the invitation is for that person's organisation (they accept
    by signing in). Otherwise a new vendor organisation is created under the typed name, and whoever
    accepts the link becomes its first member; an address that belongs to another buying organisation's
    account gets a link that cannot be accepted, and the buyer is told nothing about it.
    """
    account: User | None = db.session.scalar(sa.select(User).where(User.email == email))
    if account is not None and account.organisation_id == evaluation.organisation_id:
        raise InvitationError(f"{email} belongs to a member of your own organisation; invite the vendor's contact.")
    if account is not None and account.role == Role.VENDOR:
        return account.organisation
    organisation = Organisation(name=vendor_name, kind=OrganisationKind.VENDOR)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def ensure_response(evaluation: Evaluation, vendor: Organisation) -> Response:
    """The vendor's (single) response to the evaluation, created as a draft on first need."""
    response = db.session.scalar(
        sa.select(Response).where(Response.evaluation_id == evaluation.id, Response.vendor_organisation_id == vendor.id)
    )
    if response is None:
        response = Response(
            evaluation=evaluation, vendor_organisation=vendor, questionnaire_id=evaluation.questionnaire_id
        )
        db.session.add(response)
        db.session.flush()
    return response


def _send(invitation: Invitation, token: str) -> None:
    link = public_link("auth.accept_invitation", token=token)
    evaluation = invitation.evaluation
    send_mail(
        invitation.email,
        f"Invitation to respond: {evaluation.title}",
        f"{evaluation.organisation.name} invites {invitation.vendor_organisation.name} to answer the "
        f"questionnaire of '{evaluation.title}'.\n\nOpen this link to set your password and start:\n{link}\n\n"
        f"The link works once and expires on {invitation.expires_at:%d %b %Y %H:%M} UTC.\n"
        f"Responses are due by {evaluation.deadline:%d %b %Y %H:%M} UTC.",
    )


def invite_vendor(evaluation: Evaluation, *, vendor_name: str, email: str, invited_by: User) -> Invitation:
    """Create an invitation and its response draft, and e-mail the link.

    A pending invitation of the same address to the same evaluation is sent again instead of doubled.
    """
    email = email.strip().lower()
    pending: Invitation | None = db.session.scalar(
        sa.select(Invitation).where(
            Invitation.evaluation_id == evaluation.id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    )
    if pending is not None:
        resend_invitation(pending, actor=invited_by)
        return pending
    vendor = _vendor_for(evaluation, vendor_name=vendor_name.strip(), email=email)
    token, token_hash = new_token()
    invitation = Invitation(
        evaluation=evaluation,
        vendor_organisation=vendor,
        email=email,
        token_hash=token_hash,
        invited_by_id=invited_by.id,
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    db.session.add(invitation)
    ensure_response(evaluation, vendor)
    db.session.flush()
    audit.record(
        "invitation.sent",
        actor=invited_by,
        evaluation_id=evaluation.id,
        subject=f"invitation:{invitation.id}",
        details={"vendor": vendor.name},
    )
    _send(invitation, token)
    return invitation


def resend_invitation(invitation: Invitation, *, actor: User) -> None:
    """Issue a fresh link (the old one stops working) with a new expiry."""
    if invitation.accepted_at:
        raise InvitationError("This invitation was already accepted.")
    token, invitation.token_hash = new_token()
    invitation.revoked_at = None
    invitation.expires_at = utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"])
    db.session.flush()
    audit.record(
        "invitation.resent", actor=actor, evaluation_id=invitation.evaluation_id, subject=f"invitation:{invitation.id}"
    )
    _send(invitation, token)


def revoke_invitation(invitation: Invitation, *, actor: User) -> None:
    if invitation.accepted_at:
        raise InvitationError("This invitation was already accepted; deactivate the user instead.")
    invitation.revoked_at = utcnow()
    audit.record(
        "invitation.revoked", actor=actor, evaluation_id=invitation.evaluation_id, subject=f"invitation:{invitation.id}"
    )


def find_usable_invitation(token: str) -> Invitation:
    """The invitation behind a link, or InvitationError saying why it cannot be used."""
    invitation: Invitation | None = db.session.scalar(
        sa.select(Invitation).where(Invitation.token_hash == hash_token(token))
    )
    if invitation is None:
        raise InvitationError("This invitation link is not valid. Check that you copied the whole link.")
    if invitation.revoked_at:
        raise InvitationError("This invitation was withdrawn by the buyer.")
    if invitation.accepted_at:
        raise InvitationError("This invitation link has already been used. Sign in with your e-mail and password.")
    if invitation.expires_at <= utcnow():
        raise InvitationError(
            f"This invitation expired on {invitation.expires_at:%d %b %Y}. Ask the buyer to send a new one."
        )
    return invitation


def existing_account(invitation: Invitation) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == invitation.email))


def accept_invitation(invitation: Invitation, *, name: str = "", password: str = "") -> User:
    """Create the vendor contact's account (or attach the existing one) and use up the link.

    An existing account is only attached when its owner is signed in (the view checks);
    its password is never changed here.
    """
    user = existing_account(invitation)
    if user is None:
        user = User(
            email=invitation.email,
            name=name.strip(),
            role=Role.VENDOR,
            organisation_id=invitation.vendor_organisation_id,
        )
        user.set_password(password)
        db.session.add(user)
    elif user.role != Role.VENDOR or user.organisation_id != invitation.vendor_organisation_id:
        raise InvitationError(
            "This e-mail address belongs to an account that cannot answer for this vendor. "
            "Ask the buyer to invite another address."
        )
    invitation.accepted_at = utcnow()
    db.session.flush()
    audit.record(
        "invitation.accepted", actor=user, evaluation_id=invitation.evaluation_id, subject=f"invitation:{invitation.id}"
    )
    return user
