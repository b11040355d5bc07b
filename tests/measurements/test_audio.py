"""Audio metrics on generated clips whose true properties are known."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.measurements.audio import aggregate_audio, analyse_audio_file, estimate_snr_db, frame_energies, measure_audio
from tests.measurements.synth import TONE_HZ, tone_with_gaps, write_wav


@pytest.mark.parametrize("snr_db", [10, 20, 30])
@pytest.mark.parametrize("seed", [1, 2])
def test_snr_estimate_within_3_db(tmp_path, snr_db, seed):
    path = write_wav(tmp_path / "tone.wav", tone_with_gaps(snr_db, seed=seed))
    metrics = analyse_audio_file(path, item_id="x", file="tone.wav")
    assert metrics.error is None
    assert metrics.snr_db == pytest.approx(snr_db, abs=3.0)


def test_snr_orders_clips_and_handles_silence():
    estimates = [measure_audio(tone_with_gaps(s, seed=3), 16000).snr_db for s in (5, 15, 25, 35)]
    assert estimates == sorted(estimates)
    # Digitally silent pauses: the noise floor is clamped, so the SNR is large but finite.
    clean = measure_audio(tone_with_gaps(None, seed=0), 16000).snr_db
    assert 80 < clean <= 100
    assert estimate_snr_db(frame_energies(np.zeros(16000), 16000)) is None
    assert estimate_snr_db(frame_energies(np.ones(100), 16000)) is None  # too short to judge


def test_clipped_tone(tmp_path):
    amplitude, rate = 1.5, 16000
    t = np.arange(rate * 2) / rate
    path = write_wav(tmp_path / "clipped.wav", amplitude * np.sin(2 * np.pi * TONE_HZ * t))
    metrics = analyse_audio_file(path, item_id="c", file="clipped.wav")
    # Share of time a sine of amplitude A spends at or above 0.999 after clipping to full scale.
    expected = 1 - (2 / math.pi) * math.asin(0.999 / amplitude)
    assert metrics.clipping_ratio == pytest.approx(expected, abs=0.01)
    clean = measure_audio(0.5 * np.sin(2 * np.pi * TONE_HZ * t), rate)
    assert clean.clipping_ratio == 0.0


def test_silence_ratio_of_half_silent_clip(tmp_path):
    rate = 16000
    rng = np.random.default_rng(7)
    t = np.arange(rate * 4) / rate
    samples = np.where(t < 2.0, 0.3 * np.sin(2 * np.pi * TONE_HZ * t), 0.0) + rng.normal(0, 1e-4, t.size)  # -80 dBFS
    metrics = analyse_audio_file(write_wav(tmp_path / "half.wav", samples), item_id="h", file="half.wav")
    assert metrics.silence_ratio == pytest.approx(0.5, abs=0.01)
    assert metrics.duration_s == pytest.approx(4.0)


@pytest.mark.parametrize("rate, channels", [(8000, 1), (16000, 2), (44100, 1), (48000, 2)])
def test_rates_channels_and_loudness(tmp_path, rate, channels):
    t = np.arange(int(rate * 1.5)) / rate
    mono = 0.1 * np.sin(2 * np.pi * 997 * t)  # -20 dBFS peak
    samples = mono if channels == 1 else np.stack([mono, mono], axis=1)
    metrics = analyse_audio_file(write_wav(tmp_path / "s.wav", samples, rate, "FLOAT"), item_id="s", file="s.wav")
    assert (metrics.sample_rate, metrics.channels, metrics.subtype) == (rate, channels, "FLOAT")
    assert metrics.duration_s == pytest.approx(1.5)
    # BS.1770: a 997 Hz sine at 0 dBFS peak in one channel reads -3.01 LUFS; each channel adds power.
    expected = -23.01 + (10 * math.log10(2) if channels == 2 else 0.0)
    assert metrics.loudness_lufs == pytest.approx(expected, abs=0.2)


def test_short_and_unreadable_files(tmp_path):
    short = analyse_audio_file(write_wav(tmp_path / "short.wav", np.full(1600, 0.2)), item_id="s", file="short.wav")
    assert short.error is None and short.loudness_lufs is None and short.duration_s == pytest.approx(0.1)
    bogus = tmp_path / "bogus.wav"
    bogus.write_text("not audio")
    broken = analyse_audio_file(bogus, item_id="b", file="bogus.wav")
    assert broken.error.startswith("could not be read as audio") and broken.snr_db is None


def test_aggregate(tmp_path):
    items = [
        measure_audio(tone_with_gaps(20, seed=s, sample_rate=r), r, item_id=str(s))
        for s, r in enumerate((8000, 16000, 16000, 22050))
    ]
    items.append(analyse_audio_file(tmp_path / "missing.wav", item_id="m", file="missing.wav"))
    summary = aggregate_audio(items, min_sample_rate=16000)
    assert (summary["items"], summary["measured"], summary["unreadable"]) == (5, 4, 1)
    assert summary["sample_rates"] == {"8000": 1, "16000": 2, "22050": 1}
    assert summary["share_below_sample_rate_floor"] == 0.25
    assert summary["total_duration_s"] == pytest.approx(16.0)
    assert summary["snr_db"]["min"] == pytest.approx(20, abs=3)
    assert summary["clipped_clips"] == 0
