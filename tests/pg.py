"""Creating and dropping a throw-away PostgreSQL database for a test session."""

from __future__ import annotations

from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(_libpq(url))
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextmanager
def created_database(server_url: str, name: str):
    """Yield the SQLAlchemy URL of a new, empty database, dropped afterwards."""
    admin = _libpq(server_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(server_url, name).replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
