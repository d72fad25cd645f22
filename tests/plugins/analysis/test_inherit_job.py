"""A3: a county's sensitive dates reach its townships through the worker's
``analysis.inherit_county_dates`` job — no command needed, and no read writes them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from tests.plugins.analysis.helpers import TZ, at
from zerenzhi import TenantRef, tenant_scope, utcnow
from zerenzhi.jobs import runner
from zerenzhi.plugins.analysis.models import SensitiveDate

JOB = "analysis.inherit_county_dates"


def _run(world) -> dict[str, str]:
    job = next(r for r in runner.registered_jobs(world.app) if r.name == JOB)
    return runner.run_job(world.app, job, utcnow())


def _move_county_date(world, falls_on: dt.date) -> None:
    with world.scope() as sess, tenant_scope(
            TenantRef(world.county_id, "county", world.county_slug)):
        sess.scalar(select(SensitiveDate).where(SensitiveDate.unit_id.is_(None))).falls_on = \
            falls_on
        sess.commit()


def test_a3_the_job_passes_a_county_date_to_townships_that_enabled_analysis(
        town, other_township, time_machine):
    time_machine.move_to(at("2026-11-20"))
    other_township.enable("analysis")  # of another county: untouched
    with town.scope() as sess, tenant_scope(
            TenantRef(town.county_id, "county", town.county_slug)):
        sess.add(SensitiveDate(unit_id=None, falls_on=dt.date(2026, 12, 13), title="國家公祭日",
                               kind="sensitive_date", description=""))
        sess.commit()
    dates = f"{town.base}/analysis/sensitive-dates"
    office = town.client("office")
    assert office.get(dates).json == []  # reading inherits nothing

    outcomes = _run(town)
    assert outcomes[town.slug] == "ok" and outcomes[other_township.slug] == "ok"
    copies = office.get(dates).json
    assert [(d["title"], d["inherited"]) for d in copies] == [("國家公祭日", True)]
    due = dt.datetime.fromisoformat(copies[0]["obligation"]["due_at"]).astimezone(TZ)
    assert due.date() == dt.date(2026, 12, 6)  # 7 days before, like any local date
    assert other_township.client("office").get(
        f"{other_township.base}/analysis/sensitive-dates").json == []

    # run again: nothing changes; the county moves the date: the next run follows
    time_machine.move_to(at("2026-11-20", 11))
    assert _run(town)[town.slug] == "ok"
    assert [d["id"] for d in office.get(dates).json] == [copies[0]["id"]]
    _move_county_date(town, dt.date(2026, 12, 14))
    time_machine.move_to(at("2026-11-20", 12))
    assert _run(town)[town.slug] == "ok"
    assert office.get(dates).json[0]["falls_on"] == "2026-12-14"


def test_a3_the_job_runs_only_for_townships_that_enabled_analysis(township, time_machine):
    time_machine.move_to(at("2026-11-20"))
    assert township.slug not in _run(township)
