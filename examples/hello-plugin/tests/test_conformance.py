"""The checks zerenzhi runs on its own modules, run on this one (``zerenzhi.testing``'s
conformance kit; docs/plugin-testing.md says what each proves). Each runs on SQLite and,
when PostgreSQL is installed, again under row-level security."""

from __future__ import annotations

from zerenzhi.testing import (
    check_isolation,
    check_migrations,
    check_permissions,
    check_schema,
    run_demo_data,
)

from zerenzhi_hello import plugin


def test_isolation(app):
    check_isolation(plugin, app)


def test_permissions(app):
    check_permissions(plugin, app)


def test_schema(app):
    check_schema(plugin, app)


def test_migrations(app, empty_database):
    check_migrations(plugin, app, empty_database)


def test_demo_data(app):
    """Three greetings to the first branch: this quarter's obligation is met."""
    run = run_demo_data(plugin, app)
    assert run.written == {"hello_greeting": 4}  # three to branch-1, one to branch-2
    summary = run.world.client("office").get(f"{run.world.base}/obligations/summary")
    quarters = [(i["done"], i["status"]) for i in summary.assert_status(200).json["items"]
                if i["rule"] == "hello.quarterly_greetings"
                and i["unit_id"] == str(run.world.units["branch-1"])]
    assert (3, "fulfilled") in quarters
