"""``zerenzhi db distribute`` and migrations on a distributed database (issue 18, items 2–4),
on the ``citus`` backend (a coordinator and two workers): every global table becomes a
reference table and every tenant table is distributed by ``tenant_id`` beside ``org_unit``;
run again it changes nothing; a plugin installed afterwards migrates its new table onto the
cluster by itself (no Citus step of its own) and the app serves it; the owner's ``SET LOCAL``
reaches the workers as the app role's does. On one server it explains itself and changes
nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from zerenzhi_hello.models import Greeting  # installed by scripts/_venv.sh

from zerenzhi import migrate
from zerenzhi.app import create_app
from zerenzhi.cli import main
from zerenzhi.db import citus
from zerenzhi.db.session import make_engine
from zerenzhi.plugin_host.manager import build_plugins
from zerenzhi.testing import build_world
from zerenzhi.testing.fixtures import distribute


def _distribute(owner_url: str, app_url: str, role: str | None):
    env = {"ZERENZHI_DATABASE_URL": app_url, "ZERENZHI_MIGRATION_DATABASE_URL": owner_url,
           "ZERENZHI_DB_APP_ROLE": role or ""}
    return CliRunner(env=env).invoke(main, ["db", "distribute"], catch_exceptions=False)


def _rows(url: str, sql: str, **params) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql), params).all()
    finally:
        engine.dispose()


def _without_hello(app):
    return build_plugins([p.plugin for name, p in app.extensions["zerenzhi"].plugins
                          .installed.items() if name != "hello"], load_entrypoints=False)


@pytest.fixture
def cluster(empty_database, zz_backend):
    if zz_backend != "citus":
        pytest.skip("a Citus cluster: the citus backend")
    return empty_database


def test_on_one_server_it_explains_and_changes_nothing(app, empty_database, zz_backend):
    if zz_backend == "citus":
        pytest.skip("one server: SQLite and PostgreSQL")
    owner_url, app_url, role = empty_database
    migrate.upgrade(owner_url, app.extensions["zerenzhi"].plugins, role)
    result = _distribute(owner_url, app_url, role)
    assert result.exit_code == 2, result.output
    assert "nothing to distribute" in result.output
    assert "docs/scaling.md" in result.output


def _served(owner_url: str, app_url: str, role: str | None):
    return create_app({"DATABASE_URL": app_url, "MIGRATION_DATABASE_URL": owner_url,
                       "DB_APP_ROLE": role})


def test_every_table_distributed_once(app, cluster, zz_databases, zz_backend):
    owner_url, app_url, role = cluster
    migrate.upgrade(owner_url, app.extensions["zerenzhi"].plugins, role)
    served = _served(owner_url, app_url, role)
    try:
        world = build_world(served, "before")  # rows there before: they reach the shards
    finally:
        served.extensions["zerenzhi"].db.dispose()
    superuser = zz_databases.server(zz_backend).url("postgres", owner_url.split("@/")[1]
                                                    .split("?")[0])
    count = "SELECT count(*) FROM org_unit WHERE tenant_id = :t"
    before = _rows(superuser, count, t=world.tenant_id)
    first = _distribute(owner_url, app_url, role)
    assert first.exit_code == 0, first.output
    assert "every shard: row-level security forced" in first.output
    assert _rows(superuser, count, t=world.tenant_id) == before != [(0,)]
    tables = dict(_rows(owner_url, "SELECT c.relname, EXISTS (SELECT FROM pg_attribute a "
                        "WHERE a.attrelid = c.oid AND a.attname = 'tenant_id') FROM pg_class c "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname = 'public' AND c.relkind = 'r'"))
    managed = {name.strip('"'): (method, group) for name, method, group in _rows(
        owner_url, "SELECT logicalrelid::regclass::text, partmethod, colocationid "
                   "FROM pg_dist_partition")}
    assert set(managed) == set(tables)  # nothing left on the coordinator alone
    anchor = managed["org_unit"][1]
    for name, tenant in tables.items():
        assert managed[name] == (("h", anchor) if tenant else ("n", managed[name][1])), name
    assert {"tenant", "user_account", "auth_token", "login_attempt"} <= {
        name for name, tenant in tables.items() if not tenant}
    settings = _rows(owner_url, "SELECT setconfig FROM pg_db_role_setting s "
                                "JOIN pg_database d ON d.oid = s.setdatabase "
                                "WHERE d.datname = current_database() AND s.setrole = 0")
    assert ["citus.propagate_set_commands=local"] in [row[0] for row in settings]

    again = _distribute(owner_url, app_url, role)
    assert again.exit_code == 0, again.output
    assert f"0 reference and 0 distributed table(s) made, {len(tables)} already" \
        in again.output


def test_a_plugin_installed_later_migrates_onto_the_cluster_and_serves(app, cluster):
    owner_url, app_url, role = cluster
    migrate.upgrade(owner_url, _without_hello(app), role)
    distribute(owner_url, role)  # the command's code (its app has hello: not migrated yet)
    migrate.upgrade(owner_url, app.extensions["zerenzhi"].plugins, role)  # hello's lineage

    placed = _rows(owner_url, "SELECT p.partmethod, p.colocationid = (SELECT colocationid "
                              "FROM pg_dist_partition WHERE logicalrelid = 'org_unit'::regclass) "
                              "FROM pg_dist_partition p "
                              "WHERE p.logicalrelid = 'hello_greeting'::regclass")
    assert placed == [("h", True)]
    keys = _rows(owner_url, "SELECT confrelid::regclass::text FROM pg_constraint "
                            "WHERE conrelid = 'hello_greeting'::regclass AND contype = 'f'")
    assert ("org_unit",) in keys  # its foreign keys were added after distributing it
    engine = make_engine(owner_url)
    try:
        with engine.connect() as connection:
            assert citus.shard_problems(connection, role) == []
    finally:
        engine.dispose()

    served = create_app({"DATABASE_URL": app_url, "MIGRATION_DATABASE_URL": owner_url,
                         "DB_APP_ROLE": role})
    try:
        world = build_world(served, "citus")
        with world.scope() as sess:
            sess.add(Greeting(unit_id=world.units["branch-1"], message="你好",
                              greeted_at=dt.datetime.now(dt.UTC)))
            sess.commit()
        world.client("tenant_admin").put(f"{world.base}/plugins/hello",
                                         json={"settings": {}}).assert_status(200)
        listed = world.client("office").get(f"{world.base}/hello/greetings")
        assert [g["message"] for g in listed.assert_status(200).json] == ["你好"]
    finally:
        served.extensions["zerenzhi"].db.dispose()


def test_the_owners_set_local_reaches_the_workers(app, cluster):
    """The owner's audited repairs run under a tenant: without the database's setting the
    workers' shards see no ``app.tenant_id`` and the UPDATE finds nothing."""
    owner_url, app_url, role = cluster
    migrate.upgrade(owner_url, app.extensions["zerenzhi"].plugins, role)
    assert _distribute(owner_url, app_url, role).exit_code == 0
    served = create_app({"DATABASE_URL": app_url, "MIGRATION_DATABASE_URL": owner_url,
                         "DB_APP_ROLE": role})
    try:
        world = build_world(served, "owner")
    finally:
        served.extensions["zerenzhi"].db.dispose()
    engine = make_engine(owner_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"SET LOCAL app.tenant_id = '{world.tenant_id}'")
            changed = connection.execute(text(
                "UPDATE org_unit SET name = name WHERE tenant_id = :t"), {"t": world.tenant_id})
            assert changed.rowcount == len(world.units)
    finally:
        engine.dispose()


