"""Fixtures for the sample-batch pages: the shared small world (tests/world.py), with batches required."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def own_upload_folder(app, tmp_path, monkeypatch):
    """Each test gets an empty upload folder, so "nothing was kept" can be checked exactly."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))


@pytest.fixture
def audio_required(world, client, login):
    """The buyer requires a speech sample batch through the settings page, then signs out."""
    login(world.buyer)
    answer = client.post(f"/evaluations/{world.evaluation.id}/samples", data={"modalities": ["audio", "text"]})
    assert answer.status_code == 302
    client.post("/logout")
    return world
