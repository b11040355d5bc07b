"""``flask evaluation export ID --out PATH`` and ``flask evaluation import PATH``."""

from __future__ import annotations

import sys

import click

from app.backup import archive
from app.extensions import db
from app.models import Evaluation


@click.group("evaluation")
def evaluation_group():
    """Back up one evaluation to an archive, or restore it into an empty database."""


@evaluation_group.command("export")
@click.argument("evaluation_id", type=int)
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Archive to write (.zip).")
def export_command(evaluation_id, out):
    """Write the evaluation, its responses, scores, audit events and evidence files to one archive."""
    evaluation = db.session.get(Evaluation, evaluation_id)
    if evaluation is None:
        click.echo(f"No evaluation with id {evaluation_id}.", err=True)
        sys.exit(1)
    try:
        summary = archive.export_evaluation(evaluation, out)
    except archive.BackupError as error:
        db.session.rollback()
        click.echo(f"Export failed: {error}", err=True)
        sys.exit(1)
    db.session.commit()
    rows = ", ".join(f"{count} {name}" for name, count in sorted(summary.rows.items()))
    click.echo(
        f"Wrote {out}: evaluation {summary.evaluation_id} '{summary.title}': {rows}; {summary.files} stored file(s)."
    )


@evaluation_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_command(path):
    """Restore an archive into an empty, migrated database (hashes checked first)."""
    try:
        summary = archive.import_archive(path)
    except archive.BackupError as error:
        db.session.rollback()
        click.echo(f"Import failed, nothing was changed: {error}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(
        f"Restored evaluation {summary.evaluation_id} '{summary.title}' with "
        f"{summary.files} stored file(s). Passwords are not in backups: people sign in again "
        "after choosing a new password with 'Forgot your password?'; invitation links must be re-sent."
    )