def test_a_core_migration_after_distribution_fills_its_new_table_on_the_shards(app, cluster,
                                                                                zz_databases,
                                                                                zz_backend):
    """Migration 0017 run on a database distributed with obligations in it: its table is
    created, distributed beside ``org_unit`` and filled from the shards' obligations, one
    group per township's rule, period, due moment and outcome (decision 0033)."""
    owner_url, app_url, role = cluster
    plugins = app.extensions["zerenzhi"].plugins
    migrate.upgrade(owner_url, plugins, role)
    served = _served(owner_url, app_url, role)
    try:
        world = build_world(served, "later")
        world.enable("study")  # its calendar: obligations on the township's shard
    finally:
        served.extensions["zerenzhi"].db.dispose()
    assert _distribute(owner_url, app_url, role).exit_code == 0
    migrate.downgrade(owner_url, plugins, "core", "0016")
    assert _rows(owner_url, "SELECT to_regclass('obligation_count')") == [(None,)]
    migrate.upgrade(owner_url, plugins, role)

    superuser = zz_databases.server(zz_backend).url("postgres", owner_url.split("@/")[1]
                                                    .split("?")[0])
    placed = _rows(owner_url, "SELECT p.partmethod, p.colocationid = (SELECT colocationid "
                              "FROM pg_dist_partition WHERE logicalrelid = 'org_unit'::regclass) "
                              "FROM pg_dist_partition p "
                              "WHERE p.logicalrelid = 'obligation_count'::regclass")
    assert placed == [("h", True)]
    live = "FROM obligation WHERE tenant_id = :t AND archived_at IS NULL"
    [(obligations,)] = _rows(superuser, f"SELECT count(*) {live}", t=world.tenant_id)
    [(groups,)] = _rows(superuser, "SELECT count(DISTINCT (rule_key, period_start, period_end, "
                                   f"due_at)) {live}", t=world.tenant_id)
    counted = _rows(superuser, "SELECT count(*), sum(n), count(DISTINCT county_id) "
                               "FROM obligation_count WHERE tenant_id = :t", t=world.tenant_id)
    assert obligations > 0 and counted[0][1] == obligations
    assert counted[0][0] >= groups and counted[0][2] == 1  # each group and its county
    engine = make_engine(owner_url)
    try:
        with engine.connect() as connection:
            assert citus.shard_problems(connection, role) == []
    finally:
        engine.dispose()
