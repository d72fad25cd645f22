"""The e-mail plugin passes the conformance kit every plugin passes (docs/plugin-testing.md);
it has no demo data (a mail log of nothing sent), so ``run_demo_data`` skips it."""

from __future__ import annotations

from zerenzhi.plugins.email import plugin
from zerenzhi.testing import (
    check_isolation,
    check_migrations,
    check_permissions,
    check_schema,
    run_demo_data,
)


def test_isolation(app):
    check_isolation(plugin, app)


def test_permissions(app):
    check_permissions(plugin, app)


def test_schema(app):
    check_schema(plugin, app)


def test_migrations(app, empty_database):
    check_migrations(plugin, app, empty_database)


def test_demo_data(app):
    run_demo_data(plugin, app)
