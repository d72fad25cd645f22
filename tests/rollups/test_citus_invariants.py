"""The invariants Citus needs (docs/scaling.md): distributing every tenant table by
``tenant_id`` and keeping catalogues as reference tables works only if none is ever broken,
by core or by a plugin's lineage. ``zerenzhi.testing.check_schema`` checks them on core and
every plugin (tests/test_schema_audit.py); here, that it catches each breach, on the models
and on a database built with them, on both backends."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    Uuid,
)

from zerenzhi.db.session import make_engine
from zerenzhi.testing.schema import database_problems, model_problems

REFERENCE = frozenset({"kit_catalogue"})


def _broken_schema() -> MetaData:
    metadata = MetaData()
    Table("kit_catalogue", metadata, Column("id", Integer, primary_key=True),
          Column("tenant_id", Uuid), Column("parent_id", Uuid),
          ForeignKeyConstraint(["tenant_id", "parent_id"],
                               ["kit_parent.tenant_id", "kit_parent.id"]))
    Table("kit_parent", metadata, Column("tenant_id", Uuid, primary_key=True),
          Column("id", Uuid, primary_key=True), Column("code", String(20)),
          UniqueConstraint("tenant_id", "code", name="uq_kit_parent_code"))
    Table("kit_child", metadata, Column("tenant_id", Uuid, primary_key=True),
          Column("id", Uuid, primary_key=True), Column("parent_id", Uuid),
          Column("code", String(20)), Column("serial", Integer),
          ForeignKeyConstraint(["parent_id", "tenant_id"],
                               ["kit_parent.id", "kit_parent.tenant_id"]),
          UniqueConstraint("serial", name="uq_kit_child_serial"),
          Index("ix_kit_child_code", "code", unique=True))
    Table("kit_loose", metadata, Column("id", Uuid, primary_key=True),
          Column("tenant_id", Uuid))
    return metadata


EXPECTED = [
    "kit_catalogue: foreign key to kit_parent (a reference table may point only at "
    "reference tables)",
    "kit_child: foreign key [('parent_id', 'id'), ('tenant_id', 'tenant_id')] to kit_parent "
    "is not co-located (its first pair must be tenant_id → tenant_id)",
    "kit_child: unique uq_kit_child_serial ['serial'] lacks tenant_id",
    "kit_child: unique index ix_kit_child_code ['code'] lacks tenant_id",
    "kit_loose: primary key ['id'] (tenant_id first, then the row's id)",
]


def test_each_breach_is_named_in_the_models():
    assert sorted(model_problems(_broken_schema().sorted_tables, REFERENCE)) == sorted(EXPECTED)


def test_each_breach_is_named_in_the_database(empty_database):
    owner_url, _app_url, _role = empty_database
    metadata = _broken_schema()
    engine = make_engine(owner_url)
    try:
        with engine.begin() as connection:
            metadata.create_all(connection)
        found = database_problems(engine, metadata.tables, REFERENCE)
    finally:
        engine.dispose()
    rls = [f"{name}: row-level security not enabled, forced and with a policy "
           f"(enable_tenant_rls in its migration)" for name in ("kit_child", "kit_loose",
                                                                 "kit_parent")]
    assert sorted(found) == sorted(EXPECTED + (rls if owner_url.startswith("postgresql") else []))
