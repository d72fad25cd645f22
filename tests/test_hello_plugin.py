"""Issue 3, "Done means": a hello-world plugin outside the repository's core and plugins
folders (``examples/hello-plugin``, the distribution ``zerenzhi-hello`` that
scripts/_venv.sh pip-installs next to zerenzhi) is installed, migrated in its own lineage,
enabled for one township only, routed and counted in that township's obligations — with
nothing changed in core. The isolation and permission matrices and the schemathesis
contract test cover its routes because they walk every installed plugin.
"""

from __future__ import annotations

import ast
import datetime as dt
from importlib.metadata import version
from pathlib import Path

from sqlalchemy import inspect, text
from zerenzhi_hello.models import Greeting  # installed by scripts/_venv.sh

from zerenzhi import migrate
from zerenzhi.app import create_app
from zerenzhi.db.session import make_engine
from zerenzhi.plugin_host.manager import build_plugins
from zerenzhi.testing import build_world

REPO = Path(__file__).resolve().parents[1]
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # 2026Q4
RULE = "hello.quarterly_greetings"


def _installed(app):
    return app.extensions["zerenzhi"].plugins.installed


def _without_hello(app):
    """The app's plugins as if zerenzhi-hello had never been (or is no longer) installed."""
    return build_plugins([p.plugin for name, p in _installed(app).items() if name != "hello"],
                         load_entrypoints=False)


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _scalar(url: str, sql: str):
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def test_installed_as_a_distribution_not_built_in(app):
    hello = _installed(app)["hello"]
    assert hello.source == f"zerenzhi-hello=={version('zerenzhi-hello')}"
    assert hello.manifest.version == version("zerenzhi-hello")
    location = Path(__import__("zerenzhi_hello").__file__).resolve().parent
    assert type(hello.plugin).__module__.startswith("zerenzhi_hello.")
    assert not location.is_relative_to(REPO / "core")
    assert not location.is_relative_to(REPO / "plugins")


def test_plugin_code_imports_only_the_face():
    """Third-party plugins reach the kernel through the face ``zerenzhi`` alone."""
    location = Path(__import__("zerenzhi_hello").__file__).resolve().parent
    deep = []
    for path in sorted(location.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [
                node.module or ""] if isinstance(node, ast.ImportFrom) else []
            deep += [f"{path.name}: {n}" for n in names
                     if n.startswith(("zerenzhi.", "core", "plugins"))]
    assert not deep, deep


def test_its_lineage_adds_only_its_table_with_its_own_version_table(app, empty_database):
    owner_url, _app_url, role = empty_database
    migrate.upgrade(owner_url, _without_hello(app), role)
    before = _tables(owner_url)
    migrate.upgrade(owner_url, app.extensions["zerenzhi"].plugins, role)
    assert _tables(owner_url) - before == {"hello_greeting", "alembic_version_hello"}
    assert _scalar(owner_url, "SELECT version_num FROM alembic_version_hello") == "0001"
    assert not any(migrate.drift(owner_url, app.extensions["zerenzhi"].plugins).values())
    if owner_url.startswith("postgresql"):
        forced = _scalar(owner_url, "SELECT relrowsecurity AND relforcerowsecurity "
                                    "FROM pg_class WHERE relname = 'hello_greeting'")
        assert forced is True


def test_enabled_for_one_township_routed_and_counted(township, other_township, time_machine):
    time_machine.move_to(NOW)
    township.client("tenant_admin").put(f"{township.base}/plugins/hello",
                                        json={"settings": {}}).assert_status(200)
    office = township.client("office")
    branch = township.units["branch-1"]
    office.post(f"{township.base}/hello/greetings",
                json={"unit_id": str(branch), "message": "早上好"}).assert_status(201)
    listed = office.get(f"{township.base}/hello/greetings").assert_status(200).json
    assert [(g["unit_id"], g["message"]) for g in listed] == [(str(branch), "早上好")]

    summary = office.get(f"{township.base}/obligations/summary?period=2026Q4")
    item = next(i for i in summary.assert_status(200).json["items"]
                if i["rule"] == RULE and i["unit_id"] == str(branch))
    assert (item["done"], item["required"], item["source"]) == (1, 3, "M5")

    elsewhere = other_township.client("office").get(f"{other_township.base}/hello/greetings")
    assert elsewhere.status_code == 404 and "hello" in elsewhere.json["message"]
    rules = other_township.client("office").get(
        f"{other_township.base}/obligations/summary?period=2026Q4").assert_status(200).json
    assert RULE not in {i["rule"] for i in rules["items"]}


def test_downgrade_to_base_with_data_then_upgrade_again(app, empty_database):
    owner_url, app_url, role = empty_database
    plugins = app.extensions["zerenzhi"].plugins
    migrate.upgrade(owner_url, plugins, role)
    scratch = create_app({"DATABASE_URL": app_url, "MIGRATION_DATABASE_URL": owner_url,
                          "DB_APP_ROLE": role}, load_entrypoints=False)
    try:
        world = build_world(scratch, "hello")
        with world.scope() as sess:
            sess.add(Greeting(unit_id=world.units["branch-1"], message="你好",
                              greeted_at=dt.datetime.now(dt.UTC)))
            sess.commit()
        migrate.downgrade(owner_url, plugins, "hello", "base")
        assert "hello_greeting" not in _tables(owner_url)
        assert _scalar(owner_url, "SELECT count(*) FROM alembic_version_hello") == 0
        migrate.upgrade(owner_url, plugins, role)
        assert "hello_greeting" in _tables(owner_url)
        assert not any(migrate.drift(owner_url, plugins).values())
        with world.scope() as sess:  # the rebuilt table is usable by the app role
            sess.add(Greeting(unit_id=world.units["branch-2"], message="再會",
                              greeted_at=dt.datetime.now(dt.UTC)))
            sess.commit()
        assert world.client("secretary").get("/api/v1/me").status_code == 200
    finally:
        scratch.extensions["zerenzhi"].db.dispose()


def test_uninstalling_never_blocks_core_upgrades(app, empty_database):
    owner_url, _app_url, role = empty_database
    migrate.upgrade(owner_url, app.extensions["zerenzhi"].plugins, role)
    uninstalled = _without_hello(app)
    assert "hello" not in {lineage.name for lineage in migrate.lineages(uninstalled)}
    migrate.downgrade(owner_url, uninstalled, "core", "-1")  # so core has a step to take
    migrate.upgrade(owner_url, uninstalled, role)
    assert not any(migrate.drift(owner_url, uninstalled).values())
    left = _tables(owner_url)
    assert {"hello_greeting", "alembic_version_hello"} <= left  # left alone, not in the way
