"""sample batches: required modalities per evaluation, uploaded batches and their measurements

Revision ID: 0004_samples
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0004_samples"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sample_batch_requirement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("modality", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluation.id"],
                                name=op.f("fk_sample_batch_requirement_evaluation_id_evaluation"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample_batch_requirement")),
        sa.UniqueConstraint("evaluation_id", "modality", name="uq_sample_batch_requirement_evaluation_modality"),
    )
    with op.batch_alter_table("sample_batch_requirement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sample_batch_requirement_evaluation_id"), ["evaluation_id"], unique=False)

    op.create_table(
        "sample_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("modality", sa.String(length=10), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("metadata_file", sa.String(length=500), nullable=False),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum("ANALYSING", "ANALYSED", "FAILED", name="batchstatus", native_enum=False,
                                    length=20), nullable=False),
        sa.Column("job_id", sa.String(length=32), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("verified_answers", sa.JSON(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("analysed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["response_id"], ["response.id"],
                                name=op.f("fk_sample_batch_response_id_response"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["user_account.id"],
                                name=op.f("fk_sample_batch_uploaded_by_id_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample_batch")),
        sa.UniqueConstraint("response_id", "modality", name="uq_sample_batch_response_modality"),
        sa.UniqueConstraint("stored_name", name=op.f("uq_sample_batch_stored_name")),
    )
    with op.batch_alter_table("sample_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sample_batch_response_id"), ["response_id"], unique=False)


def downgrade():
    with op.batch_alter_table("sample_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sample_batch_response_id"))
    op.drop_table("sample_batch")
    with op.batch_alter_table("sample_batch_requirement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sample_batch_requirement_evaluation_id"))
    op.drop_table("sample_batch_requirement")
