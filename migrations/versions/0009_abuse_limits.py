"""abuse limits: sign-in failures counted per e-mail address and client address

Revision ID: 0009_abuse_limits
Revises: 0008_merge

The counters are short-lived (minutes), so the table is rebuilt rather than converted:
the worst a deploy loses is a few failed attempts someone would have had to wait out.
"""
from alembic import op
import sqlalchemy as sa


revision = "0009_abuse_limits"
down_revision = "0008_merge"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table("login_throttle")
    op.create_table(
        "login_throttle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_throttle")),
        sa.UniqueConstraint("email_hash", "client_hash", name="uq_login_throttle_email_client"),
    )
    op.create_index(op.f("ix_login_throttle_email_hash"), "login_throttle", ["email_hash"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_login_throttle_email_hash"), table_name="login_throttle")
    op.drop_table("login_throttle")
    op.create_table(
        "login_throttle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_throttle")),
        sa.UniqueConstraint("email_hash", name=op.f("uq_login_throttle_email_hash")),
    )
