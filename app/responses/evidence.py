"""Evidence files: allowed by name and by content, stored outside static/ under generated names with SHA-256.

An upload is accepted only when its extension is on the question's list, its bytes are that same
type, and they are nothing else as well: scripts and programs are refused whatever their content
(a ``.sh`` of plain text included), Office files with macros are refused, a PDF named ``.docx`` is
refused, and so is a polyglot, one file that two programs read as two different things (a PDF that
is also a ZIP archive, a PNG with a ZIP appended). Downloads go out as attachments under a safe name
whose extension and content type come from the detected type, never from what the vendor sent.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import unicodedata
import uuid
import zipfile
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask import Response as FlaskResponse, current_app

from app import audit
from app.extensions import db
from app.limits import one_line
from app.models import Answer, Attachment, Response, User
from app.responses.services import check_open

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "txt": "text/plain",
}
# The extension a downloaded file gets for each detected type.
DOWNLOAD_EXTENSIONS = {
    "pdf": "pdf",
    "png": "png",
    "jpeg": "jpg",
    "docx": "docx",
    "xlsx": "xlsx",
    "csv": "csv",
    "txt": "txt",
}
# What a question accepts when its questionnaire does not say.
DEFAULT_KINDS = ("pdf", "docx", "xlsx", "csv", "txt", "png", "jpeg")
# File name extension -> the type its content must be.
EXTENSIONS = {
    "pdf": "pdf",
    "png": "png",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "docx": "docx",
    "xlsx": "xlsx",
    "csv": "csv",
    "txt": "txt",
}
# Named so the vendor learns why, not only that: never accepted, whatever the question allows.
SCRIPT_EXTENSIONS = frozenset(
    {
        "bat",
        "cmd",
        "com",
        "exe",
        "dll",
        "msi",
        "scr",
        "pif",
        "cpl",
        "jar",
        "js",
        "mjs",
        "jse",
        "vbs",
        "vbe",
        "wsf",
        "wsh",
        "hta",
        "ps1",
        "psm1",
        "sh",
        "bash",
        "zsh",
        "py",
        "pyc",
        "pl",
        "rb",
        "php",
        "lnk",
        "reg",
        "html",
        "htm",
        "xhtml",
        "shtml",
        "svg",
        "svgz",
        "xml",
        "xsl",
        "swf",
        "app",
        "apk",
        "dmg",
        "elf",
        "bin",
    }
)
MACRO_EXTENSIONS = frozenset({"docm", "dotm", "xlsm", "xltm", "xlam", "pptm", "potm", "ppsm", "ppam", "sldm"})
# Office files are ZIP archives; the part that only that kind of document has tells them apart.
_OOXML_MARKERS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
_MACRO_MARKERS = (
    b"vbaproject",
    b"macroenabled",
    b"vnd.ms-office.vba",
    b"vnd.ms-excel.sheet.macro",
    b"vnd.ms-word.document.macro",
)
_TYPES_XML_LIMIT = 1024 * 1024
# A text file that a browser would run or render: refused even under a .txt or .csv name.
_MARKUP = re.compile(rb"^\s*(?:<!doctype\s+html|<html|<svg|<script|<\?xml|<body|<iframe)|^#!", re.IGNORECASE)


class EvidenceRejected(ValueError):
    """A file that cannot be accepted, with a message for the vendor."""


def _has_zip_directory(data: bytes) -> bool:
    """True when a ZIP end-of-central-directory record that points at a real central directory is present.

    Checked anywhere in the file, as ZIP readers find an archive from its end: a ZIP appended to a
    PNG or hidden inside a PDF opens as an archive all the same.
    """
    position = data.find(b"PK\x05\x06")
    while position != -1:
        record = data[position : position + 22]
        if len(record) == 22:
            size, offset = struct.unpack("<II", record[12:20])
            starts = {offset, position - size}
            if any(0 <= start <= len(data) - 4 and data[start : start + 4] == b"PK\x01\x02" for start in starts):
                return True
        position = data.find(b"PK\x05\x06", position + 1)
    return False


def _signatures(data: bytes) -> set[str]:
    """Every type whose signature these bytes carry (more than one means a polyglot)."""
    found = set()
    if b"%PDF-" in data[:1024]:  # readers accept the header anywhere in the first kilobyte
        found.add("pdf")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        found.add("png")
    if data.startswith(b"\xff\xd8\xff"):
        found.add("jpeg")
    if data.startswith(b"PK\x03\x04") or _has_zip_directory(data):
        found.add("zip")
    if data.startswith((b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa")):
        found.add("program")
    if data.startswith((b"GIF87a", b"GIF89a", b"{\\rtf", b"\xd0\xcf\x11\xe0")):
        found.add("other")
    return found


def _office_kind(data: bytes) -> str:
    """docx or xlsx for an Office Open XML file without macros; refuses anything else in a ZIP."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        lowered = [name.lower() for name in names]
        if any(name.endswith("vbaproject.bin") or name.endswith("vbadata.xml") for name in lowered):
            raise EvidenceRejected("it contains macros; save it as a document without macros (.docx or .xlsx)")
        types = archive.getinfo("[Content_Types].xml") if "[Content_Types].xml" in names else None
        if types is not None and types.file_size <= _TYPES_XML_LIMIT:
            declared = archive.read(types).lower()
            if any(marker in declared for marker in _MACRO_MARKERS):
                raise EvidenceRejected("it contains macros; save it as a document without macros (.docx or .xlsx)")
    except (zipfile.BadZipFile, KeyError, RuntimeError, NotImplementedError, EOFError, ValueError) as error:
        if isinstance(error, EvidenceRejected):
            raise
        raise EvidenceRejected("it is a damaged or unreadable archive") from None
    if types is None:
        raise EvidenceRejected("it is a ZIP archive, not a document")
    kinds = [kind for kind, marker in _OOXML_MARKERS.items() if marker in names]
    if len(kinds) != 1:
        raise EvidenceRejected("it is a ZIP archive, not a Word or Excel document")
    return kinds[0]


