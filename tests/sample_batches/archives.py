"""Sample-batch archives with known contents, and hostile ones, built in memory for the tests."""

from __future__ import annotations

import io
import json
import stat
import tarfile
import tempfile
import zipfile
from pathlib import Path

from tests.measurements.synth import metadata_csv, tone_with_gaps, write_wav

CLIPS = 20
DOMINANT_ITEMS = 8  # contributor c00 supplies 8 of the 20 clips: 40 %


def audio_rows() -> list[dict]:
    """20 one-second clips from 13 de-DE contributors (7 female, 6 male), all with a consent version."""
    rows = []
    for i in range(CLIPS):
        contributor = 0 if i < DOMINANT_ITEMS else i - DOMINANT_ITEMS + 1
        rows.append(
            {
                "item_id": f"clip{i:02d}",
                "contributor": f"c{contributor:02d}",
                "locale": "de-DE",
                "gender": "female" if contributor % 2 == 0 else "male",
                "age_band": "25-34",
                "device": "smartphone",
                "environment": "home",
                "consent_version": "v3",
                "file": f"clips/{i:02d}.wav",
            }
        )
    return rows


def audio_batch() -> bytes:
    """A zip of ``audio_rows()``: tones at 25 dB SNR, 16 kHz mono, 1 s, nested under ``pilot/``."""
    with tempfile.TemporaryDirectory() as tmp:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for i, row in enumerate(audio_rows()):
                path = write_wav(
                    Path(tmp) / row["file"], tone_with_gaps(25, seed=i, seconds=1.0, gaps=(0.0, 0.5), gap_seconds=0.1)
                )
                zf.write(path, f"pilot/{row['file']}")
            zf.writestr("pilot/metadata.csv", metadata_csv(audio_rows()))
        return buffer.getvalue()


def text_batch() -> bytes:
    """Four German texts and one with an e-mail address, as JSON lines, in a .tar.gz."""
    texts = [
        "Der Zug nach Hamburg fährt heute wegen Bauarbeiten später ab.",
        "Bitte schließen Sie das Fenster, bevor Sie das Haus verlassen.",
        "Wir treffen uns morgen um neun Uhr vor dem Rathaus am Marktplatz.",
        "Die Bibliothek bleibt über die Feiertage geschlossen.",
        "Schreiben Sie mir einfach an anna.schmidt@example.org, dann antworte ich schnell.",
    ]
    lines = "".join(json.dumps({"item_id": f"t{i}", "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(texts))
    rows = [
        {
            "item_id": f"t{i}",
            "contributor": f"w{i}",
            "locale": "de-DE",
            "gender": "female",
            "age_band": "25-34",
            "device": "laptop",
            "environment": "home",
            "consent_version": "v1",
            "file": "texts.jsonl",
        }
        for i in range(len(texts))
    ]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        for name, data in (("metadata.csv", metadata_csv(rows).encode()), ("texts.jsonl", lines.encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def traversal_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("metadata.csv", "item_id,file\nx,a.wav\n")
        zf.writestr("../../outside.wav", b"RIFF")
    return buffer.getvalue()


def symlink_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("metadata.csv", "item_id,file\nx,a.wav\n")
        link = zipfile.ZipInfo("clips/a.wav")
        link.create_system = 3  # Unix, so the file type bits below are meaningful
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
    return buffer.getvalue()


def bomb_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("metadata.csv", "item_id,file\nx,zeros.wav\n")
        with zf.open("zeros.wav", "w") as member:
            for _ in range(30):  # 30 MB of zeros compress to about 30 KB
                member.write(bytes(1 << 20))
    return buffer.getvalue()
