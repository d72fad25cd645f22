"""The e-mail notifier counts every attempt in ``zerenzhi_deliveries_total{channel="email"}``
through the face (``zerenzhi.count_delivery``); its job reports nothing when nothing was
due (so the worker keeps no history row for it); a reminder mail names the post that
answers for the obligation from the event itself (M1–M3), with no copy of core's posts."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default

from tests.obligations.drill import at
from tests.plugins.email.conftest import enable_email
from tests.plugins.email.test_email import cli, deliver, due_soon_event
from tests.test_metrics import scrape, value
from zerenzhi import require_tenant, utcnow
from zerenzhi.plugins.email import messages
from zerenzhi.plugins.email.plugin import deliver_job


def test_every_attempt_is_counted_by_channel_and_outcome(township, mailbox, local_hosts):
    enable_email(township, mailbox)
    due_soon_event(township)
    due_soon_event(township)
    mailbox.failures = 1
    before = scrape(township.app)
    assert deliver(township) == f"{township.slug}: 1 delivered, 1 to retry, 0 failed"
    after = scrape(township.app)
    for outcome in ("delivered", "retrying"):
        assert value(after, "zerenzhi_deliveries_total", channel="email", outcome=outcome) \
            - value(before, "zerenzhi_deliveries_total", channel="email",
                    outcome=outcome) == 1
    assert value(after, "zerenzhi_deliveries_total", channel="webhook") == \
        value(before, "zerenzhi_deliveries_total", channel="webhook")


def test_the_job_says_nothing_when_nothing_was_due(township, mailbox, local_hosts):
    enable_email(township, mailbox)
    with township.scope() as sess:
        assert deliver_job(sess, require_tenant(), utcnow()) == ""
        sess.rollback()


def test_a_reminder_mail_names_the_post_from_its_event(township, mailbox, local_hosts):
    """M1: R1's half-year special meeting is the party secretary's; the mail's 責任人 line
    shows the post the reminder event names, in the seed's words."""
    enable_email(township, mailbox)
    cli(township, "obligations", "remind", "--township", township.slug,
        "--at", at("2026-06-24", 9))
    deliver(township)
    bodies = [message_from_bytes(e.original_content, policy=default).get_content()
              for e in mailbox.envelopes]
    [due_soon] = [b for b in bodies if b.startswith("事項：")]  # the digests start by name
    assert "期限：2026-06-30（週二）" in due_soon
    [who] = [line for line in due_soon.splitlines() if line.startswith("責任人：")]
    assert who.endswith("（黨委書記）"), who

    assert not hasattr(messages, "POSTS")
    event = {"title": "專題會議", "unit_name": "石門鎮黨委", "due_at": "2026-06-30T16:00:00+00:00",
             "status": "due_soon", "days_left": 7, "responsible_role": "secretary",
             "responsible_role_label": "第一責任人", "responsible": [{"id": "m", "name": "張三"}]}
    _subject, body = messages.compose("obligation.due_soon", event, township.slug,
                                      messages.ZoneInfo("Asia/Shanghai"))
    assert "責任人：張三（第一責任人）" in body
