"""The e-mail notifier: a township's reminders reach its mailboxes as plain UTF-8 mail over
SMTP, after the transaction, retried with back-off, logged (issue 13, item 9)."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from email.policy import default

import time_machine
from sqlalchemy import text

from tests.plugins.email.conftest import LOGIN, PASSWORD, RECIPIENTS, SENDER, enable_email
from zerenzhi import emit, require_tenant, utcnow
from zerenzhi.commands.obligations import register
from zerenzhi.plugins.email import plugin as EMAIL
from zerenzhi.plugins.email.plugin import deliver_job

DUE_SOON = {
    "obligation_id": "o-1", "rule": "drill.special_meeting", "title": "專題會議",
    "unit_name": "石門鎮黨委", "period": "2026H1", "due_at": "2026-06-30T16:00:00+00:00",
    "status": "due_soon", "days_left": 7, "days_overdue": 0, "responsible_role": "secretary",
    "responsible_role_label": "黨委書記", "due_on": "2026-06-30",
    "responsible": [{"id": "m-1", "name": "張三"}], "threshold": 7,
}


def cli(world, *args: str) -> str:
    if "obligations" not in world.app.cli.commands:
        register(world.app.cli)
    result = world.app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def deliver(world) -> str:
    return cli(world, "email", "deliver", "--township", world.slug).strip()


def mails(world, query: str = "", role: str = "office") -> list[dict]:
    return world.client(role).get(
        f"{world.base}/email/deliveries?{query}").assert_status(200).json


def due_soon_event(world) -> None:
    with world.scope() as sess:
        emit(sess, "obligation.due_soon", **DUE_SOON)
        sess.commit()


def test_a_reminder_arrives_as_plain_utf8_text(township, mailbox, local_hosts):
    enable_email(township, mailbox)
    with time_machine.travel("2026-06-24T09:00:00+08:00", tick=False):
        due_soon_event(township)
        assert mailbox.envelopes == []  # recorded, not sent, in the transaction
        assert deliver(township) == f"{township.slug}: 1 delivered, 0 to retry, 0 failed"
    (envelope,) = mailbox.envelopes
    assert (envelope.mail_from, envelope.rcpt_tos) == (SENDER, RECIPIENTS)
    mail = message_from_bytes(envelope.original_content, policy=default)
    assert mail["Subject"] == "【即將到期】專題會議（石門鎮黨委）"
    assert mail["From"] == f"責任制提醒 <{SENDER}>"
    assert mail["To"] == ", ".join(RECIPIENTS)
    assert mail["Date"] == "Wed, 24 Jun 2026 01:00:00 +0000"
    assert mail["X-Zerenzhi-Event"] == "obligation.due_soon"
    assert (mail.get_content_type(), mail.get_content_charset()) == ("text/plain", "utf-8")
    assert mail.get_content().replace("\r\n", "\n") == "\n".join([
        "事項：專題會議", "單位：石門鎮黨委", "期限：2026-06-30（週二）",
        "責任人：張三（黨委書記）", "狀態：剩餘 7 天", "", f"— 責任制 · {township.slug}", ""])
    (row,) = mails(township)
    assert (row["status"], row["attempts"], row["sent_to"]) == ("delivered", 1, RECIPIENTS)
    assert row["delivered_at"] == "2026-06-24T01:00:00+00:00"
    assert deliver(township) == f"{township.slug}: 0 delivered, 0 to retry, 0 failed"


def test_the_weekly_digest_is_one_mail_per_person(township, mailbox, local_hosts):
    enable_email(township, mailbox)
    overdue = {**DUE_SOON, "title": "集中學習", "unit_name": "石門村支部",
               "due_at": "2026-06-20T16:00:00+00:00", "status": "overdue", "days_left": 0,
               "days_overdue": 2, "responsible_role": "branch_secretary",
               "responsible_role_label": "支部書記", "due_on": "2026-06-20",
               "responsible": [{"id": "m-2", "name": "李四"}]}
    with township.scope() as sess:  # what ``obligations remind`` emits: one per person
        emit(sess, "obligation.digest", member_id="m-1", member_name="張三",
             week="2026-W26", overdue=[], open=[DUE_SOON])
        emit(sess, "obligation.digest", member_id="m-2", member_name="李四",
             week="2026-W26", overdue=[overdue], open=[])
        sess.commit()
    assert deliver(township).startswith(f"{township.slug}: 2 delivered")
    sent = {mail["Subject"]: mail.get_content().replace("\r\n", "\n")
            for mail in (message_from_bytes(e.original_content, policy=default)
                         for e in mailbox.envelopes)}
    assert sent["【本週待辦】李四：逾期 1 項，待辦 0 項（2026-W26）"] == "\n".join([
        "李四，本週您負責的事項：", "", "逾期 1 項", "· 集中學習",
        "  單位：石門村支部　期限：2026-06-20（週六）",
        "  責任人：李四（支部書記）　已逾期 2 天", "", "待辦 0 項", "",
        f"— 責任制 · {township.slug}", ""])
    assert "【本週待辦】張三：逾期 0 項，待辦 1 項（2026-W26）" in sent


def test_a_refusing_server_is_retried_with_growing_waits(township, mailbox, local_hosts):
    enable_email(township, mailbox, max_attempts=3)
    mailbox.failures = 2
    with time_machine.travel("2026-03-02T09:00:00+08:00", tick=False) as clock:
        due_soon_event(township)
        assert deliver(township).endswith("0 delivered, 1 to retry, 0 failed")
        (row,) = mails(township)
        assert (row["status"], row["attempts"]) == ("pending", 1)
        assert "451" in row["last_error"]
        assert row["next_attempt_at"] == "2026-03-02T01:02:00+00:00"  # 2 minutes
        clock.shift(dt.timedelta(minutes=1, seconds=59))
        assert deliver(township).endswith("0 delivered, 0 to retry, 0 failed")  # not yet
        clock.shift(dt.timedelta(seconds=1))
        deliver(township)
        (row,) = mails(township)
        assert (row["attempts"], row["next_attempt_at"]) == (2, "2026-03-02T01:06:00+00:00")
        clock.shift(dt.timedelta(minutes=4))
        deliver(township)
    (row,) = mails(township)
    assert (row["status"], row["attempts"], row["last_error"]) == ("delivered", 3, None)
    assert len(mailbox.envelopes) == 1


def test_after_the_last_attempt_the_mail_is_marked_failed(township, mailbox, local_hosts):
    enable_email(township, mailbox, max_attempts=2)
    mailbox.failures = 99
    with time_machine.travel("2026-03-02T09:00:00+08:00", tick=False) as clock:
        due_soon_event(township)
        deliver(township)
        clock.shift(dt.timedelta(minutes=2))
        assert deliver(township).endswith("0 delivered, 0 to retry, 1 failed")
    (row,) = mails(township, "status=failed")
    assert row["attempts"] == 2 and mailbox.envelopes == []


def test_it_logs_in_with_the_stored_password_which_is_never_shown(township, mailbox,
                                                                  local_hosts):
    state = enable_email(township, mailbox, username=LOGIN, password=PASSWORD)
    assert PASSWORD not in str(state)
    due_soon_event(township)
    deliver(township)
    assert len(mailbox.envelopes) == 1
    admin = township.client("tenant_admin")
    assert PASSWORD not in str(admin.get(f"{township.base}/plugins/email").json)
    with township.scope() as sess:  # encrypted at rest
        stored = sess.execute(text(
            "SELECT settings FROM tenant_plugin WHERE plugin = 'email'")).all()
    assert LOGIN in str(stored) and PASSWORD not in str(stored)


def test_a_wrong_password_is_a_failed_attempt(township, mailbox, local_hosts):
    enable_email(township, mailbox, username=LOGIN, password="not-it")
    due_soon_event(township)
    assert deliver(township).endswith("0 delivered, 1 to retry, 0 failed")
    (row,) = mails(township)
    assert "535" in row["last_error"] and mailbox.envelopes == []


def test_private_hosts_are_refused_unless_the_operator_allows_them(township, mailbox):
    enable_email(township, mailbox)
    due_soon_event(township)
    deliver(township)
    (row,) = mails(township)
    assert "non-public address" in row["last_error"] and mailbox.envelopes == []


def test_without_recipients_or_subscription_nothing_is_recorded(township, mailbox):
    enable_email(township, mailbox, recipients=[])
    due_soon_event(township)
    assert mails(township) == []
    enable_email(township, mailbox, drill=False, events=["obligation.overdue"])
    due_soon_event(township)
    assert mails(township) == []


def test_the_log_is_for_the_office_the_secretary_and_the_administrator(township, mailbox):
    enable_email(township, mailbox)
    for role in ("secretary", "office", "tenant_admin"):
        mails(township, role=role)
    for role in ("deputy", "branch_secretary", "viewer"):
        assert township.client(role).get(
            f"{township.base}/email/deliveries").status_code == 403


def test_bad_settings_are_field_errors(township, mailbox):
    admin = township.client("tenant_admin")
    for settings, field in (({"recipients": ["not an address"]}, "recipients"),
                            ({"security": "tls-maybe"}, "security"),
                            ({"port": 0}, "port"),
                            ({"host": "smtp example"}, "host"),
                            ({"colour": "red"}, "colour")):
        response = admin.put(f"{township.base}/plugins/email", json={"settings": settings})
        assert response.status_code == 422, settings
        assert field in response.json["errors"]["json"]["settings"]


def test_the_workers_job_sends_in_the_workers_transaction(township, mailbox, local_hosts):
    enable_email(township, mailbox)
    due_soon_event(township)
    with township.app.app_context(), township.scope() as sess:
        outcome = deliver_job(sess, require_tenant(), utcnow())
        sess.commit()
    assert outcome == "1 delivered, 0 to retry, 0 failed" and len(mailbox.envelopes) == 1
    (row,) = mails(township)
    assert (row["status"], row["sent_to"]) == ("delivered", RECIPIENTS)


def test_the_delivery_is_a_job_every_minute(app):
    jobs = {job.name: job for job in EMAIL.register_jobs()}
    assert jobs["email.deliver"].run is deliver_job
    assert jobs["email.deliver"].schedule == "every 0:01:00"
