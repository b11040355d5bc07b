"""Every list answers one page: ``{"items": [...], "page", "per_page", "total", "pages"}``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import marshmallow as ma
import sqlalchemy as sa

from app.extensions import db

# Far beyond any real list; stops absurd offsets from reaching the database.
MAX_PAGE = 100_000
MAX_PER_PAGE = 200


class PageArgs(ma.Schema):
    """Which page of a list to return."""

    page = ma.fields.Integer(
        load_default=1,
        validate=ma.validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "Page number, from 1."},
    )
    per_page = ma.fields.Integer(
        load_default=100,
        validate=ma.validate.Range(min=1, max=MAX_PER_PAGE),
        metadata={"description": f"Items per page (1 to {MAX_PER_PAGE})."},
    )


_cache: dict[str, type[ma.Schema]] = {}


def page_of(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The page schema for a list of ``item_schema`` (named ``name`` in the OpenAPI document)."""
    if name not in _cache:
        _cache[name] = type(
            name,
            (ma.Schema,),
            {
                "__doc__": f"One page of {item_schema.__name__.removesuffix('Schema')} items.",
                "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
                "page": ma.fields.Integer(required=True, metadata={"description": "This page's number, from 1."}),
                "per_page": ma.fields.Integer(required=True, metadata={"description": "Items per page asked for."}),
                "total": ma.fields.Integer(required=True, metadata={"description": "Items in the whole list."}),
                "pages": ma.fields.Integer(required=True, metadata={"description": "Number of pages."}),
            },
        )
    return _cache[name]


def _envelope(items: Sequence[Any], page: int, per_page: int, total: int) -> dict[str, Any]:
    return {
        "items": list(items),
        "page": page,
        "per_page": per_page,
        "total": total,
        "pages": (total + per_page - 1) // per_page,
    }


def paginate_query(query: sa.Select, args: dict[str, int]) -> dict[str, Any]:
    """One page of a SELECT (two queries: the count and the page)."""
    result = db.paginate(query, page=args["page"], per_page=args["per_page"], error_out=False)
    return _envelope(result.items, args["page"], args["per_page"], result.total or 0)


def paginate_list(items: Sequence[Any], args: dict[str, int]) -> dict[str, Any]:
    """One page of a list already in memory (short lists built by the services)."""
    start = (args["page"] - 1) * args["per_page"]
    return _envelope(items[start : start + args["per_page"]], args["page"], args["per_page"], len(items))
