"""Stored results of a closed evaluation: written as JSON, read back as the same dataclasses.

:func:`app.reports.ranking.compute_results` returns what this module reads for an evaluation whose
scoring is closed, so every page, PDF, export and the API show the stored numbers, never a fresh
computation. The codec is generic over frozen dataclasses (it follows their type hints), so the
result types stay defined in one place, :mod:`app.reports.ranking`, and a field added there is
stored without a change here.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import FrozenResult

T = typing.TypeVar("T")


def to_json(results: object) -> dict[str, Any]:
    """The results as JSON-ready data (lists for tuples); ``ValueError`` for a NaN or infinite number,
    which PostgreSQL's JSON would refuse and no page could show."""
    return json.loads(json.dumps(dataclasses.asdict(results), allow_nan=False))  # type: ignore[call-overload]


def fingerprint(data: dict[str, Any]) -> str:
    """A digest of stored results: two results with the same fingerprint show the same everywhere."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def from_json(kind: type[T], data: Any) -> T:
    """Rebuild ``kind`` (a dataclass) from what :func:`to_json` wrote."""
    return _decode(kind, data)


def _decode(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [option for option in typing.get_args(kind) if option is not type(None)]
        return _decode(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], item) for item in value)
        return tuple(_decode(arg, item) for arg, item in zip(args, value, strict=True))
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(  # type: ignore[operator]
            **{field.name: _decode(hints[field.name], value[field.name]) for field in dataclasses.fields(kind)}
        )
    if kind is float and isinstance(value, int):
        return float(value)
    return value


def newest(evaluation_id: int) -> FrozenResult | None:
    """The stored results an evaluation shows now (the latest closing or re-score), or None."""
    return db.session.scalar(
        sa.select(FrozenResult)
        .where(FrozenResult.evaluation_id == evaluation_id)
        .order_by(FrozenResult.id.desc())
        .limit(1)
    )
