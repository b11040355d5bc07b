"""``flask report ...``: the comparison pack, a vendor scorecard and the spreadsheet from the command line.

These run as the operator, not as a signed-in user, so sealing is still respected (a sealed
evaluation's responses stay closed until the deadline) and every file written is recorded in the
audit trail as ``export.downloaded`` with the actor "system".
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app import audit, permissions
from app.extensions import db
from app.models import Evaluation, Response


def _evaluation(evaluation_id: int) -> Evaluation:
    evaluation = db.session.get(Evaluation, evaluation_id)
    if evaluation is None:
        click.echo(f"No evaluation with id {evaluation_id}.", err=True)
        sys.exit(1)
    if permissions.is_sealed(evaluation):
        click.echo(
            f"Evaluation {evaluation_id} is sealed until its deadline "
            f"({evaluation.deadline:%Y-%m-%d %H:%M} UTC); no report can be made before then.",
            err=True,
        )
        sys.exit(1)
    return evaluation


def _written(evaluation: Evaluation, out: str, data: bytes, subject: str) -> None:
    Path(out).write_bytes(data)
    audit.record(
        "export.downloaded",
        actor=None,
        evaluation_id=evaluation.id,
        subject=subject,
        details={"via": "command line", "file": Path(out).name},
    )
    db.session.commit()
    click.echo(f"Wrote {out} ({len(data):,} bytes)")


@click.group("report")
def report_group():
    """Write an evaluation's reports: comparison pack (PDF), vendor scorecard (PDF), spreadsheet (XLSX)."""


@report_group.command("pdf")
@click.option("--evaluation", "evaluation_id", type=int, required=True, help="Evaluation id.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True), help="PDF file to write.")
@with_appcontext
def pdf_command(evaluation_id: int, out: str):
    """Write the comparison pack of an evaluation (every vendor, robustness, methodology, audit summary)."""
    from app.reports.pack import render_pack

    evaluation = _evaluation(evaluation_id)

    def progress(done: int, total: int, message: str = "") -> None:
        click.echo(f"[{done}/{total}] {message}", err=True)

    _written(
        evaluation, out, render_pack(evaluation, requested_by="command line", progress=progress), "comparison-pack"
    )


@report_group.command("scorecard")
@click.option("--evaluation", "evaluation_id", type=int, required=True, help="Evaluation id.")
@click.option(
    "--vendor",
    "vendor_id",
    type=int,
    required=True,
    help="The vendor's response id in this evaluation (as in /responses/ID/view), or the vendor organisation's id.",
)
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True), help="PDF file to write.")
@with_appcontext
def scorecard_command(evaluation_id: int, vendor_id: int, out: str):
    """Write one vendor's one-page scorecard."""
    from app.reports.pack import vendor_scorecard
    from app.reports.pdf import render_pdf
    from app.reports.ranking import compute_results

    evaluation = _evaluation(evaluation_id)
    results = compute_results(evaluation)
    vendor = results.vendor(vendor_id)
    if vendor is None:
        # Not a response id of this evaluation: read it as the vendor organisation's id.
        response_id = db.session.scalar(
            sa.select(Response.id).where(
                Response.evaluation_id == evaluation.id, Response.vendor_organisation_id == vendor_id
            )
        )
        vendor = results.vendor(response_id) if response_id else None
    if vendor is None:
        known = ", ".join(f"{v.response_id} ({v.vendor})" for v in results.ranked + results.disqualified)
        click.echo(
            f"No submitted response of vendor {vendor_id} in evaluation {evaluation_id}. "
            f"Submitted responses: {known or 'none'}.",
            err=True,
        )
        sys.exit(1)
    card = vendor_scorecard(evaluation, results, vendor)
    _written(evaluation, out, render_pdf("reports/scorecard_pdf.html", card=card), f"scorecard:{vendor.response_id}")


@report_group.command("xlsx")
@click.option("--evaluation", "evaluation_id", type=int, required=True, help="Evaluation id.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True), help="XLSX file to write.")
@with_appcontext
def xlsx_command(evaluation_id: int, out: str):
    """Write the spreadsheet: ranking, criteria, answers, answer tables, scores per evaluator, consensus."""
    from app.reports.exports import spreadsheet_tables, to_xlsx

    evaluation = _evaluation(evaluation_id)
    _written(evaluation, out, to_xlsx(spreadsheet_tables(evaluation)), "spreadsheet:xlsx")
