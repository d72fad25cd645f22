"""Shared pieces of core and plugin routes: pagination over a select, base schemas."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Page
from sqlalchemy import Select, func, select

from core.db.session import session


class SelectPage(Page):
    """Paginate a SQLAlchemy ``select`` in the database, not in Python."""

    @property
    def items(self):
        params = self.page_params
        statement = self.collection.limit(params.page_size).offset(params.first_item)
        return session().scalars(statement).all()

    @property
    def item_count(self) -> int:
        collection: Select = self.collection
        counted = collection.order_by(None).subquery()
        return session().scalar(select(func.count()).select_from(counted))


def _nul_fields(data, path: str = "") -> list[str]:
    if isinstance(data, str):
        return [path or "_schema"] if "\x00" in data else []
    if isinstance(data, dict):
        return [f for k, v in data.items() for f in _nul_fields(v, f"{path}.{k}".strip("."))]
    if isinstance(data, list):
        return [f for i, v in enumerate(data) for f in _nul_fields(v, f"{path}.{i}".strip("."))]
    return []


class InputSchema(ma.Schema):
    """Request bodies reject unknown fields (DESIGN.md, API conventions) and NUL characters,
    which PostgreSQL cannot store, so both backends refuse the same input the same way."""

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def _refuse_nul(self, data, **_kwargs):
        bad = _nul_fields(data)
        if bad:
            raise ma.ValidationError({field: ["NUL characters are not allowed"] for field in bad})
        return data


class QuerySchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE


class ListQuery(QuerySchema):
    include_archived = ma.fields.Boolean(load_default=False)
