"""Databases and app configuration for a benchmark run: the same settings in-process and under gunicorn."""

from __future__ import annotations

import gc
import os
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def server_env(database_url: str, workdir: Path) -> dict[str, str]:
    """Environment variables that configure DataVet (``load_config``) for a benchmark database."""
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "datavet-bench-secret",
        "UPLOAD_FOLDER": str(workdir / "uploads"),
        "JOB_RESULTS_FOLDER": str(workdir / "job-results"),
        "JOBS_MODE": "inline",  # a pack asked for in a request is built in that request: measured as a whole
        "REDIS_URL": "",
        "MAIL_SERVER": "",
        "SESSION_COOKIE_SECURE": "0",
    }


def make_app(database_url: str, workdir: Path, *, csrf: bool = False):
    """The DataVet app configured exactly as :func:`server_env` configures gunicorn's."""
    os.environ.update(server_env(database_url, workdir))
    from app import create_app

    # The benchmark signs in a handful of people per app; the sign-in rate limit is not what it measures.
    app = create_app({"WTF_CSRF_ENABLED": csrf, "SERVER_NAME": None, "RATELIMIT_ENABLED": False})
    gc.freeze()  # as wsgi.py does after start-up, so in-process times match the server's
    return app


def migrate(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(revision="heads")


@contextmanager
def sqlite_database(workdir: Path):
    path = workdir / "bench.sqlite"
    path.unlink(missing_ok=True)
    yield f"sqlite:///{path}"


def postgres_server() -> str:
    return os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_DATABASE_URL") or DEFAULT_POSTGRES


def postgres_unreachable() -> str | None:
    """Why PostgreSQL cannot be used, or None when it answers."""
    try:
        import psycopg

        with psycopg.connect(
            postgres_server().replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3
        ) as connection:
            connection.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - any failure means: skip PostgreSQL, say why
        return f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"
    return None


@contextmanager
def postgres_database():
    """A fresh database on the server, dropped afterwards (tests/pg.py does the work)."""
    from tests.pg import created_database

    with created_database(postgres_server(), f"datavet_bench_{uuid.uuid4().hex[:8]}") as url:
        yield url
