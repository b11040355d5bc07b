"""The background job that measures an uploaded sample batch ("samples.analyse")."""

from __future__ import annotations

from app.extensions import db
from app.jobs import JobContext, JobOutput, enqueue, job_kind
from app.models import SampleBatch, User
from app.models.sample_batch import BatchStatus
from app.sample_batches import services
from app.sample_batches.findings import MODALITY_LABELS

KIND = "samples.analyse"


def start(batch: SampleBatch, *, user: User):
    """Queue the analysis of ``batch`` (commits, as every enqueue does) and remember the job on it."""
    batch.status, batch.error = BatchStatus.ANALYSING, ""
    job = enqueue(
        KIND,
        owner=user,
        evaluation_id=batch.response.evaluation_id,
        params={"batch_id": batch.id},
        title=f"Analysing the {MODALITY_LABELS[batch.modality].lower()} sample batch '{batch.filename}'",
    )
    batch = db.session.get(SampleBatch, batch.id)
    if batch is not None:
        batch.job_id = job.id
    return job


@job_kind(KIND)
def analyse_sample_batch(context: JobContext, *, batch_id: int) -> JobOutput:
    batch = db.session.get(SampleBatch, batch_id)
    if batch is None:
        raise LookupError("the sample batch was replaced or deleted before it could be analysed")
    owner = db.session.get(User, batch.uploaded_by_id) if batch.uploaded_by_id else None
    try:
        summary = services.analyse(batch, progress=context.progress, user=owner)
    except Exception as error:
        # The job runner rolls back and records the failure on the job; the batch must say so too.
        db.session.rollback()
        batch = db.session.get(SampleBatch, batch_id)
        if batch is not None:
            services.mark_failed(batch, f"The analysis failed: {error}")
            db.session.commit()
        raise
    verified = sum(1 for v in summary["verdicts"].values() if v == "verified")
    contradicted = sum(1 for v in summary["verdicts"].values() if v == "contradicted")
    context.progress(
        1,
        1,
        f"Measured {summary['measured']} of {summary['items']} items: {verified} answer(s) "
        f"verified, {contradicted} contradicted. The results are on the sample batch page.",
    )
    return JobOutput(summary=summary)
