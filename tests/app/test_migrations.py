"""The migrations build exactly the schema the models describe (a model change without a migration fails)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db


def test_models_and_migrations_agree(app_ctx):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], f"write a migration for: {differences}"


def test_migrations_have_a_single_head(app_ctx):
    from alembic.script import ScriptDirectory

    config = app_ctx.extensions["migrate"].migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1, "merge the heads: flask db merge heads"
