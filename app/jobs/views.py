"""Job progress pages and result downloads."""

from __future__ import annotations

from flask import Blueprint, Response as HttpResponse, abort, render_template
from flask_login import current_user

from app import audit, permissions
from app.extensions import db
from app.jobs.service import result_path, take_result
from app.models import Job, JobStatus

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def _job_or_404(job_id: str) -> Job:
    job = db.get_or_404(Job, job_id)
    permissions.require(permissions.can_view_job(current_user, job), hide=True)
    return job


@bp.get("/<job_id>")
def show(job_id: str):
    return render_template("jobs/show.html", job=_job_or_404(job_id))


@bp.get("/<job_id>.json")
def status(job_id: str):
    job = _job_or_404(job_id)
    return {
        "id": job.id,
        "status": job.status.value,
        "progress": round(job.progress, 3),
        "message": job.message,
        "download": bool(job.result_file) and job.status == JobStatus.DONE,
    }


@bp.get("/<job_id>/download")
def download(job_id: str):
    job = _job_or_404(job_id)
    if job.status != JobStatus.DONE or not job.result_file or not result_path(job).exists():
        abort(410, "This result has already been downloaded or is not ready; start the job again for a fresh copy.")
    data = take_result(job)
    audit.record(
        "export.downloaded",
        actor=current_user,
        evaluation_id=job.evaluation_id,
        subject=f"job:{job.id}",
        details={"kind": job.kind, "file": job.result_name},
    )
    return HttpResponse(
        data,
        mimetype=job.result_mimetype or "application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{job.result_name or "result"}"'},
    )
