"""Reading a requirements profile from an uploaded CSV or XLSX file (pandas)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import langcodes
import pandas as pd

from app.scoring.model import LocaleTarget, Requirements

LOCALE_COLUMNS = ("locale", "min_contributors", "min_hours")
DEMOGRAPHIC_COLUMNS = ("attribute", "category", "share")


@dataclass
class SheetImport:
    locales: tuple[LocaleTarget, ...] = ()
    demographics: dict[str, dict[str, float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _frames(filename: str, data: bytes) -> dict[str, pd.DataFrame]:
    if filename.lower().endswith(".csv"):
        return {"locales": pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)}
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=str, keep_default_na=False)
    return {name.strip().lower(): frame for name, frame in sheets.items()}


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


def read_requirements_file(filename: str, data: bytes) -> SheetImport:
    """Locales (sheet or CSV with locale, min_contributors, min_hours) and optional demographics
    (sheet 'demographics' with attribute, category, share). Every bad row is reported by sheet and row."""
    result = SheetImport()
    try:
        frames = _frames(filename, data)
    except Exception:  # noqa: BLE001 - any unreadable upload gets the same clear answer
        result.errors.append("The file could not be read: upload a .csv or .xlsx file.")
        return result
    locales_frame = frames.get("locales", next(iter(frames.values()), None))
    if locales_frame is None or not set(LOCALE_COLUMNS[:2]) <= {c.strip().lower() for c in locales_frame.columns}:
        result.errors.append(f"The locales table needs the columns {', '.join(LOCALE_COLUMNS)}.")
        return result
    locales_frame.columns = [c.strip().lower() for c in locales_frame.columns]
    targets, seen = [], set()
    for index, row in locales_frame.iterrows():
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
    demographics = frames.get("demographics")
    if demographics is not None:
        demographics.columns = [c.strip().lower() for c in demographics.columns]
        if not set(DEMOGRAPHIC_COLUMNS) <= set(demographics.columns):
            result.errors.append(f"The demographics sheet needs the columns {', '.join(DEMOGRAPHIC_COLUMNS)}.")
            return result
        shares: dict[str, dict[str, float]] = {}
        for index, row in demographics.iterrows():
            attribute, category = str(row["attribute"]).strip().lower(), str(row["category"]).strip().lower()
            if not attribute and not category:
                continue
            try:
                share = _number(row["share"], whole=False)
            except ValueError:
                share = None
            if not attribute or not category or share is None:
                result.errors.append(f"demographics, row {index + 2}: give an attribute, a category and a share ≥ 0.")
                continue
            shares.setdefault(attribute, {})[category] = share
        for attribute, values in shares.items():
            total = sum(values.values())
            if total <= 0:
                result.errors.append(f"demographics: the shares of {attribute} add up to 0.")
            else:
                result.demographics[attribute] = {k: v / total for k, v in values.items()}
    return result


def merged(requirements: Requirements, imported: SheetImport) -> Requirements:
    """The profile with the uploaded locales (and demographics, when the file had them) replacing the old ones."""
    data = requirements.to_dict()
    data["locales"] = [
        {"locale": t.locale, "min_contributors": t.min_contributors, "min_hours": t.min_hours} for t in imported.locales
    ]
    if imported.demographics:
        data["demographics"] = imported.demographics
    return Requirements.from_dict(data)
