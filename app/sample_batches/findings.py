"""What the sample batches of a response show, as plain data for pages, the scorecard and scoring.

Comparisons are computed from the stored measurements and the response's *current* answers, so an
answer changed after the analysis is judged as it now reads. Other packages call
:func:`sample_findings` (per question) and :func:`sample_summary` (per response).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import g, has_request_context

from app.extensions import db
from app.measurements import BatchReport
from app.models import Response, SampleBatch, SampleBatchRequirement
from app.models.sample_batch import BatchStatus
from app.questionnaires import store
from app.responses.services import answer_values
from app.sample_batches.claims import claims_from_answers

MODALITY_LABELS = {"audio": "Speech recordings", "image": "Images", "text": "Texts"}
MODALITY_ORDER = ("audio", "image", "text")


@dataclass(frozen=True)
class SampleFinding:
    """One claim of the vendor set against one batch (a :class:`app.measurements.Comparison` plus its modality)."""

    modality: str
    claim_key: str
    question_id: str
    claimed: object
    measured: object
    verdict: str  # verified | contradicted | not_measurable
    message: str

    @property
    def modality_label(self) -> str:
        return MODALITY_LABELS.get(self.modality, self.modality)


@dataclass(frozen=True)
class BatchFigures:
    """One batch as a reader needs it: what was sent, its state, and its headline measurements."""

    modality: str
    label: str
    status: str
    filename: str
    sha256: str
    size: int
    uploaded_at: datetime
    analysed_at: datetime | None
    error: str
    figures: tuple[tuple[str, str], ...] = ()
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class SampleSummary:
    """The sample-batch outcome of one response: batches, what they verified and what they contradict."""

    required: tuple[str, ...]
    missing: tuple[str, ...]
    batches: tuple[BatchFigures, ...]
    verified_questions: tuple[str, ...]
    contradicted_questions: tuple[str, ...]
    contradictions: tuple[SampleFinding, ...]
    verified: int
    not_measurable: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not self.required and not self.batches


def required_modalities(evaluation_id: int) -> list[str]:
    """The batch modalities ("audio", "image", "text") the buyer requires, in a fixed order."""
    chosen = set(
        db.session.scalars(
            sa.select(SampleBatchRequirement.modality).where(SampleBatchRequirement.evaluation_id == evaluation_id)
        )
    )
    return [m for m in MODALITY_ORDER if m in chosen]


def batches_of(response: Response) -> list[SampleBatch]:
    rows = db.session.scalars(sa.select(SampleBatch).where(SampleBatch.response_id == response.id)).all()
    return sorted(rows, key=lambda b: MODALITY_ORDER.index(b.modality) if b.modality in MODALITY_ORDER else 9)


def response_findings(
    response: Response, *, without: SampleBatch | None = None
) -> tuple[list[SampleFinding], list[str]]:
    """Every comparison of every analysed batch of ``response`` (except ``without``), and notes on
    answers that could not be compared."""
    questionnaire = store.parsed(response.questionnaire)
    answers = answer_values(response)
    findings: list[SampleFinding] = []
    notes: list[str] = []
    for batch in batches_of(response):
        if batch is without or batch.status != BatchStatus.ANALYSED or not batch.report:
            continue
        report = BatchReport.from_dict(batch.report)
        claims = claims_from_answers(questionnaire, answers, report)
        findings += [SampleFinding(batch.modality, **c.to_dict()) for c in claims.compare(report)]
        notes += [n for n in claims.notes if n not in notes]
    return findings, notes


def question_verdicts(findings: list[SampleFinding]) -> dict[str, str]:
    """Per question: "contradicted" if any comparison contradicts it, else "verified" if one verifies it."""
    verdicts: dict[str, str] = {}
    for finding in findings:
        if finding.verdict == "contradicted":
            verdicts[finding.question_id] = "contradicted"
        elif finding.verdict == "verified":
            verdicts.setdefault(finding.question_id, "verified")
    return verdicts


def sample_findings(response: Response) -> dict[str, list[SampleFinding]]:
    """Question id -> the comparisons that concern that answer (empty when nothing was analysed)."""
    by_question: dict[str, list[SampleFinding]] = {}
    for finding in _cached(response)[0]:
        by_question.setdefault(finding.question_id, []).append(finding)
    return by_question


def sample_summary(response: Response) -> SampleSummary:
    """The response's sample batches, verified and contradicted answers, for pages and the scorecard."""
    findings, notes = _cached(response)
    required = required_modalities(response.evaluation_id)
    batches = batches_of(response)
    sent = {b.modality for b in batches}
    verdicts = question_verdicts(findings)
    return SampleSummary(
        required=tuple(MODALITY_LABELS[m] for m in required),
        missing=tuple(MODALITY_LABELS[m] for m in required if m not in sent),
        batches=tuple(batch_figures(b) for b in batches),
        verified_questions=tuple(sorted(q for q, v in verdicts.items() if v == "verified")),
        contradicted_questions=tuple(sorted(q for q, v in verdicts.items() if v == "contradicted")),
        contradictions=tuple(f for f in findings if f.verdict == "contradicted"),
        verified=sum(1 for f in findings if f.verdict == "verified"),
        not_measurable=sum(1 for f in findings if f.verdict == "not_measurable"),
        notes=tuple(notes),
    )


