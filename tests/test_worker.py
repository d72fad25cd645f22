"""``zerenzhi worker`` (issue 13, item 3): each (job, township) in its own transaction, a
failure logged with its township and recorded while the others succeed, retried after a
back-off; two workers do a tick once; a plugin's job only where it is enabled; ``--once``
runs the reminders and records them; idle runs leave one state row and no history;
``/readyz`` says whether a worker beats."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from tests.obligations.drill import DrillPlugin
from zerenzhi import Job, Label, Manifest, Plugin
from zerenzhi.db.base import utcnow
from zerenzhi.jobs import runner
from zerenzhi.jobs.models import JobRun, JobState, WorkerHeartbeat
from zerenzhi.testing import ApiClient

REPO = Path(__file__).resolve().parents[1]
FAIL_IN: set[str] = set()
RAN: list[str] = []


def sweep(_session, tenant, _now) -> str:
    RAN.append(tenant.slug)
    if tenant.slug in FAIL_IN:
        raise RuntimeError("the broom broke")
    return "swept"


def idle(_session, _tenant, _now) -> str:
    return ""


class ChorePlugin(Plugin):
    manifest = Manifest(name="chore", version="0.1", title=Label("雜務", "Chores"))
    jobs = (Job("chore.sweep", sweep, every=dt.timedelta(minutes=5), description="Sweep."),
            Job("chore.idle", idle, every=dt.timedelta(minutes=1)))


@pytest.fixture
def zz_plugins():
    return [ChorePlugin(), DrillPlugin()]


def _job(app, name: str) -> runner.Registered:
    return next(r for r in runner.registered_jobs(app) if r.name == name)


def _runs(world, job: str) -> list[JobRun]:
    with world.scope() as sess:
        return list(sess.scalars(select(JobRun).where(JobRun.job == job)
                                 .order_by(JobRun.started_at)))


def _states(world, job: str) -> list[JobState]:
    with world.scope() as sess:
        return list(sess.scalars(select(JobState).where(JobState.job == job)))


def test_jobs_of_core_and_plugins_are_registered(app):
    names = {r.name: r.owner for r in runner.registered_jobs(app)}
    assert names["obligations.remind"] == names["obligations.open_periods"] == "core"
    assert names["chore.sweep"] == "chore"
    assert names["webhook.deliver"] == "webhook"


def test_a_failure_is_logged_with_its_township_and_the_others_run(app, township,
                                                                  other_township, caplog):
    township.enable("chore")
    other_township.enable("chore")
    FAIL_IN.add(township.slug)
    now = utcnow()
    try:
        with caplog.at_level(logging.ERROR, logger="zerenzhi.jobs"):
            outcomes = runner.run_job(app, _job(app, "chore.sweep"), now)
    finally:
        FAIL_IN.discard(township.slug)
    assert outcomes[township.slug] == "failed" and outcomes[other_township.slug] == "ok"
    failure = next(r for r in caplog.records if township.slug in r.getMessage())
    assert "chore.sweep" in failure.getMessage() and failure.exc_info
    [failed] = _runs(township, "chore.sweep")
    assert (failed.outcome, failed.detail) == ("failed", "RuntimeError: the broom broke")
    assert [r.outcome for r in _runs(other_township, "chore.sweep")] == ["ok"]
    [state] = _states(township, "chore.sweep")
    assert (state.last_outcome, state.failures, state.last_success_at) == ("failed", 1, None)

    # the same tick again: the failed township waits for its retry (nothing recorded), the
    # other did this tick already
    again = runner.run_job(app, _job(app, "chore.sweep"), now)  # (other tests' townships too)
    assert {slug: again[slug] for slug in (township.slug, other_township.slug)} == {
        township.slug: "skipped", other_township.slug: "skipped"}
    assert len(_runs(township, "chore.sweep")) == len(_runs(other_township, "chore.sweep")) == 1

    # the next tick retries it; an ok run resets the failures
    later = now + dt.timedelta(minutes=5)
    assert runner.run_job(app, _job(app, "chore.sweep"), later)[township.slug] == "ok"
    assert [r.outcome for r in _runs(township, "chore.sweep")] == ["failed", "ok"]
    [state] = _states(township, "chore.sweep")
    assert (state.last_outcome, state.failures, state.retry_at) == ("ok", 0, None)
    assert state.last_success_at == later


def test_a_failing_township_is_retried_after_a_growing_wait(app, township):
    """Failures in a row wait 1, 2, 4… minutes (at most an hour), counted in ticks, so a
    township whose every-minute job keeps failing is not tried, nor recorded, each minute."""
    township.enable("chore")
    tick = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
    FAIL_IN.add(township.slug)
    try:
        outcomes = [runner.run_job(app, _job(app, "chore.sweep"),
                                   tick + dt.timedelta(minutes=5 * i))[township.slug]
                    for i in range(4)]
    finally:
        FAIL_IN.discard(township.slug)
    # a 5-minute job: failures 1-3 wait 1, 2, 4 minutes, all within the next tick
    assert outcomes == ["failed"] * 4
    [state] = _states(township, "chore.sweep")
    assert state.failures == 4 and state.retry_at == tick + dt.timedelta(minutes=15 + 8)
    at = tick + dt.timedelta(minutes=20)
    assert runner.run_job(app, _job(app, "chore.sweep"), at)[township.slug] == "skipped"
    assert runner.run_job(app, _job(app, "chore.sweep"), at + dt.timedelta(minutes=5)
                          )[township.slug] == "ok"
    assert runner.backoff(1) == dt.timedelta(minutes=1)
    assert runner.backoff(7) == runner.backoff(70) == dt.timedelta(hours=1)


def test_idle_ticks_leave_one_state_row_and_no_history(app, township):
    """job_run stays bounded: 100 runs of an every-minute job that had nothing to do keep
    one job_state row for the township and write no history."""
    township.enable("chore")
    start = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
    for minute in range(100):
        at = start + dt.timedelta(minutes=minute)
        assert runner.run_job(app, _job(app, "chore.idle"), at, township.slug) == \
            {township.slug: "ok"}
    assert _runs(township, "chore.idle") == []
    [state] = _states(township, "chore.idle")
    assert (state.last_outcome, state.failures) == ("ok", 0)
    assert state.last_run_at == state.last_success_at == start + dt.timedelta(minutes=99)


def test_a_plugin_job_runs_only_where_it_is_enabled(app, township, other_township):
    township.enable("chore")
    RAN.clear()
    outcomes = runner.run_job(app, _job(app, "chore.sweep"), utcnow())
    assert township.slug in outcomes and other_township.slug not in outcomes
    assert other_township.slug not in RAN
    assert _runs(other_township, "chore.sweep") == []


def test_a_tick_held_by_another_worker_is_skipped(app, township, zz_backend):
    """On PostgreSQL another connection holding the (job, township) advisory lock makes
    this worker skip without running the job; a later tick runs."""
    if zz_backend == "sqlite":
        pytest.skip("advisory locks are PostgreSQL's; SQLite runs one worker")
    township.enable("chore")
    key = runner.lock_key("chore.sweep", township.tenant_id)
    engine = app.extensions["zerenzhi"].db.engine
    RAN.clear()
    with engine.connect() as other:
        assert other.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}).scalar()
        outcomes = runner.run_job(app, _job(app, "chore.sweep"), utcnow(), township.slug)
        other.rollback()
    assert outcomes == {township.slug: "skipped"} and RAN == []
    assert _runs(township, "chore.sweep") == [] and _states(township, "chore.sweep") == []
    assert runner.run_job(app, _job(app, "chore.sweep"), utcnow(), township.slug) == \
        {township.slug: "ok"}


def _worker_once(app, *args: str) -> subprocess.Popen:
    env = {**os.environ, "ZERENZHI_DATABASE_URL": app.config["DATABASE_URL"],
           "ZERENZHI_MIGRATION_DATABASE_URL": app.config["MIGRATION_DATABASE_URL"]}
    return subprocess.Popen(
        [sys.executable, "-c", "from zerenzhi.cli import main; main()", "worker", "--once",
         *args], env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)


def test_two_workers_at_once_remind_a_township_once(app, township):
    """Two worker processes started together on the same tick: the reminders run once
    (PostgreSQL: the lock, then the tick's ok run; SQLite: the second worker is refused
    or finds the tick done)."""
    township.enable("drill")  # R1's half-year meeting is due on 30 June
    at = "2026-06-24T09:00:00+08:00"
    args = ("--job", "obligations.remind", "--township", township.slug, "--at", at)
    workers = [_worker_once(app, *args) for _ in range(2)]
    outputs = [worker.communicate(timeout=120)[0] for worker in workers]
    assert any(worker.returncode == 0 for worker in workers), outputs
    runs = _runs(township, "obligations.remind")
    assert [r.outcome for r in runs] == ["ok"], (outputs, runs)
    [state] = _states(township, "obligations.remind")
    assert state.last_outcome == "ok" and state.last_detail == runs[0].detail


def test_once_runs_the_reminders_and_records_them(app, township):
    township.enable("drill")
    result = app.test_cli_runner().invoke(args=[
        "worker", "--once", "--job", "obligations.remind", "--township", township.slug,
        "--at", "2026-06-24T09:00:00+08:00"])
    assert result.exit_code == 0, result.output
    assert f"obligations.remind {township.slug}: ok" in result.output
    [run] = _runs(township, "obligations.remind")
    assert run.outcome == "ok" and "1 due soon" in run.detail
    assert run.as_of == dt.datetime(2026, 6, 24, 1, 0, tzinfo=dt.UTC)
    assert run.finished_at >= run.started_at
    again = app.test_cli_runner().invoke(args=[
        "worker", "--once", "--job", "obligations.remind", "--township", township.slug,
        "--at", "2026-06-24T09:00:00+08:00"])
    assert f"obligations.remind {township.slug}: skipped" in again.output
    assert len(_runs(township, "obligations.remind")) == 1


def test_once_refuses_options_it_does_not_know(app):
    runner_ = app.test_cli_runner()
    assert runner_.invoke(args=["worker", "--job", "obligations.remind"]).exit_code == 2
    unknown = runner_.invoke(args=["worker", "--once", "--job", "nosuch.job"])
    assert unknown.exit_code == 2 and "no job 'nosuch.job'" in unknown.output


def test_the_tick_is_the_same_on_every_host():
    every = Job("a.b", sweep, every=dt.timedelta(minutes=5))
    daily = Job("a.c", sweep, cron="0 1 * * *")
    at = dt.datetime(2026, 12, 4, 9, 7, 30, tzinfo=dt.UTC)
    assert runner.slot(every, at) == dt.datetime(2026, 12, 4, 9, 5, tzinfo=dt.UTC)
    assert runner.slot(daily, at) == dt.datetime(2026, 12, 4, 1, 0, tzinfo=dt.UTC)
    assert runner.slot(daily, dt.datetime(2026, 12, 4, 0, 59, tzinfo=dt.UTC)) == \
        dt.datetime(2026, 12, 3, 1, 0, tzinfo=dt.UTC)
    assert runner.next_run(daily, at) == dt.datetime(2026, 12, 5, 1, 0, tzinfo=dt.UTC)
    with pytest.raises(ValueError):
        Job("a.d", sweep)
    with pytest.raises(ValueError):
        Job("a.e", sweep, cron="0 25 * * *")


def test_readyz_reports_the_scheduler_and_may_require_it(app, monkeypatch):
    ident = f"test-host:{os.getpid()}"
    runner.beat(app, ident, utcnow())
    body = ApiClient(app).get("/readyz").assert_status(200).json
    assert body["scheduler"] == "ok" and "scheduler" not in body["checks"]
    with app.app_context():
        from zerenzhi.db.session import session

        sess = session()
        sess.execute(update(WorkerHeartbeat).values(beat_at=utcnow() - dt.timedelta(hours=1)))
        sess.commit()
    assert ApiClient(app).get("/readyz").assert_status(200).json["scheduler"] == "stale"
    monkeypatch.setitem(app.config, "READYZ_REQUIRES_SCHEDULER", True)
    response = ApiClient(app).get("/readyz")
    response.assert_status(503)
    assert response.json["checks"]["scheduler"] == "stale"
    runner.beat(app, ident, utcnow())
    assert ApiClient(app).get("/readyz").assert_status(200).json["checks"]["scheduler"] == "ok"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is gone, only not yet reaped
        return stat.read().split(") ")[1][0] != "Z"


def test_serve_starts_the_worker_and_stopping_serve_stops_it(tmp_path):
    """The README's first command starts the scheduler beside gunicorn; SIGTERM to serve
    (gunicorn's master by then) leaves no worker behind."""
    import re
    import signal
    import time
    import urllib.request

    port = _free_port()
    env = {**os.environ, "ZERENZHI_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
           "ZERENZHI_TENANTS_DIR": str(tmp_path / "none"), "ZERENZHI_WORKERS": "1",
           "ZERENZHI_BIND": f"127.0.0.1:{port}"}
    for name in ("ZERENZHI_MIGRATION_DATABASE_URL", "ZERENZHI_WORKER"):
        env.pop(name, None)
    log = (tmp_path / "serve.log").open("w+")
    serve = subprocess.Popen([str(REPO / "scripts" / "serve")], cwd=tmp_path, env=env,
                             stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline, body = time.monotonic() + 90, {}
        while body.get("scheduler") != "ok" and time.monotonic() < deadline:
            time.sleep(0.5)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz") as answer:
                    body = json.load(answer)
            except OSError:
                pass
        log.seek(0)
        output = log.read()
        assert body.get("scheduler") == "ok", output
        worker = int(re.search(r"started zerenzhi worker \(pid (\d+)\)", output).group(1))
        assert _alive(worker)
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)
    deadline = time.monotonic() + 30
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(worker), "the worker outlived serve"
