"""merge the feature branches

Revision ID: 0008_merge
Revises: 0002_portal, 0003_security, 0004_samples, 0005_api, 0006_jobs, 0007_workflow
Create Date: 2026-11-30 06:24:48.449726

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_merge'
down_revision = ('0002_portal', '0003_security', '0004_samples', '0005_api', '0006_jobs', '0007_workflow')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
