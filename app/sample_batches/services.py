"""Requiring, receiving and analysing sample batches, and marking the answers they verify.

Services flush; the caller commits (the view, or the job runner for the analysis).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

import sqlalchemy as sa

from app import audit
from app.extensions import db
from app.measurements import analyse_batch
from app.models import Answer, Evaluation, EvidenceLevel, Response, SampleBatch, SampleBatchRequirement, User
from app.models.base import utcnow
from app.models.sample_batch import BATCH_MODALITY, BatchStatus
from app.responses.services import answers_by_question, check_open
from app.sample_batches import storage
from app.sample_batches.findings import (
    MODALITY_LABELS,
    MODALITY_ORDER,
    forget_cached,
    question_verdicts,
    required_modalities,
    response_findings,
)
from app.sample_batches.storage import BatchRefused

__all__ = [
    "BatchRefused",
    "offered_modalities",
    "required_modalities",
    "set_required_modalities",
    "store_batch",
    "analyse",
    "apply_evidence",
    "discard_files",
]


def offered_modalities(evaluation: Evaluation) -> list[str]:
    """Batch modalities the buyer may require: those of the evaluation (speech -> audio, vision -> image)."""
    chosen = {BATCH_MODALITY[m] for m in evaluation.modalities or [] if m in BATCH_MODALITY}
    return [m for m in MODALITY_ORDER if m in chosen]


def set_required_modalities(evaluation: Evaluation, modalities: list[str], *, user: User) -> list[str]:
    """Require a sample batch for exactly ``modalities`` (batch words: audio, image, text)."""
    wanted = [m for m in offered_modalities(evaluation) if m in modalities]
    current = {
        r.modality: r
        for r in db.session.scalars(
            sa.select(SampleBatchRequirement).where(SampleBatchRequirement.evaluation_id == evaluation.id)
        )
    }
    for modality, row in current.items():
        if modality not in wanted:
            db.session.delete(row)
    for modality in wanted:
        if modality not in current:
            db.session.add(SampleBatchRequirement(evaluation_id=evaluation.id, modality=modality))
    db.session.flush()
    if set(wanted) != set(current):
        audit.record(
            "sample_batch.required",
            actor=user,
            evaluation_id=evaluation.id,
            subject=f"evaluation:{evaluation.id}",
            details={"modalities": wanted},
        )
    return wanted


def store_batch(
    response: Response, modality: str, *, filename: str, stream: IO[bytes], user: User, now: datetime | None = None
) -> tuple[SampleBatch, list[Path]]:
    """Receive, check and keep one archive; replaces the response's earlier batch of that modality.

    Raises ``BatchRefused`` (nothing kept, no answer touched) or ``ResponseClosed``. Returns the new
    batch and the files of the replaced one, to delete once the transaction is committed.
    """
    check_open(response, now)
    if modality not in required_modalities(response.evaluation_id):
        raise BatchRefused(f"The buyer has not asked for a sample batch of {MODALITY_LABELS.get(modality, modality)}.")
    shown = PurePosixPath(filename.replace("\\", "/")).name[:200] or "batch"
    stored_name = storage.new_stored_name()
    received = storage.receive(stream, stored_name)
    try:
        checked = storage.check(received.path, storage.extracted_path(stored_name), modality, shown)
    except BaseException:
        storage.remove(received.path)
        raise
    old = db.session.scalar(
        sa.select(SampleBatch).where(SampleBatch.response_id == response.id, SampleBatch.modality == modality)
    )
    leftovers: list[Path] = []
    if old is not None:
        apply_evidence(response, without=old)
        leftovers = [storage.archive_path(old.stored_name), storage.extracted_path(old.stored_name)]
        db.session.delete(old)
        db.session.flush()
    batch = SampleBatch(
        response_id=response.id,
        modality=modality,
        filename=shown,
        stored_name=stored_name,
        size=received.size,
        sha256=received.sha256,
        metadata_file=checked.metadata_file,
        files=checked.files,
        status=BatchStatus.ANALYSING,
        uploaded_by_id=user.id,
    )
    db.session.add(batch)
    db.session.flush()
    forget_cached(response)
    audit.record(
        "sample_batch.uploaded",
        actor=user,
        evaluation_id=response.evaluation_id,
        subject=f"response:{response.id}:{modality}",
        details={
            "batch": batch.id,
            "sha256": received.sha256,
            "size": received.size,
            "files": checked.files,
            "replaced": old is not None,
        },
    )
    return batch, leftovers


def discard_files(paths: list[Path]) -> None:
    """Delete the files of a replaced batch (after the commit that replaced it)."""
    for path in paths:
        storage.remove(path)


Progress = Callable[[int, int, str], None]


def analyse(batch: SampleBatch, *, progress: Progress | None = None, user: User | None = None) -> dict[str, Any]:
    """Measure the batch, store the report on it, and mark the answers it verifies.

    The extracted tree is removed afterwards (the checked archive is kept, so analysing again
    extracts it again). Returns a short summary for the job page.
    """
    target = storage.extracted_path(batch.stored_name)
    if not target.exists():
        storage.unpack(storage.archive_path(batch.stored_name), target, batch.filename)
    metadata = PurePosixPath(batch.metadata_file)
    report = analyse_batch(
        target / Path(*metadata.parent.parts),
        metadata.name,
        batch.modality,
        progress=(lambda done, total: progress(done, total, f"Measured {done} of {total} items."))
        if progress
        else None,
    )
    batch.report = report.to_dict()
    batch.status, batch.error, batch.analysed_at = BatchStatus.ANALYSED, "", utcnow()
    db.session.flush()
    forget_cached(batch.response)
    marked = apply_evidence(batch.response)
    measured = sum(1 for item in report.items if item.error is None)
    audit.record(
        "sample_batch.analysed",
        actor=user,
        evaluation_id=batch.response.evaluation_id,
        subject=f"response:{batch.response_id}:{batch.modality}",
        details={
            "batch": batch.id,
            "items": len(report.items),
            "measured": measured,
            "verified": sorted(q for q, v in marked.items() if v == "verified"),
            "contradicted": sorted(q for q, v in marked.items() if v == "contradicted"),
        },
    )
    storage.remove(target)
    return {"batch_id": batch.id, "items": len(report.items), "measured": measured, "verdicts": marked}


def mark_failed(batch: SampleBatch, message: str) -> None:
    """Record that the analysis failed, with the reason shown to the vendor; drop the extracted tree."""
    batch.status, batch.error = BatchStatus.FAILED, message
    storage.remove(storage.extracted_path(batch.stored_name))
    db.session.flush()


def apply_evidence(response: Response, *, without: SampleBatch | None = None) -> dict[str, str]:
    """Set ``evidence_level = verified`` on answers the batches verify, and undo earlier marks that
    no longer hold (a contradicting or replaced batch, or an answer changed since).

    An answer is verified when at least one comparison verifies it and none contradicts it. Each
    batch remembers the level an answer had before it was marked, so undoing restores exactly that.
    Returns question id -> "verified" | "contradicted".
    """
    batches = db.session.scalars(sa.select(SampleBatch).where(SampleBatch.response_id == response.id)).all()
    answers: dict[str, Answer] = answers_by_question(response)
    before: dict[str, str] = {}
    for batch in batches:
        for question_id, level in (batch.verified_answers or {}).items():
            before.setdefault(question_id, level)
        batch.verified_answers = {}
    for question_id, level in before.items():
        # An evaluator may have set another level since; only our own mark is taken back.
        if question_id in answers and answers[question_id].evidence_level == EvidenceLevel.VERIFIED:
            answers[question_id].evidence_level = EvidenceLevel(level)
    findings, _notes = response_findings(response, without=without)
    verdicts = question_verdicts(findings)
    marks: dict[int, dict[str, str]] = {}
    for question_id, verdict in verdicts.items():
        answer = answers.get(question_id)
        if verdict != "verified" or answer is None:
            continue
        source = next(
            b
            for b in batches
            if b is not without
            and any(
                f.question_id == question_id and f.modality == b.modality and f.verdict == "verified" for f in findings
            )
        )
        marks.setdefault(source.id, {})[question_id] = EvidenceLevel(answer.evidence_level).value
        answer.evidence_level = EvidenceLevel.VERIFIED
    for batch in batches:
        batch.verified_answers = marks.get(batch.id, {})
    db.session.flush()
    forget_cached(response)
    return verdicts
