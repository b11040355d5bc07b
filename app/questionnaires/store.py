"""Stored questionnaire versions: importing YAML definitions and reading them back parsed."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.models import QuestionnaireVersion
from app.questionnaires.schema import (
    Problem,
    Questionnaire,
    QuestionnaireError,
    definition_hash,
    load_questionnaire,
    parse_questionnaire,
    to_dict,
)


def import_file(path: str | Path) -> tuple[QuestionnaireVersion, bool]:
    """Validate and store one YAML file; returns ``(version, created)``.

    Re-importing identical content is a no-op. Changed content under an existing
    version number is refused: stored versions are immutable, so bump ``version``.
    """
    questionnaire = load_questionnaire(path)
    return import_parsed(questionnaire, source=str(path))


def import_parsed(questionnaire: Questionnaire, *, source: str = "<data>") -> tuple[QuestionnaireVersion, bool]:
    definition = to_dict(questionnaire)
    digest = definition_hash(definition)
    existing = db.session.scalar(
        sa.select(QuestionnaireVersion).where(
            QuestionnaireVersion.key == questionnaire.id, QuestionnaireVersion.version == questionnaire.version
        )
    )
    if existing is not None:
        if existing.definition_hash != digest:
            raise QuestionnaireError(
                [
                    Problem(
                        source,
                        None,
                        f"version {questionnaire.version} of '{questionnaire.id}' is already stored with different "
                        f"content; stored versions never change, so raise 'version' to "
                        f"{latest_version(questionnaire.id) + 1}",
                    )
                ]
            )
        return existing, False
    row = QuestionnaireVersion(
        key=questionnaire.id,
        version=questionnaire.version,
        title=questionnaire.title,
        definition=definition,
        definition_hash=digest,
    )
    db.session.add(row)
    db.session.flush()
    return row, True


def import_directory(directory: str | Path) -> list[tuple[QuestionnaireVersion, bool]]:
    return [import_file(path) for path in sorted(Path(directory).glob("*.yaml"))]


def latest_version(key: str) -> int:
    return db.session.scalars(
        sa.select(sa.func.coalesce(sa.func.max(QuestionnaireVersion.version), 0)).where(QuestionnaireVersion.key == key)
    ).one()


def latest_versions() -> list[QuestionnaireVersion]:
    """The newest stored version of each questionnaire, by title."""
    newest = (
        sa.select(QuestionnaireVersion.key, sa.func.max(QuestionnaireVersion.version).label("version"))
        .group_by(QuestionnaireVersion.key)
        .subquery()
    )
    return list(
        db.session.scalars(
            sa.select(QuestionnaireVersion)
            .join(
                newest,
                sa.and_(QuestionnaireVersion.key == newest.c.key, QuestionnaireVersion.version == newest.c.version),
            )
            .order_by(QuestionnaireVersion.title)
        )
    )


# Stored versions never change, so a parsed copy per (id, hash) stays valid for the process.
_PARSED: dict[tuple[int, str], Questionnaire] = {}


def parsed(version: QuestionnaireVersion) -> Questionnaire:
    """The validated questionnaire of a stored version (parsed once per process)."""
    key = (version.id, version.definition_hash)
    if key not in _PARSED:
        _PARSED[key] = parse_questionnaire(
            version.definition, source=f"stored version {version.key} v{version.version}"
        )
    return _PARSED[key]
