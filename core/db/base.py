"""Declarative base, id generation and the tenant-scoped mixin every tenant table uses.

Tenant tables put ``tenant_id`` first in the primary key and in every foreign key to
another tenant table, so a row can never point into another tenant and the schema
distributes by ``tenant_id`` unchanged (docs/architecture.md, Tenancy).
"""

from __future__ import annotations

import datetime as dt
import uuid

import uuid6
from sqlalchemy import JSON, DateTime, ForeignKey, ForeignKeyConstraint, MetaData, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> uuid.UUID:
    """Time-ordered UUID (v7): index-friendly like a sequence, safe to make anywhere."""
    return uuid.UUID(str(uuid6.uuid7()))


def utcnow() -> dt.datetime:
    """Now, as an aware UTC datetime: the only kind of timestamp the models store."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on both backends (SQLite stores no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use an aware UTC value (zerenzhi.utcnow())")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value


class Base(DeclarativeBase):
    """Core and plugin models share this metadata so migrations see one schema."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        uuid.UUID: Uuid(),
        dt.datetime: UTCDateTime(),
        dict: JSON(),
        list: JSON(),
    }


class TenantScoped:
    """Mixin for tenant-owned tables: ``(tenant_id, id)`` primary key, scoped centrally."""

    @declared_attr
    def tenant_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(ForeignKey("tenant.id"), primary_key=True, sort_order=-10)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id, sort_order=-9)


class CountyReadable:
    """Mixin for the tenant tables a county's roll-ups read (obligations, the ledger, units,
    enabled modules, directive copies, the inbox; a plugin's tables its set-based roll-up
    metrics read): ``county_id`` is the township's county, stamped on insert by the central
    scoping, and the county read policy compares it with the county in context — one
    comparison a row, where a list of the county's townships parsed per row cost 20 µs a row
    (decision 0029). Only a county read scope (the roll-ups) sees other townships' rows:
    township routes never do. Its migration calls ``add_county_read`` (an existing table)
    or creates the table with ``county_id`` and calls ``enable_county_read`` (decision
    0034)."""

    __county_readable__ = True
    county_id: Mapped[uuid.UUID | None] = mapped_column(default=None, sort_order=50)


class Archivable:
    """Records are archived, never hard-deleted (docs/architecture.md, API conventions)."""

    archived_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class Timestamped:
    """Mixin adding ``created_at`` and ``updated_at`` (aware UTC, set by the ORM)."""

    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def tenant_fk(column: str, table: str, *, ondelete: str | None = None) -> ForeignKeyConstraint:
    """Composite foreign key ``(tenant_id, column) -> table(tenant_id, id)``."""
    return ForeignKeyConstraint(
        ["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"], ondelete=ondelete
    )
