"""``zerenzhi db downgrade`` prints its plan and refuses to drop tables or columns that hold
rows unless ``--destroy-data`` (issue 17, defect 9); ``zerenzhi obligations recount --check``
names ledger entries a forced downgrade left pointing nowhere.

A throwaway plugin ``guard`` (its revisions written to a temporary folder) owns ``guard_note``
(0001) and later its column ``extra`` (0002)."""

from __future__ import annotations

import datetime as dt
import sys
import textwrap
import uuid

import pytest
from sqlalchemy import inspect, text

from zerenzhi import migrate
from zerenzhi.app import create_app
from zerenzhi.db.base import Base
from zerenzhi.db.session import make_engine

PACKAGE = '''
    from zerenzhi import Label, Manifest


    class GuardPlugin:
        manifest = Manifest(name="guard", version="0.1", title=Label("守", "Guard"),
                            migrations="guardpkg:migrations")


    plugin = GuardPlugin()
'''
FIRST = '''
    import sqlalchemy as sa
    from alembic import op

    revision = "guard_0001"
    down_revision = None
    branch_labels = None
    depends_on = None


    def upgrade():
        op.create_table("guard_note", sa.Column("id", sa.Integer(), primary_key=True),
                        sa.Column("text", sa.String(100), nullable=False))


    def downgrade():
        op.drop_table("guard_note")
'''
SECOND = '''
    import sqlalchemy as sa
    from alembic import op

    revision = "guard_0002"
    down_revision = "guard_0001"
    branch_labels = None
    depends_on = None


    def upgrade():
        with op.batch_alter_table("guard_note") as batch_op:
            batch_op.add_column(sa.Column("extra", sa.String(100), nullable=True))


    def downgrade():
        with op.batch_alter_table("guard_note") as batch_op:
            batch_op.drop_column("extra")
'''
VERSION = "SELECT version_num FROM alembic_version_guard"


@pytest.fixture(scope="module")
def guard_package(tmp_path_factory):
    root = tmp_path_factory.mktemp("checkout")
    folder = root / "guardpkg" / "migrations"
    folder.mkdir(parents=True)
    (root / "guardpkg" / "__init__.py").write_text(textwrap.dedent(PACKAGE), encoding="utf-8")
    (folder / "__init__.py").write_text("", encoding="utf-8")
    (folder / "guard_0001_notes.py").write_text(textwrap.dedent(FIRST), encoding="utf-8")
    (folder / "guard_0002_extra.py").write_text(textwrap.dedent(SECOND), encoding="utf-8")
    sys.path.insert(0, str(root))
    try:
        import guardpkg

        yield guardpkg
    finally:
        sys.path.remove(str(root))


@pytest.fixture
def guard_app(guard_package, empty_database):
    """Core and the guard plugin, each at its head, on an empty database."""
    owner_url, app_url, role = empty_database
    app = create_app({"DATABASE_URL": app_url, "MIGRATION_DATABASE_URL": owner_url,
                      "DB_APP_ROLE": role, "TESTING": True},
                     plugins=[guard_package.plugin], load_entrypoints=False)
    migrate.upgrade(owner_url, app.extensions["zerenzhi"].plugins, role)
    yield app
    app.extensions["zerenzhi"].db.dispose()


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def _execute(app, sql: str, scope: uuid.UUID | None = None, **params) -> list:
    """Run ``sql`` as the owner (inside the township ``scope`` for RLS on PostgreSQL)."""
    engine = make_engine(app.config["MIGRATION_DATABASE_URL"])
    try:
        with engine.begin() as connection:
            if scope and connection.dialect.name == "postgresql":
                connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"),
                                   {"t": str(scope)})
            result = connection.execute(text(sql), params)
            return list(result.scalars()) if result.returns_rows else []
    finally:
        engine.dispose()


def _insert(app, table: str, scope: uuid.UUID | None = None, **values) -> None:
    """A row through the model's table, so that ids and dates bind on either backend."""
    engine = make_engine(app.config["MIGRATION_DATABASE_URL"])
    try:
        with engine.begin() as connection:
            if scope and connection.dialect.name == "postgresql":
                connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"),
                                   {"t": str(scope)})
            connection.execute(Base.metadata.tables[table].insert().values(**values))
    finally:
        engine.dispose()


def _tables(app) -> set[str]:
    engine = make_engine(app.config["MIGRATION_DATABASE_URL"])
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _township(app) -> tuple[uuid.UUID, uuid.UUID]:
    county_id, tenant_id, unit_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    _insert(app, "tenant", id=county_id, kind="county", slug="county", name="縣")
    _insert(app, "tenant", id=tenant_id, kind="township", slug="guarded", name="守鎮",
            county_id=county_id)
    _insert(app, "org_unit", tenant_id, tenant_id=tenant_id, id=unit_id, code="u1",
            name="支部", kind="branch")
    return tenant_id, unit_id


