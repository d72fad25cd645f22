"""``zerenzhi db downgrade [--plugin NAME] TARGET`` and ``zerenzhi db revision --plugin NAME
-m MESSAGE [--autogenerate]``, on a throwaway plugin written to a temporary folder the way an
author's checkout holds one: its revisions land in its own migrations folder, on its own
lineage, and autogenerate sees only its own tables."""

from __future__ import annotations

import ast
import shutil
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from zerenzhi import migrate
from zerenzhi.app import create_app
from zerenzhi.db.session import make_engine

PACKAGE = '''
    """A plugin with one model and, at first, no revision at all."""

    import datetime as dt
    import uuid

    from sqlalchemy import String
    from sqlalchemy.orm import Mapped, mapped_column

    from zerenzhi import Base, Label, Manifest, TenantScoped, tenant_fk


    class Note(TenantScoped, Base):
        __tablename__ = "kitrev_note"

        unit_id: Mapped[uuid.UUID]
        written_at: Mapped[dt.datetime]
        text: Mapped[str] = mapped_column(String(100))

        __table_args__ = (tenant_fk("unit_id", "org_unit"),)


    class KitRevPlugin:
        manifest = Manifest(name="kitrev", version="0.1", title=Label("修訂", "Revisions"),
                            migrations="kitrev:migrations")


    plugin = KitRevPlugin()
'''
FACE_IMPORTS = {"collections.abc", "sqlalchemy", "alembic", "zerenzhi"}


@pytest.fixture(scope="module")
def kitrev_package(tmp_path_factory):
    root = tmp_path_factory.mktemp("checkout")
    (root / "kitrev" / "migrations").mkdir(parents=True)
    (root / "kitrev" / "__init__.py").write_text(textwrap.dedent(PACKAGE), encoding="utf-8")
    (root / "kitrev" / "migrations" / "__init__.py").write_text("", encoding="utf-8")
    sys.path.insert(0, str(root))
    try:
        import kitrev

        yield kitrev
    finally:
        sys.path.remove(str(root))


