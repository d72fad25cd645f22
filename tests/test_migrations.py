"""Migrations (``zerenzhi.testing.check_migrations``, for core and every installed plugin):
each lineage upgrades from empty, downgrades to base and upgrades again with data present,
and its models match the migrated schema, types strictly; on both backends."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest
from sqlalchemy import inspect, text

from zerenzhi import migrate
from zerenzhi.db.session import make_engine
from zerenzhi.testing import CORE, check_migrations

OWNERS = [CORE, *sorted(ep.name for ep in entry_points(group="zerenzhi.plugins"))]


@pytest.mark.parametrize("owner", OWNERS)
def test_lineage_round_trip_without_drift(app, empty_database, owner):
    check_migrations(owner, app, empty_database)


def test_all_lineages_together_keep_their_own_version_tables(app, empty_database):
    owner_url, _app_url, role = empty_database
    plugins = app.extensions["zerenzhi"].plugins
    migrate.upgrade(owner_url, plugins, role)
    assert not any(migrate.drift(owner_url, plugins).values())
    engine = make_engine(owner_url)
    try:
        with engine.connect() as connection:
            core_head = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        assert len(core_head) == 1
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"tenant", "org_unit", "audit_entry", "alembic_version"} <= tables
    for lineage in migrate.lineages(plugins)[1:]:
        assert lineage.version_table in tables
