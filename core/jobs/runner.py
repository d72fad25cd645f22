"""Running jobs: which exist, when each is due, and one (job, township) run at a time.

The scheduling library (APScheduler, in ``zerenzhi worker``) only says *when* to look;
what runs is decided here, from the database, so that several workers — or a worker and
a ``worker --once`` from cron — never do the same (job, township, tick) twice:

* a tick is the latest time the job's schedule fired at or before ``now`` (``slot``); the
  same on every host, because intervals count from a fixed epoch, not from a start;
* on PostgreSQL each run holds a transaction-level advisory lock on (job, township); a
  worker that cannot take it skips (the other is running it now);
* under the lock, the (job, township)'s ``job_state`` decides: a tick at or before its
  last success is done; a failing one waits for its ``retry_at`` (a back-off doubling from
  one minute to an hour, counted in ticks so a late look is never a tick late).

Each run is its own transaction under the township's ``tenant_scope``: on success the
job's writes, its state and (if it did something) its ``job_run`` row commit together;
on failure it is rolled back, then recorded as failed — one township's failure never
stops the others (issue 13, item 3). A skipped run writes nothing, so the tables grow
only with work done and failures (decision 0015).
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
from zerenzhi.jobs.models import JobRun, JobState, WorkerHeartbeat
from zerenzhi.jobs.spec import Job
from zerenzhi.observability.metrics import record_job_run
from zerenzhi.plugin_host.service import enabled_names
from zerenzhi.tenancy.context import TenantRef, tenant_scope
from zerenzhi.tenancy.models import Tenant

log = logging.getLogger("zerenzhi.jobs")

CORE = "core"
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # intervals count from here on every host
DETAIL_CHARS = 2000
FIRST_RETRY = dt.timedelta(minutes=1)  # a failing run waits 1, 2, 4… minutes,
LAST_RETRY = dt.timedelta(hours=1)  # at most an hour, before it is tried again
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


def backoff(failures: int) -> dt.timedelta:
    """How long a (job, township) that failed ``failures`` times in a row waits."""
    return min(FIRST_RETRY * 2 ** min(failures - 1, 16), LAST_RETRY)


def _state(sess: Session, job: str) -> JobState | None:
    return sess.scalar(select(JobState).where(JobState.job == job))


def _lock(sess: Session, job: str, tenant: TenantRef, wait: bool) -> bool:
    """The (job, township) advisory lock on PostgreSQL (nothing to take on SQLite)."""
    if sess.get_bind().dialect.name != "postgresql":
        return True
    if wait:
        sess.execute(select(func.pg_advisory_xact_lock(lock_key(job, tenant.id))))
        return True
    return bool(sess.scalar(select(func.pg_try_advisory_xact_lock(lock_key(job, tenant.id)))))


def _claim(sess: Session, job: str, tenant: TenantRef, tick: dt.datetime
           ) -> tuple[str | None, JobState | None]:
    """(why this run must be skipped or None to go ahead, the job's state); the lock, if
    any, is held from here to the end of the transaction."""
    if not _lock(sess, job, tenant, wait=False):
        return "running on another worker", None
    state = _state(sess, job)
    if state is None:
        return None, None
    if state.last_success_at is not None and state.last_success_at >= tick:
        return "done for this tick already", state
    if state.retry_at is not None and tick < state.retry_at:
        return f"failing; next try at {state.retry_at.isoformat()}", state
    return None, state


def _update(sess: Session, state: JobState | None, job: str, now: dt.datetime, outcome: str,
            detail: str, started: dt.datetime) -> JobState:
    """Record the run on the state row (made on the first run) and, if it did something
    or failed, in the history."""
    if state is None:
        state = JobState(job=job, last_run_at=now, last_outcome=outcome, failures=0)
        sess.add(state)
    state.last_run_at, state.last_outcome = now, outcome
    state.last_detail = detail[:DETAIL_CHARS]
    if outcome == "ok":
        if state.last_success_at is None or state.last_success_at < now:
            state.last_success_at = now
        state.failures, state.retry_at = 0, None
    if detail or outcome == "failed":
        sess.add(JobRun(job=job, as_of=now, started_at=started, finished_at=utcnow(),
                        outcome=outcome, detail=detail[:DETAIL_CHARS]))
    return state


def run_one(registered: Registered, tenant: TenantRef, now: dt.datetime) -> str:
    """Run ``registered`` for ``tenant`` as of ``now`` in the app context's session, in its
    own transaction; record the run. Returns the outcome: ``ok``, ``failed`` or
    ``skipped`` (recorded nowhere but the metrics). Never raises for the job's own errors."""
    job = registered.job
    actor = set_actor(Actor(f"job:{job.name}"))
    tick = slot(job, now)
    try:
        with tenant_scope(tenant):
            sess = session()
            started = utcnow()
            try:
                skip, state = _claim(sess, job.name, tenant, tick)
                if skip is not None:
                    sess.rollback()
                    log.debug("job %s skipped for township %s: %s", job.name, tenant.slug,
                              skip)
                    record_job_run(job.name, "skipped")
                    return "skipped"
                detail = job.run(sess, tenant, now)
                _update(sess, state, job.name, now, "ok", detail or "", started)
                sess.commit()
                record_job_run(job.name, "ok")
                return "ok"
            except Exception as error:
                sess.rollback()
                log.exception("job %s failed for township %s", job.name, tenant.slug,
                              extra={"job": job.name, "township": tenant.slug})
                text = "".join(traceback.format_exception_only(error)).strip()
                _lock(sess, job.name, tenant, wait=True)  # the state row is written alone
                state = _update(sess, _state(sess, job.name), job.name, now, "failed", text,
                                started)
                state.failures += 1
                state.retry_at = tick + backoff(state.failures)
                sess.commit()
                record_job_run(job.name, "failed")
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
