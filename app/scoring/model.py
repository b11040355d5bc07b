"""Plain data shared by the scoring modules: the buyer's requirements and a scorer's result.

Everything here is a frozen dataclass so a value handed to a scorer cannot be changed behind the
caller's back; mappings are wrapped read-only for the same reason.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

SHARE_SUM_TOLERANCE = 1e-3

_REQUIREMENT_KEYS = frozenset(
    {
        "locales",
        "demographics",
        "devices",
        "environments",
        "modalities",
        "award_date",
        "budget_per_unit",
        "unit",
        "currency",
        "must_have_share",
    }
)

DEFAULT_MUST_HAVE_SHARE = 0.5


def _check_non_negative(name: str, value: float | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if math.isnan(value) or value < 0:
        raise ValueError(f"{name} must be zero or more, got {value!r}")


@dataclass(frozen=True)
class LocaleTarget:
    """One locale the buyer needs, with the volume wanted there (0 / None means no volume target)."""

    locale: str
    min_contributors: int = 0
    min_hours: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.locale, str) or not self.locale.strip():
            raise ValueError(f"locale must be a non-empty string, got {self.locale!r}")
        _check_non_negative(f"min_contributors for {self.locale}", self.min_contributors)
        _check_non_negative(f"min_hours for {self.locale}", self.min_hours)


@dataclass(frozen=True)
class Requirements:
    """What the buyer asked for in an evaluation; the yardstick every auto-scorer compares against.

    ``demographics`` maps an attribute (e.g. ``"gender"``) to target shares per category that sum to 1.
    ``must_have_share`` is the share of a mandatory locale's required volume a vendor must reach to pass
    the coverage must-have (0.5: half the required contributors or hours).
    """

    locales: tuple[LocaleTarget, ...] = ()
    demographics: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    devices: tuple[str, ...] = ()
    environments: tuple[str, ...] = ()
    modalities: tuple[str, ...] = ()
    award_date: datetime.date | None = None
    budget_per_unit: float | None = None
    unit: str = "hour"
    currency: str = "EUR"
    must_have_share: float = DEFAULT_MUST_HAVE_SHARE

    def __post_init__(self) -> None:
        # Coerce lists (as they come from JSON) to tuples and freeze mappings, so equal requirements
        # compare equal whatever container the caller used.
        object.__setattr__(self, "locales", tuple(self.locales))
        for target in self.locales:
            if not isinstance(target, LocaleTarget):
                raise ValueError(f"locales must hold LocaleTarget values, got {target!r}")
        for name in ("devices", "environments", "modalities"):
            items = tuple(getattr(self, name))
            if not all(isinstance(item, str) for item in items):
                raise ValueError(f"{name} must be a list of strings, got {items!r}")
            object.__setattr__(self, name, items)
        frozen: dict[str, Mapping[str, float]] = {}
        for attribute, shares in self.demographics.items():
            for category, share in shares.items():
                _check_non_negative(f"share of {attribute}/{category}", share)
            total = math.fsum(shares.values())
            if shares and abs(total - 1.0) > SHARE_SUM_TOLERANCE:
                raise ValueError(f"target shares for {attribute!r} must sum to 1, they sum to {total:.4g}")
            frozen[attribute] = MappingProxyType(dict(shares))
        object.__setattr__(self, "demographics", MappingProxyType(frozen))
        if self.award_date is not None and not isinstance(self.award_date, datetime.date):
            raise ValueError(f"award_date must be a date, got {self.award_date!r}")
        _check_non_negative("budget_per_unit", self.budget_per_unit)
        share = self.must_have_share
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1:
            raise ValueError(f"must_have_share must be a share above 0 and at most 1, got {share!r}")
        object.__setattr__(self, "must_have_share", float(share))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Requirements:
        """Build requirements from their JSON form (as produced by :meth:`to_dict`).

        Locales may be given as plain strings (no volume target) or as objects with ``locale``,
        ``min_contributors`` and ``min_hours``. Unknown keys raise ``ValueError`` so a typo in stored
        JSON is noticed instead of silently ignored.
        """
        unknown = set(data) - _REQUIREMENT_KEYS
        if unknown:
            raise ValueError(f"unknown requirement keys: {', '.join(sorted(unknown))}")
        locales = []
        for entry in data.get("locales") or ():
            if isinstance(entry, str):
                locales.append(LocaleTarget(entry))
            elif isinstance(entry, Mapping):
                extra = set(entry) - {"locale", "min_contributors", "min_hours"}
                if extra or "locale" not in entry:
                    raise ValueError(f"invalid locale target {dict(entry)!r}")
                locales.append(
                    LocaleTarget(
                        entry["locale"],
                        entry.get("min_contributors") or 0,
                        entry.get("min_hours"),
                    )
                )
            else:
                raise ValueError(f"invalid locale target {entry!r}")
        award = data.get("award_date")
        if isinstance(award, str):
            try:
                award = datetime.date.fromisoformat(award)
            except ValueError as exc:
                raise ValueError(f"award_date must be YYYY-MM-DD, got {award!r}") from exc
        return cls(
            locales=tuple(locales),
            demographics={k: dict(v) for k, v in (data.get("demographics") or {}).items()},
            devices=tuple(data.get("devices") or ()),
            environments=tuple(data.get("environments") or ()),
            modalities=tuple(data.get("modalities") or ()),
            award_date=award,
            budget_per_unit=data.get("budget_per_unit"),
            unit=data.get("unit") or "hour",
            currency=data.get("currency") or "EUR",
            must_have_share=(
                DEFAULT_MUST_HAVE_SHARE if data.get("must_have_share") is None else data["must_have_share"]
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict (lists, plain dicts, ISO dates) that :meth:`from_dict` reads back."""
        return {
            "locales": [
                {
                    "locale": t.locale,
                    "min_contributors": t.min_contributors,
                    "min_hours": t.min_hours,
                }
                for t in self.locales
            ],
            "demographics": {k: dict(v) for k, v in self.demographics.items()},
            "devices": list(self.devices),
            "environments": list(self.environments),
            "modalities": list(self.modalities),
            "award_date": self.award_date.isoformat() if self.award_date else None,
            "budget_per_unit": self.budget_per_unit,
            "unit": self.unit,
            "currency": self.currency,
            "must_have_share": self.must_have_share,
        }


NOT_SCORED = "Not scored"


@dataclass(frozen=True)
class ScoreResult:
    """An auto-scorer's verdict: a 0..4 score, a sentence an evaluator can check, and the numbers behind it.

    ``score`` is None when the question is *not scored*: the scorer needs a buyer target that was not
    set. Such a question is left out of its section's average (never a free 4 nor a free 0), and the
    explanation says why; build one with :meth:`not_scored`.
    """

    score: float | None
    explanation: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.score is None:
            if not self.explanation.startswith(NOT_SCORED):
                raise ValueError("a result without a score must explain why it is not scored")
        elif not (0.0 <= self.score <= 4.0):
            raise ValueError(f"score must be within 0..4, got {self.score!r}")
        # A plain dict copy (not a read-only proxy) so the app can store details with json.dumps.
        object.__setattr__(self, "details", dict(self.details))

    @classmethod
    def not_scored(cls, reason: str, details: Mapping[str, Any] | None = None) -> ScoreResult:
        """A result for a question the buyer's requirements do not allow to score, with the reason."""
        return cls(None, f"{NOT_SCORED}: {reason}", {**(details or {}), "not_scored": reason})

    @property
    def scored(self) -> bool:
        """False when the question is left out for want of a buyer target."""
        return self.score is not None
