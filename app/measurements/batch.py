"""Analyse an extracted sample batch: metadata plus per-item metrics for one modality.

This is the entry point the app's background job calls; it reads files but keeps no state, and its
result is a frozen :class:`BatchReport` that ``to_dict()`` turns into JSON-ready data.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app.measurements.audio import AUDIO_EXTENSIONS, AudioMetrics, aggregate_audio, analyse_audio_file
from app.measurements.images import IMAGE_EXTENSIONS, ImageMetrics, aggregate_images, analyse_image_file
from app.measurements.metadata import MetadataSummary, read_metadata, summarise_metadata
from app.measurements.text import TEXT_EXTENSIONS, TextMetrics, aggregate_texts, measure_text, read_jsonl

ItemMetrics = AudioMetrics | ImageMetrics | TextMetrics
Progress = Callable[[int, int], None]
MODALITIES = ("audio", "image", "text")
_ALIASES = {"images": "image", "speech": "audio", "texts": "text"}
_ITEM_TYPES = {"audio": AudioMetrics, "image": ImageMetrics, "text": TextMetrics}
_EXTENSIONS = {"audio": AUDIO_EXTENSIONS, "image": IMAGE_EXTENSIONS, "text": TEXT_EXTENSIONS}
MAX_LISTED_PROBLEMS = 5


@dataclass(frozen=True)
class AnalysisOptions:
    """Thresholds used in the aggregate (the claims comparison applies the vendor's own)."""

    min_sample_rate: int = 16000
    clipped_clip_ratio: float = 0.001
    duplicate_distance: int = 8
    min_width: int = 0
    min_height: int = 0


@dataclass(frozen=True)
class BatchReport:
    """Everything measured on one batch; ``problems`` are sentences for the vendor and the evaluator."""

    modality: str
    items: list[ItemMetrics]
    aggregate: dict
    metadata: MetadataSummary
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> BatchReport:
        """Rebuild a report stored as JSON by :meth:`to_dict`."""
        item_type = _ITEM_TYPES[data["modality"]]
        return cls(
            modality=data["modality"],
            items=[item_type(**i) for i in data["items"]],
            aggregate=data["aggregate"],
            metadata=MetadataSummary(**data["metadata"]),
            problems=list(data["problems"]),
        )


def analyse_batch(
    root: str | os.PathLike,
    metadata_csv: str | os.PathLike | None,
    modality: str,
    *,
    progress: Progress | None = None,
    options: AnalysisOptions = AnalysisOptions(),
) -> BatchReport:
    """Measure every item of an extracted batch and summarise its metadata.

    ``metadata_csv`` is a path (absolute, or relative to ``root``) or ``None``; without usable metadata
    every file of the modality's types is analysed with its path as item id. ``modality`` is "audio",
    "image" or "text". ``progress(done, total)`` is called once before the first item and after each.
    """
    kind = _ALIASES.get(modality, modality)
    if kind not in MODALITIES:
        raise ValueError(f"unknown modality {modality!r}; expected one of {', '.join(MODALITIES)}")
    base = Path(root).resolve()
    files = _files_under(base)
    csv_path = (base / metadata_csv) if metadata_csv is not None else None
    table, problems = read_metadata(csv_path) if csv_path is not None else (None, ["No metadata file was given."])
    csv_name = _relative(csv_path.resolve(), base) if csv_path is not None else None
    summary = summarise_metadata(table, files, metadata_name=csv_name)

    from_metadata = table is not None and "file" in table.columns and "item_id" in table.columns
    if from_metadata:
        rows = [
            (r["item_id"] or f"line {i + 2}", r["file"], r.get("locale", ""))
            for i, r in enumerate(table.to_dict("records"))
            if r["file"]
        ]
    else:
        rows = [(f, f, "") for f in files if f.lower().endswith(_EXTENSIONS[kind])]
    if kind == "text":
        # Without metadata a row is a whole JSON-lines file: read it, and every record is "unlisted".
        items, read_problems = _text_items(base, rows if from_metadata else [], [f for _, f, _ in rows], progress)
    else:
        items, read_problems = _media_items(base, rows, kind, progress)

    aggregate = (
        aggregate_audio(items, min_sample_rate=options.min_sample_rate, clipped_clip_ratio=options.clipped_clip_ratio)
        if kind == "audio"
        else aggregate_images(
            items, max_distance=options.duplicate_distance, min_width=options.min_width, min_height=options.min_height
        )
        if kind == "image"
        else aggregate_texts(items)
    )
    return BatchReport(
        modality=kind,
        items=items,
        aggregate=aggregate,
        metadata=summary,
        problems=problems + summary.problems + read_problems + _summary_problems(summary, items),
    )


def _media_items(
    base: Path, rows: list[tuple[str, str, str]], kind: str, progress: Progress | None
) -> tuple[list[ItemMetrics], list[str]]:
    analyse = analyse_audio_file if kind == "audio" else analyse_image_file
    item_type = _ITEM_TYPES[kind]
    items: list[ItemMetrics] = []
    _report(progress, 0, len(rows))
    for done, (item_id, file, _locale) in enumerate(rows, start=1):
        path, error = _inside(base, file)
        if error:
            items.append(item_type(item_id=item_id, file=file, error=error))
        else:
            items.append(analyse(path, item_id=item_id, file=file))
        _report(progress, done, len(rows))
    return items, []


def _text_items(
    base: Path, rows: list[tuple[str, str, str]], files: list[str], progress: Progress | None
) -> tuple[list[ItemMetrics], list[str]]:
    """Texts live in JSON-lines files that hold many items; the metadata names the file of each item."""
    problems: list[str] = []
    records_by_file: dict[str, dict[str, dict]] = {}
    file_errors: dict[str, str] = {}
    for file in dict.fromkeys(files):
        path, error = _inside(base, file)
        records, read_problems = read_jsonl(path) if not error else ([], [])
        if error:
            file_errors[file] = error
        problems += read_problems
        records_by_file[file] = {str(r.get("item_id", f"{file}#{n}")): r for n, r in enumerate(records, start=1)}
    listed = {(f, i) for i, f, _ in rows}
    unlisted = [
        (i, f, str(r.get("locale", "")))
        for f, recs in records_by_file.items()
        for i, r in recs.items()
        if (f, i) not in listed
    ]
    if unlisted:
        problems.append(
            f"{len(unlisted)} text record(s) are not listed in the metadata (e.g. "
            f"{', '.join(i for i, _, _ in unlisted[:MAX_LISTED_PROBLEMS])}); they are analysed too."
        )
    everything = rows + unlisted
    items: list[ItemMetrics] = []
    _report(progress, 0, len(everything))
    for done, (item_id, file, locale) in enumerate(everything, start=1):
        record = records_by_file.get(file, {}).get(item_id)
        if record is None:
            items.append(
                TextMetrics(
                    item_id=item_id,
                    file=file,
                    claimed_locale=locale or None,
                    error=file_errors.get(file, f"no record with this item_id in {file}"),
                )
            )
        else:
            claimed = locale or str(record.get("locale") or "") or None
            items.append(measure_text(record["text"], item_id=item_id, file=file, claimed_locale=claimed))
        _report(progress, done, len(everything))
    return items, problems


def _summary_problems(summary: MetadataSummary, items: list[ItemMetrics]) -> list[str]:
    problems = []
    if summary.missing_files:
        problems.append(
            f"{len(summary.missing_files)} file(s) listed in the metadata are missing from the archive: "
            f"{_first(summary.missing_files)}."
        )
    if summary.unlisted_files:
        problems.append(
            f"{len(summary.unlisted_files)} file(s) in the archive are not listed in the metadata: "
            f"{_first(summary.unlisted_files)}."
        )
    if summary.items_without_consent:
        problems.append(
            f"{len(summary.items_without_consent)} item(s) have no consent version: "
            f"{_first(summary.items_without_consent)}."
        )
    failed = [m for m in items if m.error]
    if failed:
        shown = "; ".join(f"{m.item_id}: {m.error}" for m in failed[:MAX_LISTED_PROBLEMS])
        more = f" and {len(failed) - MAX_LISTED_PROBLEMS} more" if len(failed) > MAX_LISTED_PROBLEMS else ""
        problems.append(f"{len(failed)} item(s) could not be measured ({shown}{more}).")
    return problems


def _files_under(base: Path) -> list[str]:
    found = []
    for directory, _dirs, names in os.walk(base):  # os.walk does not follow directory symlinks
        for name in names:
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                found.append(_relative(path, base))
    return sorted(found)


def _inside(base: Path, file: str) -> tuple[Path, str | None]:
    """Resolve a metadata path under ``base``; the CSV is vendor input, so "../" must not reach out."""
    path = (base / file.replace("\\", "/").lstrip("/")).resolve()
    if path != base and base not in path.parents:
        return path, "the metadata points outside the batch"
    if not path.is_file():
        return path, "listed in the metadata but missing from the archive"
    return path, None


def _relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _first(values: list[str]) -> str:
    shown = ", ".join(values[:MAX_LISTED_PROBLEMS])
    return shown + (f" and {len(values) - MAX_LISTED_PROBLEMS} more" if len(values) > MAX_LISTED_PROBLEMS else "")


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)
