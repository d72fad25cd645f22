"""``zerenzhi jobs list``: each periodic job, its schedule, its last run and its next."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import and_, func, select

from zerenzhi.commands import operator_session
from zerenzhi.db.base import utcnow
from zerenzhi.jobs import runner
from zerenzhi.jobs.models import JobRun
from zerenzhi.tenancy.context import tenant_scope
from zerenzhi.tenancy.models import Tenant


def latest_runs(sess) -> dict[str, list[tuple[str, str, dt.datetime]]]:
    """job -> [(township slug, outcome, started_at)] of each township's latest run."""
    found: dict[str, list[tuple[str, str, dt.datetime]]] = {}
    townships = sess.scalars(select(Tenant).where(
        Tenant.kind == "township", Tenant.archived_at.is_(None)).order_by(Tenant.slug)).all()
    for tenant in townships:
        with tenant_scope(tenant.ref()):
            last = (select(JobRun.job, func.max(JobRun.started_at).label("at"))
                    .where(JobRun.tenant_id == tenant.id).group_by(JobRun.job).subquery())
            rows = sess.execute(select(JobRun.job, JobRun.outcome, JobRun.started_at).join(
                last, and_(JobRun.job == last.c.job, JobRun.started_at == last.c.at))).all()
            sess.rollback()
        for job, outcome, at in rows:
            found.setdefault(job, []).append((tenant.slug, outcome, at))
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
        counts = Counter(outcome for _, outcome, _ in mine)
        last = max((at for _, _, at in mine), default=None)
        outcome = ", ".join(f"{counts[o]} {o}" for o in ("ok", "failed", "skipped")
                            if counts[o]) or "never run"
        click.echo(f"{job.name}  [{registered.owner}]  {job.schedule}")
        click.echo(f"    last: {_when(last)} ({outcome})  next: "
                   f"{_when(runner.next_run(job, now))}")
        failing = sorted(slug for slug, o, _ in mine if o == "failed")
        if failing:
            click.echo(f"    failing in: {', '.join(failing)}")
        if job.description:
            click.echo(f"    {job.description}")
