"""Migrations: every lineage upgrades from empty, downgrades and upgrades again with data
present, and the models match the migrated schema (no autogenerate diff), on both backends."""

from __future__ import annotations

from sqlalchemy import inspect, text

from zerenzhi.app import create_app
from zerenzhi.db import migrate
from zerenzhi.db.session import make_engine
from zerenzhi.testing import build_world


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_from_empty_and_no_drift(app, empty_database):
    owner_url, _app_url, role = empty_database
    plugins = app.extensions["zerenzhi"].plugins
    migrate.upgrade(owner_url, plugins, role)
    tables = _tables(owner_url)
    assert {"tenant", "org_unit", "audit_entry", "alembic_version"} <= tables
    drift = migrate.drift(owner_url, plugins)
    assert all(not diffs for diffs in drift.values()), drift


def test_downgrade_then_upgrade_with_data(app, empty_database):
    owner_url, app_url, role = empty_database
    plugins = app.extensions["zerenzhi"].plugins
    migrate.upgrade(owner_url, plugins, role)
    config = {"DATABASE_URL": app_url, "MIGRATION_DATABASE_URL": owner_url, "DB_APP_ROLE": role}
    scratch = create_app(config, load_entrypoints=False)
    world = build_world(scratch, "mig")
    for lineage in reversed(migrate.lineages(plugins)):
        if lineage.name != "core":
            migrate.downgrade(owner_url, plugins, lineage.name, "base")
    # core's own lineage last: everything goes, then comes back empty and in step
    migrate.downgrade(owner_url, plugins, "core", "base")
    assert _tables(owner_url) <= {n for n in _tables(owner_url) if n.startswith("alembic_")}
    migrate.upgrade(owner_url, plugins, role)
    assert not any(migrate.drift(owner_url, plugins).values())
    world = build_world(scratch, "mig")  # the app works on the rebuilt schema
    assert world.client("secretary").get("/api/v1/me").status_code == 200
    scratch.extensions["zerenzhi"].db.dispose()


def test_plugin_lineages_keep_their_own_version_tables(app, empty_database):
    owner_url, _app_url, role = empty_database
    plugins = app.extensions["zerenzhi"].plugins
    migrate.upgrade(owner_url, plugins, role)
    engine = make_engine(owner_url)
    try:
        with engine.connect() as connection:
            core_head = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        assert len(core_head) == 1
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    for lineage in migrate.lineages(plugins)[1:]:
        assert lineage.version_table in tables
