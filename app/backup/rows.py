"""The rows of one evaluation, found by following foreign keys, as plain JSON data and back."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Evaluation
from app.models.base import UTCDateTime

# Operational or secret-only tables: never part of a backup.
EXCLUDED_TABLES = {"alembic_version", "account_token", "api_token", "login_throttle", "job"}
SECRET_COLUMNS = {"password_hash", "token_hash"}
# Reference data the import may find already stored, matched by these columns (its id may differ).
SHARED_TABLES = {"questionnaire_version": ("key", "version", "definition_hash")}


class RowsRefused(ValueError):
    """Rows that cannot be restored here, with the reason."""


def tables() -> dict[str, sa.Table]:
    """Every table a backup may hold, in foreign-key order (parents first)."""
    return {table.name: table for table in db.metadata.sorted_tables if table.name not in EXCLUDED_TABLES}


def primary_key(table: sa.Table) -> sa.Column:
    columns = list(table.primary_key.columns)
    if len(columns) != 1:
        raise RowsRefused(f"table {table.name} has no single-column primary key; the backup cannot follow it")
    return columns[0]


def plain(value: Any) -> Any:
    """A column value as JSON data (timestamps ISO 8601 with their offset, enums by value)."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    return value


def _typed(column: sa.Column, value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, sa.Enum) and kind.enum_class is not None:
        return kind.enum_class(value)
    if isinstance(kind, (UTCDateTime, sa.DateTime)):
        return datetime.fromisoformat(value)
    if isinstance(kind, sa.Date):
        return date.fromisoformat(value)
    return value


def typed_row(table: sa.Table, row: dict[str, Any]) -> dict[str, Any]:
    """An archived row with its values back in the column types."""
    unknown = set(row) - set(table.c.keys())
    if unknown:
        raise RowsRefused(f"{table.name} has no column {', '.join(sorted(unknown))} here: upgrade the database first")
    return {name: _typed(table.c[name], value) for name, value in row.items()}


def collect(evaluation: Evaluation) -> dict[str, list[dict[str, Any]]]:
    """Every row of the evaluation as plain data, by table, sorted by id, secrets left out.

    Downwards: rows pointing at a row of the evaluation (responses, then answers, ...).
    Then the buyer's people and the invited contacts. Upwards: everything those rows
    point at (people, organisations, the questionnaire version).
    """
    known = tables()
    rows: dict[str, dict[Any, dict[str, Any]]] = {name: {} for name in known}

    def load(table: sa.Table, condition) -> bool:
        grew = False
        for row in db.session.execute(sa.select(table).where(condition)):
            mapping = dict(row._mapping)
            key = mapping[primary_key(table).name]
            if key not in rows[table.name]:
                rows[table.name][key] = mapping
                grew = True
        return grew

    owned = {"evaluation"}
    load(known["evaluation"], primary_key(known["evaluation"]) == evaluation.id)
    grew = True
    while grew:
        grew = False
        for table in known.values():
            links = [fk for fk in table.foreign_keys if fk.column.table.name in owned]
            if not links:
                continue
            owned.add(table.name)
            condition = sa.or_(*[fk.parent.in_(list(rows[fk.column.table.name])) for fk in links])
            grew = load(table, condition) or grew
    people = known["user_account"]
    emails = [row["email"] for row in rows.get("invitation", {}).values()]
    load(people, sa.or_(people.c.organisation_id == evaluation.organisation_id, people.c.email.in_(emails)))
    grew = True
    while grew:
        grew = False
        for table in known.values():
            for fk in table.foreign_keys:
                target = fk.column.table.name
                if target in owned or target not in known:
                    continue
                wanted = {row[fk.parent.name] for row in rows[table.name].values()} - {None} - set(rows[target])
                if wanted:
                    grew = load(known[target], fk.column.in_(list(wanted))) or grew
    return {
        name: [
            {column: plain(value) for column, value in row.items() if column not in SECRET_COLUMNS}
            for _, row in sorted(by_key.items())
        ]
        for name, by_key in rows.items()
        if by_key
    }


def check_empty(archived: dict[str, list]) -> None:
    """Refuse to restore over existing data: only shared reference data may be present."""
    known = tables()
    unknown = sorted(set(archived) - set(known))
    if unknown:
        raise RowsRefused(f"this database has no table {', '.join(unknown)}: upgrade it first (flask db upgrade)")
    busy = [
        name
        for name in archived
        if name not in SHARED_TABLES and db.session.scalar(sa.select(sa.func.count()).select_from(known[name]))
    ]
    if busy:
        raise RowsRefused(
            f"the database is not empty (rows in {', '.join(sorted(busy))}); restore into a freshly migrated database"
        )


def _match_shared(table: sa.Table, rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[Any, Any]]:
    """Archived rows of a shared table still to insert, and archived id -> id here for those already stored."""
    key = primary_key(table)
    *natural, content = SHARED_TABLES[table.name]
    fresh, same_as = [], {}
    for row in rows:
        found = db.session.execute(
            sa.select(key, table.c[content]).where(*[table.c[name] == row[name] for name in natural])
        ).first()
        if found is None:
            fresh.append(row)
        elif found[1] != row[content]:
            raise RowsRefused(
                f"{table.name} {' '.join(str(row[n]) for n in natural)} is stored here with different content"
            )
        else:
            same_as[row[key.name]] = found[0]
    return fresh, same_as


def _remap(archived: dict[str, list], target: str, same_as: dict) -> None:
    """Point archived rows at the shared rows already stored here instead of their archived ids."""
    for table in tables().values():
        for fk in table.foreign_keys:
            if fk.column.table.name == target:
                for row in archived.get(table.name, []):
                    row[fk.parent.name] = same_as.get(row[fk.parent.name], row[fk.parent.name])


def _advance_sequences(inserted: list[sa.Table]) -> None:
    if db.session.get_bind().dialect.name != "postgresql":
        return  # SQLite takes the next id after the largest present
    for table in inserted:
        column = primary_key(table).name
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column}'), "
                f"COALESCE((SELECT max({column}) FROM {table.name}), 0) + 1, false)"
            )
        )


def insert(archived: dict[str, list[dict[str, Any]]], *, skip: set[str]) -> None:
    """Insert the archived rows with their own ids, parents first (the audit trail is restored apart)."""
    for name in SHARED_TABLES:
        archived[name], same_as = _match_shared(tables()[name], archived.get(name, []))
        _remap(archived, name, same_as)
    inserted = []
    for table in tables().values():
        rows = archived.get(table.name, [])
        if table.name in skip or not rows:
            continue
        values = [typed_row(table, row) for row in rows]
        for row in values:
            for secret in SECRET_COLUMNS & set(table.c.keys()):
                if not table.c[secret].nullable:
                    # A random hash no link can match: restored invitations must be sent again.
                    row[secret] = hashlib.sha256(secrets.token_bytes(32)).hexdigest()
        db.session.execute(table.insert(), values)
        inserted.append(table)
    _advance_sequences(inserted)
