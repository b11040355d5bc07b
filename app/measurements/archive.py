"""Safe extraction of a vendor's sample-batch archive (.zip, .tar, .tar.gz/.tgz, .tar.bz2, .tar.xz).

A batch archive comes from outside, so it is treated as hostile: the whole member list is checked
before a single byte is written, and extraction itself streams and counts bytes so that a header
that lies about sizes cannot fill the disk. Any refusal raises :class:`UnsafeArchive` with a message
a vendor can act on ("member 'x': why"), and leaves the target directory exactly as empty as it was.
"""

from __future__ import annotations

import lzma
import os
import shutil
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

CHUNK_BYTES = 1 << 20
DEFAULT_MAX_TOTAL_BYTES = 2 << 30  # 2 GiB: generous for a pilot batch, far below the disk
# Below this size a member cannot hurt us however well it compresses (a 4 KiB CSV of repeated
# values can compress 200:1); the total-size limit still bounds many such members together.
RATIO_FLOOR_BYTES = 1 << 20
# What a damaged or forged archive raises while being read (zlib and lzma errors are not OSErrors).
_READ_ERRORS = (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError, ValueError, zlib.error, lzma.LZMAError)


class UnsafeArchive(Exception):
    """The archive was refused; ``message`` says which member and why, in words for the vendor."""

    def __init__(self, message: str, member: str | None = None):
        super().__init__(message)
        self.message = message
        self.member = member


@dataclass(frozen=True)
class ExtractedBatch:
    """Where the batch was extracted and its regular files as POSIX paths relative to ``root``."""

    root: str
    files: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class _Member:
    """One archive entry reduced to what the checks need; ``open`` streams its content."""

    name: str
    is_dir: bool
    declared_size: int
    compressed_size: int | None  # None where the format has no per-member figure (tar)
    open: Callable[[], IO[bytes]]


def extract_batch(
    archive_path: str | os.PathLike,
    target_dir: str | os.PathLike,
    *,
    max_files: int = 5000,
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
    max_ratio: float = 100,
) -> ExtractedBatch:
    """Check every member of ``archive_path``, then extract it into ``target_dir``.

    Refuses (``UnsafeArchive``) absolute or escaping paths, links, devices and other special files,
    duplicate names, encrypted members, more than ``max_files`` entries, more than
    ``max_total_bytes`` declared or actually written, and an uncompressed/compressed ratio above
    ``max_ratio`` (per member above 1 MiB for zip, and for the archive as a whole). ``target_dir``
    must be missing or empty; after a refusal it is left empty (or removed if this call created it).
    """
    archive = Path(archive_path)
    target = Path(target_dir)
    if target.exists() and any(target.iterdir()):
        raise ValueError(f"target directory {target} is not empty")
    created_target = not target.exists()
    target.mkdir(parents=True, exist_ok=True)
    root = target.resolve()
    try:
        with _ArchiveMembers(archive) as members_iter:
            members = _validated(
                members_iter,
                root,
                archive.stat().st_size,
                max_files=max_files,
                max_total_bytes=max_total_bytes,
                max_ratio=max_ratio,
            )
            files = _write_all(
                members, root, archive.stat().st_size, max_total_bytes=max_total_bytes, max_ratio=max_ratio
            )
    except BaseException:
        _empty(root, remove_dir=created_target)
        raise
    return ExtractedBatch(root=str(root), files=sorted(files))


class _ArchiveMembers:
    """Context manager yielding an iterator of ``_Member`` for a zip or tar file."""

    def __init__(self, archive: Path):
        self.archive = archive
        self.handle: zipfile.ZipFile | tarfile.TarFile | None = None

    def __enter__(self) -> Iterator[_Member]:
        if not self.archive.is_file():
            raise UnsafeArchive(f"'{self.archive.name}' is not a file.")
        if zipfile.is_zipfile(self.archive):
            try:
                self.handle = zipfile.ZipFile(self.archive)
            except (zipfile.BadZipFile, OSError, ValueError) as exc:
                raise UnsafeArchive(f"'{self.archive.name}' is a damaged zip archive ({exc}).") from exc
            return _zip_members(self.handle)
        try:
            # "r:*" detects gzip/bzip2/xz itself; iterating (not getmembers) lets the size check
            # stop reading a compressed bomb as soon as the declared total is over the limit.
            self.handle = tarfile.open(self.archive, "r:*")
        except _READ_ERRORS as exc:
            raise UnsafeArchive(
                f"'{self.archive.name}' is not a zip or tar archive; please send the batch as .zip or .tar.gz."
            ) from exc
        return _tar_members(self.handle)

    def __exit__(self, *exc_info) -> None:
        if self.handle is not None:
            self.handle.close()


