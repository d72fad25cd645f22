"""The webhook plugin's own alembic lineage: its own version table, RLS on its table, and
a downgrade that removes only what it owns."""

from __future__ import annotations

from sqlalchemy import inspect, text

from zerenzhi import migrate
from zerenzhi.db.session import make_engine


def _schema(url: str) -> tuple[set[str], list]:
    engine = make_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            heads = connection.execute(
                text("SELECT version_num FROM alembic_version_webhook")).all() \
                if "alembic_version_webhook" in tables else []
        return tables, heads
    finally:
        engine.dispose()


def test_lineage_upgrades_downgrades_and_matches_the_model(app, empty_database):
    owner_url, _app_url, role = empty_database
    plugins = app.extensions["zerenzhi"].plugins
    migrate.upgrade(owner_url, plugins, role)
    tables, heads = _schema(owner_url)
    assert "webhook_delivery" in tables and heads == [("webhook_0001",)]
    assert migrate.drift(owner_url, plugins)["webhook"] == []

    migrate.downgrade(owner_url, plugins, "webhook", "base")
    tables, heads = _schema(owner_url)
    assert "webhook_delivery" not in tables and heads == []
    assert {"tenant", "obligation", "reminder_sent"} <= tables  # core is untouched

    migrate.upgrade(owner_url, plugins, role)
    assert not any(migrate.drift(owner_url, plugins).values())


def test_its_table_is_under_forced_row_level_security(app):
    engine = make_engine(app.config["MIGRATION_DATABASE_URL"])
    try:
        if engine.dialect.name != "postgresql":
            return  # SQLite has no RLS; the ORM scoping is the guard there
        with engine.connect() as connection:
            row = connection.execute(text(
                "SELECT relrowsecurity, relforcerowsecurity FROM pg_class "
                "WHERE relname = 'webhook_delivery'")).one()
        assert tuple(row) == (True, True)
    finally:
        engine.dispose()
