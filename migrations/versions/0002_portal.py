"""vendor portal: clarification questions and sent deadline reminders

Revision ID: 0002_portal
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = "0002_portal"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "clarification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("vendor_organisation_id", sa.Integer(), nullable=False),
        sa.Column("asked_by_id", sa.Integer(), nullable=True),
        sa.Column("question_id", sa.String(length=20), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("public_question", sa.Text(), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluation.id"],
                                name=op.f("fk_clarification_evaluation_id_evaluation"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["vendor_organisation_id"], ["organisation.id"],
                                name=op.f("fk_clarification_vendor_organisation_id_organisation")),
        sa.ForeignKeyConstraint(["asked_by_id"], ["user_account.id"],
                                name=op.f("fk_clarification_asked_by_id_user_account"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["answered_by_id"], ["user_account.id"],
                                name=op.f("fk_clarification_answered_by_id_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clarification")),
    )
    with op.batch_alter_table("clarification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clarification_evaluation_id"), ["evaluation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_clarification_vendor_organisation_id"), ["vendor_organisation_id"],
                              unique=False)

    op.create_table(
        "sent_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("days_before", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["response_id"], ["response.id"],
                                name=op.f("fk_sent_reminder_response_id_response"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_reminder")),
        sa.UniqueConstraint("response_id", "days_before", "deadline", name="uq_sent_reminder_once"),
    )
    with op.batch_alter_table("sent_reminder", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sent_reminder_response_id"), ["response_id"], unique=False)


def downgrade():
    with op.batch_alter_table("sent_reminder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sent_reminder_response_id"))
    op.drop_table("sent_reminder")
    with op.batch_alter_table("clarification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clarification_vendor_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_clarification_evaluation_id"))
    op.drop_table("clarification")
