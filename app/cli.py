"""Command-line tools: ``flask seed-demo``, ``flask questionnaire ...``, ``flask audit verify``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask

from app.extensions import db


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(questionnaire_group)
    app.cli.add_command(audit_group)
    from app.jobs.worker import jobs_group

    app.cli.add_command(jobs_group)
    from app.reports.cli import report_group

    app.cli.add_command(report_group)


@click.command("seed-demo")
def seed_demo_command():
    """Create the demo organisations, people, evaluations and responses (idempotent)."""
    from app.demo import DEMO_PASSWORD
    from app.demo.seed import demo_accounts, seed_demo

    created = seed_demo()
    click.echo("Demo data created." if created else "Demo data already present.")
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for email, role, organisation in demo_accounts():
        click.echo(f"  {role:<10} {email:<40} {organisation}")


@click.group("questionnaire")
def questionnaire_group():
    """Validate, import and export questionnaires."""


@questionnaire_group.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def validate_command(paths):
    """Check questionnaire YAML files; exit status 1 if any has a problem."""
    from app.questionnaires.schema import QuestionnaireError, load_questionnaire

    failed = False
    for path in paths:
        try:
            questionnaire = load_questionnaire(path)
        except QuestionnaireError as error:
            failed = True
            for problem in error.problems:
                click.echo(str(problem), err=True)
        else:
            click.echo(
                f"{path}: OK ({questionnaire.id} v{questionnaire.version}, {len(questionnaire.questions)} questions)"
            )
    sys.exit(1 if failed else 0)


@questionnaire_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_command(path):
    """Store a questionnaire version (identical content is a no-op; changed content needs a new version)."""
    from app.questionnaires import store
    from app.questionnaires.schema import QuestionnaireError

    try:
        version, created = store.import_file(path)
    except QuestionnaireError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"{'Imported' if created else 'Already stored'}: {version.key} v{version.version} (id {version.id})")


@questionnaire_group.command("export")
@click.argument("version_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["yaml", "xlsx"]), default="yaml")
@click.option("--out", type=click.Path(dir_okay=False), help="File to write (default: standard output for YAML).")
def export_command(version_id, fmt, out):
    """Export a stored questionnaire version as YAML or XLSX."""
    import yaml

    from app.models import QuestionnaireVersion
    from app.questionnaires import store

    version = db.session.get(QuestionnaireVersion, version_id)
    if version is None:
        click.echo(f"No questionnaire version with id {version_id}.", err=True)
        sys.exit(1)
    if fmt == "yaml":
        text = yaml.safe_dump(version.definition, sort_keys=False, allow_unicode=True)
        if out:
            Path(out).write_text(text, encoding="utf-8")
        else:
            click.echo(text)
        return
    from app.questionnaires.workbook import questionnaire_to_xlsx

    target = out or f"{version.key}-v{version.version}.xlsx"
    Path(target).write_bytes(questionnaire_to_xlsx(store.parsed(version)))
    click.echo(f"Wrote {target}")


@click.group("audit")
def audit_group():
    """Audit trail tools."""


@audit_group.command("verify")
def verify_command():
    """Check the hash chain of the audit trail; exit status 1 if it was tampered with."""
    from app.audit import verify_chain

    report = verify_chain()
    if report.ok:
        click.echo(f"Audit trail intact: {report.events} events verified.")
        return
    click.echo(f"Audit trail BROKEN: {report.reason}.", err=True)
    sys.exit(1)
