"""The webhook notifier: a township's reminders reach its group-chat robot, signed, retried
with backoff, and logged (issue 4, item 7)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import time_machine
from sqlalchemy import func, select

from tests.obligations.drill import at
from tests.plugins.webhook.conftest import SECRET, enable_webhook
from zerenzhi import emit
from zerenzhi.commands.obligations import register
from zerenzhi.plugins.webhook.models import WebhookDelivery


def cli(world, *args: str) -> str:
    if "obligations" not in world.app.cli.commands:
        register(world.app.cli)
    result = world.app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def deliver(world) -> str:
    return cli(world, "webhook", "deliver", "--township", world.slug)


def deliveries(world, query: str = "", role: str = "secretary") -> list[dict]:
    return world.client(role).get(
        f"{world.base}/webhook/deliveries?{query}").assert_status(200).json


def overdue_event(world) -> None:
    """What ``obligations remind`` sends when something is overdue (one event)."""
    with world.scope() as sess:
        emit(sess, "obligation.overdue", obligation_id="o-1", rule="drill.special_meeting")
        sess.commit()


def test_reminders_reach_the_robot_signed_after_the_transaction(township, receiver,
                                                                 local_targets):
    world = township
    state = enable_webhook(world, receiver)
    assert state["enabled"] and state["settings"]["events"] == [
        "obligation.due_soon", "obligation.overdue", "obligation.digest"]
    cli(world, "obligations", "remind", "--township", world.slug, "--at", at("2026-06-24", 9))
    queued = deliveries(world)
    assert sorted(d["event"] for d in queued) == [
        "obligation.digest", "obligation.digest", "obligation.due_soon"]
    assert {d["status"] for d in queued} == {"pending"} and receiver.requests == []

    assert deliver(world).strip() == f"{world.slug}: 3 delivered, 0 to retry, 0 failed"
    assert len(receiver.requests) == 3
    for headers, body in receiver.requests:
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["X-Zerenzhi-Signature"], expected)
        sent = json.loads(body)
        assert set(sent) == {"event", "township", "at", "data"}
        assert sent["township"] == world.slug and headers["X-Zerenzhi-Event"] == sent["event"]
    due_soon = next(json.loads(b) for _h, b in receiver.requests
                    if json.loads(b)["event"] == "obligation.due_soon")
    assert (due_soon["data"]["rule"], due_soon["data"]["threshold"]) == (
        "drill.special_meeting", 7)
    log = deliveries(world, "status=delivered")
    assert len(log) == 3 and {(d["attempts"], d["last_status_code"]) for d in log} == {(1, 200)}
    assert deliver(world).strip() == f"{world.slug}: 0 delivered, 0 to retry, 0 failed"
    assert len(receiver.requests) == 3


def test_a_failing_robot_is_retried_with_growing_waits(township, receiver, local_targets):
    world = township
    enable_webhook(world, receiver)
    receiver.failures = 2
    with time_machine.travel("2026-03-02T09:00:00+08:00", tick=False) as clock:
        overdue_event(world)
        deliver(world)
        (row,) = deliveries(world)
        assert (row["status"], row["attempts"], row["last_status_code"]) == (
            "pending", 1, 500)
        assert row["next_attempt_at"] == "2026-03-02T01:02:00+00:00"  # 2 minutes
        clock.shift(dt.timedelta(minutes=1, seconds=59))
        deliver(world)
        assert len(receiver.requests) == 1  # not due yet
        clock.shift(dt.timedelta(seconds=1))
        deliver(world)
        (row,) = deliveries(world)
        assert (row["attempts"], row["next_attempt_at"]) == (2, "2026-03-02T01:06:00+00:00")
        clock.shift(dt.timedelta(minutes=4))
        deliver(world)
    (row,) = deliveries(world)
    assert (row["status"], row["attempts"], row["last_error"]) == ("delivered", 3, None)
    assert row["delivered_at"] == "2026-03-02T01:06:00+00:00"
    assert len(receiver.requests) == 3
    assert len({json.loads(body)["at"] for _h, body in receiver.requests}) == 1  # same body


def test_after_the_last_attempt_the_delivery_is_marked_failed(township, receiver,
                                                              local_targets):
    world = township
    enable_webhook(world, receiver, max_attempts=2)
    receiver.failures = 99
    with time_machine.travel("2026-03-02T09:00:00+08:00", tick=False) as clock:
        overdue_event(world)
        deliver(world)
        clock.shift(dt.timedelta(minutes=2))
        assert "0 delivered, 0 to retry, 1 failed" in deliver(world)
        clock.shift(dt.timedelta(hours=1))
        deliver(world)
    (row,) = deliveries(world, "status=failed")
    assert (row["attempts"], row["last_status_code"]) == (2, 500)
    assert row["last_error"].startswith("HTTP 500")
    assert len(receiver.requests) == 2


def test_a_township_without_the_module_gets_no_deliveries(township, other_township,
                                                           receiver, local_targets):
    enable_webhook(township, receiver)
    other_township.enable("drill")
    for world in (township, other_township):
        cli(world, "obligations", "remind", "--township", world.slug, "--at",
            at("2026-06-24", 9))
    with other_township.scope() as sess:
        assert sess.scalar(select(func.count()).select_from(WebhookDelivery)) == 0
    assert other_township.client("secretary").get(
        f"{other_township.base}/webhook/deliveries").status_code == 404
    assert len(deliveries(township)) == 3
    result = township.app.test_cli_runner().invoke(
        args=["webhook", "deliver", "--township", other_township.slug])
    assert result.exit_code == 2 and receiver.requests == []


def test_only_subscribed_events_are_queued(township, receiver, local_targets):
    enable_webhook(township, receiver, events=["obligation.due_soon"])
    overdue_event(township)
    assert deliveries(township) == []


def test_private_addresses_are_refused_unless_the_operator_allows_them(township, receiver):
    enable_webhook(township, receiver)
    overdue_event(township)
    deliver(township)
    (row,) = deliveries(township)
    assert receiver.requests == [] and row["status"] == "pending"
    assert "non-public address" in row["last_error"]


def test_the_log_is_for_the_office_the_secretary_and_the_administrator(township, receiver):
    enable_webhook(township, receiver)
    for role in ("secretary", "office", "tenant_admin"):
        deliveries(township, role=role)
    for role in ("deputy", "branch_secretary", "viewer"):
        assert township.client(role).get(
            f"{township.base}/webhook/deliveries").status_code == 403


def test_bad_settings_are_field_errors_and_change_nothing(township, receiver):
    admin = township.client("tenant_admin")
    url = f"{township.base}/plugins/webhook"
    for settings, field in (({"url": "ftp://robot.example/x"}, "url"),
                            ({"url": receiver.url, "secret": "short"}, "secret"),
                            ({"url": receiver.url, "colour": "red"}, "colour"),
                            ({"url": receiver.url, "events": ["not an event"]}, "events")):
        response = admin.put(url, json={"settings": settings})
        assert response.status_code == 422, settings
        assert field in response.json["errors"]["json"]["settings"]
    assert admin.get(url).json["enabled"] is False
