"""The ``webhook.deliver`` job keeps the worker's transaction rule (decision 0015): it
commits nothing — the worker commits the settled deliveries with the run's record — while
``zerenzhi webhook deliver`` commits each claim before sending, which is what keeps two
overlapping commands from sending one message twice; every attempt is counted in
``zerenzhi_deliveries_total{channel="webhook"}``; reminders name the post that answers for
an obligation from the event itself (M1–M3), the plugin keeps no copy of core's posts."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from sqlalchemy import select

from tests.obligations.drill import at
from tests.plugins.webhook.conftest import enable_webhook
from tests.plugins.webhook.test_webhook import cli, deliver, deliveries, overdue_event
from tests.test_metrics import scrape, value
from zerenzhi import require_tenant, utcnow
from zerenzhi.jobs import runner
from zerenzhi.jobs.models import JobRun
from zerenzhi.plugins.webhook import formats
from zerenzhi.plugins.webhook.plugin import deliver_job


def _job(app) -> runner.Registered:
    return next(r for r in runner.registered_jobs(app) if r.name == "webhook.deliver")


def test_the_job_commits_nothing_itself(township, receiver, local_targets):
    """Rolled back after the job, the delivery is as it was: the job wrote its claim and
    settlement in the caller's transaction, committed nothing."""
    enable_webhook(township, receiver)
    overdue_event(township)
    with township.scope() as sess:
        outcome = deliver_job(sess, require_tenant(), utcnow())
        sess.rollback()
    assert outcome == "1 delivered, 0 to retry, 0 failed" and len(receiver.requests) == 1
    [row] = deliveries(township)
    assert (row["status"], row["attempts"]) == ("pending", 0)


def test_the_worker_commits_the_deliveries_with_the_runs_record(app, township, receiver,
                                                                local_targets):
    enable_webhook(township, receiver)
    overdue_event(township)
    now = utcnow()
    assert runner.run_job(app, _job(app), now, township.slug) == {township.slug: "ok"}
    [row] = deliveries(township)
    assert (row["status"], row["attempts"]) == ("delivered", 1)
    # a minute later nothing is left to send: an ok run, and no history row for it
    assert runner.run_job(app, _job(app), now + dt.timedelta(minutes=1), township.slug) == \
        {township.slug: "ok"}
    with township.scope() as sess:
        details = sess.scalars(select(JobRun.detail).where(JobRun.job == "webhook.deliver"))
        assert list(details) == ["1 delivered, 0 to retry, 0 failed"]
    assert len(receiver.requests) == 1


def test_a_command_overlapping_the_job_does_not_send_again(township, receiver,
                                                           local_targets, zz_backend):
    """PostgreSQL: while the job's transaction holds its claim, ``webhook deliver`` waits on
    the row and, once the worker commits, finds it delivered."""
    if zz_backend == "sqlite":
        pytest.skip("row locks are PostgreSQL's; on SQLite the database lock serialises")
    enable_webhook(township, receiver)
    overdue_event(township)
    output: list[str] = []
    with township.scope() as sess:
        assert deliver_job(sess, require_tenant(), utcnow()).startswith("1 delivered")
        command = threading.Thread(target=lambda: output.append(deliver(township)))
        command.start()
        command.join(timeout=2)
        assert command.is_alive()  # waiting on the claimed row
        sess.commit()
    command.join(timeout=30)
    assert output == [f"{township.slug}: 0 delivered, 0 to retry, 0 failed\n"]
    assert len(receiver.requests) == 1


def test_every_attempt_is_counted_by_channel_and_outcome(township, receiver, local_targets):
    enable_webhook(township, receiver)
    overdue_event(township)
    overdue_event(township)
    receiver.failures = 1
    before = scrape(township.app)
    assert deliver(township).strip() == f"{township.slug}: 1 delivered, 1 to retry, 0 failed"
    after = scrape(township.app)
    for outcome in ("delivered", "retrying"):
        assert value(after, "zerenzhi_deliveries_total", channel="webhook", outcome=outcome) \
            - value(before, "zerenzhi_deliveries_total", channel="webhook",
                    outcome=outcome) == 1
    assert value(after, "zerenzhi_deliveries_total", channel="email") == \
        value(before, "zerenzhi_deliveries_total", channel="email")


def test_a_reminder_names_the_post_from_its_event(township, receiver, local_targets):
    """M1: the half-year special meeting (R1) is the party secretary's; the event says so in
    the seed's words, with the local due day, and the robot's message shows what it says."""
    enable_webhook(township, receiver)
    cli(township, "obligations", "remind", "--township", township.slug,
        "--at", at("2026-06-24", 9))
    deliver(township)
    sent = [json.loads(body) for _headers, body in receiver.requests]
    [due_soon] = [s["data"] for s in sent if s["event"] == "obligation.due_soon"]
    assert (due_soon["responsible_role"], due_soon["responsible_role_label"]) == (
        "secretary", "黨委書記")
    assert due_soon["due_on"] == "2026-06-30"
    items = [i for s in sent if s["event"] == "obligation.digest" for i in s["data"]["open"]]
    assert items and {i["responsible_role_label"] for i in items} == {"黨委書記"}

    assert not hasattr(formats, "POSTS")
    renamed = {**due_soon, "responsible_role_label": "第一責任人"}
    _title, lines = formats.message({"event": "obligation.due_soon", "data": renamed},
                                    formats.ZoneInfo("Asia/Shanghai"))
    assert any(line.endswith("（第一責任人）") for line in lines), lines
