"""Generators of test samples whose properties are known by construction (all seeded)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import numpy as np
import soundfile
from PIL import Image, ImageFilter

TONE_HZ = 440.0


def tone_with_gaps(
    snr_db: float | None,
    *,
    seed: int,
    sample_rate: int = 16000,
    seconds: float = 4.0,
    amplitude: float = 0.3,
    gaps: tuple[float, ...] = (0.0, 1.6, 3.2),
    gap_seconds: float = 0.27,
) -> np.ndarray:
    """A tone over about 80 % of the clip with noise-only gaps, plus white noise over the whole clip.

    ``snr_db`` is the tone's power over the noise's power (``None``: no noise at all). The gaps make
    the expectation honest: the estimator needs some noise-only frames to see the noise floor.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(int(sample_rate * seconds)) / sample_rate
    mask = np.ones_like(t)
    for start in gaps:
        mask[(t >= start) & (t < start + gap_seconds)] = 0.0
    signal = amplitude * np.sin(2 * np.pi * TONE_HZ * t) * mask
    if snr_db is None:
        return signal
    sigma = np.sqrt(amplitude**2 / 2 / 10 ** (snr_db / 10))
    return signal + rng.normal(0.0, sigma, t.size)


def write_wav(path: Path, samples: np.ndarray, sample_rate: int = 16000, subtype: str = "PCM_16") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(str(path), np.clip(samples, -1.0, 1.0), sample_rate, subtype=subtype)
    return path


def texture(seed: int, size: tuple[int, int] = (256, 192), mean: float = 128.0, spread: float = 60.0) -> Image.Image:
    """A sharp random picture: blocks of 4x4 pixels with random grey levels, in RGB."""
    rng = np.random.default_rng(seed)
    w, h = size
    blocks = rng.normal(mean, spread, (h // 4 + 1, w // 4 + 1))
    pixels = np.clip(np.kron(blocks, np.ones((4, 4)))[:h, :w], 0, 255).astype(np.uint8)
    return Image.fromarray(np.stack([pixels] * 3, axis=2))


def blurred(image: Image.Image, radius: float) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(radius))


def noisy_copy(image: Image.Image, *, seed: int, scale: float = 0.5, noise: float = 4.0) -> Image.Image:
    """A resized copy with mild Gaussian noise: what a near-duplicate looks like."""
    rng = np.random.default_rng(seed)
    small = image.resize((int(image.width * scale), int(image.height * scale)), Image.Resampling.BILINEAR)
    pixels = np.asarray(small, dtype=np.float64) + rng.normal(0, noise, (small.height, small.width, 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


METADATA_FIELDS = [
    "item_id",
    "contributor",
    "locale",
    "gender",
    "age_band",
    "device",
    "environment",
    "consent_version",
    "file",
]


def metadata_csv(rows: list[dict]) -> str:
    """CSV text with the standard columns (missing keys left empty) plus any extra keys of the rows."""
    extra = [k for r in rows for k in r if k not in METADATA_FIELDS]
    fields = METADATA_FIELDS + list(dict.fromkeys(extra))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in fields})
    return buffer.getvalue()


def zip_directory(directory: Path, archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(directory).as_posix())
    return archive
