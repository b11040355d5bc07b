"""Organisations and the people who sign in."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class OrganisationKind(enum.StrEnum):
    BUYER = "buyer"
    VENDOR = "vendor"


class Role(enum.StrEnum):
    ADMIN = "admin"
    BUYER = "buyer"
    EVALUATOR = "evaluator"
    VIEWER = "viewer"
    VENDOR = "vendor"


STAFF_ROLES = (Role.ADMIN, Role.BUYER, Role.EVALUATOR, Role.VIEWER)


class Organisation(db.Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[OrganisationKind] = mapped_column(sa.Enum(OrganisationKind, native_enum=False, length=20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(sa.String(256))
    role: Mapped[Role] = mapped_column(sa.Enum(Role, native_enum=False, length=20))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every session's id: raising it ends every session of this person (logout, new password,
    # deactivation), since a session naming an older generation no longer loads.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    organisation: Mapped[Organisation] = relationship(back_populates="users")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users at login and on load
        return self.active

    def set_password(self, password: str) -> None:
        # scrypt is werkzeug's default: a slow, memory-hard hash.
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_generation}"

    def end_sessions(self) -> None:
        """Sign this person out everywhere: every session issued before now stops working."""
        self.session_generation = (self.session_generation or 0) + 1

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class TokenPurpose(enum.StrEnum):
    ACTIVATE = "activate"
    PASSWORD_RESET = "password_reset"


class AccountToken(db.Model):
    """A single-use, expiring link to set a password (staff invitation or reset)."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(sa.Enum(TokenPurpose, native_enum=False, length=20))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
