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
        return session().scalar(select(func.count()).select_from(collection.order_by(None).subquery()))


class InputSchema(ma.Schema):
    """Request bodies reject unknown fields (DESIGN.md, API conventions)."""

    class Meta:
        unknown = ma.RAISE


class QuerySchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE


class ListQuery(QuerySchema):
    include_archived = ma.fields.Boolean(load_default=False)