def detect_type(data: bytes) -> str:
    """The file's real type among CONTENT_TYPES (csv comes back as txt), judged by its bytes, never by its name.

    Raises :class:`EvidenceRejected` with the reason for content that is no accepted type, or more than one.
    """
    signatures = _signatures(data)
    if "program" in signatures:
        raise EvidenceRejected("its content is a program")
    if "zip" in signatures:
        if signatures - {"zip"} or not data.startswith(b"PK\x03\x04"):
            others = ", ".join(sorted(kind.upper() for kind in signatures - {"zip"})) or "another file"
            raise EvidenceRejected(f"its content is both {others} and a ZIP archive")
        return _office_kind(data)
    if len(signatures) > 1:
        raise EvidenceRejected(f"its content is several types at once ({', '.join(sorted(signatures)).upper()})")
    if signatures == {"other"}:
        raise EvidenceRejected("its content is not a type we accept")
    if signatures:
        return next(iter(signatures))
    if b"\x00" in data:
        raise EvidenceRejected("its content is not a type we recognise")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise EvidenceRejected("its content is not a type we recognise") from None
    if _MARKUP.search(data[:1024].lstrip(b"\xef\xbb\xbf")):
        raise EvidenceRejected("its content is a web page or script")
    return "txt"


def accepted_kinds(question) -> tuple[str, ...]:
    """The detected types a file question accepts, from its questionnaire (``file.types``) or the default."""
    declared = question.file.types if question.file else DEFAULT_KINDS
    kinds = [EXTENSIONS[t] for t in declared if t in EXTENSIONS]
    return tuple(dict.fromkeys(kinds)) or DEFAULT_KINDS


def _extensions_for(kinds: tuple[str, ...]) -> str:
    return ", ".join(ext for ext, kind in EXTENSIONS.items() if kind in kinds)


def display_name(filename: str) -> str:
    """The uploaded file's own name, without folders or control characters (shown back, stored)."""
    name = one_line(Path((filename or "").replace("\\", "/")).name).strip()
    return name[:200]


