"""security: failed sign-in counters for the account lockout

Revision ID: 0003_security
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = "0003_security"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
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


def downgrade():
    op.drop_table("login_throttle")
