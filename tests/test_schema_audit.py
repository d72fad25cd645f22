"""Static schema audit: every table is a global reference table on the allow-list, or a
tenant table with tenant_id first in its primary key and in every foreign key to another
tenant table, in every unique constraint, and (on PostgreSQL) under forced RLS."""

from __future__ import annotations

from sqlalchemy import inspect, text

from zerenzhi.db.base import Base
from zerenzhi.db.session import make_engine

GLOBAL_TABLES = {"tenant", "user_account", "auth_token", "login_attempt"}


def _tenant_tables(app) -> list:
    return [t for t in Base.metadata.sorted_tables if t.name not in GLOBAL_TABLES]


def test_tenant_tables_lead_with_tenant_id(app):
    problems = []
    tenant_names = {t.name for t in _tenant_tables(app)}
    for table in _tenant_tables(app):
        pk = [c.name for c in table.primary_key.columns]
        if pk[:1] != ["tenant_id"] or len(pk) < 2:
            problems.append(f"{table.name}: primary key {pk}")
        for fk in table.foreign_key_constraints:
            if fk.referred_table.name in tenant_names:
                columns = [c.name for c in fk.columns]
                if columns[:1] != ["tenant_id"]:
                    problems.append(f"{table.name}: foreign key {columns}")
        for constraint in table.constraints:
            if constraint.__class__.__name__ == "UniqueConstraint" and \
                    "tenant_id" not in [c.name for c in constraint.columns]:
                problems.append(f"{table.name}: unique {constraint.name} lacks tenant_id")
    assert not problems, problems


def test_database_schema_matches_the_invariants(app):
    """The same invariants read back from the migrated database, not the models."""
    engine = make_engine(app.config["MIGRATION_DATABASE_URL"])
    try:
        inspector = inspect(engine)
        names = set(inspector.get_table_names()) - {n for n in inspector.get_table_names()
                                                    if n.startswith("alembic_version")}
        problems = []
        for name in sorted(names - GLOBAL_TABLES):
            pk = inspector.get_pk_constraint(name)["constrained_columns"]
            if pk[:1] != ["tenant_id"]:
                problems.append(f"{name}: primary key {pk}")
            for fk in inspector.get_foreign_keys(name):
                if fk["referred_table"] not in GLOBAL_TABLES and \
                        fk["constrained_columns"][:1] != ["tenant_id"]:
                    problems.append(f"{name}: foreign key {fk['constrained_columns']}")
        assert not problems, problems
        if engine.dialect.name == "postgresql":
            with engine.connect() as connection:
                rows = connection.execute(text(
                    "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
                    "(SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) "
                    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public' AND c.relkind = 'r'"
                )).all()
            unprotected = [r[0] for r in rows
                           if r[0] in names - GLOBAL_TABLES and not (r[1] and r[2] and r[3])]
            assert not unprotected, f"tenant tables without forced RLS: {unprotected}"
    finally:
        engine.dispose()
