"""Fixtures shared by the whole suite.

The database is migrated once per session (SQLite by default, PostgreSQL when
DATAVET_TEST_DB=postgres and TEST_DATABASE_URL are set: a fresh database is created
and dropped) and emptied after every test. Pure-code tests need none of this and
never import the app.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from hypothesis import settings

pytest_plugins = ["tests.world", "tests.app.scene"]

# In CI the property tests replay the same examples every run, so a landing never hinges on luck;
# locally they keep exploring new ones.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

QUESTIONNAIRE_DIR = Path(__file__).resolve().parent.parent / "questionnaires"
BROWSER_TESTS = Path(__file__).resolve().parent / "browser"
# Fixtures that need a server besides SQLite, and the marker (pyproject.toml) a test using one carries.
SERVER_FIXTURES = {"redis_url": "redis", "pg_app": "postgres"}


def markers_for(path: Path, fixturenames) -> set[str]:
    """The markers a test gets from where it lives and what it uses (``make test-fast`` deselects them)."""
    found = {marker for fixture, marker in SERVER_FIXTURES.items() if fixture in fixturenames}
    if BROWSER_TESTS in Path(path).resolve().parents:
        found.add("browser")
    return found


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config, items):
    for item in items:
        for marker in markers_for(item.path, getattr(item, "fixturenames", ())):
            item.add_marker(marker)


def _postgres_server_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    return url or None


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if os.environ.get("DATAVET_TEST_DB") != "postgres":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        return
    server = _postgres_server_url()
    if server is None:
        pytest.exit("DATAVET_TEST_DB=postgres needs TEST_DATABASE_URL", returncode=2)
    from tests.pg import created_database

    with created_database(server, f"datavet_test_{uuid.uuid4().hex[:10]}") as url:
        yield url


class FreshRequestClient(FlaskClient):
    """A test client whose every request starts with an empty ``g``, as in production.

    Tests hold an app context (to use the database), and Flask reuses it for the requests they
    make: without this, the user Flask-Login cached on ``g`` by one request would answer for the next.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            for name in list(vars(g)):
                delattr(g, name)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    from flask_migrate import upgrade

    from app import create_app
    from app.questionnaires import store

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
            "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
            "QUESTIONNAIRE_DIR": str(QUESTIONNAIRE_DIR),
            "MAIL_SERVER": "",
            "JOBS_MODE": "inline",
            "JOB_RESULTS_FOLDER": str(tmp_path_factory.mktemp("job-results")),
        }
    )
    application.test_client_class = FreshRequestClient
    with application.app_context():
        upgrade()
        store.import_directory(QUESTIONNAIRE_DIR)
        from app.extensions import db

        db.session.commit()
    yield application
    with application.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=False)
def app_ctx(app):
    with app.app_context():
        yield app
        _empty_tables(app)


def _empty_tables(app) -> None:
    from app.extensions import db
    from app.models import QuestionnaireVersion

    db.session.rollback()
    keep = {QuestionnaireVersion.__table__.name}
    for table in reversed(db.metadata.sorted_tables):
        if table.name not in keep:
            db.session.execute(table.delete())
    db.session.commit()
    db.session.remove()


@pytest.fixture
def client(app_ctx):
    return app_ctx.test_client()


@pytest.fixture
def runner(app_ctx):
    return app_ctx.test_cli_runner()


@pytest.fixture
def login(client):
    """Sign a user in through the real login form."""
    from tests.factories import PASSWORD

    def sign_in(user, password: str = PASSWORD):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return sign_in
