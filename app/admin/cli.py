"""First accounts from the shell: ``flask org create``, ``flask user create``, ``flask token create``.

Each command is its own transaction: it commits what it created, or refuses with a message on
standard error, changes nothing and exits with status 1.
"""

from __future__ import annotations

import sys
from typing import NoReturn
from urllib.parse import urlsplit

import click
from flask import current_app, url_for

from app.admin import accounts
from app.api import tokens
from app.auth.services import find_user
from app.extensions import db
from app.models import STAFF_ROLES

PUBLIC_URL_HELP = "The site's address for the link (default: the PUBLIC_URL setting)."


def _refuse(message: str) -> NoReturn:
    db.session.rollback()
    click.echo(message, err=True)
    sys.exit(1)


def _public_base(public_url: str | None) -> str:
    """The site address activation links start with; refuses before anything is created."""
    base = (public_url or current_app.config.get("PUBLIC_URL") or "").strip().rstrip("/")
    if not base:
        _refuse(
            "PUBLIC_URL is not set, so no activation link can be built: set PUBLIC_URL "
            "(e.g. https://datavet.example) or pass --public-url URL."
        )
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        _refuse(f"'{base}' is not a site address: give one like https://datavet.example.")
    return base


def _activation_link(base: str, secret: str) -> str:
    parts = urlsplit(base)
    with current_app.test_request_context(base_url=base):
        # The path keeps the base's own prefix (a site served under /datavet); the host is the base's.
        return f"{parts.scheme}://{parts.netloc}{url_for('auth.set_password', token=secret)}"


def _print_activation(user, base: str, secret: str) -> None:
    click.echo(
        f"Activation link for {user.email} (works once, for {accounts.ACTIVATION_DAYS} days; "
        "they choose their name and password there):"
    )
    click.echo(_activation_link(base, secret))


@click.group("org")
def org_group():
    """Buyer organisations."""


@org_group.command("create")
@click.argument("name")
@click.option("--admin", "admin_email", required=True, metavar="EMAIL", help="E-mail of its first administrator.")
@click.option("--public-url", metavar="URL", help=PUBLIC_URL_HELP)
def create_organisation_command(name, admin_email, public_url):
    """Create a buyer organisation and its administrator, and print the administrator's activation link."""
    base = _public_base(public_url)
    try:
        admin, secret = accounts.create_buyer_organisation(name, admin_email=admin_email)
    except accounts.AccountRefused as refusal:
        _refuse(str(refusal))
    db.session.commit()
    click.echo(f"Created buyer organisation '{admin.organisation.name}' with administrator {admin.email}.")
    _print_activation(admin, base, secret)


@click.command("create")
@click.argument("email")
@click.option("--org", "organisation", required=True, metavar="NAME", help="The buyer organisation to join.")
@click.option("--role", required=True, type=click.Choice([r.value for r in STAFF_ROLES]))
@click.option("--public-url", metavar="URL", help=PUBLIC_URL_HELP)
def create_user_command(email, organisation, role, public_url):
    """Create an account in a buyer organisation and print its activation link."""
    base = _public_base(public_url)
    try:
        user, secret = accounts.create_staff_account(email, organisation_name=organisation, role=role)
    except accounts.AccountRefused as refusal:
        _refuse(str(refusal))
    db.session.commit()
    click.echo(f"Created {user.role} account {user.email} in '{user.organisation.name}'.")
    _print_activation(user, base, secret)


@click.group("token")
def token_group():
    """Personal API tokens."""


@token_group.command("create")
@click.argument("email")
@click.option("--name", required=True, help="What will use the token, e.g. 'Sourcing suite'.")
def create_token_command(email, name):
    """Create an API token for an active user and print it (on standard output, once)."""
    user = find_user(email)
    if user is None:
        _refuse(f"No account with the e-mail address {email}.")
    if not user.is_active:
        _refuse(f"The account {user.email} is deactivated; an API token would not work.")
    if not name.strip() or len(name.strip()) > 100:
        _refuse("The token name must have 1 to 100 characters.")
    token, secret = tokens.create_token(user, name)
    db.session.commit()
    click.echo(
        f"API token '{token.name}' for {user.email} ({user.role}); it is shown only now, keep it secret:", err=True
    )
    click.echo(secret)
