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


def test_a_policy_that_queries_is_named(empty_database):
    """The county policy once read ``tenant`` in a subquery; Citus refuses that on a
    distributed table, and a SQL function in its place cannot run on a shard. Both are named;
    comparing with a setting, as core's policies do, is not."""
    owner_url, _app_url, _role = empty_database
    if not owner_url.startswith("postgresql"):
        return  # no policies on SQLite
    engine = make_engine(owner_url)
    setting = "NULLIF(current_setting('app.county_townships', true), '')::uuid[]"
    try:
        with engine.begin() as connection:
            for name in ("kit_sub", "kit_func", "kit_list"):
                connection.exec_driver_sql(
                    f"CREATE TABLE {name} (tenant_id uuid, id uuid, PRIMARY KEY (tenant_id, id))")
                connection.exec_driver_sql(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY")
                connection.exec_driver_sql(f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY")
            connection.exec_driver_sql(
                "CREATE FUNCTION kit_townships() RETURNS uuid[] LANGUAGE sql STABLE "
                "AS $$ SELECT array_agg(id) FROM kit_list $$")
            connection.exec_driver_sql(
                "CREATE POLICY p ON kit_sub USING (tenant_id IN (SELECT id FROM kit_list))")
            connection.exec_driver_sql(
                "CREATE POLICY p ON kit_func USING (tenant_id = ANY (kit_townships()))")
            connection.exec_driver_sql(f"CREATE POLICY p ON kit_list USING (tenant_id = ANY "
                                       f"({setting}))")
        found = database_problems(engine, ["kit_sub", "kit_func", "kit_list"], frozenset())
    finally:
        engine.dispose()
    assert found == [
        "kit_func: policy p calls kit_townships(), a function that may query (a shard cannot "
        "run it)",
        "kit_sub: policy p has a subquery (reads kit_list; Citus refuses it)",
    ]


def test_county_readable_tables_are_named_without_their_column_or_policy(empty_database):
    """A model mixing in ``CountyReadable`` needs ``county_id`` and (PostgreSQL) the county
    read policy; the policy on any other table opens its rows to county reads unseen by the
    ORM. Each breach is named; a table made as ``enable_county_read`` makes it is not."""
    from zerenzhi.db.rls import COUNTY_USING
    from zerenzhi.testing.schema import county_read_problems

    owner_url, _app_url, _role = empty_database
    postgresql = owner_url.startswith("postgresql")
    engine = make_engine(owner_url)
    try:
        with engine.begin() as connection:
            for name, column in (("kit_read", True), ("kit_nocolumn", False),
                                 ("kit_nopolicy", True), ("kit_open", True)):
                county = ", county_id uuid" if column else ""
                connection.exec_driver_sql(f"CREATE TABLE {name} (tenant_id uuid, id uuid"
                                           f"{county}, PRIMARY KEY (tenant_id, id))")
                if postgresql and name in ("kit_read", "kit_open"):
                    connection.exec_driver_sql(f"CREATE POLICY county_rollup_read ON {name} "
                                               f"FOR SELECT USING ({COUNTY_USING})")
        found = county_read_problems(
            engine, {"kit_read", "kit_nocolumn", "kit_nopolicy"},
            ["kit_read", "kit_nocolumn", "kit_nopolicy", "kit_open"])
    finally:
        engine.dispose()
    expected = ["kit_nocolumn: county-readable without a county_id column"]
    if postgresql:
        expected += [
            "kit_nocolumn: county-readable without the county_rollup_read policy "
            "(enable_county_read in its migration)",
            "kit_nopolicy: county-readable without the county_rollup_read policy "
            "(enable_county_read in its migration)",
            "kit_open: county_rollup_read policy on a table whose model is not CountyReadable"]
    assert found == expected


def test_each_built_in_metric_reads_county_readable_tables_only(app):
    """What the set-based metrics read in a county's scope must be county-readable, or the
    ORM's criterion leaves it the county's own (empty) rows: every table of a built-in module
    its metrics module names is CountyReadable (and so audited above)."""
    import importlib

    from zerenzhi.db.base import CountyReadable, TenantScoped

    modules = {"accountability": "metrics", "analysis": "metrics", "approvals": "metrics",
               "assessment": "metrics", "inspection": "scores", "platforms": "metrics",
               "reporting": "metrics", "study": "metrics"}
    read = set()
    for plugin, name in modules.items():
        module = importlib.import_module(f"zerenzhi.plugins.{plugin}.{name}")
        read |= {value for value in vars(module).values() if isinstance(value, type)
                 and issubclass(value, TenantScoped) and value.__module__.startswith(
                     f"zerenzhi.plugins.{plugin}.")}
    assert len(read) >= 15
    assert [cls.__name__ for cls in read if not issubclass(cls, CountyReadable)] == []
