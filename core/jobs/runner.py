"""Running jobs: which exist, when each is due, and one (job, township) run at a time.

The scheduling library (APScheduler, in ``zerenzhi worker``) only says *when* to look;
what runs is decided here, from the database, so that several workers — or a worker and
a ``worker --once`` from cron — never do the same (job, township, tick) twice:

* a tick is the latest time the job's schedule fired at or before ``now`` (``slot``); the
  same on every host, because intervals count from a fixed epoch, not from a start;
* on PostgreSQL each run holds a transaction-level advisory lock on (job, township); a
  worker that cannot take it skips (the other is running it now);
* under the lock, a run that finds an ``ok`` run of the same tick already recorded skips
  (the other has just done it). A failed run is not ``ok``: the next look retries it.

Each run is its own transaction under the township's ``tenant_scope``, committed with its
``job_run`` row on success, rolled back on failure and then recorded as failed — one
township's failure never stops the others (issue 13, item 3).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import socket
import traceback
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zerenzhi.audit.recorder import Actor, reset_actor, set_actor
from zerenzhi.db.base import utcnow
from zerenzhi.db.session import close_session, session
from zerenzhi.jobs.builtin import CORE_JOBS
from zerenzhi.jobs.models import JobRun, WorkerHeartbeat
from zerenzhi.jobs.spec import Job
from zerenzhi.observability.metrics import record_job_run
from zerenzhi.plugin_host.service import enabled_names
from zerenzhi.tenancy.context import TenantRef, tenant_scope
from zerenzhi.tenancy.models import Tenant

log = logging.getLogger("zerenzhi.jobs")

CORE = "core"
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # intervals count from here on every host
DETAIL_CHARS = 2000
# how far back the latest fire time of a cron line is looked for (a yearly line at most)
_LOOKBACK = (dt.timedelta(minutes=1), dt.timedelta(hours=1), dt.timedelta(days=1),
             dt.timedelta(days=32), dt.timedelta(days=367), dt.timedelta(days=366 * 8))


@dataclass(frozen=True)
class Registered:
    """A job and who registered it: ``core`` (every live township) or a plugin's name
    (only the townships that enabled it)."""

    job: Job
    owner: str

    @property
    def name(self) -> str:
        return self.job.name


def registered_jobs(app: Flask) -> list[Registered]:
    """Core's jobs, then each installed plugin's (``register_jobs``), by name. A plugin's
    names must start with ``"<plugin>."``; a name given twice stops the worker."""
    plugin_set = app.extensions["zerenzhi"].plugins
    found = [Registered(job, CORE) for job in CORE_JOBS]
    for installed in plugin_set.ordered():
        others = [p.plugin for n, p in plugin_set.installed.items() if n != installed.name]
        caller = plugin_set.pm.subset_hook_caller("register_jobs", remove_plugins=others)
        for jobs in caller():
            for job in jobs or ():
                if not job.name.startswith(f"{installed.name}."):
                    raise ValueError(f"job {job.name} of {installed.name} must start with "
                                     f"'{installed.name}.'")
                found.append(Registered(job, installed.name))
    names = [r.name for r in found]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ValueError(f"jobs registered twice: {', '.join(twice)}")
    return sorted(found, key=lambda r: r.name)


# --- when ---------------------------------------------------------------------------------


def trigger(job: Job):
    """The APScheduler trigger of ``job``'s schedule (UTC; intervals from ``EPOCH``)."""
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    if job.every is not None:
        return IntervalTrigger(seconds=job.every.total_seconds(), start_date=EPOCH,
                               timezone=dt.UTC)
    return CronTrigger.from_crontab(job.cron, timezone=dt.UTC)


