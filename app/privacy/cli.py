"""``flask user export-data EMAIL`` and ``flask user erase EMAIL``: personal-data requests from the shell."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from app.extensions import db
from app.privacy import services


@click.group("user")
def user_group():
    """Accounts: create one, or answer a person's access and erasure requests (GDPR)."""


def _user_or_exit(email: str):
    user = services.find_user(email)
    if user is None:
        click.echo(f"No account with the e-mail address {email}.", err=True)
        sys.exit(1)
    return user


@user_group.command("export-data")
@click.argument("email")
@click.option("--out", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
def export_data_command(email, out):
    """Write everything DataVet holds about one person as JSON (GDPR Art. 15)."""
    user = _user_or_exit(email)
    data = services.export_personal_data(user, requested_by=None)
    db.session.commit()
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
        click.echo(f"Wrote {out}", err=True)
    else:
        click.echo(text)


@user_group.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_command(email, yes):
    """Anonymise and deactivate one account (GDPR Art. 17); the audit chain stays verifiable."""
    user = _user_or_exit(email)
    if not yes:
        click.confirm(f"Erase {user.email} (user #{user.id}, {user.role})? This cannot be undone", abort=True)
    try:
        services.erase_user(user, erased_by=None)
    except services.ErasureRefused as refusal:
        db.session.rollback()
        click.echo(str(refusal), err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Erased user #{user.id}: name and e-mail anonymised, sign-in disabled.")
