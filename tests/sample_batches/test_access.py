"""Who may see and send sample batches: the vendor alone until sealing ends, never another vendor."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import ResponseStatus, SampleBatch
from app.models.base import utcnow
from app.reviews import services as reviews
from tests.sample_batches import archives
from tests.sample_batches.test_uploads import upload


def test_another_vendor_can_neither_see_nor_upload(audio_required, client, login):
    world = audio_required
    login(world.vendor_a)
    upload(client, world.response_a, "audio", archives.audio_batch())
    client.post("/logout")
    login(world.vendor_b)
    assert client.get(f"/responses/{world.response_a.id}/samples").status_code == 404
    assert upload(client, world.response_a, "audio", archives.audio_batch(), name="theirs.zip").status_code == 404
    assert client.post(f"/responses/{world.response_a.id}/samples/audio/analyse").status_code == 404
    assert [b.filename for b in db.session.scalars(sa.select(SampleBatch))] == ["pilot.zip"]


def test_buying_side_sees_results_only_once_sealing_ends(audio_required, client, login):
    world = audio_required
    login(world.vendor_a)
    upload(client, world.response_a, "audio", archives.audio_batch())
    client.post("/logout")
    world.response_a.status, world.response_a.submitted_at = ResponseStatus.SUBMITTED, utcnow()
    db.session.commit()
    for person in (world.buyer, world.evaluator):
        login(person)
        assert client.get(f"/responses/{world.response_a.id}/samples").status_code in (403, 404)
        client.post("/logout")

    world.evaluation.deadline = utcnow() - timedelta(minutes=5)
    reviews.declare_no_conflict(world.response_a, world.evaluator)  # evaluators read after declaring
    db.session.commit()
    for person in (world.buyer, world.evaluator, world.viewer):
        login(person)
        page = client.get(f"/responses/{world.response_a.id}/samples")
        assert page.status_code == 200 and "20 of 20" in page.get_data(as_text=True)
        assert 'type="file"' not in page.get_data(as_text=True)
        client.post("/logout")
    login(world.other_buyer)
    assert client.get(f"/responses/{world.response_a.id}/samples").status_code == 404


def test_vendor_cannot_change_a_submitted_response_or_after_the_deadline(audio_required, client, login):
    world = audio_required
    world.response_a.status, world.response_a.submitted_at = ResponseStatus.SUBMITTED, utcnow()
    db.session.commit()
    login(world.vendor_a)
    assert upload(client, world.response_a, "audio", archives.audio_batch()).status_code == 403
    world.response_a.status, world.response_a.submitted_at = ResponseStatus.DRAFT, None
    world.evaluation.deadline = utcnow() - timedelta(minutes=5)
    db.session.commit()
    refused = upload(client, world.response_a, "audio", archives.audio_batch())
    assert refused.status_code == 422 and "the deadline passed" in refused.get_data(as_text=True).lower()
    assert db.session.scalars(sa.select(SampleBatch)).all() == []


def test_only_managers_choose_the_required_batches(world, client, login):
    for person in (world.evaluator, world.viewer, world.vendor_a):
        login(person)
        answer = client.post(f"/evaluations/{world.evaluation.id}/samples", data={"modalities": ["audio"]})
        assert answer.status_code in (403, 404)
        client.post("/logout")
