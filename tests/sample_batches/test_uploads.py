"""The buyer requires batches, the vendor uploads them through the web, a job measures them."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app.extensions import db
from app.models import Answer, Job, JobStatus, ResponseStatus, SampleBatch
from app.models.sample_batch import BatchStatus
from app.sample_batches.findings import required_modalities
from tests.app.helpers import form_post
from tests.sample_batches import archives


def upload(client, response, modality: str, data: bytes, name: str = "pilot.zip"):
    # Encoded here in memory: the test client spools bodies over 500 KB to a file it never closes.
    boundary, body = encode_multipart(MultiDict({"archive": FileStorage(io.BytesIO(data), filename=name)}))
    return client.post(
        f"/responses/{response.id}/samples/{modality}",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def batches_folder(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"]) / "sample-batches"


def batch_rows() -> list[SampleBatch]:
    return db.session.scalars(sa.select(SampleBatch)).all()


def test_buyer_requires_batches_only_for_the_evaluations_modalities(world, client, login):
    login(world.buyer)
    page = client.get(f"/evaluations/{world.evaluation.id}/samples").get_data(as_text=True)
    assert "Speech recordings" in page and "Texts" in page and "Images" not in page  # speech and text only
    refused = client.post(f"/evaluations/{world.evaluation.id}/samples", data={"modalities": ["image"]})
    assert refused.status_code == 422 and "not a valid choice" in refused.get_data(as_text=True)
    assert required_modalities(world.evaluation.id) == []
    assert client.post(f"/evaluations/{world.evaluation.id}/samples", data={"modalities": ["audio"]}).status_code == 302
    assert required_modalities(world.evaluation.id) == ["audio"]
    assert client.post(f"/evaluations/{world.evaluation.id}/samples", data={}).status_code == 302
    assert required_modalities(world.evaluation.id) == []


def test_vendor_upload_is_measured_by_the_background_job(app, audio_required, client, login):
    world = audio_required
    login(world.vendor_a)
    data = archives.audio_batch()
    answer = upload(client, world.response_a, "audio", data)
    assert answer.status_code == 302 and answer.headers["Location"].endswith(
        f"/responses/{world.response_a.id}/samples"
    )

    [batch] = batch_rows()
    assert batch.status == BatchStatus.ANALYSED and batch.error == ""
    assert batch.sha256 == hashlib.sha256(data).hexdigest() and batch.size == len(data)
    assert batch.filename == "pilot.zip" and batch.metadata_file == "pilot/metadata.csv" and batch.files == 21
    stored = batches_folder(app) / batch.stored_name
    assert stored.read_bytes() == data and batch.stored_name != "pilot.zip"
    assert "static" not in stored.parts
    assert not (batches_folder(app) / f"{batch.stored_name}.d").exists()  # extracted tree removed after analysis

    report = batch.report
    assert report["modality"] == "audio" and report["aggregate"]["measured"] == archives.CLIPS
    assert report["aggregate"]["sample_rates"] == {"16000": archives.CLIPS}
    assert report["aggregate"]["duration_s"]["median"] == pytest.approx(1.0)
    assert report["aggregate"]["clipped_clips"] == 0
    assert report["aggregate"]["snr_db"]["median"] == pytest.approx(25, abs=3)
    assert report["metadata"]["contributors"] == 13
    assert report["metadata"]["largest_contributor"] == {"contributor": "c00", "items": 8, "share": 0.4}

    job = db.session.get(Job, batch.job_id)
    assert job.kind == "samples.analyse" and job.status == JobStatus.DONE and job.progress == 1.0
    assert job.owner_id == world.vendor_a.id and job.params == {"batch_id": batch.id}
    assert job.message.startswith("Measured 20 of 20 items")

    page = client.get(f"/responses/{world.response_a.id}/samples").get_data(as_text=True)
    assert "20 of 20" in page and "c00 supplies 8 of 20 items" not in page  # no claims answered yet
    assert "Largest single-contributor share" in page and "40.0 %" in page


def test_uploading_again_replaces_the_batch(app, audio_required, client, login):
    world = audio_required
    login(world.vendor_a)
    upload(client, world.response_a, "audio", archives.audio_batch())
    [first] = batch_rows()
    first_file = batches_folder(app) / first.stored_name
    upload(client, world.response_a, "audio", archives.audio_batch(), name="again.zip")
    [second] = batch_rows()
    assert second.filename == "again.zip" and not first_file.exists()


@pytest.mark.parametrize(
    "archive, needles",
    [
        (archives.traversal_zip, ["../../outside.wav", "outside the batch folder"]),
        (archives.symlink_zip, ["clips/a.wav", "a symbolic link", "only regular files and folders are accepted"]),
        (archives.bomb_zip, ["zeros.wav", "expands", "decompression bomb"]),
    ],
    ids=["path-traversal", "link", "decompression-bomb"],
)
def test_hostile_archive_refused_with_a_clear_message(app, audio_required, client, login, archive, needles):
    world = audio_required
    login(world.vendor_a)
    assert client.post(f"/responses/{world.response_a.id}", data=form_post({"COV-08": "3"})).status_code == 302
    before = db.session.scalars(sa.select(Answer).where(Answer.response_id == world.response_a.id)).all()
    saved = {(a.question_id, a.revision, str(a.value)) for a in before}

    answer = upload(client, world.response_a, "audio", archive(), name="evil.zip")
    page = answer.get_data(as_text=True).replace("&#39;", "'")
    assert answer.status_code == 422
    assert "The archive was refused and nothing was kept" in page and "Your draft is unchanged." in page
    for needle in needles:
        assert needle in page
    assert batch_rows() == []
    assert list(batches_folder(app).iterdir()) == []  # neither the archive nor anything extracted was kept
    assert not (batches_folder(app).parent.parent / "outside.wav").exists()
    db.session.expire_all()
    assert world.response_a.status == ResponseStatus.DRAFT
    after = db.session.scalars(sa.select(Answer).where(Answer.response_id == world.response_a.id)).all()
    assert {(a.question_id, a.revision, str(a.value)) for a in after} == saved


@pytest.mark.parametrize(
    "data, name, needle",
    [
        (b"%PDF-1.4 not an archive", "consent.pdf", "'consent.pdf' is not a zip or tar archive"),
        (archives.text_batch(), "texts.tar.gz", "holds no audio items"),
        (b"", "empty.zip", "The file is empty."),
    ],
)
def test_unusable_uploads_refused(app, audio_required, client, login, data, name, needle):
    login(audio_required.vendor_a)
    answer = upload(client, audio_required.response_a, "audio", data, name=name)
    assert answer.status_code in (400, 422)
    assert needle in answer.get_data(as_text=True).replace("&#39;", "'")
    assert batch_rows() == [] and list(batches_folder(app).iterdir()) == []


def test_upload_without_a_file_asks_for_one(audio_required, client, login):
    login(audio_required.vendor_a)
    answer = client.post(f"/responses/{audio_required.response_a.id}/samples/audio", data={})
    assert answer.status_code == 400 and "Choose the archive to upload." in answer.get_data(as_text=True)


def test_archive_over_the_configured_size_is_refused(app, audio_required, client, login, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_SAMPLE_MB", 1)
    login(audio_required.vendor_a)
    over = upload(client, audio_required.response_a, "audio", bytes(3 << 20), name="huge.zip")
    assert over.status_code == 302  # cut off while reading the request: back to the page with the message
    page = client.get(over.headers["Location"]).get_data(as_text=True)
    assert "The archive is larger than 1 MB" in page
    just_over = upload(client, audio_required.response_a, "audio", bytes((1 << 20) + 10), name="big.zip")
    assert just_over.status_code == 422 and "larger than 1 MB" in just_over.get_data(as_text=True)
    assert batch_rows() == [] and list(batches_folder(app).iterdir()) == []


def test_modality_not_required_cannot_be_uploaded(audio_required, client, login):
    login(audio_required.vendor_a)
    answer = upload(client, audio_required.response_a, "image", archives.audio_batch())
    assert answer.status_code == 302
    assert "has not asked for a sample batch of Images" in client.get(answer.headers["Location"]).get_data(as_text=True)
    assert batch_rows() == []


def test_failed_analysis_is_reported_and_can_be_retried(app, audio_required, client, login):
    login(audio_required.vendor_a)
    upload(client, audio_required.response_a, "audio", archives.audio_batch())
    [batch] = batch_rows()
    archive = batches_folder(app) / batch.stored_name
    kept = archive.read_bytes()
    archive.unlink()  # the stored archive went missing: the job must fail, and say so on the batch
    again = client.post(f"/responses/{audio_required.response_a.id}/samples/audio/analyse")
    assert again.status_code == 302
    db.session.expire_all()
    [batch] = batch_rows()
    assert batch.status == BatchStatus.FAILED and batch.error.startswith("The analysis failed:")
    assert db.session.get(Job, batch.job_id).status == JobStatus.FAILED
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "analysis failed" in page and "Analyse again" in page
    archive.write_bytes(kept)
    client.post(f"/responses/{audio_required.response_a.id}/samples/audio/analyse")
    db.session.expire_all()
    assert batch_rows()[0].status == BatchStatus.ANALYSED
