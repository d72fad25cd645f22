"""The conformance kit (``zerenzhi.testing``): every installed plugin's demo data passes
``run_demo_data``, and the kit fails where it must, on throwaway plugins that each break a
rule, on both backends. That core and the installed plugins pass the other checks is
test_isolation, test_permissions, test_schema_audit and test_migrations."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tests.plugin_system.kit_plugins.floaty import FloatyPlugin
from tests.plugin_system.kit_plugins.sloppy import SloppyPlugin
from zerenzhi import migrate
from zerenzhi.db.session import make_engine
from zerenzhi.testing import (
    check_isolation,
    check_migrations,
    check_permissions,
    check_schema,
    run_demo_data,
)

PLUGINS = sorted(ep.name for ep in entry_points(group="zerenzhi.plugins"))
FLOATY, SLOPPY = FloatyPlugin(), SloppyPlugin()
SLOPPY_ROUTE = "GET /api/v1/townships/<township>/sloppy"


@pytest.mark.parametrize("plugin", PLUGINS)
def test_demo_data_fills_a_township_safely(app, plugin):
    run_demo_data(plugin, app)


class TestTheKitRefuses:
    """Throwaway plugins that each break a rule, in an app built with them alone."""

    @pytest.fixture
    def zz_plugins(self):
        return [FLOATY, SLOPPY]

    @pytest.fixture
    def zz_load_entrypoints(self):
        return False

    def test_a_float_model_against_a_double_migration(self, app, empty_database):
        """Drift although PostgreSQL stores both as float8: declared types compare strictly."""
        check_schema(FLOATY, app)  # a sound plugin otherwise
        with pytest.raises(AssertionError) as failed:
            check_migrations(FLOATY, app, empty_database)
        assert "'modify_type', None, 'floaty_reading', 'value'" in str(failed.value)
        assert "DOUBLE" in str(failed.value) and "Float()" in str(failed.value)

    def test_which_alembic_alone_sees_only_where_the_declared_type_is_kept(
            self, app, empty_database):
        """Why the kit compares strictly: alembic's ``compare_type=True`` on the same schema."""
        owner_url, _app_url, role = empty_database
        plugins = app.extensions["zerenzhi"].plugins
        migrate.upgrade(owner_url, plugins, role)
        lineage = migrate.find_lineage(plugins, "floaty")
        engine = make_engine(owner_url)
        try:
            with engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={
                    "include_name": lineage.include_name,
                    "include_object": lineage.include_object, "compare_type": True})
                lenient = compare_metadata(context, lineage.metadata)
        finally:
            engine.dispose()
        if owner_url.startswith("postgresql"):
            assert lenient == []  # FLOAT and DOUBLE PRECISION are synonyms to alembic there
        else:
            assert [diff[0][0] for diff in lenient] == ["modify_type"]

    def test_permission_breaches(self, app):
        with pytest.raises(AssertionError) as failed:
            check_permissions(SLOPPY, app)
        problems = str(failed.value).splitlines()
        assert f"{SLOPPY_ROUTE}/open: no permission declared (guard it with @requires)" \
            in problems
        assert f"{SLOPPY_ROUTE}/units: uses another module's permission 'units.read'" in problems
        assert any("granted to ['county_viewer']" in p for p in problems)
        assert not any("read-only" in p for p in problems)  # it granted a .read only

    def test_an_unguarded_route(self, app):
        with pytest.raises(AssertionError) as failed:
            check_isolation(SLOPPY, app)
        assert f"{SLOPPY_ROUTE}/open as " in str(failed.value)
        assert "with foreign ids" not in str(failed.value)  # its own kinds: none given

    def test_a_route_answering_for_a_foreign_record_given_the_plugins_own_ids(self, app):
        """``objects`` names the plugin's records (here: stand-ins) by URL argument."""
        with pytest.raises(AssertionError) as failed:
            check_isolation(SLOPPY, app,
                            objects=lambda world: {"thing_id": str(world.units["branch-1"])})
        assert f"{SLOPPY_ROUTE}/things/<uuid:thing_id> as secretary with foreign ids " \
               "['thing_id']" in str(failed.value)

    def test_a_demo_that_writes_core_records_and_none_of_its_own(self, app):
        with pytest.raises(AssertionError) as failed:
            run_demo_data(SLOPPY, app)
        assert "sloppy's demo wrote no row into its own tables" in str(failed.value)
        assert "sloppy's demo wrote tables it does not own: ['org_unit']" in str(failed.value)

    def test_a_plugin_without_a_demo_is_skipped(self, app):
        with pytest.raises(pytest.skip.Exception, match="floaty has no demo_data hook"):
            run_demo_data(FLOATY, app)

    def test_a_plugin_not_in_the_app_is_an_error_not_a_pass(self, app):
        with pytest.raises(AssertionError, match="plugin 'hello' is not installed"):
            check_schema("hello", app)