def slot(job: Job, now: dt.datetime) -> dt.datetime:
    """The tick ``now`` belongs to: the latest time the schedule fired at or before it."""
    if job.every is not None:
        return EPOCH + ((now - EPOCH) // job.every) * job.every
    cron = trigger(job)
    for back in _LOOKBACK:
        fire = cron.get_next_fire_time(None, now - back)
        if fire is not None and fire <= now:
            while True:
                after = cron.get_next_fire_time(fire, fire + dt.timedelta(seconds=1))
                if after is None or after > now:
                    return fire
                fire = after
    return EPOCH  # a line that has not fired in eight years: any run counts


def next_run(job: Job, now: dt.datetime) -> dt.datetime | None:
    return trigger(job).get_next_fire_time(None, now + dt.timedelta(microseconds=1))


# --- where --------------------------------------------------------------------------------


def townships(sess: Session, registered: Registered, slug: str | None = None
              ) -> list[TenantRef]:
    """The live townships the job runs for: all (core's) or those that enabled its plugin."""
    statement = select(Tenant).where(Tenant.kind == "township", Tenant.archived_at.is_(None))
    if slug:
        statement = statement.where(Tenant.slug == slug)
    refs = [tenant.ref() for tenant in sess.scalars(statement.order_by(Tenant.slug))]
    sess.rollback()
    if registered.owner == CORE:
        return refs
    found = []
    for ref in refs:
        with tenant_scope(ref):
            if registered.owner in enabled_names(sess):
                found.append(ref)
            sess.rollback()
    return found


# --- one run ------------------------------------------------------------------------------


def lock_key(job: str, tenant_id) -> int:
    """A stable signed 64-bit key for ``pg_try_advisory_xact_lock`` (same on every host)."""
    digest = hashlib.blake2b(f"zerenzhi.job:{job}:{tenant_id}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


def _record(sess: Session, job: str, as_of: dt.datetime, started: dt.datetime, outcome: str,
            detail: str) -> None:
    sess.add(JobRun(job=job, as_of=as_of, started_at=started, finished_at=utcnow(),
                    outcome=outcome, detail=detail[:DETAIL_CHARS]))
    record_job_run(job, outcome)


def _claim(sess: Session, job: str, tenant: TenantRef, tick: dt.datetime) -> str | None:
    """Why this run must be skipped, or None to go ahead (the lock, if any, is now held)."""
    if sess.get_bind().dialect.name == "postgresql":
        held = sess.execute(select(func.pg_try_advisory_xact_lock(lock_key(job, tenant.id))))
        if not held.scalar():
            return "running on another worker"
    done = sess.scalar(select(JobRun.id).where(
        JobRun.job == job, JobRun.outcome == "ok", JobRun.as_of >= tick).limit(1))
    return "done for this tick already" if done is not None else None


def run_one(registered: Registered, tenant: TenantRef, now: dt.datetime) -> str:
    """Run ``registered`` for ``tenant`` as of ``now`` in the app context's session, in its
    own transaction; record the run. Returns the outcome: ``ok``, ``failed`` or
    ``skipped``. Never raises for the job's own errors."""
    job = registered.job
    actor = set_actor(Actor(f"job:{job.name}"))
    try:
        with tenant_scope(tenant):
            sess = session()
            started = utcnow()
            try:
                skip = _claim(sess, job.name, tenant, slot(job, now))
                if skip is not None:
                    _record(sess, job.name, now, started, "skipped", skip)
                    sess.commit()
                    return "skipped"
                detail = job.run(sess, tenant, now)
                _record(sess, job.name, now, started, "ok", detail or "")
                sess.commit()
                return "ok"
            except Exception as error:
                sess.rollback()
                log.exception("job %s failed for township %s", job.name, tenant.slug,
                              extra={"job": job.name, "township": tenant.slug})
                text = "".join(traceback.format_exception_only(error)).strip()
                _record(sess, job.name, now, started, "failed", text)
                sess.commit()
                return "failed"
    finally:
        close_session()
        reset_actor(actor)


def run_job(app: Flask, registered: Registered, now: dt.datetime | None = None,
            slug: str | None = None) -> dict[str, str]:
    """Run one job for every township it concerns (or ``slug``): slug -> outcome."""
    now = now or utcnow()
    with app.app_context():
        try:
            targets = townships(session(), registered, slug)
        finally:
            close_session()
    outcomes: dict[str, str] = {}
    for tenant in targets:
        with app.app_context():
            outcomes[tenant.slug] = run_one(registered, tenant, now)
    return outcomes


# --- alive --------------------------------------------------------------------------------


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def beat(app: Flask, ident: str, started: dt.datetime) -> None:
    """Record that worker ``ident`` is alive now (its row, made on first beat)."""
    with app.app_context():
        sess = session()
        try:
            row = sess.get(WorkerHeartbeat, ident)
            if row is None:
                sess.add(WorkerHeartbeat(id=ident, started_at=started, beat_at=utcnow()))
            else:
                row.beat_at = utcnow()
            sess.commit()
        finally:
            close_session()


HEARTBEAT_EVERY = dt.timedelta(seconds=30)
STALE_AFTER = dt.timedelta(minutes=3)


def scheduler_state(sess: Session, now: dt.datetime | None = None) -> str:
    """``ok`` (a worker beat within ``STALE_AFTER``), ``stale`` (one beat, longer ago) or
    ``absent`` (no worker ever beat on this database)."""
    latest = sess.scalar(select(func.max(WorkerHeartbeat.beat_at)))
    if latest is None:
        return "absent"
    if latest.tzinfo is None:  # max() on SQLite comes back as text-typed naive UTC
        latest = latest.replace(tzinfo=dt.UTC)
    return "ok" if (now or utcnow()) - latest <= STALE_AFTER else "stale"
