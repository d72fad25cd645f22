"""zerenzhi's pytest plugin (registered under ``pytest11``) and conformance kit.

Fixtures (no conftest needed): ``app`` — a migrated app on each backend (SQLite, and a
throw-away PostgreSQL under row-level security when its binaries are installed);
``township`` / ``other_township`` — fresh townships with one user per role;
``empty_database``; and ``zz_plugins`` / ``zz_load_entrypoints`` to override in a conftest
to choose the plugins an app is built with.

The kit — the checks that make a plugin safe, which zerenzhi runs on core and on every
built-in plugin, and a plugin's own tests call the same way (docs/plugin-testing.md)::

    def test_isolation(app): check_isolation(plugin, app)
    def test_permissions(app): check_permissions(plugin, app)
    def test_schema(app): check_schema(plugin, app)
    def test_migrations(app, empty_database): check_migrations(plugin, app, empty_database)
    def test_demo_data(app): run_demo_data(plugin, app)

``plugin`` is the plugin object, its name, or ``"core"`` (``CORE``).
"""

from zerenzhi.testing.demo import CORE_BOOKKEEPING, DemoRun, run_demo_data
from zerenzhi.testing.fixtures import (
    BACKENDS,
    app,
    empty_database,
    other_township,
    pytest_generate_tests,
    township,
    zz_databases,
    zz_load_entrypoints,
    zz_plugins,
)
from zerenzhi.testing.matrices import check_isolation, check_permissions
from zerenzhi.testing.migrations import check_migrations
from zerenzhi.testing.owners import REFERENCE_TABLES
from zerenzhi.testing.routes import CORE, RouteCase, fill, iter_routes
from zerenzhi.testing.schema import check_schema
from zerenzhi.testing.sql import statements, statements_of
from zerenzhi.testing.world import (
    PASSWORD,
    ApiClient,
    Response,
    World,
    as_json,
    build_world,
    platform_admin_token,
)

__all__ = [
    "BACKENDS",
    "CORE",
    "CORE_BOOKKEEPING",
    "PASSWORD",
    "REFERENCE_TABLES",
    "ApiClient",
    "DemoRun",
    "Response",
    "RouteCase",
    "World",
    "app",
    "as_json",
    "build_world",
    "check_isolation",
    "check_migrations",
    "check_permissions",
    "check_schema",
    "empty_database",
    "fill",
    "iter_routes",
    "other_township",
    "platform_admin_token",
    "pytest_generate_tests",
    "run_demo_data",
    "statements",
    "statements_of",
    "township",
    "zz_databases",
    "zz_load_entrypoints",
    "zz_plugins",
]
