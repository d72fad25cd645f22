"""The invariants Citus needs, read back from the migrated database (docs/scaling.md):
distributing every tenant table by ``tenant_id`` and keeping catalogues as reference
tables works only if nothing below is ever broken, by core or by a plugin's lineage."""

from __future__ import annotations

from sqlalchemy import inspect

from zerenzhi.db.session import make_engine

REFERENCE_TABLES = {"tenant", "user_account", "auth_token", "login_attempt"}


def _tables(inspector) -> set[str]:
    return {n for n in inspector.get_table_names() if not n.startswith("alembic_version")}


def test_distributed_tables_keep_tenant_id_in_every_key(app):
    engine = make_engine(app.config["MIGRATION_DATABASE_URL"])
    try:
        inspector = inspect(engine)
        problems = []
        for name in sorted(_tables(inspector) - REFERENCE_TABLES):
            pk = inspector.get_pk_constraint(name)["constrained_columns"]
            if pk[:1] != ["tenant_id"] or len(pk) < 2:
                problems.append(f"{name}: primary key {pk}")
            for unique in inspector.get_unique_constraints(name):
                if "tenant_id" not in unique["column_names"]:
                    problems.append(f"{name}: unique {unique['name']}")
            for index in inspector.get_indexes(name):
                if index["unique"] and "tenant_id" not in index["column_names"]:
                    problems.append(f"{name}: unique index {index['name']}")
            for fk in inspector.get_foreign_keys(name):
                if fk["referred_table"] in REFERENCE_TABLES:
                    continue  # distributed → reference: allowed
                pairs = list(zip(fk["constrained_columns"], fk["referred_columns"], strict=True))
                if pairs[:1] != [("tenant_id", "tenant_id")]:
                    problems.append(f"{name}: foreign key {pairs} is not co-located")
        assert not problems, problems
    finally:
        engine.dispose()


def test_reference_tables_never_point_at_distributed_ones(app):
    """Citus refuses a foreign key from a reference table to a distributed table."""
    engine = make_engine(app.config["MIGRATION_DATABASE_URL"])
    try:
        inspector = inspect(engine)
        bad = [f"{name} → {fk['referred_table']}" for name in sorted(REFERENCE_TABLES)
               for fk in inspector.get_foreign_keys(name)
               if fk["referred_table"] not in REFERENCE_TABLES]
        assert not bad
    finally:
        engine.dispose()