def test_a_downgrade_that_would_drop_rows_prints_its_plan_and_refuses(guard_app):
    _execute(guard_app, "INSERT INTO guard_note (id, text, extra) VALUES (1, 'a', 'x')")
    _execute(guard_app, "INSERT INTO guard_note (id, text) VALUES (2, 'b')")

    refused = run(guard_app, "db", "downgrade", "--plugin", "guard", "base")
    assert refused.exit_code == 2, refused.output
    assert "guard: guard_0002 -> base" in refused.output
    assert "drops table guard_note: 2 row(s)" in refused.output
    assert "--destroy-data" in refused.output
    assert _execute(guard_app, VERSION) == ["guard_0002"]
    assert _execute(guard_app, "SELECT count(*) FROM guard_note") == [2]

    one_step = run(guard_app, "db", "downgrade", "--plugin", "guard", "-1")
    assert one_step.exit_code == 2, one_step.output
    assert "guard: guard_0002 -> guard_0001" in one_step.output
    assert "drops column guard_note.extra: 1 row(s) with a value" in one_step.output
    assert _execute(guard_app, "SELECT extra FROM guard_note WHERE id = 1") == ["x"]
    assert _execute(guard_app, VERSION) == ["guard_0002"]


def test_destroy_data_goes_ahead(guard_app):
    _execute(guard_app, "INSERT INTO guard_note (id, text, extra) VALUES (1, 'a', 'x')")
    result = run(guard_app, "db", "downgrade", "--plugin", "guard", "base", "--destroy-data")
    assert result.exit_code == 0, result.output
    assert "drops table guard_note: 1 row(s)" in result.output
    assert "guard: at base" in result.output
    assert _execute(guard_app, VERSION) == []
    assert "guard_note" not in _tables(guard_app)


def test_a_downgrade_that_drops_only_empty_tables_needs_no_flag(guard_app):
    result = run(guard_app, "db", "downgrade", "--plugin", "guard", "base")
    assert result.exit_code == 0, result.output
    assert "drops table guard_note: 0 row(s)" in result.output
    assert "guard_note" not in _tables(guard_app)


def test_cores_lineage_is_guarded_too(guard_app):
    assert run(guard_app, "db", "downgrade", "--plugin", "guard", "base").exit_code == 0
    _township(guard_app)
    head = _execute(guard_app, "SELECT version_num FROM alembic_version")
    refused = run(guard_app, "db", "downgrade", "base")
    assert refused.exit_code == 2, refused.output
    assert f"core: {head[0]} -> base" in refused.output
    assert "drops table tenant: 2 row(s)" in refused.output
    assert "drops table org_unit: 1 row(s)" in refused.output
    assert _execute(guard_app, "SELECT version_num FROM alembic_version") == head
    assert _execute(guard_app, "SELECT slug FROM tenant ORDER BY slug") == ["county", "guarded"]


def test_recount_check_names_ledger_entries_whose_source_tables_are_gone(guard_app):
    tenant_id, unit_id = _township(guard_app)
    _execute(guard_app, "INSERT INTO guard_note (id, text) VALUES (1, 'a')")
    now = dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC)
    _insert(guard_app, "fulfilment", tenant_id, tenant_id=tenant_id, id=uuid.uuid4(),
            rule_key="guard.notes", unit_id=unit_id, occurred_at=now,
            occurred_on=now.date(), source_type="guard.note", source_id="1")
    clean = run(guard_app, "obligations", "recount", "--check")
    assert clean.exit_code == 0, clean.output

    forced = run(guard_app, "db", "downgrade", "--plugin", "guard", "base", "--destroy-data")
    assert forced.exit_code == 0, forced.output
    check = run(guard_app, "obligations", "recount", "--check")
    assert check.exit_code == 1, check.output
    assert "guarded: orphaned: 1 ledger entry(ies) of guard.note" in check.output
    assert "orphaned ledger entries" in check.output


def test_recount_check_names_ledger_entries_whose_obligation_is_gone(guard_app):
    tenant_id, unit_id = _township(guard_app)
    now = dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC)
    engine = make_engine(guard_app.config["MIGRATION_DATABASE_URL"])
    try:  # the row a downgrade leaves behind: its obligation deleted under it
        with engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            else:
                connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"),
                                   {"t": str(tenant_id)})
                connection.exec_driver_sql(
                    "ALTER TABLE fulfilment DROP CONSTRAINT "
                    "fk_fulfilment_tenant_id_obligation_id_obligation")
            connection.execute(Base.metadata.tables["fulfilment"].insert().values(
                tenant_id=tenant_id, id=uuid.uuid4(), rule_key="guard.notes",
                unit_id=unit_id, occurred_at=now, occurred_on=now.date(),
                source_type="directive_target", source_id="1", obligation_id=uuid.uuid4()))
    finally:
        engine.dispose()
    check = run(guard_app, "obligations", "recount", "--check")
    assert check.exit_code == 1, check.output
    assert "guarded: orphaned: 1 ledger entry(ies) linked to an obligation that is gone" \
        in check.output
