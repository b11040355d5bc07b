"""Benchmark: analyse_batch on generated speech-like clips (default 500 x 10 s, 16 kHz mono).

Usage: .venv/bin/python bench/sample_audio.py [--clips 500] [--seconds 10] [--seed 20241101]

Clips are bursts of a harmonic tone (syllable-like, 80-300 ms, random pitch) with pauses, over white
noise at a random SNR of 5-35 dB, written as 16-bit WAV in a temporary directory together with a
metadata.csv. Only analyse_batch is timed; generation and writing are reported separately.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from app.measurements import analyse_batch  # noqa: E402


def speech_like_clip(rng: np.random.Generator, seconds: float, rate: int) -> np.ndarray:
    """Syllable-like harmonic bursts separated by pauses, plus white noise at a random SNR."""
    n = int(seconds * rate)
    signal = np.zeros(n)
    position = int(rng.uniform(0.2, 0.5) * rate)
    while position < n:
        length = int(rng.uniform(0.08, 0.3) * rate)
        t = np.arange(min(length, n - position)) / rate
        pitch = rng.uniform(90, 250)
        burst = sum(np.sin(2 * np.pi * pitch * k * t) / k for k in range(1, 5))
        signal[position : position + t.size] = 0.2 * burst * np.hanning(t.size)
        position += t.size + int(rng.choice([0.05, 0.1, 0.4]) * rate)
    power = np.mean(signal[signal != 0] ** 2)
    sigma = np.sqrt(power / 10 ** (rng.uniform(5, 35) / 10))
    return np.clip(signal + rng.normal(0, sigma, n), -1, 1)


def generate(root: Path, clips: int, seconds: float, rate: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    (root / "clips").mkdir(parents=True)
    with open(root / "metadata.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
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
        )
        for i in range(clips):
            file = f"clips/{i:04d}.wav"
            soundfile.write(str(root / file), speech_like_clip(rng, seconds, rate), rate, subtype="PCM_16")
            writer.writerow(
                [
                    f"item{i:04d}",
                    f"c{i % 37:02d}",
                    ("de-DE", "fr-FR", "en-GB")[i % 3],
                    ("female", "male")[i % 2],
                    "30-39",
                    "phone",
                    "home",
                    "v1",
                    file,
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=int, default=16000)
    parser.add_argument("--seed", type=int, default=20241101)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="datavet-bench-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        generate(root, args.clips, args.seconds, args.rate, args.seed)
        generated = time.perf_counter() - started
        started = time.perf_counter()
        report = analyse_batch(root, "metadata.csv", "audio")
        elapsed = time.perf_counter() - started
    failed = sum(1 for m in report.items if m.error)
    audio_hours = args.clips * args.seconds / 3600
    cores = os.cpu_count()
    print(f"generated {args.clips} clips of {args.seconds:g} s at {args.rate} Hz in {generated:.1f} s")
    print(
        f"analyse_batch: {elapsed:.2f} s total, {args.clips / elapsed:.1f} clips/s, "
        f"{args.clips * args.seconds / elapsed:.0f}x real time, {failed} failed"
    )
    print(
        f"mean SNR estimate {report.aggregate['snr_db']['mean']:.1f} dB, "
        f"mean loudness {report.aggregate['loudness_lufs']['mean']:.1f} LUFS"
    )
    print("| date | machine | clips | clip length | total s | clips/s | audio h/min |")
    print(
        f"| {dt.date.today().isoformat()} | {platform.machine()}, {cores} cores, Python "
        f"{platform.python_version()} | {args.clips} | {args.seconds:g} s @ {args.rate // 1000} kHz mono | "
        f"{elapsed:.1f} | {args.clips / elapsed:.1f} | {audio_hours / (elapsed / 60):.2f} |"
    )


if __name__ == "__main__":
    main()
