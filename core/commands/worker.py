"""``zerenzhi worker``: run the periodic jobs on their schedules (issue 13, item 3).

APScheduler's ``BlockingScheduler`` says when to look; ``zerenzhi.jobs.runner`` decides
what runs, from the database, so several workers on PostgreSQL (an advisory lock per job
and township) never do one tick twice. On SQLite one worker per database: a second one
is refused (a lock file beside the database). ``--once`` runs every due job now and
exits, for tests and for hosts that prefer cron.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import make_url

from zerenzhi.commands import CommandError, check_database
from zerenzhi.commands.obligations import _at
from zerenzhi.db.base import utcnow
from zerenzhi.jobs import runner
from zerenzhi.observability.logs import configure

log = logging.getLogger("zerenzhi.jobs")


@contextmanager
def sqlite_single_worker(app: Flask) -> Iterator[None]:
    """On SQLite, hold ``<database>.worker.lock`` for the worker's life: one worker at a
    time per database file (SQLite has no advisory locks across processes)."""
    url = make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() != "sqlite":
        yield
        return
    path = Path(f"{Path(url.database).expanduser().absolute()}.worker.lock")
    with path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise click.ClickException(
                f"another zerenzhi worker is running on this SQLite database ({path} is "
                f"locked); on SQLite run one worker") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _selected(app: Flask, name: str | None) -> list[runner.Registered]:
    jobs = runner.registered_jobs(app)
    if name is None:
        return jobs
    chosen = [r for r in jobs if r.name == name]
    if not chosen:
        raise CommandError(f"no job {name!r} (known: {', '.join(r.name for r in jobs)})")
    return chosen


def _run_once(app: Flask, jobs: list[runner.Registered], now: dt.datetime,
              township: str | None) -> None:
    failed, ran = 0, 0
    for registered in jobs:
        outcomes = runner.run_job(app, registered, now, township)
        for slug, outcome in outcomes.items():
            click.echo(f"{registered.name} {slug}: {outcome}")
        failed += sum(outcome == "failed" for outcome in outcomes.values())
        ran += len(outcomes)
    if township and not ran:
        raise CommandError(f"no live township {township!r} that these job(s) run for")
    if failed:
        raise click.ClickException(f"{failed} run(s) failed (see the log)")


def _serve_forever(app: Flask, jobs: list[runner.Registered]) -> None:
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.blocking import BlockingScheduler

    sqlite = make_url(app.config["DATABASE_URL"]).get_backend_name() == "sqlite"
    scheduler = BlockingScheduler(
        timezone=dt.UTC, executors={"default": ThreadPoolExecutor(1 if sqlite else 4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600})
    started, ident = utcnow(), runner.worker_id()
    scheduler.add_job(runner.beat, "interval", args=(app, ident, started), id="heartbeat",
                      seconds=runner.HEARTBEAT_EVERY.total_seconds(), next_run_time=started)
    for registered in jobs:
        # a first look at once catches up a tick missed while no worker ran
        scheduler.add_job(runner.run_job, runner.trigger(registered.job), id=registered.name,
                          args=(app, registered), next_run_time=started)
        click.echo(f"{registered.name}: {registered.job.schedule}")

    parent = os.environ.get("ZERENZHI_WORKER_PARENT")
    if parent:  # started by `zerenzhi serve`: stop when it is gone, on any system
        scheduler.add_job(_watch_parent, "interval", args=(int(parent),), seconds=2,
                          id="parent")

    def stop(signum, _frame) -> None:
        log.info("worker %s stopping (signal %s)", ident, signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(f"worker {ident} running {len(jobs)} job(s)")
    scheduler.start()


def _watch_parent(parent: int) -> None:
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGTERM)


@click.command("worker")
@click.option("--once", is_flag=True, help="Run every due job once now, then exit.")
@click.option("--job", "job_name", default=None, help="With --once: only this job.")
@click.option("--township", default=None, help="With --once: only this township (slug).")
@click.option("--at", "at_text", default=None,
              help="With --once: act as of this moment (ISO 8601 with offset).")
@with_appcontext
def worker_command(once: bool, job_name: str | None, township: str | None,
                   at_text: str | None) -> None:
    """Run the periodic jobs of core and the enabled plugins on their schedules.

    Each (job, township) runs in its own transaction; a failure is logged with the
    township, recorded, and retried on the next tick. `zerenzhi jobs list` shows them.
    """
    app = current_app._get_current_object()
    configure(app.config.get("LOG_FORMAT"))
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: "
                                                       "%(message)s")
    # APScheduler logs every look at INFO (each 2 s for the parent watch): our runs log
    # what happened; keep its warnings and errors only
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if not once and (job_name or township or at_text):
        raise CommandError("--job, --township and --at go with --once")
    jobs = _selected(app, job_name)
    now = _at(at_text) or utcnow()
    check_database()  # never migrated: one line, and no lock file left beside no database
    with sqlite_single_worker(app):
        if once:
            _run_once(app, jobs, now.astimezone(dt.UTC), township)
        else:
            _serve_forever(app, jobs)
