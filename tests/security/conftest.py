"""Fixtures for the security and reliability tests: apps of their own (the `world` comes from tests/world.py)."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import QUESTIONNAIRE_DIR


@contextmanager
def _logging_kept():
    """Alembic's env.py reconfigures logging (and disables every existing logger): undo that afterwards,
    or later tests that read the app's log would find it silent."""
    loggers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    saved = [(logger, logger.disabled, logger.level, list(logger.handlers), logger.propagate) for logger in loggers]
    try:
        yield
    finally:
        for logger, disabled, level, handlers, propagate in saved:
            logger.disabled, logger.level, logger.handlers[:], logger.propagate = disabled, level, handlers, propagate


@contextmanager
def separate_app(database_url: str, upload_folder: Path, *, questionnaires: bool = False, **overrides):
    """A second application on its own, freshly migrated database (for limits, restores, threads)."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db

    application = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "datavet.test",
            # Links come from SERVER_NAME here, whatever PUBLIC_URL the shell (or make) exports.
            "PUBLIC_URL": "",
            "TRUSTED_HOSTS": None,
            "UPLOAD_FOLDER": str(upload_folder),
            "QUESTIONNAIRE_DIR": str(QUESTIONNAIRE_DIR),
            "MAIL_SERVER": "",
            **overrides,
        }
    )
    with application.app_context(), _logging_kept():
        upgrade(revision="heads")
        if questionnaires:
            from app.questionnaires import store

            store.import_directory(QUESTIONNAIRE_DIR)
        db.session.commit()
    try:
        yield application
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def fresh_app(tmp_path):
    """Build apps on new SQLite databases under this test's temporary folder."""
    made = []

    def build(name: str = "fresh", **overrides):
        manager = separate_app(f"sqlite:///{tmp_path / (name + '.sqlite')}", tmp_path / f"{name}-uploads", **overrides)
        made.append(manager)
        return manager.__enter__()

    yield build
    for manager in reversed(made):
        manager.__exit__(None, None, None)
