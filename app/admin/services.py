"""Inviting staff into the administrator's own organisation."""
from __future__ import annotations

import enum

import sqlalchemy as sa

from app import audit
from app.auth.services import send_activation
from app.extensions import db
from app.mail import send_mail
from app.models import Role, User


class InviteOutcome(enum.Enum):
    INVITED = "invited"
    ALREADY_MEMBER = "already_member"


def invite_staff(admin: User, *, email: str, name: str, role: Role) -> InviteOutcome:
    """Add a person to the administrator's organisation and e-mail them an activation link.

    An address already used in this organisation is reported (the administrator sees those people
    anyway). An address with an account in another organisation is answered exactly like a new one,
    so the form cannot be used to find out who else uses DataVet; that account is left untouched and
    its owner is told that someone tried to add them.
    """
    email = email.strip().lower()
    existing = db.session.scalar(sa.select(User).where(User.email == email))
    if existing is not None and existing.organisation_id == admin.organisation_id:
        return InviteOutcome.ALREADY_MEMBER
    if existing is not None:
        send_mail(
            existing.email,
            "Someone tried to add you on DataVet",
            f"Someone at {admin.organisation.name} tried to add this e-mail address to their organisation on "
            "DataVet. Your account already belongs to another organisation, so nothing was changed.\n\n"
            "If you expected this, ask them to invite a different address. Otherwise you can ignore this e-mail.\n",
        )
        return InviteOutcome.INVITED
    user = User(email=email, name=name.strip(), role=role, organisation_id=admin.organisation_id)
    db.session.add(user)
    db.session.flush()
    audit.record("user.invited", actor=admin, subject=f"user:{user.id}", details={"role": user.role})
    send_activation(user, admin)
    return InviteOutcome.INVITED