def _zip_members(zf: zipfile.ZipFile) -> Iterator[_Member]:
    for info in zf.infolist():
        mode = info.external_attr >> 16
        # Only Unix-made zips carry a file type in the high bits (many writers leave it 0); a link or
        # device there would be recreated as such by other tools, so refuse rather than write a plain file.
        file_type = stat.S_IFMT(mode)
        if info.create_system == 3 and file_type and file_type not in (stat.S_IFREG, stat.S_IFDIR):
            kind = "a symbolic link" if stat.S_ISLNK(mode) else "a special file (device, pipe or socket)"
            raise UnsafeArchive(
                f"Member '{info.filename}' is {kind}; only regular files and folders are accepted.", info.filename
            )
        if info.flag_bits & 0x1:
            raise UnsafeArchive(f"Member '{info.filename}' is encrypted and cannot be checked.", info.filename)
        yield _Member(
            name=info.filename,
            is_dir=info.is_dir(),
            declared_size=info.file_size,
            compressed_size=info.compress_size,
            open=lambda info=info: zf.open(info),
        )


def _tar_members(tf: tarfile.TarFile) -> Iterator[_Member]:
    while True:
        try:
            info = tf.next()
        except _READ_ERRORS as exc:
            raise UnsafeArchive(f"The tar archive is damaged ({exc}).") from exc
        if info is None:
            return
        if info.issym() or info.islnk():
            raise UnsafeArchive(
                f"Member '{info.name}' is a {'symbolic' if info.issym() else 'hard'} link "
                f"(to '{info.linkname}'); only regular files and folders are accepted.",
                info.name,
            )
        if not (info.isfile() or info.isdir()):
            raise UnsafeArchive(
                f"Member '{info.name}' is a special file (device, pipe or socket); only regular "
                "files and folders are accepted.",
                info.name,
            )
        yield _Member(
            name=info.name,
            is_dir=info.isdir(),
            declared_size=info.size,
            compressed_size=None,
            open=lambda info=info: tf.extractfile(info),
        )


def _validated(
    members: Iterator[_Member], root: Path, archive_size: int, *, max_files: int, max_total_bytes: int, max_ratio: float
) -> list[_Member]:
    """Run every check that needs no extraction; return the members in archive order."""
    accepted: list[_Member] = []
    seen: dict[str, str] = {}
    total = 0
    for member in members:
        if len(accepted) >= max_files:
            raise UnsafeArchive(
                f"The archive has more than {max_files} entries (stopped counting at "
                f"'{member.name}'); split the batch or ask the buyer for a higher limit.",
                member.name,
            )
        relative = _safe_relative(member.name, root)
        key = relative.lower()  # case-insensitive: two names differing in case collide on some disks
        if key in seen and not member.is_dir:
            raise UnsafeArchive(
                f"Member '{member.name}' appears twice in the archive (also as '{seen[key]}').", member.name
            )
        seen[key] = member.name
        total += member.declared_size
        if total > max_total_bytes:
            raise UnsafeArchive(
                f"The archive unpacks to more than {_mib(max_total_bytes)} (limit reached at member "
                f"'{member.name}', which declares {_mib(member.declared_size)}).",
                member.name,
            )
        if member.compressed_size is not None and member.declared_size > RATIO_FLOOR_BYTES:
            ratio = member.declared_size / max(member.compressed_size, 1)
            if ratio > max_ratio:
                raise UnsafeArchive(
                    f"Member '{member.name}' expands {ratio:.0f} times ({_mib(member.declared_size)} "
                    f"from {member.compressed_size} bytes), above the limit of {max_ratio:g}; this "
                    "looks like a decompression bomb.",
                    member.name,
                )
        accepted.append(member)
    if not accepted:
        raise UnsafeArchive("The archive is empty.")
    overall = total / max(archive_size, 1)
    if total > RATIO_FLOOR_BYTES and overall > max_ratio:
        raise UnsafeArchive(
            f"The archive expands {overall:.0f} times as a whole ({_mib(total)} from "
            f"{_mib(archive_size)}), above the limit of {max_ratio:g}; this looks like a "
            "decompression bomb."
        )
    return accepted


