"""First start: an operator creates a buyer organisation, its people and API tokens from the shell."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AccountToken, ApiToken, AuditEvent, Organisation, OrganisationKind, Role, TokenPurpose, User
from tests.factories import OrganisationFactory, UserFactory, VendorOrganisationFactory

SITE = "https://datavet.example"


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def link_in(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(("http://", "https://")))


def test_org_create_makes_a_buyer_organisation_and_an_admin_who_activates_through_the_link(runner, client):
    result = runner.invoke(
        args=["org", "create", "Acme Speech AI", "--admin", " Ada@Acme.example ", "--public-url", SITE + "/"]
    )
    assert result.exit_code == 0, result.output
    organisation = db.session.scalar(sa.select(Organisation))
    admin = db.session.scalar(sa.select(User))
    assert (organisation.name, organisation.kind) == ("Acme Speech AI", OrganisationKind.BUYER)
    assert (admin.email, admin.role, admin.organisation_id) == ("ada@acme.example", Role.ADMIN, organisation.id)
    assert admin.password_hash is None
    token = db.session.scalar(sa.select(AccountToken))
    assert token.user_id == admin.id and token.purpose == TokenPurpose.ACTIVATE and token.used_at is None
    assert actions() == ["organisation.created", "user.invited"]

    link = link_in(result.output)
    assert link.startswith(f"{SITE}/activate/")
    page = client.get(urlsplit(link).path)
    assert page.status_code == 200 and "ada@acme.example" in page.get_data(as_text=True)
    chosen = client.post(
        urlsplit(link).path,
        data={"name": "Ada Admin", "password": "a long enough secret", "confirm": "a long enough secret"},
    )
    assert chosen.status_code == 302
    db.session.expire_all()
    assert admin.check_password("a long enough secret") and admin.name == "Ada Admin"


def test_links_start_with_public_url_and_keep_its_path(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://datavet.example.com/portal/")
    result = runner.invoke(args=["org", "create", "Acme", "--admin", "ada@acme.example"])
    assert result.exit_code == 0, result.output
    assert link_in(result.output).startswith("https://datavet.example.com/portal/activate/")


@pytest.mark.parametrize("public_url", [None, "datavet.example", "ftp://datavet.example"])
def test_without_a_usable_site_address_nothing_is_created(app, runner, monkeypatch, public_url):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "")
    extra = ["--public-url", public_url] if public_url else []
    result = runner.invoke(args=["org", "create", "Acme", "--admin", "ada@acme.example", *extra])
    assert result.exit_code == 1
    expected = (
        "PUBLIC_URL is not set, so no activation link can be built: set PUBLIC_URL (e.g. "
        "https://datavet.example) or pass --public-url URL."
        if public_url is None
        else f"'{public_url}' is not a site address"
    )
    assert expected in result.stderr
    assert count(Organisation) == count(User) == count(AuditEvent) == 0


@pytest.mark.parametrize(
    ("name", "email", "expected"),
    [
        ("acme speech ai", "new@acme.example", "An organisation named 'acme speech ai' already exists."),
        (
            "Another Buyer",
            "TAKEN@example.com",
            "Someone with the e-mail address taken@example.com already has an account.",
        ),
        ("Another Buyer", "not-an-address", "'not-an-address' is not a valid e-mail address"),
        ("  ", "new@acme.example", "The organisation needs a name."),
    ],
)
def test_org_create_refuses_a_taken_name_or_address(runner, name, email, expected):
    OrganisationFactory(name="Acme Speech AI")
    UserFactory(email="taken@example.com")
    db.session.commit()
    before = (count(Organisation), count(User), count(AuditEvent))
    result = runner.invoke(args=["org", "create", name, "--admin", email, "--public-url", SITE])
    assert result.exit_code == 1
    assert expected in result.stderr and result.stdout == ""
    assert (count(Organisation), count(User), count(AuditEvent)) == before


@pytest.mark.parametrize("role", ["admin", "buyer", "evaluator", "viewer"])
def test_user_create_adds_a_staff_account_with_an_activation_link(app, runner, client, monkeypatch, role):
    monkeypatch.setitem(app.config, "PUBLIC_URL", SITE)
    OrganisationFactory(name="Acme Speech AI")
    db.session.commit()
    result = runner.invoke(args=["user", "create", "Eve@Acme.example", "--org", "Acme Speech AI", "--role", role])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "eve@acme.example"))
    assert user.role == Role(role) and user.organisation.name == "Acme Speech AI" and user.password_hash is None
    assert actions() == ["user.invited"]
    assert client.get(urlsplit(link_in(result.output)).path).status_code == 200


@pytest.mark.parametrize(
    ("args", "expected", "status"),
    [
        (["--org", "Polyglot Voices", "--role", "buyer"], "'Polyglot Voices' is a vendor organisation", 1),
        (["--org", "Nobody Ltd", "--role", "buyer"], "No organisation is named 'Nobody Ltd'.", 1),
        (["--org", "Acme", "--role", "vendor"], "'vendor' is not one of 'admin', 'buyer', 'evaluator', 'viewer'", 2),
    ],
)
def test_user_create_needs_a_buyer_organisation_and_a_staff_role(runner, args, expected, status):
    OrganisationFactory(name="Acme")
    VendorOrganisationFactory(name="Polyglot Voices")
    db.session.commit()
    result = runner.invoke(args=["user", "create", "eve@acme.example", *args, "--public-url", SITE])
    assert result.exit_code == status
    assert expected in result.stderr
    assert count(User) == count(AuditEvent) == 0


def test_user_create_refuses_an_address_with_an_account(runner):
    UserFactory(email="eve@acme.example", organisation=OrganisationFactory(name="Acme"))
    db.session.commit()
    result = runner.invoke(
        args=["user", "create", "eve@acme.example", "--org", "Acme", "--role", "viewer", "--public-url", SITE]
    )
    assert result.exit_code == 1 and "already has an account" in result.stderr
    assert count(User) == 1 and count(AccountToken) == 0


def test_token_create_prints_a_token_that_authenticates_against_the_api(runner, client):
    buyer = UserFactory(email="bea@acme.example", role=Role.BUYER)
    db.session.commit()
    result = runner.invoke(args=["token", "create", "bea@acme.example", "--name", "Sourcing suite"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert secret.startswith("dvt_") and "\n" not in secret, "standard output holds the token alone"
    token = db.session.scalar(sa.select(ApiToken))
    assert (token.user_id, token.name) == (buyer.id, "Sourcing suite") and secret not in token.token_hash
    assert actions() == ["api_token.created"]
    listing = client.get("/api/v1/evaluations", headers={"Authorization": f"Bearer {secret}"})
    assert listing.status_code == 200, listing.get_data(as_text=True)
    assert client.get("/api/v1/evaluations", headers={"Authorization": "Bearer dvt_wrong"}).status_code == 401


@pytest.mark.parametrize(
    ("email", "name", "expected"),
    [
        ("nobody@acme.example", "Script", "No account with the e-mail address nobody@acme.example."),
        ("gone@acme.example", "Script", "The account gone@acme.example is deactivated"),
        ("bea@acme.example", "x" * 101, "The token name must have 1 to 100 characters."),
    ],
)
def test_token_create_needs_an_active_account_and_a_name(runner, email, name, expected):
    UserFactory(email="bea@acme.example")
    UserFactory(email="gone@acme.example", active=False)
    db.session.commit()
    result = runner.invoke(args=["token", "create", email, "--name", name])
    assert result.exit_code == 1 and expected in result.stderr and result.stdout == ""
    assert count(ApiToken) == count(AuditEvent) == 0
