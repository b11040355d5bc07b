"""Frozen results: closing scoring stores the ranking with the versions that produced it.

Revision ID: 0002_frozen_results
Revises: 0001_initial
Create Date: 2026-12-08 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0002_frozen_results"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "frozen_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_key", sa.String(length=100), nullable=False),
        sa.Column("questionnaire_version", sa.Integer(), nullable=False),
        sa.Column("engine_version", sa.Integer(), nullable=False),
        sa.Column("scorer_versions", sa.JSON(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("frozen_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["evaluation.id"],
            name=op.f("fk_frozen_result_evaluation_id_evaluation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["frozen_by_id"], ["user_account.id"], name=op.f("fk_frozen_result_frozen_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frozen_result")),
    )
    op.create_index(op.f("ix_frozen_result_evaluation_id"), "frozen_result", ["evaluation_id"], unique=False)
    with op.batch_alter_table("evaluation") as batch:
        batch.add_column(sa.Column("scoring_closed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("scoring_closed_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_evaluation_scoring_closed_by_id_user_account"),
            "user_account",
            ["scoring_closed_by_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("evaluation") as batch:
        batch.drop_constraint(batch.f("fk_evaluation_scoring_closed_by_id_user_account"), type_="foreignkey")
        batch.drop_column("scoring_closed_by_id")
        batch.drop_column("scoring_closed_at")
    op.drop_index(op.f("ix_frozen_result_evaluation_id"), table_name="frozen_result")
    op.drop_table("frozen_result")
