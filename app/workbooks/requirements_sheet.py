"""Reading a requirements profile from an uploaded CSV or XLSX file (pandas).

A file holds up to three tables: ``locales`` (locale, min_contributors, min_hours), ``demographics``
(attribute, category, share) and ``settings`` (setting, value). An .xlsx names them by sheet; a .csv
holds one table, told apart by its columns. Categories, devices and environments are read by key or
by the label vendors see, and checked against the questionnaire's own lists.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import langcodes
import pandas as pd

from app.evaluations.requirements import Vocabulary, VocabularyError, comparable, demographic_targets
from app.scoring.model import CURRENCIES, LocaleTarget, Requirements

LOCALE_COLUMNS = ("locale", "min_contributors", "min_hours")
DEMOGRAPHIC_COLUMNS = ("attribute", "category", "share")
SETTING_COLUMNS = ("setting", "value")
# The columns that tell a table apart (a locales table may leave out min_hours).
TABLES = {"locales": LOCALE_COLUMNS[:2], "demographics": DEMOGRAPHIC_COLUMNS, "settings": SETTING_COLUMNS}
SETTINGS = ("currency", "must_have_share", "device", "environment")


@dataclass
class SheetImport:
    """What an upload holds; ``None`` for a table the file did not have (that requirement is kept)."""

    locales: tuple[LocaleTarget, ...] | None = None
    demographics: dict[str, dict[str, float]] | None = None
    devices: tuple[str, ...] | None = None
    environments: tuple[str, ...] | None = None
    currency: str | None = None
    must_have_share: float | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """What was imported, in words: "2 locale(s), demographic targets"."""
        parts = []
        if self.locales is not None:
            parts.append(f"{len(self.locales)} locale(s)")
        if self.demographics is not None:
            parts.append("demographic targets")
        if any(v is not None for v in (self.devices, self.environments, self.currency, self.must_have_share)):
            parts.append("settings")
        return ", ".join(parts)


def _columns(frame: pd.DataFrame) -> pd.DataFrame:
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame


def _kind(frame: pd.DataFrame) -> str | None:
    for kind, needed in TABLES.items():
        if set(needed) <= set(frame.columns):
            return kind
    return None


def _tables(filename: str, data: bytes) -> dict[str, pd.DataFrame]:
    if filename.lower().endswith(".csv"):
        frames = {"": _columns(pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False))}
    else:
        sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=str, keep_default_na=False)
        frames = {str(name).strip().lower(): _columns(frame) for name, frame in sheets.items()}
    named = {name: frame for name, frame in frames.items() if name in TABLES}
    if named:
        return named
    # A CSV, or a workbook whose sheets have other names: its first table, told apart by its columns.
    first = next(iter(frames.values()), None)
    kind = _kind(first) if first is not None else None
    return {kind: first} if kind else {}


def _number(text: str, *, whole: bool) -> float | int | None:
    text = (text or "").strip()
    if not text:
        return None
    value = float(text)
    if value < 0:
        raise ValueError("negative")
    if whole:
        if not value.is_integer():
            raise ValueError("not whole")
        return int(value)
    return value


def _share(text: str) -> float:
    """A must-have share written as 0.5 or 50%."""
    text = text.strip()
    value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    if not 0 < value <= 1:
        raise ValueError("out of range")
    return value


def _missing_columns(kind: str, frame: pd.DataFrame, result: SheetImport) -> bool:
    wanted = {"locales": LOCALE_COLUMNS, "demographics": DEMOGRAPHIC_COLUMNS, "settings": SETTING_COLUMNS}[kind]
    if set(TABLES[kind]) <= set(frame.columns):
        return False
    result.errors.append(f"The {kind} table needs the columns {', '.join(wanted)}.")
    return True


def _read_locales(frame: pd.DataFrame, result: SheetImport) -> None:
    targets, seen = [], set()
    for index, row in frame.iterrows():
        where = f"locales, row {index + 2}"
        tag = str(row.get("locale", "")).strip()
        if not tag:
            continue
        if not langcodes.tag_is_valid(tag):
            result.errors.append(f"{where}: '{tag}' is not a BCP 47 locale (e.g. en-GB).")
            continue
        tag = langcodes.standardize_tag(tag)
        try:
            contributors = _number(row.get("min_contributors", ""), whole=True) or 0
            hours = _number(row.get("min_hours", ""), whole=False)
        except ValueError:
            result.errors.append(f"{where}: min_contributors must be a whole number ≥ 0 and min_hours a number ≥ 0.")
            continue
        if tag in seen:
            result.errors.append(f"{where}: {tag} is listed twice.")
            continue
        seen.add(tag)
        targets.append(LocaleTarget(tag, contributors, hours))
    result.locales = tuple(targets)


def _read_demographics(frame: pd.DataFrame, words: Vocabulary, result: SheetImport) -> None:
    shares: dict[str, dict[str, float]] = {}
    first_row: dict[str, int] = {}
    for index, row in frame.iterrows():
        where = f"demographics, row {index + 2}"
        attribute, category = str(row["attribute"]).strip(), str(row["category"]).strip()
        if not attribute and not category:
            continue
        try:
            share = _number(row["share"], whole=False)
        except ValueError:
            share = None
        if not attribute or not category or share is None:
            result.errors.append(f"{where}: give an attribute, a category and a share ≥ 0.")
            continue
        try:
            key = words.attributes.key(attribute)
            category_key = words.demographics[key].key(category)
        except VocabularyError as error:
            result.errors.append(f"{where}: {error}")
            continue
        if category_key in shares.get(key, {}):
            label = words.demographics[key].options[category_key]
            result.errors.append(f"{where}: {label} is given twice.")
            continue
        shares.setdefault(key, {})[category_key] = share
        first_row.setdefault(key, index + 2)
    targets = {}
    for key, values in shares.items():
        try:
            targets[key] = demographic_targets(key, values, words)[1]
        except VocabularyError as error:
            result.errors.append(f"demographics, row {first_row[key]}: {error}")
    # An empty demographics table keeps the stored targets, as a file without the table does.
    result.demographics = targets or None


def _read_settings(frame: pd.DataFrame, words: Vocabulary, result: SheetImport) -> None:
    devices: list[str] = []
    environments: list[str] = []
    for index, row in frame.iterrows():
        where = f"settings, row {index + 2}"
        setting, value = comparable(row["setting"]).replace(" ", "_"), str(row["value"]).strip()
        if not setting and not value:
            continue
        try:
            if setting == "currency":
                if value.upper() not in CURRENCIES:
                    raise VocabularyError(f"'{value}' is not one of the ISO 4217 codes {', '.join(CURRENCIES)}.")
                result.currency = value.upper()
            elif setting == "must_have_share":
                try:
                    result.must_have_share = _share(value)
                except ValueError:
                    message = f"must_have_share must be above 0 and at most 1 (or 50%), got '{value}'."
                    raise VocabularyError(message) from None
            elif setting in ("device", "devices"):
                devices.append(words.devices.key(value))
            elif setting in ("environment", "environments"):
                environments.append(words.environments.key(value))
            else:
                raise VocabularyError(f"'{row['setting']}' is not a setting; use one of {', '.join(SETTINGS)}.")
        except VocabularyError as error:
            result.errors.append(f"{where}: {error}")
    if devices:
        result.devices = tuple(dict.fromkeys(devices))
    if environments:
        result.environments = tuple(dict.fromkeys(environments))


def read_requirements_file(filename: str, data: bytes, words: Vocabulary) -> SheetImport:
    """The tables of an uploaded requirements file, checked against the questionnaire's vocabulary.

    Every bad row is reported by table and row; the caller imports nothing when there are errors.
    """
    result = SheetImport()
    try:
        tables = _tables(filename, data)
    except Exception:  # noqa: BLE001 - any unreadable upload gets the same clear answer
        result.errors.append("The file could not be read: upload a .csv or .xlsx file.")
        return result
    if not tables:
        result.errors.append(
            "The file holds no requirements table: give the columns "
            f"{', '.join(LOCALE_COLUMNS)}, or {', '.join(DEMOGRAPHIC_COLUMNS)}, or {', '.join(SETTING_COLUMNS)}."
        )
        return result
    for kind, frame in tables.items():
        if _missing_columns(kind, frame, result):
            continue
        if kind == "locales":
            _read_locales(frame, result)
        elif kind == "demographics":
            _read_demographics(frame, words, result)
        else:
            _read_settings(frame, words, result)
    return result


def merged(requirements: Requirements, imported: SheetImport) -> Requirements:
    """The profile with each table the file had replacing what it holds; everything else is kept."""
    data = requirements.to_dict()
    if imported.locales is not None:
        data["locales"] = [
            {"locale": t.locale, "min_contributors": t.min_contributors, "min_hours": t.min_hours}
            for t in imported.locales
        ]
    replaced = {
        "demographics": imported.demographics,
        "devices": imported.devices,
        "environments": imported.environments,
        "currency": imported.currency,
        "must_have_share": imported.must_have_share,
    }
    data |= {key: value for key, value in replaced.items() if value is not None}
    return Requirements.from_dict(data)
