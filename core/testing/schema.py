"""The schema audit: the tenant-table invariants that make row-level security, composite
foreign keys and Citus distribution work, read from the models and from the migrated
database (docs/scaling.md)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine, Table, inspect, text

from zerenzhi.testing.owners import REFERENCE_TABLES, owner_of

RLS_STATE = text(
    "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
    "(SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = current_schema() AND c.relkind = 'r'")

# What each policy's expressions depend on besides its own table (pg_depend records the
# relations and functions a policy reads): another relation is a subquery, and a function
# written in SQL or PL/pgSQL may query. Citus refuses the first on distributed tables and
# cannot run the second from a shard; built-ins (current_setting, casts) are fine.
POLICY_READS = text(
    "SELECT c.relname, p.polname, "
    "       coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ' ' || "
    "       coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '') AS expr, "
    "       array(SELECT r.relname::text FROM pg_depend d JOIN pg_class r ON r.oid = d.refobjid "
    "             WHERE d.classid = 'pg_policy'::regclass AND d.objid = p.oid "
    "               AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> p.polrelid), "
    "       array(SELECT f.proname::text FROM pg_depend d JOIN pg_proc f ON f.oid = d.refobjid "
    "             JOIN pg_language l ON l.oid = f.prolang "
    "             WHERE d.classid = 'pg_policy'::regclass AND d.objid = p.oid "
    "               AND d.refclassid = 'pg_proc'::regclass "
    "               AND l.lanname NOT IN ('internal', 'c')) "
    "FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()")


def check_schema(plugin: Any, app) -> None:
    """Prove that the owner's tables keep the tenant invariants, in its models and in the
    database its migrations built (the app's, migrated by the ``app`` fixture).

    Every table of a plugin is named ``<plugin>_…`` (its ``table_prefix``) and is a tenant
    table; core's are tenant tables too, except its reference tables (``REFERENCE_TABLES``).
    A tenant table has ``tenant_id`` first in a primary key of at least two columns, in
    every unique constraint and unique index, and as the first pair ``tenant_id →
    tenant_id`` of every foreign key to another tenant table (co-located, so a row can
    never point at another township's row and Citus keeps the join on one shard); no
    reference table points at a tenant table. On PostgreSQL every tenant table has
    row-level security enabled and forced, with a policy.
    """
    from zerenzhi.db.session import make_engine

    owner = owner_of(plugin, app)
    tables = owner.model_tables()
    problems = [f"{table.name}: not named {owner.prefix}… (the plugin's table prefix)"
                for table in tables if not owner.is_core and not owner.owns_table(table.name)]
    problems += [f"{table.name}: a plugin owns no global table" for table in tables
                 if not owner.is_core and table.name in REFERENCE_TABLES]
    problems += model_problems(tables)
    engine = make_engine(app.config["MIGRATION_DATABASE_URL"])
    try:
        names = [name for name in inspect(engine).get_table_names()
                 if owner.owns_table(name) and not name.startswith("alembic_version")]
        missing = sorted({table.name for table in tables} - set(names))
        problems += [f"{name}: in the models, not in the migrated database" for name in missing]
        problems += database_problems(engine, names)
        problems += county_read_problems(engine, county_readable(tables), names)
    finally:
        engine.dispose()
    assert not problems, "\n".join(problems)


def county_readable(tables: Iterable[Table]) -> set[str]:
    """The names of ``tables`` whose model mixes in ``CountyReadable``."""
    from zerenzhi.db.base import Base, CountyReadable

    wanted = {table.name for table in tables}
    return {mapper.local_table.name for mapper in Base.registry.mappers
            if issubclass(mapper.class_, CountyReadable) and mapper.local_table.name in wanted}


COUNTY_POLICIES = text(
    "SELECT c.relname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = current_schema() AND p.polname = :name AND p.polcmd = 'r'")


def county_read_problems(engine: Engine, readable: Iterable[str],
                         names: Iterable[str]) -> list[str]:
    """A county-readable table (``readable``, by its model) needs ``county_id`` — what its
    policy compares and the scoping stamps — and, on PostgreSQL, the county read policy
    (``enable_county_read``); and only those may have that policy: on any other table
    (``names``) it would open a township's rows to its county's reads unseen by the ORM."""
    from zerenzhi.db.rls import COUNTY_POLICY

    readable, names = set(readable), set(names)
    inspector = inspect(engine)
    problems = [f"{name}: county-readable without a county_id column" for name in
                sorted(readable & names)
                if "county_id" not in {c["name"] for c in inspector.get_columns(name)}]
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            policed = set(connection.execute(COUNTY_POLICIES, {"name": COUNTY_POLICY})
                          .scalars())
        problems += [f"{name}: county-readable without the {COUNTY_POLICY} policy "
                     f"(enable_county_read in its migration)"
                     for name in sorted((readable & names) - policed)]
        problems += [f"{name}: {COUNTY_POLICY} policy on a table whose model is not "
                     f"CountyReadable" for name in sorted((policed & names) - readable)]
    return problems


def model_problems(tables: Iterable[Table],
                   reference: frozenset[str] = REFERENCE_TABLES) -> list[str]:
    """Invariant breaches in model ``tables`` (empty when they keep them)."""
    problems = []
    for table in tables:
        if table.name in reference:
            problems += [f"{table.name}: foreign key to {fk.referred_table.name} (a reference "
                         f"table may point only at reference tables)"
                         for fk in table.foreign_key_constraints
                         if fk.referred_table.name not in reference]
            continue
        pk = [column.name for column in table.primary_key.columns]
        uniques = [(f"unique {c.name}", [col.name for col in c.columns])
                   for c in table.constraints if c.__class__.__name__ == "UniqueConstraint"]
        uniques += [(f"unique index {i.name}", [col.name for col in i.columns])
                    for i in table.indexes if i.unique]
        fks = [(fk.referred_table.name, [(e.parent.name, e.column.name) for e in fk.elements])
               for fk in table.foreign_key_constraints]
        problems += _tenant_problems(table.name, pk, uniques, fks, reference)
    return problems


def database_problems(engine: Engine, names: Iterable[str],
                      reference: frozenset[str] = REFERENCE_TABLES) -> list[str]:
    """Invariant breaches in the database's tables ``names``, read back by reflection
    (and, on PostgreSQL, from the catalogue's row-level security state)."""
    inspector = inspect(engine)
    names = sorted(names)
    problems = []
    for name in names:
        fks = [(fk["referred_table"],
                list(zip(fk["constrained_columns"], fk["referred_columns"], strict=True)))
               for fk in inspector.get_foreign_keys(name)]
        if name in reference:
            problems += [f"{name}: foreign key to {referred} (a reference table may point "
                         f"only at reference tables)" for referred, _ in fks
                         if referred not in reference]
            continue
        pk = inspector.get_pk_constraint(name)["constrained_columns"]
        uniques = [(f"unique {u['name']}", u["column_names"])
                   for u in inspector.get_unique_constraints(name)]
        uniques += [(f"unique index {i['name']}", i["column_names"])
                    for i in inspector.get_indexes(name)
                    if i["unique"] and not i.get("duplicates_constraint")]
        problems += _tenant_problems(name, pk, uniques, fks, reference)
    tenant_tables = set(names) - reference
    if engine.dialect.name == "postgresql" and tenant_tables:
        with engine.connect() as connection:
            rows = connection.execute(RLS_STATE).all()
        protected = {row[0] for row in rows if row[1] and row[2] and row[3]}
        problems += [f"{name}: row-level security not enabled, forced and with a policy "
                     f"(enable_tenant_rls in its migration)"
                     for name in sorted(tenant_tables - protected)]
        problems += policy_problems(engine, names)
    return problems


def policy_problems(engine: Engine, names: Iterable[str]) -> list[str]:
    """Policies of ``names`` that read another relation (a subquery) or call a function that
    may query: both break on Citus (decision 0029); compare with settings instead."""
    names = set(names)
    with engine.connect() as connection:
        rows = connection.execute(POLICY_READS).all()
    problems = []
    for table, policy, expr, relations, functions in sorted(rows):
        if table not in names:
            continue
        if relations or "SELECT" in expr.upper():
            problems.append(f"{table}: policy {policy} has a subquery (reads "
                            f"{', '.join(relations) or 'a query'}; Citus refuses it)")
        problems += [f"{table}: policy {policy} calls {function}(), a function that may query "
                     f"(a shard cannot run it)" for function in functions]
    return problems


def _tenant_problems(name: str, pk: list[str], uniques: list[tuple[str, list]],
                     fks: list[tuple[str, list[tuple[str, str]]]],
                     reference: frozenset[str]) -> list[str]:
    problems = []
    if pk[:1] != ["tenant_id"] or len(pk) < 2:
        problems.append(f"{name}: primary key {pk} (tenant_id first, then the row's id)")
    problems += [f"{name}: {what} {columns} lacks tenant_id" for what, columns in uniques
                 if "tenant_id" not in columns]
    problems += [f"{name}: foreign key {pairs} to {referred} is not co-located (its first "
                 f"pair must be tenant_id → tenant_id)" for referred, pairs in fks
                 if referred not in reference and pairs[:1] != [("tenant_id", "tenant_id")]]
    return problems