def download_name(attachment: Attachment) -> str:
    """An ASCII name for a download, with the extension of the detected type (never the uploaded one)."""
    kind = next((k for k, content_type in CONTENT_TYPES.items() if content_type == attachment.content_type), None)
    extension = DOWNLOAD_EXTENSIONS.get(kind, "bin")
    stem = unicodedata.normalize("NFKD", Path(attachment.filename or "").stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-")[:100] or "evidence"
    return f"{stem}.{extension}"


def download_content_type(attachment: Attachment) -> str:
    """The content type a download is served with: one of ours, else a download-only binary type."""
    if attachment.content_type in CONTENT_TYPES.values():
        return attachment.content_type
    return "application/octet-stream"


def download(attachment: Attachment) -> FlaskResponse:
    """The file as an attachment under a safe name, typed as detected, never sniffed into a page."""
    # Read whole (files are capped by MAX_UPLOAD_MB) so no file handle outlives the request.
    answer = FlaskResponse(file_path(attachment).read_bytes(), mimetype=download_content_type(attachment))
    answer.headers["Content-Disposition"] = f'attachment; filename="{download_name(attachment)}"'
    answer.headers["X-Content-Type-Options"] = "nosniff"
    return answer


def check_file(filename: str, data: bytes, allowed: tuple[str, ...]) -> str:
    """The detected type of an upload that may be stored, or :class:`EvidenceRejected` saying why not."""
    name = display_name(filename) or "the file"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed_text = _extensions_for(allowed)
    if extension in SCRIPT_EXTENSIONS:
        raise EvidenceRejected(
            f"'{name}' cannot be accepted: scripts, programs and web pages (.{extension}) are "
            f"never accepted as evidence; allowed: {allowed_text}."
        )
    if extension in MACRO_EXTENSIONS:
        raise EvidenceRejected(
            f"'{name}' cannot be accepted: Office files with macros (.{extension}) are not "
            "accepted; save it as .docx or .xlsx without macros."
        )
    if not extension:
        raise EvidenceRejected(
            f"'{name}' cannot be accepted: the file name needs an extension; allowed: {allowed_text}."
        )
    if EXTENSIONS.get(extension) not in allowed:
        raise EvidenceRejected(
            f"'{name}' cannot be accepted: .{extension} files are not accepted for this "
            f"question; allowed: {allowed_text}."
        )
    try:
        kind = detect_type(data)
    except EvidenceRejected as reason:
        raise EvidenceRejected(f"'{name}' cannot be accepted: {reason}; allowed: {allowed_text}.") from None
    claimed = EXTENSIONS[extension]
    if kind == "txt" and claimed == "csv":
        kind = "csv"
    if kind != claimed:
        raise EvidenceRejected(
            f"'{name}' cannot be accepted: its name says {extension.upper()} but its content is "
            f"{kind.upper()}. Upload the right file, or give it the extension of what it is."
        )
    return kind


def _folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def file_path(attachment: Attachment) -> Path:
    return _folder() / attachment.stored_name


def _sync_answer(response: Response, question_id: str, user: User) -> None:
    files = db.session.scalars(
        sa.select(Attachment)
        .where(Attachment.response_id == response.id, Attachment.question_id == question_id)
        .order_by(Attachment.id)
    ).all()
    value = [{"id": f.id, "name": f.filename, "sha256": f.sha256, "size": f.size} for f in files] or None
    answer = db.session.scalar(
        sa.select(Answer).where(Answer.response_id == response.id, Answer.question_id == question_id)
    )
    if answer is None:
        if value is not None:
            db.session.add(Answer(response_id=response.id, question_id=question_id, value=value, updated_by_id=user.id))
        return
    answer.value = value
    answer.revision += 1
    answer.updated_by_id = user.id


def add_evidence(
    response: Response, question, *, filename: str, data: bytes, user: User, now: datetime | None = None
) -> Attachment:
    """Store one evidence file for a file question; nothing changes when it is refused."""
    check_open(response, now)
    spec = question.file
    limit_mb = min(current_app.config["MAX_UPLOAD_MB"], spec.max_mb if spec else current_app.config["MAX_UPLOAD_MB"])
    if not data:
        raise EvidenceRejected("The file is empty.")
    if len(data) > limit_mb * 1024 * 1024:
        raise EvidenceRejected(f"The file is larger than {limit_mb:g} MB.")
    kind = check_file(filename, data, accepted_kinds(question))
    digest = hashlib.sha256(data).hexdigest()
    stored_name = uuid.uuid4().hex
    safe_name = display_name(filename) or f"evidence.{DOWNLOAD_EXTENSIONS[kind]}"
    attachment = Attachment(
        response_id=response.id,
        question_id=question.id,
        filename=safe_name,
        stored_name=stored_name,
        content_type=CONTENT_TYPES[kind],
        size=len(data),
        sha256=digest,
        uploaded_by_id=user.id,
    )
    db.session.add(attachment)
    db.session.flush()
    (_folder() / stored_name).write_bytes(data)
    _sync_answer(response, question.id, user)
    audit.record(
        "evidence.uploaded",
        actor=user,
        evaluation_id=response.evaluation_id,
        subject=f"response:{response.id}:{question.id}",
        details={"attachment": attachment.id, "sha256": digest, "size": len(data)},
    )
    return attachment


def remove_evidence(attachment: Attachment, *, user: User) -> Path:
    """Remove an evidence file from the response; returns the stored file to delete after commit."""
    response = attachment.response
    check_open(response)
    question_id = attachment.question_id
    path = file_path(attachment)
    db.session.delete(attachment)
    db.session.flush()
    _sync_answer(response, question_id, user)
    audit.record(
        "evidence.removed",
        actor=user,
        evaluation_id=response.evaluation_id,
        subject=f"response:{response.id}:{question_id}",
        details={"sha256": attachment.sha256},
    )
    return path