def _safe_relative(name: str, root: Path) -> str:
    """The member's path relative to ``root`` in POSIX form, or ``UnsafeArchive`` if it could escape."""
    if not name or "\x00" in name:
        raise UnsafeArchive(f"Member {name!r} has an empty or invalid name.", name)
    # Backslashes are separators for Windows tools that will read this batch later, so "..\\x" escapes too.
    unified = name.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[0].isalpha() and unified[1] == ":"):
        raise UnsafeArchive(f"Member '{name}' has an absolute path; paths must be relative to the archive.", name)
    parts = [p for p in PurePosixPath(unified).parts if p not in ("", ".")]
    if ".." in parts:
        raise UnsafeArchive(f"Member '{name}' contains '..' and would be written outside the batch folder.", name)
    if not parts:
        raise UnsafeArchive(f"Member '{name}' has no usable file name.", name)
    destination = (root / Path(*parts)).resolve()
    if destination != root and root not in destination.parents:
        raise UnsafeArchive(f"Member '{name}' would be written outside the batch folder.", name)
    return "/".join(parts)


def _write_all(
    members: list[_Member], root: Path, archive_size: int, *, max_total_bytes: int, max_ratio: float
) -> list[str]:
    """Stream every member to disk, re-checking sizes and ratios on the bytes actually produced."""
    written_total = 0
    files: list[str] = []
    for member in members:
        relative = _safe_relative(member.name, root)
        destination = root / relative
        written = 0
        try:
            if member.is_dir:
                destination.mkdir(parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            with member.open() as source, open(destination, "xb") as sink:
                while chunk := source.read(CHUNK_BYTES):
                    written += len(chunk)
                    written_total += len(chunk)
                    _check_stream(member, written, written_total, max_total_bytes, max_ratio)
                    sink.write(chunk)
        except UnsafeArchive:
            raise
        except _READ_ERRORS as exc:
            # zipfile reports a CRC or size mismatch here: the headers did not describe the data.
            raise UnsafeArchive(f"Member '{member.name}' could not be extracted: {exc}.", member.name) from exc
        files.append(relative)
    if written_total > RATIO_FLOOR_BYTES and written_total / max(archive_size, 1) > max_ratio:
        raise UnsafeArchive(
            f"The archive expanded {written_total / max(archive_size, 1):.0f} times as a whole, "
            f"above the limit of {max_ratio:g}; this looks like a decompression bomb."
        )
    return files


def _check_stream(member: _Member, written: int, written_total: int, max_total_bytes: int, max_ratio: float) -> None:
    if written > member.declared_size:
        raise UnsafeArchive(
            f"Member '{member.name}' holds more data than its header declares "
            f"({member.declared_size} bytes); the archive is damaged or forged.",
            member.name,
        )
    if written_total > max_total_bytes:
        raise UnsafeArchive(
            f"The archive unpacks to more than {_mib(max_total_bytes)} (limit reached while "
            f"extracting '{member.name}').",
            member.name,
        )
    if (
        member.compressed_size is not None
        and written > RATIO_FLOOR_BYTES
        and written / max(member.compressed_size, 1) > max_ratio
    ):
        raise UnsafeArchive(
            f"Member '{member.name}' expands more than {max_ratio:g} times; this looks like a decompression bomb.",
            member.name,
        )


def _empty(root: Path, *, remove_dir: bool) -> None:
    """Remove whatever this call wrote: the target was empty before, so everything in it is ours."""
    if remove_dir:
        shutil.rmtree(root, ignore_errors=True)
        return
    for child in root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB"
