"""The per-item metadata CSV of a sample batch: reading it and summarising what it says.

Expected columns (names are matched case-insensitively, surrounding spaces ignored):
item_id, contributor (a pseudonym), locale, gender, age_band, device, environment,
consent_version, file (path of the item inside the archive). Further columns are allowed;
those that look categorical (few distinct values) are reported as extra demographic attributes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath

import pandas as pd

REQUIRED_COLUMNS = (
    "item_id",
    "contributor",
    "locale",
    "gender",
    "age_band",
    "device",
    "environment",
    "consent_version",
    "file",
)
DEMOGRAPHIC_COLUMNS = ("gender", "age_band")
# An extra column with more distinct values than this is free text or an id, not a demographic attribute.
MAX_CATEGORIES = 20
# Files an archiver adds on its own; they are neither items nor something the vendor forgot to list.
_JUNK_PREFIXES = ("__MACOSX/",)
_JUNK_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}


@dataclass(frozen=True)
class MetadataSummary:
    """What the metadata CSV says about the batch, and how it matches the archive's files.

    Shares are fractions 0..1. ``locales`` maps locale -> {items, item_share, contributors,
    contributor_share}; ``demographics`` maps attribute -> category -> the same four figures, where a
    contributor counts once per category they were recorded with.
    """

    rows: int
    columns: list[str]
    missing_columns: list[str]
    problems: list[str]
    completeness: dict[str, float]
    locales: dict[str, dict[str, float]]
    demographics: dict[str, dict[str, dict[str, float]]]
    contributors: int
    largest_contributor: dict[str, object] | None
    items_without_consent: list[str]
    missing_files: list[str]
    unlisted_files: list[str]
    contributors_by_locale: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def read_metadata(path: str | os.PathLike) -> tuple[pd.DataFrame | None, list[str]]:
    """Read the CSV as text (no type guessing: "00123" stays an id); return (table or None, problems)."""
    name = os.path.basename(path)
    try:
        # utf-8-sig: spreadsheets often save a byte-order mark that would otherwise stick to "item_id".
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skipinitialspace=True)
    except FileNotFoundError:
        return None, [f"The metadata file '{name}' is missing from the batch."]
    except pd.errors.EmptyDataError:
        return None, [f"The metadata file '{name}' is empty."]
    except UnicodeDecodeError:
        return None, [f"The metadata file '{name}' is not UTF-8 text; please save it as CSV UTF-8."]
    except (pd.errors.ParserError, ValueError) as exc:
        return None, [f"The metadata file '{name}' could not be read as CSV: {str(exc).strip()}"]
    table.columns = [str(c).strip().lower() for c in table.columns]
    return table.fillna("").astype(str).apply(lambda col: col.str.strip()), []


def summarise_metadata(
    table: pd.DataFrame | None,
    archive_files: Iterable[str],
    *,
    metadata_name: str | None = None,
    demographic_columns: Sequence[str] | None = None,
) -> MetadataSummary:
    """Summarise a metadata table (from :func:`read_metadata`) against the archive's file list.

    ``archive_files`` are POSIX paths relative to the batch root; ``metadata_name`` is the CSV's own
    path there, so it is not reported as an unlisted file. ``demographic_columns`` defaults to
    gender, age_band and every extra column with at most ``MAX_CATEGORIES`` distinct values.
    """
    files = {_norm_path(f) for f in archive_files}
    ignored = {_norm_path(metadata_name)} if metadata_name else set()
    if table is None:
        return _empty_summary(sorted(f for f in files - ignored if not _is_junk(f)))
    table = table.copy()
    columns = list(table.columns)
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    for column in missing:  # so every aggregate below can be computed; the gap is reported above
        table[column] = ""
    problems = _row_problems(table, missing)

    completeness = {c: _share((table[c] != "").sum(), len(table)) for c in columns}
    demographic = list(demographic_columns) if demographic_columns is not None else _demographic_columns(table)
    by_contributor = table[table["contributor"] != ""]

    locales = _distribution(table, "locale")
    demographics = {attr: _distribution(table, attr) for attr in demographic if attr in table.columns}
    largest = None
    if len(by_contributor):
        counts = by_contributor["contributor"].value_counts()
        largest = {
            "contributor": str(counts.index[0]),
            "items": int(counts.iloc[0]),
            "share": _share(int(counts.iloc[0]), len(table)),
        }
    contributors_by_locale = {
        str(loc): sorted(set(group["contributor"])) for loc, group in by_contributor.groupby("locale") if loc
    }
    without_consent = [str(i) for i in table.loc[table["consent_version"] == "", "item_id"]]
    listed = {_norm_path(f) for f in table["file"] if f}
    return MetadataSummary(
        rows=len(table),
        columns=columns,
        missing_columns=missing,
        problems=problems,
        completeness=completeness,
        locales=locales,
        demographics=demographics,
        contributors=int(by_contributor["contributor"].nunique()),
        largest_contributor=largest,
        items_without_consent=without_consent,
        missing_files=sorted(listed - files),
        unlisted_files=sorted(f for f in files - listed - ignored if not _is_junk(f)),
        contributors_by_locale=contributors_by_locale,
    )


def _row_problems(table: pd.DataFrame, missing: list[str]) -> list[str]:
    """Sentences for the vendor: missing columns, rows without id or file, duplicated ids or files."""
    problems = []
    if missing:
        problems.append("The metadata lacks the column(s) " + ", ".join(missing) + ".")
    if table.empty:
        problems.append("The metadata has a header but no rows.")
        return problems
    line = table.index.to_series() + 2  # CSV line numbers as a spreadsheet shows them (header is line 1)
    for column in ("item_id", "file"):
        if column in missing:
            continue
        empty = line[table[column] == ""].tolist()
        if empty:
            problems.append(f"{len(empty)} row(s) have no {column} (CSV line(s) {_listing(empty)}).")
        values = table.loc[table[column] != "", column]
        dupes = sorted(set(values[values.duplicated()]))
        if dupes:
            problems.append(f"{len(dupes)} {column} value(s) appear more than once: {_listing(dupes)}.")
    return problems


def _distribution(table: pd.DataFrame, column: str) -> dict[str, dict[str, float]]:
    """Items and distinct contributors per non-empty value of ``column``, with shares of the totals."""
    filled = table[table[column] != ""]
    with_contributor = filled[filled["contributor"] != ""]
    contributors_total = with_contributor[["contributor"]].drop_duplicates().shape[0]
    pairs = with_contributor[[column, "contributor"]].drop_duplicates()
    # Shares of contributors are over all contributors with a value, so a person recorded under two
    # categories makes the shares add up to slightly more than 1, which is what a reader expects.
    result = {}
    for value, count in filled[column].value_counts().sort_index().items():
        people = int((pairs[column] == value).sum())
        result[str(value)] = {
            "items": int(count),
            "item_share": _share(int(count), len(filled)),
            "contributors": people,
            "contributor_share": _share(people, contributors_total),
        }
    return result


def _demographic_columns(table: pd.DataFrame) -> list[str]:
    extra = [
        c
        for c in table.columns
        if c not in REQUIRED_COLUMNS and 0 < table.loc[table[c] != "", c].nunique() <= MAX_CATEGORIES
    ]
    return list(DEMOGRAPHIC_COLUMNS) + extra


def _empty_summary(unlisted: list[str]) -> MetadataSummary:
    return MetadataSummary(
        rows=0,
        columns=[],
        missing_columns=list(REQUIRED_COLUMNS),
        problems=["No usable metadata table."],
        completeness={},
        locales={},
        demographics={},
        contributors=0,
        largest_contributor=None,
        items_without_consent=[],
        missing_files=[],
        unlisted_files=unlisted,
    )


def _norm_path(path: str) -> str:
    parts = [p for p in PurePosixPath(path.strip().replace("\\", "/")).parts if p not in ("", ".")]
    return "/".join(parts)


def _is_junk(path: str) -> bool:
    return path.startswith(_JUNK_PREFIXES) or PurePosixPath(path).name in _JUNK_NAMES


def _share(part: int, whole: int) -> float:
    return float(part) / whole if whole else 0.0


def _listing(values: list, limit: int = 10) -> str:
    shown = ", ".join(str(v) for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")
