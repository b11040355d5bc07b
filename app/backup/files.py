"""Stored files that belong to an evaluation's rows (evidence, sample batches), in and out of the archive."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app

# table -> (folder inside the archive, folder under UPLOAD_FOLDER); rows name their file in ``stored_name``.
FILE_TABLES = {"attachment": ("evidence", ""), "sample_batch": ("sample-batches", "sample-batches")}
_STORED_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_CHUNK = 1024 * 1024


class FilesRefused(ValueError):
    """A stored file that is missing, altered or unsafely named, with the reason."""


@dataclass(frozen=True)
class StoredFile:
    table: str
    stored_name: str
    sha256: str

    @property
    def member(self) -> str:
        """Its name inside the archive."""
        return f"{FILE_TABLES[self.table][0]}/{self.stored_name}"

    @property
    def path(self) -> Path:
        """Where the app keeps it."""
        return Path(current_app.config["UPLOAD_FOLDER"]) / FILE_TABLES[self.table][1] / self.stored_name


def stored_files(archived: dict[str, list[dict[str, Any]]]) -> list[StoredFile]:
    """The files the archived rows name; a table with files of unknown whereabouts stops the backup."""
    found = []
    for table, rows in archived.items():
        if not rows or not {"stored_name", "sha256"} <= set(rows[0]):
            continue
        if table not in FILE_TABLES:
            raise FilesRefused(f"rows of {table} name stored files, but the backup does not know where they live")
        for row in rows:
            if not _STORED_NAME.match(str(row["stored_name"])):
                raise FilesRefused(f"{table} {row.get('id')} names an unsafe file {row['stored_name']!r}")
            found.append(StoredFile(table, row["stored_name"], row["sha256"]))
    return found


def _digest(handle) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(_CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def add_to_archive(archive: zipfile.ZipFile, files: list[StoredFile]) -> list[str]:
    """Copy each file into the archive after checking it still matches its SHA-256; returns SHA256SUMS lines."""
    missing = [f.path.name for f in files if not f.path.is_file()]
    if missing:
        raise FilesRefused(f"{len(missing)} stored file(s) are missing: {', '.join(missing[:5])}")
    lines = []
    for stored in files:
        with stored.path.open("rb") as handle:
            if _digest(handle) != stored.sha256:
                raise FilesRefused(f"{stored.member} no longer matches the SHA-256 recorded for it")
        archive.write(stored.path, stored.member)
        lines.append(f"{stored.sha256}  {stored.member}")
    return lines


def check_in_archive(archive: zipfile.ZipFile, files: list[StoredFile], sums: dict[str, str]) -> None:
    """Each file is present, listed in SHA256SUMS with the row's hash, and its content matches."""
    for stored in files:
        if sums.get(stored.member) != stored.sha256:
            raise FilesRefused(f"{stored.member} is missing from the archive or listed with another SHA-256")
        with archive.open(stored.member) as handle:
            if _digest(handle) != stored.sha256:
                raise FilesRefused(f"{stored.member} does not match its SHA-256: the archive is damaged or altered")


def restore_from_archive(archive: zipfile.ZipFile, files: list[StoredFile]) -> None:
    """Copy the (already checked) files to where the app keeps them, each complete or not at all."""
    for stored in files:
        stored.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=stored.path.parent, prefix=".restore-")
        try:
            with os.fdopen(handle, "wb") as target, archive.open(stored.member) as source:
                for chunk in iter(lambda: source.read(_CHUNK), b""):
                    target.write(chunk)
            os.replace(temporary, stored.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
