"""Buyer organisations and their staff accounts: created by an operator (``flask org create``,
``flask user create``) or invited by an organisation's administrator (*People*).

The accounts have no password: each gets a single-use activation link and its owner chooses a
password through it. Services flush; the caller commits.
"""

from __future__ import annotations

import enum

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from app import audit
from app.auth.services import find_user, issue_token, send_activation
from app.extensions import db
from app.mail import send_mail
from app.models import STAFF_ROLES, Organisation, OrganisationKind, Role, TokenPurpose, User

ACTIVATION_DAYS = 7


class AccountRefused(Exception):
    """An organisation or account that cannot be created; the message says why, in the operator's words."""


def organisation_named(name: str) -> Organisation | None:
    """The organisation (buyer or vendor) with this name, ignoring case and surrounding spaces."""
    return db.session.scalar(
        sa.select(Organisation).where(sa.func.lower(Organisation.name) == name.strip().lower()).limit(1)
    )


def create_buyer_organisation(name: str, *, admin_email: str, actor: User | None = None) -> tuple[User, str]:
    """Create a buyer organisation and its first administrator.

    Returns the administrator and the secret of their activation link. Refuses a name another
    organisation already has and an e-mail address that already has an account.
    """
    name = name.strip()
    if not name:
        raise AccountRefused("The organisation needs a name.")
    if len(name) > 200:
        raise AccountRefused("An organisation name has at most 200 characters.")
    if organisation_named(name) is not None:
        raise AccountRefused(f"An organisation named '{name}' already exists.")
    email = _new_account_email(admin_email)
    organisation = Organisation(name=name, kind=OrganisationKind.BUYER)
    db.session.add(organisation)
    db.session.flush()
    audit.record(
        "organisation.created",
        actor=actor,
        subject=f"organisation:{organisation.id}",
        details={"name": name, "kind": str(OrganisationKind.BUYER)},
    )
    return _invite(email, organisation, Role.ADMIN, actor)


def create_staff_account(
    email: str, *, organisation_name: str, role: Role | str, actor: User | None = None
) -> tuple[User, str]:
    """Create an account without a password in a buyer organisation.

    Returns the user and the secret of their activation link. ``role`` is one of the staff roles
    (admin, buyer, evaluator, viewer); vendor contacts join through an evaluation's invitation instead.
    """
    try:
        staff_role: Role | None = Role(role)
    except ValueError:
        staff_role = None
    if staff_role not in STAFF_ROLES:
        raise AccountRefused(f"The role must be one of: {', '.join(r.value for r in STAFF_ROLES)}.")
    organisation = organisation_named(organisation_name)
    if organisation is None:
        raise AccountRefused(f"No organisation is named '{organisation_name.strip()}'.")
    if organisation.kind != OrganisationKind.BUYER:
        raise AccountRefused(
            f"'{organisation.name}' is a vendor organisation; vendor contacts join through an evaluation's invitation."
        )
    return _invite(_new_account_email(email), organisation, staff_role, actor)


def _new_account_email(email: str) -> str:
    address = (email or "").strip().lower()
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        raise AccountRefused(f"'{email}' is not a valid e-mail address: {error}") from None
    if len(address) > 254:
        raise AccountRefused("An e-mail address has at most 254 characters.")
    if find_user(address) is not None:
        raise AccountRefused(f"Someone with the e-mail address {address} already has an account.")
    return address


def _new_member(email: str, organisation: Organisation, role: Role, actor: User | None, name: str = "") -> User:
    user = User(email=email, name=name.strip(), role=role, organisation=organisation)
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.invited",
        actor=actor,
        subject=f"user:{user.id}",
        details={"role": str(role), "organisation": organisation.name},
    )
    return user


def _invite(email: str, organisation: Organisation, role: Role, actor: User | None) -> tuple[User, str]:
    user = _new_member(email, organisation, role, actor)
    return user, issue_token(user, TokenPurpose.ACTIVATE, days=ACTIVATION_DAYS)


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
    existing = find_user(email)
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
    user = _new_member(email, admin.organisation, role, admin, name)
    send_activation(user, admin)
    return InviteOutcome.INVITED
