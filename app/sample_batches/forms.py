"""Forms of the sample-batch pages; they own their validation."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from app.sample_batches.findings import MODALITY_LABELS
from app.web.fields import MultiCheckboxField


class RequiredBatchesForm(FlaskForm):
    modalities = MultiCheckboxField("Require a sample batch of")


def required_batches_form(offered: list[str], **kwargs) -> RequiredBatchesForm:
    """The buyer's choice among the evaluation's own modalities (none chosen = no batch required)."""
    form = RequiredBatchesForm(**kwargs)
    form.modalities.choices = [(m, MODALITY_LABELS[m]) for m in offered]
    return form


class UploadBatchForm(FlaskForm):
    archive = FileField("Archive (.zip or .tar.gz)", validators=[FileRequired(message="Choose the archive to upload.")])