@pytest.fixture
def kitrev_app(kitrev_package, empty_database):
    """An app with only the throwaway plugin, on an empty database at every head; the
    plugin's migrations folder emptied again (the module stays imported between backends)."""
    folder = Path(kitrev_package.__file__).parent / "migrations"
    for path in folder.iterdir():
        if path.name != "__init__.py":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    owner_url, app_url, role = empty_database
    app = create_app({"DATABASE_URL": app_url, "MIGRATION_DATABASE_URL": owner_url,
                      "DB_APP_ROLE": role, "TESTING": True},
                     plugins=[kitrev_package.plugin], load_entrypoints=False)
    migrate.upgrade(owner_url, app.extensions["zerenzhi"].plugins, role)
    yield app
    app.extensions["zerenzhi"].db.dispose()


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def _query(app, sql: str) -> list:
    engine = make_engine(app.config["MIGRATION_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(sql)).scalars())
    finally:
        engine.dispose()


def _tables(app) -> set[str]:
    engine = make_engine(app.config["MIGRATION_DATABASE_URL"])
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_revision_autogenerates_the_plugins_own_tables_into_its_folder(kitrev_app):
    result = run(kitrev_app, "db", "revision", "--plugin", "kitrev", "-m", "notes table",
                 "--autogenerate")
    assert result.exit_code == 0, result.output
    path = Path(result.output.split("wrote ", 1)[1].strip())
    assert path.parent.name == "migrations" and path.parent.parent.name == "kitrev"
    assert path.name == "kitrev_0001_notes_table.py"
    source = path.read_text(encoding="utf-8")
    assert "op.create_table('kitrev_note'" in source
    assert "enable_tenant_rls(op, 'kitrev_note')" in source
    assert "disable_tenant_rls(op, 'kitrev_note')" in source
    assert "sa.DateTime(timezone=True)" in source  # core's UTCDateTime, as what it stores
    # only its own tables: the shared metadata holds other plugins' models, absent here
    assert source.count("op.create_table(") == 1
    imported = {node.module if isinstance(node, ast.ImportFrom) else alias.name
                for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.Import | ast.ImportFrom)
                for alias in node.names}
    assert imported <= FACE_IMPORTS, imported

    assert run(kitrev_app, "db", "upgrade", "--plugin", "kitrev").exit_code == 0
    assert "kitrev_note" in _tables(kitrev_app)
    assert _query(kitrev_app, "SELECT version_num FROM alembic_version_kitrev") == [
        "kitrev_0001"]
    plugins = kitrev_app.extensions["zerenzhi"].plugins
    owner_url = kitrev_app.config["MIGRATION_DATABASE_URL"]
    assert migrate.drift(owner_url, plugins, only="kitrev") == {"kitrev": []}
    if owner_url.startswith("postgresql"):
        assert _query(kitrev_app, "SELECT relrowsecurity AND relforcerowsecurity FROM pg_class "
                                  "WHERE relname = 'kitrev_note'") == [True]


def test_revisions_follow_the_head_and_downgrade_takes_them_back(kitrev_app):
    assert run(kitrev_app, "db", "revision", "--plugin", "kitrev", "-m", "notes",
               "--autogenerate").exit_code == 0
    second = run(kitrev_app, "db", "revision", "--plugin", "kitrev", "-m", "second step")
    assert second.exit_code == 0, second.output
    path = Path(second.output.split("wrote ", 1)[1].strip())
    assert path.name == "kitrev_0002_second_step.py"
    assert "down_revision: str | None = 'kitrev_0001'" in path.read_text(encoding="utf-8")
    refused = run(kitrev_app, "db", "revision", "--plugin", "kitrev", "-m", "x",
                  "--autogenerate")
    assert refused.exit_code == 2 and "not up to date" in refused.output

    assert run(kitrev_app, "db", "upgrade", "--plugin", "kitrev").exit_code == 0
    version = "SELECT version_num FROM alembic_version_kitrev"
    assert _query(kitrev_app, version) == ["kitrev_0002"]
    one_step = run(kitrev_app, "db", "downgrade", "--plugin", "kitrev", "-1")
    assert one_step.exit_code == 0 and "kitrev: at -1" in one_step.output
    assert _query(kitrev_app, version) == ["kitrev_0001"]
    assert run(kitrev_app, "db", "downgrade", "--plugin", "kitrev", "base").exit_code == 0
    assert _query(kitrev_app, version) == []
    assert "kitrev_note" not in _tables(kitrev_app)


def test_downgrade_defaults_to_core(kitrev_app):
    head = _query(kitrev_app, "SELECT version_num FROM alembic_version")
    result = run(kitrev_app, "db", "downgrade", "-1")
    assert result.exit_code == 0 and "core: at -1" in result.output
    assert _query(kitrev_app, "SELECT version_num FROM alembic_version") != head
    assert run(kitrev_app, "db", "upgrade", "--plugin", "core").exit_code == 0
    assert _query(kitrev_app, "SELECT version_num FROM alembic_version") == head


@pytest.mark.parametrize("args", [
    ("db", "downgrade", "--plugin", "nope", "base"),
    ("db", "revision", "--plugin", "nope", "-m", "x"),
    ("db", "downgrade", "--plugin", "kitrev", "no-such-revision"),
])
def test_unknown_lineage_or_revision_exits_2(kitrev_app, args):
    result = run(kitrev_app, *args)
    assert result.exit_code == 2, result.output
    assert "nope" in result.output or "no-such-revision" in result.output


def test_revision_needs_a_lineage_and_a_message(kitrev_app):
    assert run(kitrev_app, "db", "revision", "-m", "x").exit_code == 2
    assert run(kitrev_app, "db", "revision", "--plugin", "kitrev").exit_code == 2
