"""E-mail over a real SMTP server on loopback: invitations and deadline changes."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Invitation, User
from app.models.base import utcnow
from tests.portal.conftest import body, link_in
from tests.portal.helpers import input_values

NEW_PASSWORD = "a long enough password"


def _invite(client, world, email="sales@newco.example", vendor="Newco Data"):
    page = client.post(f"/evaluations/{world.evaluation.id}/invitations", data={"vendor_name": vendor, "email": email})
    assert page.status_code == 302


def test_invitation_email_carries_a_working_single_use_link(client, login, world, mailbox):
    login(world.buyer)
    _invite(client, world)
    [message] = mailbox.to("sales@newco.example")
    assert world.evaluation.title in message["Subject"]
    path = link_in(message, r"/invitations/[A-Za-z0-9_\-]+")
    client.post("/logout")

    assert "password" in client.get(path).get_data(as_text=True).lower()
    accepted = client.post(path, data={"name": "Nia", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert accepted.status_code == 302 and "/responses/" in accepted.headers["Location"]
    assert client.get(accepted.headers["Location"]).status_code == 200, "the new vendor contact lands in the editor"
    assert db.session.scalar(sa.select(User).where(User.email == "sales@newco.example")).role == "vendor"

    client.post("/logout")
    reused = client.get(path)
    assert reused.status_code == 410 and "already been used" in reused.get_data(as_text=True)
    again = client.post(path, data={"name": "Mallory", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert again.status_code == 410
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.name == "Mallory")) == 0


def test_expired_invitation_link_is_refused(client, login, world, mailbox):
    login(world.buyer)
    _invite(client, world, email="late@lateco.example", vendor="Lateco")
    path = link_in(mailbox.to("late@lateco.example")[0], r"/invitations/[A-Za-z0-9_\-]+")
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.email == "late@lateco.example"))
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    client.post("/logout")
    page = client.get(path)
    assert page.status_code == 410 and "expired" in page.get_data(as_text=True)
    refused = client.post(path, data={"name": "Late", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert refused.status_code == 410
    assert db.session.scalar(sa.select(User).where(User.email == "late@lateco.example")) is None


def test_resent_invitation_replaces_the_old_link(client, login, world, mailbox):
    login(world.buyer)
    _invite(client, world)
    old_path = link_in(mailbox.to("sales@newco.example")[0], r"/invitations/[A-Za-z0-9_\-]+")
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.email == "sales@newco.example"))
    client.post(f"/evaluations/{world.evaluation.id}/invitations/{invitation.id}/resend")
    first, second = mailbox.to("sales@newco.example")
    new_path = link_in(second, r"/invitations/[A-Za-z0-9_\-]+")
    assert new_path != old_path
    client.post("/logout")
    assert client.get(old_path).status_code == 410
    assert client.get(new_path).status_code == 200


def _move_deadline(client, world, new_deadline):
    url = f"/evaluations/{world.evaluation.id}/settings"
    fields = input_values(client.get(url).get_data(as_text=True))
    fields["deadline"] = new_deadline.strftime("%Y-%m-%dT%H:%M")  # the buyer's zone is UTC
    return client.post(url, data=fields, follow_redirects=True)


def test_moving_the_deadline_emails_every_invited_vendor_contact_in_their_time_zone(client, login, world, mailbox):
    world.vendor_a.timezone = "Asia/Tokyo"
    db.session.add_all(
        [
            Invitation(
                evaluation=world.evaluation,
                vendor_organisation=world.response_b.vendor_organisation,
                email="bids@vendor-b.example",
                token_hash="1" * 64,
                expires_at=utcnow() + timedelta(days=3),
            ),
            Invitation(
                evaluation=world.evaluation,
                vendor_organisation=world.response_b.vendor_organisation,
                email="gone@vendor-b.example",
                token_hash="2" * 64,
                expires_at=utcnow() + timedelta(days=3),
                revoked_at=utcnow(),
            ),
        ]
    )
    db.session.commit()
    login(world.buyer)
    new_deadline = (world.evaluation.deadline + timedelta(days=7)).replace(second=0, microsecond=0)

    page = _move_deadline(client, world, new_deadline)
    assert "3 vendor contact(s) were e-mailed the new deadline" in page.get_data(as_text=True)
    assert mailbox.recipients() == ["a@vendor-a.example", "b@vendor-b.example", "bids@vendor-b.example"], (
        "every invited contact, not the withdrawn invitation"
    )
    text = body(mailbox.to("a@vendor-a.example")[0])
    tokyo = new_deadline.astimezone(ZoneInfo("Asia/Tokyo"))
    assert f"{tokyo:%d %B %Y, %H:%M} JST" in text, "the deadline in the vendor's own time zone"
    assert f"{new_deadline:%d %b %Y %H:%M} UTC" in text
    assert f"/responses/{world.response_a.id}" in text
    assert "Deadline extended" in mailbox.to("a@vendor-a.example")[0]["Subject"]
    told = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "evaluation.vendors_told_deadline"))
    assert told.details["sent"] == 3

    mailbox.clear()
    _move_deadline(client, world, new_deadline)
    assert mailbox.messages == [], "saving the settings without moving the deadline tells nobody"


def test_deadline_still_moves_when_the_mail_server_is_down(client, login, world, dead_mail_server):
    login(world.buyer)
    new_deadline = (world.evaluation.deadline + timedelta(days=2)).replace(second=0, microsecond=0)
    page = _move_deadline(client, world, new_deadline)
    assert "could not be sent" in page.get_data(as_text=True)
    db.session.expire_all()
    assert world.evaluation.deadline == new_deadline


def test_deadline_is_shown_in_the_time_zone_chosen_on_the_profile(client, login, world):
    login(world.vendor_a)
    refused = client.post("/profile", data={"timezone": "Mars/Olympus_Mons"})
    assert refused.status_code == 200 and "Not a valid choice" in refused.get_data(as_text=True)
    assert client.post("/profile", data={"timezone": "America/New_York"}).status_code == 302
    page = client.get(f"/responses/{world.response_a.id}").get_data(as_text=True)
    local = world.evaluation.deadline.astimezone(ZoneInfo("America/New_York"))
    assert f"{local:%d %b %Y %H:%M} {local.tzname()}" in page
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.timezone_changed")) is not None
