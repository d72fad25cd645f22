"""The kit's pytest fixtures: a migrated ``app`` per backend, fresh townships, empty databases.

Every test that takes ``app`` runs on SQLite and, when PostgreSQL's server binaries are
installed, again on a throw-away PostgreSQL cluster where the app connects as a role
that owns nothing and cannot bypass row-level security. When Citus is installed too, a
third backend, ``citus``: a coordinator and two workers, the schema migrated and
distributed by ``zerenzhi db distribute``'s code, for the tests whose module is in
``CITUS_SUITE`` (or every PostgreSQL test with ``ZERENZHI_TEST_CITUS=all``; none with
``ZERENZHI_TEST_CITUS=0``). Tests make their own townships (``township``), so they never
see each other's data.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from zerenzhi.testing.world import World, build_world

BACKENDS = ("sqlite", "postgresql", "citus")
POSTGRES = ("postgresql", "citus")  # backends that are PostgreSQL servers

# What runs on the cluster by default: what Citus changes — migrations and their round
# trips, tenant isolation and permissions, row-level security, the county roll-ups
# compared with one server's answers, obligations and directives written across shards.
# The rest of the PostgreSQL half runs there with ZERENZHI_TEST_CITUS=all (decision 0030
# has the times that set this list).
CITUS_SUITE = (
    "tests/rollups/", "tests/directives/", "tests/obligations/", "tests/test_isolation.py",
    "tests/test_permissions.py", "tests/test_migrations.py", "tests/test_county_scope.py",
    "tests/test_schema_audit.py", "tests/test_tenancy_fail_closed.py",
    "tests/test_concurrent_updates.py",
    "tests/test_downgrade_guard.py", "tests/test_db_commands.py", "tests/test_audit_log.py",
    "tests/test_role_grants.py", "tests/test_counties.py", "tests/test_units.py",
    "tests/test_db_distribute.py", "tests/test_hello_plugin.py",
)


def _pg_available() -> bool:
    from zerenzhi.testing_pg import find_pg_bindir

    return find_pg_bindir() is not None and os.environ.get("ZERENZHI_TEST_SKIP_PG") != "1"


def _citus_available() -> bool:
    """Citus is installed (and not switched off); with ``ZERENZHI_REQUIRE_CITUS=1`` (CI)
    its absence fails the run instead of skipping the backend."""
    from zerenzhi.testing_pg import citus_available

    if os.environ.get("ZERENZHI_TEST_CITUS") == "0" or not _pg_available():
        return False
    if citus_available():
        return True
    if os.environ.get("ZERENZHI_REQUIRE_CITUS") == "1":
        raise RuntimeError("ZERENZHI_REQUIRE_CITUS=1 but Citus is not installed for the "
                           "PostgreSQL found")
    return False


def _on_citus(path: str) -> bool:
    """Whether the test module at ``path`` runs on the Citus backend too."""
    if os.environ.get("ZERENZHI_TEST_CITUS") == "all":
        return True
    path = path.replace(os.sep, "/")
    return any(f"/{part}" in path or path.startswith(part) for part in CITUS_SUITE)


class _Databases:
    """One database per backend for the whole session, migrated once per plugin set."""

    def __init__(self) -> None:
        self.clusters: dict[str, Any] = {}
        self.tmp = Path(tempfile.mkdtemp(prefix="zz-test-"))
        self.migrated: set[tuple[str, tuple[str, ...]]] = set()
        self.apps: dict[tuple, Any] = {}

    def urls(self, backend: str) -> tuple[str, str, str | None]:
        if backend == "sqlite":
            url = f"sqlite:///{self.tmp / 'test.db'}"
            return url, url, None
        cluster = self.server(backend)
        return cluster.owner_url, cluster.app_url, "zz_app"

    def server(self, backend: str):
        """The backend's cluster, started on first use."""
        if backend not in self.clusters:
            from zerenzhi.testing_pg import CitusCluster, PgCluster

            self.clusters[backend] = (CitusCluster() if backend == "citus"
                                      else PgCluster()).start()
        return self.clusters[backend]

    @property
    def cluster(self):
        """The single PostgreSQL server's cluster."""
        return self.server("postgresql")

    def close(self) -> None:
        for app in self.apps.values():
            app.extensions["zerenzhi"].db.dispose()
        for cluster in self.clusters.values():
            cluster.stop()


@pytest.fixture(scope="session")
def zz_databases() -> Iterator[_Databases]:
    databases = _Databases()
    yield databases
    databases.close()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "zz_backend" in metafunc.fixturenames and "zz_backend" not in getattr(
        metafunc, "_zz_done", ()
    ):
        on_citus = _on_citus(str(metafunc.definition.path))
        params = [
            pytest.param(name, marks=pytest.mark.skipif(
                name == "postgresql" and not _pg_available(),
                reason="PostgreSQL server binaries not installed"))
            for name in BACKENDS
            if name != "citus" or (on_citus and _citus_available())
        ]
        metafunc.parametrize("zz_backend", params, scope="session")


@pytest.fixture
def zz_plugins() -> list[Any]:
    """Plugins the app is built with, besides entry points; override in a conftest."""
    return []


@pytest.fixture
def zz_load_entrypoints() -> bool:
    return True


@pytest.fixture
def app(zz_backend: str, zz_databases: _Databases, zz_plugins, zz_load_entrypoints):
    """A migrated app on the backend under test (built once per plugin set)."""
    from zerenzhi.app import create_app
    from zerenzhi.migrate import upgrade

    owner_url, app_url, role = zz_databases.urls(zz_backend)
    names = tuple(sorted(type(p).__module__ + "." + type(p).__name__ for p in zz_plugins))
    key = (zz_backend, names, zz_load_entrypoints)
    if key not in zz_databases.apps:
        config = {"DATABASE_URL": app_url, "MIGRATION_DATABASE_URL": owner_url,
                  "DB_APP_ROLE": role, "TESTING": True,
                  "ATTACHMENTS_DIR": str(zz_databases.tmp / "attachments")}
        application = create_app(config, plugins=list(zz_plugins),
                                 load_entrypoints=zz_load_entrypoints)
        upgrade(owner_url, application.extensions["zerenzhi"].plugins, role)
        if zz_backend == "citus":
            distribute(owner_url, role)
            application.extensions["zerenzhi"].db.dispose()  # reconnect: the new settings
        zz_databases.apps[key] = application
    return zz_databases.apps[key]


@pytest.fixture
def township(app) -> World:
    """A fresh township (in a fresh county) with one user per role."""
    return build_world(app)


@pytest.fixture
def other_township(app, township) -> World:
    """A mirror-image township of another county."""
    return build_world(app, "o")


@pytest.fixture
def empty_database(zz_backend: str, zz_databases: _Databases) -> tuple[str, str, str | None]:
    """A new, empty database on the backend under test: (owner_url, app_url, app_role)."""
    name = f"m{uuid.uuid4().hex[:10]}"
    if zz_backend == "sqlite":
        url = f"sqlite:///{zz_databases.tmp / (name + '.db')}"
        return url, url, None
    owner_url, app_url = zz_databases.server(zz_backend).create_database(name)
    return owner_url, app_url, "zz_app"


def distribute(owner_url: str, app_role: str | None) -> None:
    """What ``zerenzhi db distribute`` does, on the database at ``owner_url``; fails on any
    shard out of step (``zerenzhi.testing_pg.distribute``, which the bench uses too)."""
    from zerenzhi.testing_pg import distribute as run

    run(owner_url, app_role)
