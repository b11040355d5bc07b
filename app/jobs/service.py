"""Queueing and running jobs, and keeping their results."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any

from flask import current_app

from app.extensions import db
from app.jobs.registry import JOB_KINDS
from app.models import Job, JobStatus, User
from app.models.base import utcnow
from app.transaction import after_commit

QUEUE_NAME = "datavet"


def _results_folder() -> Path:
    folder = Path(current_app.config["JOB_RESULTS_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def result_path(job: Job) -> Path | None:
    return _results_folder() / job.result_file if job.result_file else None


def mode() -> str:
    configured = current_app.config.get("JOBS_MODE")
    if configured:
        return configured
    return "rq" if current_app.config.get("REDIS_URL") else "thread"


def enqueue(
    kind: str, *, owner: User, title: str = "", evaluation_id: int | None = None, params: dict[str, Any] | None = None
) -> Job:
    """Create a job and start it once the request's changes are committed, so the worker finds them."""
    if kind not in JOB_KINDS:
        raise KeyError(f"unknown job kind {kind!r}")
    job = Job(kind=kind, title=title, owner_id=owner.id, evaluation_id=evaluation_id, params=params or {})
    db.session.add(job)
    db.session.flush()
    after_commit(lambda: _start(job.id))
    return job


def _start(job_id: str) -> None:
    how = mode()
    if how == "inline":
        run_job(job_id)
    elif how == "rq":
        from redis import Redis
        from rq import Queue

        Queue(QUEUE_NAME, connection=Redis.from_url(current_app.config["REDIS_URL"])).enqueue(
            "app.jobs.worker.execute", job_id, job_timeout=3600
        )
    else:
        app = current_app._get_current_object()

        def work() -> None:
            with app.app_context():
                run_job(job_id)

        threading.Thread(target=work, name=f"job-{job_id}", daemon=True).start()


class _Progress:
    """Writes progress to the job row in its own short transactions, so pages see it live."""

    def __init__(self, job_id: str):
        self.job_id = job_id
        self._last = -1.0

    def progress(self, done: int, total: int, message: str = "") -> None:
        fraction = 0.0 if total <= 0 else min(1.0, done / total)
        if fraction - self._last < 0.01 and done < total:
            return
        self._last = fraction
        job = db.session.get(Job, self.job_id)
        job.progress, job.message = fraction, message or job.message
        db.session.commit()


def run_job(job_id: str) -> None:
    """Run one job to the end, recording success or the failure message (never raises).

    A job is its own transaction boundary: it commits its progress and its outcome.
    """
    job = db.session.get(Job, job_id)
    if job is None or job.finished:
        return
    job.status, job.progress = JobStatus.RUNNING, 0.0
    db.session.commit()
    try:
        output = JOB_KINDS[job.kind](_Progress(job_id), **job.params)
    except Exception as error:  # noqa: BLE001 - a failed job reports, it must not kill the worker
        db.session.rollback()
        current_app.logger.exception("job %s (%s) failed", job_id, job.kind)
        job = db.session.get(Job, job_id)
        job.status, job.message, job.finished_at = JobStatus.FAILED, f"Failed: {error}", utcnow()
        db.session.commit()
        return
    job = db.session.get(Job, job_id)
    if output.data is not None:
        job.result_file = uuid.uuid4().hex
        (_results_folder() / job.result_file).write_bytes(output.data)
        job.result_name, job.result_mimetype = output.filename, output.mimetype
    job.result = output.summary
    job.status, job.progress, job.finished_at = JobStatus.DONE, 1.0, utcnow()
    job.message = job.message or "Done."
    db.session.commit()


def take_result(job: Job) -> bytes:
    """The result file's bytes; the file is deleted once it has been downloaded."""
    path = result_path(job)
    data = path.read_bytes()
    job.downloaded_at = utcnow()
    path.unlink(missing_ok=True)
    job.result_file = None
    return data
