"""The deployments plugin passes the conformance kit every plugin passes
(docs/plugin-testing.md), with its own records' ids tried across townships (W1)."""

from __future__ import annotations

import datetime as dt

from zerenzhi.plugins.deployments import plugin, services
from zerenzhi.testing import (
    check_isolation,
    check_migrations,
    check_permissions,
    check_schema,
    run_demo_data,
)


def _a_deployment(world) -> dict[str, str]:
    """A real deployment and task in the township, so foreign ids are tried too."""
    with world.scope() as session:
        row = services.record(session, {
            "level": "province", "document_number": "省委發〔2026〕1號",
            "issued_on": dt.date(2026, 1, 5), "title": "示例",
            "tasks": [{"title": "示例任務", "due_on": dt.date(2026, 2, 1)}]})
        session.commit()
        return {"deployment_id": str(row.id), "task_id": str(row.tasks[0].id)}


def test_isolation(app):
    check_isolation(plugin, app, objects=_a_deployment)


def test_permissions(app):
    check_permissions(plugin, app)


def test_schema(app):
    check_schema(plugin, app)


def test_migrations(app, empty_database):
    check_migrations(plugin, app, empty_database)


def test_demo_data(app):
    run = run_demo_data(plugin, app)
    assert run.written.get("deployments_task"), run.written
