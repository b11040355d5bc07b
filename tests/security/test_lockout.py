"""Sign-in delays count per (e-mail address, client address): a stranger cannot lock the owner out."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.lockout import delay_after
from app.extensions import db
from app.models import AuditEvent, LoginThrottle
from app.models.base import utcnow
from tests.factories import PASSWORD

DELAY_TEXT = "Too many failed sign-ins for this e-mail address"
GENERIC_TEXT = "E-mail or password is not right"
STRANGER = {"REMOTE_ADDR": "203.0.113.66"}
OWNER = {"REMOTE_ADDR": "198.51.100.7"}


def _attempt(client, email, password="wrong password!", where=STRANGER):
    return client.post("/login", data={"email": email, "password": password}, environ_base=where)


def _threshold(client) -> int:
    return client.application.config["LOGIN_LOCKOUT_FAILURES"]


def _wait_out() -> None:
    db.session.execute(sa.update(LoginThrottle).values(blocked_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def test_a_strangers_failures_do_not_stop_the_owner_signing_in_elsewhere(client, world):
    for _ in range(_threshold(client) + 3):
        _attempt(client, world.buyer.email)
    assert _attempt(client, world.buyer.email, where=STRANGER).status_code == 429
    owner = _attempt(client, world.buyer.email, PASSWORD, where=OWNER)
    assert owner.status_code == 302, owner.get_data(as_text=True)[:300]


def test_the_delayed_client_is_refused_even_the_right_password_until_the_wait_is_over(client, world):
    for _ in range(_threshold(client) - 1):
        answer = _attempt(client, world.buyer.email)
        assert answer.status_code == 200 and GENERIC_TEXT in answer.get_data(as_text=True)
    delaying = _attempt(client, world.buyer.email)
    assert delaying.status_code == 429 and DELAY_TEXT in delaying.get_data(as_text=True)
    assert int(delaying.headers["Retry-After"]) >= 1

    refused = _attempt(client, world.buyer.email, PASSWORD)
    assert refused.status_code == 429 and DELAY_TEXT in refused.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out

    _wait_out()
    assert _attempt(client, world.buyer.email, PASSWORD).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginThrottle)) == 0
    delayed = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.sign_in_delayed")).all()
    assert [event.subject for event in delayed] == [f"user:{world.buyer.id}"]


def test_each_further_failure_doubles_the_wait_up_to_the_cap(client, world):
    threshold, waits = _threshold(client), []
    for _ in range(threshold + 12):
        _attempt(client, world.buyer.email)
        row = db.session.scalar(sa.select(LoginThrottle))
        waits.append(
            None if row.blocked_until is None else round((row.blocked_until - row.last_failed_at).total_seconds())
        )
        _wait_out()
    assert waits[: threshold - 1] == [None] * (threshold - 1)
    cap = client.application.config["LOGIN_LOCKOUT_MINUTES"] * 60
    assert waits[threshold - 1 : threshold + 3] == [2, 4, 8, 16]
    assert max(waits[threshold - 1 :]) == cap and waits[-1] == cap


def test_failures_are_stored_although_the_answer_is_an_error(client, world):
    for _ in range(_threshold(client) + 1):
        _attempt(client, world.buyer.email)
        _wait_out()
    assert db.session.scalar(sa.select(LoginThrottle.failures)) == _threshold(client) + 1


def test_an_unknown_address_is_delayed_exactly_like_a_known_one(client, world):
    """Same statuses and the same words for both: the delays must not reveal who has an account."""

    def transcript(email):
        pages = [_attempt(client, email) for _ in range(_threshold(client) + 1)]
        return [(page.status_code, DELAY_TEXT in page.get_data(as_text=True)) for page in pages]

    known = transcript(world.viewer.email)
    unknown = transcript("nobody-here@acme.example")
    assert known == unknown
    assert known[-1] == (429, True) and known[0] == (200, False)
    # The table keeps hashes, never the addresses typed nor the client's address.
    rows = db.session.execute(sa.select(LoginThrottle.email_hash, LoginThrottle.client_hash)).all()
    assert len(rows) == 2 and all(
        len(value) == 64 and "@" not in value and "203." not in value for row in rows for value in row
    )


def test_failures_long_ago_do_not_add_up(client, world):
    for _ in range(_threshold(client) - 1):
        _attempt(client, world.buyer.email)
    db.session.execute(sa.update(LoginThrottle).values(last_failed_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    assert _attempt(client, world.buyer.email).status_code == 200  # counted afresh, no wait


@pytest.mark.parametrize(("failures", "expected"), [(4, 0), (5, 2), (6, 4), (9, 32), (15, 900), (10_000, 900)])
def test_delay_after(failures, expected):
    assert delay_after(failures, 5, timedelta(minutes=15)) == timedelta(seconds=expected)
