"""The kit's pytest fixtures: a migrated ``app`` per backend, fresh townships, empty databases.

Every test that takes ``app`` runs on SQLite and, when PostgreSQL's server binaries are
installed, again on a throw-away PostgreSQL cluster where the app connects as a role
that owns nothing and cannot bypass row-level security. Tests make their own
townships (``township``), so they never see each other's data.
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

BACKENDS = ("sqlite", "postgresql")


def _pg_available() -> bool:
    from zerenzhi.testing_pg import find_pg_bindir

    return find_pg_bindir() is not None and os.environ.get("ZERENZHI_TEST_SKIP_PG") != "1"


class _Databases:
    """One database per backend for the whole session, migrated once per plugin set."""

    def __init__(self) -> None:
        self.cluster = None
        self.tmp = Path(tempfile.mkdtemp(prefix="zz-test-"))
        self.migrated: set[tuple[str, tuple[str, ...]]] = set()
        self.apps: dict[tuple, Any] = {}

    def urls(self, backend: str) -> tuple[str, str, str | None]:
        if backend == "sqlite":
            url = f"sqlite:///{self.tmp / 'test.db'}"
            return url, url, None
        if self.cluster is None:
            from zerenzhi.testing_pg import PgCluster

            self.cluster = PgCluster().start()
        return self.cluster.owner_url, self.cluster.app_url, "zz_app"

    def close(self) -> None:
        for app in self.apps.values():
            app.extensions["zerenzhi"].db.dispose()
        if self.cluster is not None:
            self.cluster.stop()


@pytest.fixture(scope="session")
def zz_databases() -> Iterator[_Databases]:
    databases = _Databases()
    yield databases
    databases.close()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "zz_backend" in metafunc.fixturenames and "zz_backend" not in getattr(
        metafunc, "_zz_done", ()
    ):
        params = [
            pytest.param(name, marks=pytest.mark.skipif(
                name == "postgresql" and not _pg_available(),
                reason="PostgreSQL server binaries not installed"))
            for name in BACKENDS
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
    zz_databases.urls("postgresql")
    owner_url, app_url = zz_databases.cluster.create_database(name)
    return owner_url, app_url, "zz_app"
