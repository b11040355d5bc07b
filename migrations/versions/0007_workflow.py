"""scoring workflow: price formula, rejection-rate question and AHP judgements per evaluation

Revision ID: 0007_workflow
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0007_workflow"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "scoring_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("price_formula", sa.Enum("ABSOLUTE", "RELATIVE", name="priceformula", native_enum=False, length=20),
                  nullable=False),
        sa.Column("rejection_question_id", sa.String(length=20), nullable=True),
        sa.Column("ahp_judgements", sa.JSON(), nullable=True),
        sa.Column("ahp_weights", sa.JSON(), nullable=True),
        sa.Column("ahp_cr", sa.Double(), nullable=True),
        sa.Column("ahp_applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluation.id"],
                                name=op.f("fk_scoring_settings_evaluation_id_evaluation"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user_account.id"],
                                name=op.f("fk_scoring_settings_updated_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scoring_settings")),
        sa.UniqueConstraint("evaluation_id", name=op.f("uq_scoring_settings_evaluation_id")),
    )


def downgrade():
    op.drop_table("scoring_settings")
