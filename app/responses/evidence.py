"""Evidence files: type checked by content, stored outside static/ under generated names with SHA-256."""
from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from datetime import datetime
from pathlib import Path

import puremagic
import sqlalchemy as sa
from flask import current_app

from app import audit
from app.extensions import db
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
# Office files are ZIP archives; the part that only that kind of document has tells them apart.
_OOXML_MARKERS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


class EvidenceRejected(ValueError):
    """A file that cannot be accepted, with a message for the vendor."""


def detect_type(data: bytes) -> str | None:
    """The file's real type among CONTENT_TYPES, judged by its bytes, never by its name."""
    try:
        candidates = {m.extension.lstrip(".").lower() for m in puremagic.magic_string(data)}
    except puremagic.PureError:
        candidates = set()
    if "jpg" in candidates:
        candidates.add("jpeg")
    if candidates & {"docx", "xlsx", "pptx", "zip"}:
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return None
        return next((kind for kind, marker in _OOXML_MARKERS.items() if marker in names), None)
    for kind in ("pdf", "png", "jpeg"):
        if kind in candidates:
            return kind
    if not candidates and b"\x00" not in data:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "txt"
    return None


def _folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def file_path(attachment: Attachment) -> Path:
    return _folder() / attachment.stored_name


def _sync_answer(response: Response, question_id: str, user: User) -> None:
    files = db.session.scalars(
        sa.select(Attachment).where(Attachment.response_id == response.id, Attachment.question_id == question_id)
        .order_by(Attachment.id)
    ).all()
    value = [{"id": f.id, "name": f.filename, "sha256": f.sha256, "size": f.size} for f in files] or None
    answer = db.session.scalar(
        sa.select(Answer).where(Answer.response_id == response.id, Answer.question_id == question_id))
    if answer is None:
        if value is not None:
            db.session.add(Answer(response_id=response.id, question_id=question_id, value=value, updated_by_id=user.id))
        return
    answer.value = value
    answer.revision += 1
    answer.updated_by_id = user.id


def add_evidence(response: Response, question, *, filename: str, data: bytes, user: User,
                 now: datetime | None = None) -> Attachment:
    """Store one evidence file for a file question; nothing changes when it is refused."""
    check_open(response, now)
    spec = question.file
    limit_mb = min(current_app.config["MAX_UPLOAD_MB"], spec.max_mb if spec else current_app.config["MAX_UPLOAD_MB"])
    if not data:
        raise EvidenceRejected("The file is empty.")
    if len(data) > limit_mb * 1024 * 1024:
        raise EvidenceRejected(f"The file is larger than {limit_mb:g} MB.")
    kind = detect_type(data)
    allowed = tuple(spec.types) if spec else tuple(CONTENT_TYPES)
    if kind == "txt" and "csv" in allowed and filename.lower().endswith(".csv"):
        kind = "csv"
    if kind is None or kind not in allowed:
        found = f"its content is {kind.upper()}" if kind else "its content is not a type we recognise"
        raise EvidenceRejected(f"'{filename}' cannot be accepted: {found}; allowed: {', '.join(allowed)}.")
    digest = hashlib.sha256(data).hexdigest()
    stored_name = uuid.uuid4().hex
    safe_name = Path(filename.replace("\\", "/")).name[:200] or f"evidence.{kind}"
    attachment = Attachment(
        response_id=response.id, question_id=question.id, filename=safe_name, stored_name=stored_name,
        content_type=CONTENT_TYPES[kind], size=len(data), sha256=digest, uploaded_by_id=user.id,
    )
    db.session.add(attachment)
    db.session.flush()
    (_folder() / stored_name).write_bytes(data)
    _sync_answer(response, question.id, user)
    audit.record("evidence.uploaded", actor=user, evaluation_id=response.evaluation_id,
                 subject=f"response:{response.id}:{question.id}",
                 details={"attachment": attachment.id, "sha256": digest, "size": len(data)})
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
    audit.record("evidence.removed", actor=user, evaluation_id=response.evaluation_id,
                 subject=f"response:{response.id}:{question_id}", details={"sha256": attachment.sha256})
    return path