def scorecard_samples(response_id: int) -> SampleSummary | None:
    """For reports that know a vendor by response id: its summary, or None when there is nothing to show.

    No access check here: callers (the scorecard and the pack) have already checked that results may
    be seen and that the evaluation is no longer sealed.
    """
    response = db.session.get(Response, response_id)
    if response is None:
        return None
    summary = sample_summary(response)
    return None if summary.is_empty else summary


def _cached(response: Response) -> tuple[list[SampleFinding], list[str]]:
    # A page asks once per answer shown; compute the comparisons once per request.
    if not has_request_context():
        return response_findings(response)
    cache = g.setdefault("sample_findings", {})
    if response.id not in cache:
        cache[response.id] = response_findings(response)
    return cache[response.id]


def forget_cached(response: Response) -> None:
    """Drop this request's cached comparisons (after a batch or an evidence level changed)."""
    if has_request_context():
        g.setdefault("sample_findings", {}).pop(response.id, None)


def batch_figures(batch: SampleBatch) -> BatchFigures:
    report = batch.report or {}
    return BatchFigures(
        modality=batch.modality,
        label=MODALITY_LABELS.get(batch.modality, batch.modality),
        status=batch.status.value,
        filename=batch.filename,
        sha256=batch.sha256,
        size=batch.size,
        uploaded_at=batch.created_at,
        analysed_at=batch.analysed_at,
        error=batch.error,
        figures=headline_figures(report) if report else (),
        problems=tuple(report.get("problems", [])),
    )


def headline_figures(report: dict) -> tuple[tuple[str, str], ...]:
    """The few numbers a reader looks at first, as (label, formatted value) pairs."""
    agg, meta, modality = report["aggregate"], report["metadata"], report["modality"]
    rows: list[tuple[str, str]] = []
    unit = {"audio": "clips", "image": "images", "text": "texts"}[modality]
    rows.append((f"Measured {unit}", f"{agg.get('measured', 0)} of {agg.get('items', 0)}"))
    if modality == "audio":
        rows += [
            ("Total duration", f"{_num(agg['total_duration_s'] / 60, 1)} min"),
            ("Median duration", f"{_num(agg['duration_s']['median'], 1)} s"),
            (
                "Sample rates",
                ", ".join(
                    f"{int(r) // 1000 if int(r) % 1000 == 0 else int(r) / 1000} kHz \u00d7 {n}"
                    for r, n in agg["sample_rates"].items()
                )
                or "\u2014",
            ),
            ("Clipped clips", _count_share(agg["clipped_clips"], agg["share_clipped_clips"])),
            ("Median silence", _pct(agg["silence_ratio"]["median"])),
            ("Median SNR estimate", f"{_num(agg['snr_db']['median'], 1)} dB"),
            ("Median loudness (BS.1770)", f"{_num(agg['loudness_lufs']['median'], 1)} LUFS"),
        ]
    elif modality == "image":
        rows += [
            ("Median size", f"{_num(agg['width']['median'], 0)} \u00d7 {_num(agg['height']['median'], 0)} px"),
            ("Median sharpness (Laplacian variance)", _num(agg["blur_laplacian_var"]["median"], 0)),
            ("Median mean luminance", _num(agg["mean_luminance"]["median"], 0)),
            ("Near-duplicate copies", _count_share(agg["duplicate_items"], agg["duplicate_rate"])),
        ]
    else:
        rows += [
            (
                "Language matches the locale",
                _count_share(agg["language_matched"], agg["language_match_share"], of=agg["language_judged"]),
            ),
            ("Duplicate texts", _count_share(agg["duplicate_items"], agg["duplicate_rate"])),
            ("Median length", f"{_num(agg['words']['median'], 0)} words"),
            ("Texts with personal-data patterns", _count_share(len(agg["pii_items"]), agg["pii_rate"])),
        ]
    largest = meta.get("largest_contributor")
    rows += [
        ("Contributors", str(meta.get("contributors", 0))),
        (
            "Locales",
            " \u00b7 ".join(f"{loc} {int(v['items'])}" for loc, v in meta.get("locales", {}).items()) or "\u2014",
        ),
        ("Largest single-contributor share", _pct(largest["share"]) if largest else "\u2014"),
        ("Items without a consent version", str(len(meta.get("items_without_consent", [])))),
    ]
    return tuple(rows)


def _num(value, digits: int) -> str:
    if value is None:
        return "\u2014"
    return f"{value:,.{digits}f}"


def _pct(fraction) -> str:
    return "\u2014" if fraction is None else f"{fraction * 100:.1f} %"


def _count_share(count, fraction, of=None) -> str:
    text = f"{count}" + (f" of {of}" if of is not None else "")
    return text + ("" if fraction is None else f" ({fraction * 100:.1f} %)")
