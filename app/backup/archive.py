"""One evaluation as one archive file, and back into an empty database.

The archive is a ZIP holding ``evaluation.json`` (every row that belongs to the
evaluation, found by following foreign keys, so tables added later come along), the
stored files those rows name (``evidence/…``, ``sample-batches/…``) and ``SHA256SUMS``.
Secrets are left out (password hashes, link and API token hashes): restored people
choose a new password with "Forgot your password?", and invitations must be re-sent.

Rows keep their ids, so audit events that name ``response:12`` still mean the same
response, and their hashes still verify.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import audit
from app.backup import files, rows
from app.extensions import db
from app.models import AuditEvent, Evaluation
from app.models.base import utcnow

FORMAT = "datavet-evaluation-backup"
FORMAT_VERSION = 1
DATA_NAME = "evaluation.json"
SUMS_NAME = "SHA256SUMS"


class BackupError(Exception):
    """An export or import that cannot be done, with the reason for the operator."""


@dataclass(frozen=True)
class BackupSummary:
    evaluation_id: int
    title: str
    rows: dict[str, int]
    files: int


def dump(evaluation: Evaluation) -> dict[str, Any]:
    """The archive's JSON document for one evaluation (plain data, secrets left out)."""
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "exported_at": utcnow().isoformat(),
        "evaluation_id": evaluation.id,
        "title": evaluation.title,
        "tables": rows.collect(evaluation),
    }


def _summary(document: dict[str, Any], file_count: int) -> BackupSummary:
    return BackupSummary(
        document["evaluation_id"],
        document["title"],
        {name: len(table) for name, table in document["tables"].items()},
        file_count,
    )


def export_evaluation(evaluation: Evaluation, out: str | os.PathLike) -> BackupSummary:
    """Write the evaluation's archive to ``out``, which is replaced only once the archive is complete.

    The export is recorded in the audit trail first, so the archive carries its own record
    (flushed; the caller commits).
    """
    audit.record("evaluation.exported", actor=None, evaluation_id=evaluation.id, details={"file": Path(out).name})
    try:
        document = dump(evaluation)
        stored = files.stored_files(document["tables"])
    except (rows.RowsRefused, files.FilesRefused) as error:
        raise BackupError(str(error)) from error
    data = json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False).encode()
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".backup-", suffix=".zip")
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(DATA_NAME, data)
            sums = [f"{hashlib.sha256(data).hexdigest()}  {DATA_NAME}", *files.add_to_archive(archive, stored)]
            archive.writestr(SUMS_NAME, "\n".join(sums) + "\n")
        os.replace(temporary, target)
    except files.FilesRefused as error:
        Path(temporary).unlink(missing_ok=True)
        raise BackupError(str(error)) from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return _summary(document, len(stored))


def _open(path: Path) -> tuple[zipfile.ZipFile, dict[str, Any], dict[str, str]]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise BackupError(f"{path.name} is not a DataVet backup (not a ZIP archive)") from error
    names = set(archive.namelist())
    if DATA_NAME not in names or SUMS_NAME not in names:
        archive.close()
        raise BackupError(f"{path.name} is not a DataVet backup ({DATA_NAME} or {SUMS_NAME} missing)")
    sums = {}
    for line in archive.read(SUMS_NAME).decode("utf-8", "replace").splitlines():
        digest, _, name = line.partition("  ")
        sums[name] = digest
    data = archive.read(DATA_NAME)
    if hashlib.sha256(data).hexdigest() != sums.get(DATA_NAME):
        archive.close()
        raise BackupError(f"{DATA_NAME} does not match its SHA-256: the archive is damaged or altered")
    try:
        document = json.loads(data)
    except ValueError as error:
        archive.close()
        raise BackupError(f"{DATA_NAME} is not valid JSON") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("version") != FORMAT_VERSION:
        archive.close()
        raise BackupError("this archive was written in another format or version")
    return archive, document, sums


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def import_archive(path: str | os.PathLike) -> BackupSummary:
    """Restore an archive into an empty database (flushed; the caller commits, or rolls back on error).

    Every stored file is checked against its SHA-256 and every audit event against its
    hash before anything is written; files are copied into place last. Only names listed
    in SHA256SUMS are read from the archive, never extracted by their own paths.
    """
    path = Path(path)
    archive, document, sums = _open(path)
    with archive:
        archived = document.get("tables")
        if not isinstance(archived, dict) or "evaluation" not in archived:
            raise BackupError("the archive holds no evaluation")
        archived.setdefault("audit_event", [])  # a restore always needs an empty trail
        try:
            rows.check_empty(archived)
            stored = files.stored_files(archived)
            files.check_in_archive(archive, stored, sums)
            audit_rows = archived.get("audit_event", [])
            rows.insert(archived, skip={"audit_event"})
            events = [AuditEvent(**rows.typed_row(rows.tables()["audit_event"], row)) for row in audit_rows]
            audit.restore(events, evaluation_id=document["evaluation_id"], archive_sha256=_file_sha256(path))
        except (rows.RowsRefused, files.FilesRefused) as error:
            raise BackupError(str(error)) from error
        except ValueError as error:  # from the audit trail: a hash that does not match
            raise BackupError(f"the archive's audit trail does not verify: {error}") from error
        db.session.flush()
        files.restore_from_archive(archive, stored)
    return _summary(document, len(stored))
