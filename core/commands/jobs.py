"""``zerenzhi jobs list``: each periodic job, its schedule, its last run and its next."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import NamedTuple

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from zerenzhi.commands import operator_session
from zerenzhi.db.base import utcnow
from zerenzhi.jobs import runner
from zerenzhi.jobs.models import JobState
from zerenzhi.tenancy.context import tenant_scope
from zerenzhi.tenancy.models import Tenant


class Last(NamedTuple):
    """A township's state of one job: its slug, how its last run ended, when, and how many
    runs failed in a row."""

    slug: str
    outcome: str
    at: dt.datetime
    failures: int


def latest_runs(sess) -> dict[str, list[Last]]:
    """job -> each township's state (``job_state``: one row per job and township)."""
    found: dict[str, list[Last]] = {}
    townships = sess.scalars(select(Tenant).where(
        Tenant.kind == "township", Tenant.archived_at.is_(None)).order_by(Tenant.slug)).all()
    for tenant in townships:
        with tenant_scope(tenant.ref()):
            rows = sess.execute(select(JobState.job, JobState.last_outcome,
                                       JobState.last_run_at, JobState.failures)).all()
            sess.rollback()
        for job, outcome, at, failures in rows:
            found.setdefault(job, []).append(Last(tenant.slug, outcome, at, failures))
    return found


def _when(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "-"


@click.group("jobs", help="The periodic jobs `zerenzhi worker` runs.")
def jobs_group() -> None:
    pass


@jobs_group.command("list")
@with_appcontext
def list_command() -> None:
    """Each job (core's and the installed plugins'), its schedule, its last run (when, and
    how each township's latest run ended) and its next run."""
    jobs = runner.registered_jobs(current_app)
    now = utcnow()
    with operator_session() as sess:
        runs = latest_runs(sess)
    for registered in jobs:
        job = registered.job
        mine = runs.get(job.name, [])
        counts = Counter(state.outcome for state in mine)
        latest = max((state.at for state in mine), default=None)
        outcome = ", ".join(f"{counts[o]} {o}" for o in ("ok", "failed")
                            if counts[o]) or "never run"
        click.echo(f"{job.name}  [{registered.owner}]  {job.schedule}")
        click.echo(f"    last: {_when(latest)} ({outcome})  next: "
                   f"{_when(runner.next_run(job, now))}")
        failing = sorted((s.slug, s.failures) for s in mine if s.outcome == "failed")
        if failing:
            click.echo("    failing in: " + ", ".join(f"{slug} ({failures} in a row)"
                                                      for slug, failures in failing))
        if job.description:
            click.echo(f"    {job.description}")
