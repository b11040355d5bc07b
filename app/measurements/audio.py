"""Audio quality metrics of one clip, and their aggregate over a batch.

Choices, so a reader can judge the numbers:

* Levels are dBFS with full scale = 1.0 on the RMS of the samples (a full-scale sine reads -3 dBFS).
* **Clipping ratio**: share of samples (over all channels) with ``|x| >= 0.999``. A clip "clips" when
  this ratio exceeds ``CLIPPED_CLIP_RATIO`` (0.1 % of its samples), so one peak-normalised sample does
  not condemn a whole recording.
* **Silence ratio**: the clip is cut into consecutive 20 ms frames (a trailing partial frame is
  dropped); a frame is silent when its RMS over all channels is below -50 dBFS. 20 ms is short enough
  to see pauses between words and long enough for a stable RMS; -50 dBFS is well under speech at any
  sensible recording level yet above the noise floor of a decent microphone chain.
* **SNR estimate** (energy percentiles, in the spirit of NIST's STNR): the same 20 ms frames are sorted
  by energy; the noise level is the mean energy of the quietest 10 % of frames, the signal-plus-noise
  level the mean of the loudest 10 %; SNR = 10·log10((signal+noise − noise) / noise). It assumes at least
  10 % of the clip is pause (noise only) and at least 10 % carries the signal; for speech it therefore
  measures peak speech energy against the background, as STNR does: on syllable-like bursts it reads
  about 4 dB above the SNR computed from average active-speech power, on a steady tone within 1 dB.
  The noise level is floored at -100 dBFS (about 16-bit quantisation noise), so digitally silent
  pauses give about 100 dB, not infinity.
* **Loudness**: integrated loudness (ITU-R BS.1770-4, gated) by pyloudnorm, in LUFS; ``None`` for
  clips under 0.4 s, over five channels, or entirely below the absolute gate (-70 LUFS).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pyloudnorm
import soundfile

from app.measurements.stats import describe, finite_or_none, share

CLIP_LEVEL = 0.999
CLIPPED_CLIP_RATIO = 0.001
FRAME_SECONDS = 0.020
SILENCE_DBFS = -50.0
NOISE_PERCENTILE = 10.0
SIGNAL_PERCENTILE = 90.0
NOISE_FLOOR_DBFS = -100.0
MIN_FRAMES_FOR_SNR = 10
MAX_DURATION_S = 3600.0  # longer files would be read whole into memory; a pilot clip is never this long
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".aiff", ".aif", ".mp3", ".caf", ".w64", ".rf64")


@dataclass(frozen=True)
class AudioMetrics:
    """Measurements of one clip; ``error`` says why a clip could not be measured (other fields None)."""

    item_id: str
    file: str
    duration_s: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    subtype: str | None = None
    clipping_ratio: float | None = None
    silence_ratio: float | None = None
    snr_db: float | None = None
    loudness_lufs: float | None = None
    error: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def frame_energies(samples: np.ndarray, sample_rate: int, frame_seconds: float = FRAME_SECONDS) -> np.ndarray:
    """Mean square per consecutive frame, averaged over channels; ``samples`` is (n,) or (n, channels)."""
    data = np.asarray(samples, dtype=np.float64)
    if data.ndim == 1:
        data = data[:, None]
    frame = max(1, int(round(frame_seconds * sample_rate)))
    count = data.shape[0] // frame
    if count == 0:
        return np.zeros(0)
    squared = np.square(data[: count * frame]).mean(axis=1)
    return squared.reshape(count, frame).mean(axis=1)


def clipping_ratio(samples: np.ndarray, level: float = CLIP_LEVEL) -> float | None:
    """Share of samples whose magnitude is at or above ``level`` of full scale."""
    data = np.asarray(samples)
    return float(np.count_nonzero(np.abs(data) >= level) / data.size) if data.size else None


def silence_ratio(energies: np.ndarray, threshold_dbfs: float = SILENCE_DBFS) -> float | None:
    """Share of frames whose RMS is below ``threshold_dbfs``; ``energies`` from :func:`frame_energies`."""
    if energies.size == 0:
        return None
    return float(np.count_nonzero(energies < 10 ** (threshold_dbfs / 10)) / energies.size)


def estimate_snr_db(
    energies: np.ndarray,
    *,
    noise_percentile: float = NOISE_PERCENTILE,
    signal_percentile: float = SIGNAL_PERCENTILE,
    noise_floor_dbfs: float = NOISE_FLOOR_DBFS,
) -> float | None:
    """Energy-percentile SNR estimate in dB (see the module docstring); ``None`` if too short or silent."""
    if energies.size < MIN_FRAMES_FOR_SNR:
        return None
    ordered = np.sort(energies)
    low = max(1, int(math.floor(ordered.size * noise_percentile / 100)))
    high = max(1, int(math.floor(ordered.size * (100 - signal_percentile) / 100)))
    loud = float(ordered[-high:].mean())
    if loud <= 0.0:
        return None  # digital silence throughout: there is no signal to compare with anything
    noise = max(float(ordered[:low].mean()), 10 ** (noise_floor_dbfs / 10))
    signal = loud - noise
    if signal <= 0.0:
        return None
    return 10.0 * math.log10(signal / noise)


def integrated_loudness(samples: np.ndarray, sample_rate: int) -> float | None:
    """BS.1770-4 integrated loudness in LUFS, or ``None`` where it is undefined (see module docstring)."""
    data = np.asarray(samples, dtype=np.float64)
    if data.ndim == 2 and data.shape[1] == 1:
        data = data[:, 0]
    if data.shape[0] < 0.4 * sample_rate or (data.ndim == 2 and data.shape[1] > 5):
        return None
    return finite_or_none(pyloudnorm.Meter(sample_rate).integrated_loudness(data))


def measure_audio(
    samples: np.ndarray, sample_rate: int, *, item_id: str = "", file: str = "", subtype: str | None = None
) -> AudioMetrics:
    """All metrics of one clip from its samples (floats in -1..1, shape (n,) or (n, channels))."""
    data = np.asarray(samples)
    if data.ndim == 1:
        data = data[:, None]
    energies = frame_energies(data, sample_rate)
    return AudioMetrics(
        item_id=item_id,
        file=file,
        subtype=subtype,
        duration_s=data.shape[0] / sample_rate,
        sample_rate=int(sample_rate),
        channels=int(data.shape[1]),
        clipping_ratio=clipping_ratio(data),
        silence_ratio=silence_ratio(energies),
        snr_db=finite_or_none(estimate_snr_db(energies), 2),
        loudness_lufs=finite_or_none(integrated_loudness(data, sample_rate), 2),
    )


def analyse_audio_file(
    path: str | os.PathLike, *, item_id: str, file: str, max_duration_s: float = MAX_DURATION_S
) -> AudioMetrics:
    """Read one audio file with libsndfile and measure it; unreadable files give a metrics row with ``error``."""
    try:
        info = soundfile.info(str(path))
        if info.duration > max_duration_s:
            return AudioMetrics(
                item_id=item_id,
                file=file,
                duration_s=float(info.duration),
                sample_rate=int(info.samplerate),
                channels=int(info.channels),
                subtype=info.subtype,
                error=f"longer than {max_duration_s / 60:g} minutes; not analysed",
            )
        # float32 halves memory against float64; energies and loudness are computed in float64 anyway.
        samples, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, OSError, ValueError, TypeError) as exc:  # LibsndfileError is a RuntimeError
        return AudioMetrics(item_id=item_id, file=file, error=f"could not be read as audio ({_short(exc)})")
    if samples.shape[0] == 0:
        return AudioMetrics(
            item_id=item_id,
            file=file,
            duration_s=0.0,
            sample_rate=int(rate),
            channels=int(samples.shape[1]),
            subtype=info.subtype,
            error="contains no samples",
        )
    return measure_audio(samples, rate, item_id=item_id, file=file, subtype=info.subtype)


def aggregate_audio(
    items: Sequence[AudioMetrics], *, min_sample_rate: int = 16000, clipped_clip_ratio: float = CLIPPED_CLIP_RATIO
) -> dict:
    """Batch figures: totals, describe() of each metric, sample-rate/channel counts and threshold shares."""
    measured = [m for m in items if m.error is None]
    rates: dict[str, int] = {}
    channels: dict[str, int] = {}
    for m in measured:
        rates[str(m.sample_rate)] = rates.get(str(m.sample_rate), 0) + 1
        channels[str(m.channels)] = channels.get(str(m.channels), 0) + 1
    below_rate = sum(1 for m in measured if m.sample_rate is not None and m.sample_rate < min_sample_rate)
    clipped = sum(1 for m in measured if m.clipping_ratio is not None and m.clipping_ratio > clipped_clip_ratio)
    return {
        "items": len(items),
        "measured": len(measured),
        "unreadable": len(items) - len(measured),
        "total_duration_s": float(sum(m.duration_s or 0.0 for m in measured)),
        "duration_s": describe(m.duration_s for m in measured),
        "sample_rates": dict(sorted(rates.items(), key=lambda kv: int(kv[0]))),
        "channels": channels,
        "min_sample_rate_floor": min_sample_rate,
        "share_below_sample_rate_floor": share(below_rate, len(measured)),
        "clipped_clip_ratio": clipped_clip_ratio,
        "clipped_clips": clipped,
        "share_clipped_clips": share(clipped, len(measured)),
        "clipping_ratio": describe(m.clipping_ratio for m in measured),
        "silence_ratio": describe(m.silence_ratio for m in measured),
        "snr_db": describe(m.snr_db for m in measured),
        "loudness_lufs": describe(m.loudness_lufs for m in measured),
    }


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."
