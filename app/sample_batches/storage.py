"""Where sample-batch archives live, and how an upload becomes a checked, extracted batch.

Archives are kept outside static/ in ``UPLOAD_FOLDER/sample-batches`` under generated names; the
extracted tree sits beside the archive (``<name>.d``) only while it is being analysed.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from flask import current_app

from app.measurements import UnsafeArchive, extract_batch
from app.measurements.audio import AUDIO_EXTENSIONS
from app.measurements.images import IMAGE_EXTENSIONS
from app.measurements.text import TEXT_EXTENSIONS

CHUNK_BYTES = 1 << 20
ITEM_EXTENSIONS = {"audio": AUDIO_EXTENSIONS, "image": IMAGE_EXTENSIONS, "text": TEXT_EXTENSIONS}
METADATA_NAME = "metadata.csv"


class BatchRefused(ValueError):
    """An upload that cannot become a sample batch, with a message for the vendor."""


@dataclass(frozen=True)
class ReceivedArchive:
    """An uploaded archive written to a temporary name, with its size and SHA-256."""

    path: Path
    size: int
    sha256: str


@dataclass(frozen=True)
class CheckedBatch:
    """An archive that extracted safely and holds a metadata CSV and items of the modality."""

    extracted: Path
    metadata_file: str  # POSIX path of the CSV inside the archive
    files: int
    items: int


def folder() -> Path:
    """The folder holding every batch archive (created on first use)."""
    path = Path(current_app.config["UPLOAD_FOLDER"]) / "sample-batches"
    path.mkdir(parents=True, exist_ok=True)
    return path


def archive_path(stored_name: str) -> Path:
    """Where the archive stored under ``stored_name`` lives."""
    return folder() / stored_name


def extracted_path(stored_name: str) -> Path:
    """Where that archive is extracted while it is checked and analysed."""
    return folder() / f"{stored_name}.d"


def new_stored_name() -> str:
    """A generated file name: nothing of the vendor's file name reaches the disk."""
    return uuid.uuid4().hex


def max_archive_bytes() -> int:
    """The largest archive accepted, from ``MAX_SAMPLE_MB``."""
    return int(current_app.config["MAX_SAMPLE_MB"]) * 1024 * 1024


def receive(stream: IO[bytes], stored_name: str) -> ReceivedArchive:
    """Copy an upload to ``stored_name`` while hashing it; refuse it empty or over ``MAX_SAMPLE_MB``."""
    limit = max_archive_bytes()
    target = archive_path(stored_name)
    digest, size = hashlib.sha256(), 0
    try:
        with open(target, "xb") as sink:
            while chunk := stream.read(CHUNK_BYTES):
                size += len(chunk)
                if size > limit:
                    raise BatchRefused(
                        f"The archive is larger than {current_app.config['MAX_SAMPLE_MB']} MB, "
                        "the limit for a sample batch."
                    )
                digest.update(chunk)
                sink.write(chunk)
        if size == 0:
            raise BatchRefused("The file is empty.")
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return ReceivedArchive(target, size, digest.hexdigest())


def unpack(archive: Path, target: Path, shown_name: str = "") -> list[str]:
    """Extract ``archive`` safely into ``target`` (the configured limits apply); returns its files.

    ``shown_name`` replaces the generated file name in refusal messages, so the vendor reads its own.
    """
    try:
        extracted = extract_batch(
            archive,
            target,
            max_files=int(current_app.config["MAX_SAMPLE_FILES"]),
            max_total_bytes=int(current_app.config["MAX_SAMPLE_UNPACKED_MB"]) * 1024 * 1024,
        )
    except UnsafeArchive as refusal:
        message = refusal.message.replace(archive.name, shown_name) if shown_name else refusal.message
        raise BatchRefused(f"The archive was refused and nothing was kept: {message}") from refusal
    return extracted.files


def check(archive: Path, target: Path, modality: str, shown_name: str = "") -> CheckedBatch:
    """Extract and check that the batch has a metadata CSV and items of ``modality``; clean up if not."""
    files = unpack(archive, target, shown_name)
    try:
        metadata = find_metadata(files)
        items = [f for f in files if f.lower().endswith(ITEM_EXTENSIONS[modality])]
        if not items:
            raise BatchRefused(
                f"The archive holds no {modality} items (expected files ending in "
                f"{', '.join(ITEM_EXTENSIONS[modality])})."
            )
    except BatchRefused:
        remove(target)
        raise
    return CheckedBatch(target, metadata, len(files), len(items))


def find_metadata(files: list[str]) -> str:
    """The metadata CSV: ``metadata.csv`` nearest the top, else the archive's only CSV file."""
    named = [f for f in files if PurePosixPath(f).name.lower() == METADATA_NAME and not f.startswith("__MACOSX/")]
    if named:
        return min(named, key=lambda f: (f.count("/"), f))
    csvs = [f for f in files if f.lower().endswith(".csv") and not f.startswith("__MACOSX/")]
    if len(csvs) == 1:
        return csvs[0]
    if not csvs:
        raise BatchRefused(
            "The archive has no metadata file; add a metadata.csv with one row per item (item_id, "
            "contributor, locale, gender, age_band, device, environment, consent_version, file)."
        )
    raise BatchRefused(
        f"The archive has {len(csvs)} CSV files and none is called metadata.csv; name the metadata file metadata.csv."
    )


def remove(path: Path) -> None:
    """Delete an archive or an extracted tree (missing is fine)."""
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
