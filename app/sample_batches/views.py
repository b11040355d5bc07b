"""Sample-batch pages: the buyer's requirement, the vendor's uploads, everyone's results."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.exceptions import RequestEntityTooLarge

from app import permissions
from app.extensions import db
from app.jobs.service import mode as jobs_mode
from app.models import Job, Response, SampleBatch
from app.responses.services import ResponseClosed, check_open
from app.sample_batches import jobs, services
from app.sample_batches.findings import (
    MODALITY_LABELS,
    batch_figures,
    batches_of,
    required_modalities,
    sample_findings,
    sample_summary,
)
from app.sample_batches.forms import UploadBatchForm, required_batches_form
from app.transaction import after_commit
from app.web.loaders import evaluation_or_404, response_or_404

bp = Blueprint("sample_batches", __name__)
UPLOAD_SLACK_BYTES = 1024 * 1024  # the multipart envelope and the CSRF field around the archive


@bp.url_value_preprocessor
def allow_large_archives(endpoint, values):
    # Runs before the app's before_request hooks: CSRF protection reads the form, so the larger
    # limit for archives must be in place first. Only signed-in vendors get it, so an anonymous
    # client cannot make us parse a big body before being sent to the sign-in page.
    if endpoint == "sample_batches.upload" and permissions.is_vendor(current_user):
        request.max_content_length = services.storage.max_archive_bytes() + UPLOAD_SLACK_BYTES


@bp.errorhandler(RequestEntityTooLarge)
def archive_too_large(error):
    response_id = (request.view_args or {}).get("response_id")
    flash(
        f"The archive is larger than {services.storage.max_archive_bytes() // (1024 * 1024)} MB, the limit for a "
        "sample batch; nothing was kept and your draft is unchanged.",
        "error",
    )
    if response_id is None:
        return redirect(url_for("main.dashboard"))
    return redirect(url_for("sample_batches.batches", response_id=response_id))


@bp.app_template_global()
def sample_batches_requested(response: Response) -> bool:
    """Whether the buyer asks this response for any sample batch (for a link to the upload page)."""
    return response is not None and bool(required_modalities(response.evaluation_id))


@bp.app_template_global()
def sample_batch_findings(response: Response) -> dict:
    """Question id -> comparisons, for templates that show answers; empty for anyone not allowed."""
    if response is None or not permissions.can_view_sample_batches(current_user, response):
        return {}
    return sample_findings(response)


@bp.app_template_global()
def sample_batch_summary(response: Response):
    """The response's sample-batch outcome for templates, or None when there is nothing to show."""
    if response is None or not permissions.can_view_sample_batches(current_user, response):
        return None
    summary = sample_summary(response)
    return None if summary.is_empty else summary


@bp.route("/evaluations/<int:evaluation_id>/samples", methods=["GET", "POST"])
def requirements(evaluation_id: int):
    evaluation = evaluation_or_404(evaluation_id, permissions.can_require_sample_batches)
    offered = services.offered_modalities(evaluation)
    # The stored choice only prefills the page: a post with every box unticked sends no field at all.
    current = {"modalities": required_modalities(evaluation.id)} if request.method == "GET" else None
    form = required_batches_form(offered, data=current)
    if form.validate_on_submit():
        chosen = services.set_required_modalities(evaluation, form.modalities.data or [], user=current_user)
        flash("Sample batches required: " + (", ".join(MODALITY_LABELS[m] for m in chosen) or "none") + ".", "success")
        return redirect(url_for("sample_batches.requirements", evaluation_id=evaluation.id))
    return render_template(
        "sample_batches/requirements.html", evaluation=evaluation, form=form, offered=offered, labels=MODALITY_LABELS
    ), (422 if form.errors else 200)


@bp.get("/responses/<int:response_id>/samples")
def batches(response_id: int):
    response = response_or_404(response_id, permissions.can_view_sample_batches)
    return _page(response)


def _page(response: Response, *, errors: dict[str, str] | None = None, status: int = 200):
    required = required_modalities(response.evaluation_id)
    by_modality = {b.modality: b for b in batches_of(response)}
    modalities = required + [m for m in by_modality if m not in required]
    can_upload = permissions.can_upload_sample_batch(current_user, response)
    closed = None
    if can_upload:
        try:
            check_open(response)
        except ResponseClosed as error:
            closed = str(error)
    return render_template(
        "sample_batches/batches.html",
        response=response,
        evaluation=response.evaluation,
        modalities=modalities,
        required=required,
        labels=MODALITY_LABELS,
        batches=by_modality,
        figures={m: batch_figures(b) for m, b in by_modality.items()},
        items={m: _item_rows(b) for m, b in by_modality.items()},
        findings=sample_findings(response),
        summary=sample_summary(response),
        can_upload=can_upload and not closed,
        closed=closed,
        form=UploadBatchForm(),
        errors=errors or {},
        action_form=FlaskForm(),
    ), status


@bp.post("/responses/<int:response_id>/samples/<modality>")
def upload(response_id: int, modality: str):
    response = response_or_404(response_id, permissions.can_upload_sample_batch)
    form = UploadBatchForm()
    label = MODALITY_LABELS.get(modality, modality)
    if modality not in required_modalities(response.evaluation_id):
        flash(f"The buyer has not asked for a sample batch of {label}.", "error")
        return redirect(url_for("sample_batches.batches", response_id=response.id))
    if not form.validate_on_submit():
        message = "; ".join(e for errors in form.errors.values() for e in errors)
        flash(f"{label}: {message}", "error")
        return _page(response, errors={modality: message}, status=400)
    upload_file = form.archive.data
    try:
        batch, leftovers = services.store_batch(
            response, modality, filename=upload_file.filename or "", stream=upload_file.stream, user=current_user
        )
    except (services.BatchRefused, ResponseClosed) as refusal:
        db.session.rollback()
        flash(f"{label}: {refusal} Your draft is unchanged.", "error")
        return _page(response, errors={modality: str(refusal)}, status=422)
    after_commit(lambda: services.discard_files(leftovers))
    job = jobs.start(batch, user=current_user)
    flash(f"{label}: '{batch.filename}' received ({batch.files} files); it is being analysed.", "success")
    return _after_start(response, job)


@bp.post("/responses/<int:response_id>/samples/<modality>/analyse")
def analyse(response_id: int, modality: str):
    response = response_or_404(response_id, permissions.can_upload_sample_batch)
    if not FlaskForm().validate_on_submit():
        return redirect(url_for("sample_batches.batches", response_id=response.id))
    batch = next((b for b in batches_of(response) if b.modality == modality), None)
    job = db.session.get(Job, batch.job_id) if batch is not None and batch.job_id else None
    if batch is None or (job is not None and not job.finished):
        flash(
            f"{MODALITY_LABELS.get(modality, modality)}: there is no batch to analyse, or its analysis is still "
            "running.",
            "error",
        )
        return redirect(url_for("sample_batches.batches", response_id=response.id))
    job = jobs.start(batch, user=current_user)
    return _after_start(response, job)


def _after_start(response: Response, job):
    # Inline jobs (tests, small set-ups) are finished already: the results page is more useful.
    if jobs_mode() == "inline":
        return redirect(url_for("sample_batches.batches", response_id=response.id))
    return redirect(url_for("jobs.show", job_id=job.id))


def _item_rows(batch: SampleBatch, limit: int = 200) -> list[dict]:
    """Per-item measurements for the page, items that failed first (the full list is in the report)."""
    items = (batch.report or {}).get("items", [])
    return sorted(items, key=lambda item: item.get("error") is None)[:limit]
