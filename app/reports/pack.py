"""The comparison pack: one PDF per evaluation for leadership, generated as a background job.

Cover, executive summary, ranking, section comparison, coverage heatmap, robustness, one scorecard
page per vendor, and the appendices (methodology, audit summary). Charts are SVG from matplotlib.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.extensions import db
from app.jobs import JobOutput, job_kind
from app.models import Evaluation
from app.models.base import utcnow
from app.reports import charts
from app.reports.appendix import AuditSummary, Methodology, audit_summary, methodology
from app.reports.comparison import Comparison, build_comparison
from app.reports.pdf import render_pdf
from app.reports.ranking import EvaluationResults, VendorResult
from app.reports.scorecard import Scorecard, build_scorecard
from app.reports.summary import executive_summary
from app.sample_batches.findings import scorecard_samples

PACK_JOB = "report.pack"


@dataclass(frozen=True)
class PackCharts:
    totals: str | None
    sections: str | None
    coverage: str | None
    acceptability: str | None


@dataclass(frozen=True)
class Pack:
    comparison: Comparison
    generated: str
    generated_for: str
    summary: tuple[str, ...]
    charts: PackCharts
    cards: tuple[Scorecard, ...]
    methodology: Methodology
    audit: AuditSummary
    deadline: str


def safe_filename(text: str) -> str:
    """A file name made of letters, digits, dots and dashes only (vendor names may be in any script)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:80] or "report"


def pack_filename(evaluation: Evaluation) -> str:
    return f"comparison-{evaluation.id}-{safe_filename(evaluation.title)}.pdf"


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def complete_scorecard(card: Scorecard) -> Scorecard:
    """The card ready to print: its section chart drawn and the vendor's sample-batch results attached."""
    card = replace(card, samples=scorecard_samples(card.vendor.response_id))
    return replace(card, sections_chart=charts.vendor_sections_chart(card.vendor)) if card.vendor.sections else card


def vendor_scorecard(evaluation: Evaluation, results: EvaluationResults, vendor: VendorResult) -> Scorecard:
    """One vendor's printable card, for the web, the API and the command line alike."""
    comparison = build_comparison(evaluation, results, confidence=False)
    return complete_scorecard(build_scorecard(results, vendor, comparison=comparison))


def build_pack(evaluation: Evaluation, *, requested_by: str = "", timezone: str | None = None, progress=None) -> Pack:
    """Gather everything the pack shows; ``progress(done, total, message)`` hears about each step."""
    report = progress or (lambda done, total, message="": None)
    comparison = build_comparison(evaluation)
    vendors = comparison.vendors
    steps = 5 + len(vendors)
    report(1, steps, "Scores, coverage, robustness and agreement computed")
    pack_charts = PackCharts(
        totals=charts.totals_chart(comparison.results.ranked, comparison.results.disqualified) if vendors else None,
        sections=charts.sections_chart(comparison) if vendors and comparison.sections else None,
        coverage=charts.coverage_chart(comparison.coverage),
        acceptability=charts.acceptability_chart(comparison),
    )
    report(2, steps, "Comparison charts drawn")
    cards = []
    for done, vendor in enumerate(vendors, start=1):
        cards.append(complete_scorecard(build_scorecard(comparison.results, vendor, comparison=comparison)))
        report(2 + done, steps, f"Scorecard {done} of {len(vendors)}: {vendor.vendor}")
    zone = _zone(timezone)
    now = utcnow().astimezone(zone)
    deadline = evaluation.deadline.astimezone(zone)
    pack = Pack(
        comparison=comparison,
        generated=f"{now:%d %b %Y %H:%M} {now.tzname()}",
        generated_for=requested_by,
        summary=executive_summary(comparison),
        charts=pack_charts,
        cards=tuple(cards),
        methodology=methodology(evaluation, comparison),
        audit=audit_summary(evaluation, zone),
        deadline=f"{deadline:%d %b %Y %H:%M} {deadline.tzname()}",
    )
    report(3 + len(vendors), steps, "Appendices gathered; laying out the PDF")
    return pack


def render_pack(evaluation: Evaluation, **options) -> bytes:
    """The comparison pack of ``evaluation`` as PDF bytes (see :func:`build_pack` for the options)."""
    return pack_pdf(build_pack(evaluation, **options), options.get("progress"))


def pack_pdf(pack: Pack, progress=None) -> bytes:
    pdf = render_pdf("reports/pack_pdf.html", pack=pack)
    if progress:
        steps = 5 + len(pack.comparison.vendors)
        progress(steps, steps, "PDF ready")
    return pdf


@job_kind(PACK_JOB)
def comparison_pack_job(context, evaluation_id: int, requested_by: str = "", timezone: str = "UTC") -> JobOutput:
    """Background job: render the comparison pack of one evaluation."""
    evaluation = db.session.get(Evaluation, evaluation_id)
    if evaluation is None:
        raise LookupError(f"evaluation {evaluation_id} no longer exists")
    pack = build_pack(evaluation, requested_by=requested_by, timezone=timezone, progress=context.progress)
    pdf = pack_pdf(pack, context.progress)
    return JobOutput(
        data=pdf,
        filename=pack_filename(evaluation),
        mimetype="application/pdf",
        summary={"vendors": len(pack.comparison.vendors), "bytes": len(pdf)},
    )
