"""The webhook module's console page (issue 15, item 5): the target shown without its key
and with the signing secret only as set or not, a test message queued from the page and
delivered by the worker's command to a real receiver, the delivery log paged and filtered."""

from __future__ import annotations

import re

from tests.plugins.webhook.conftest import SECRET, enable_webhook
from tests.plugins.webhook.test_formats import cli


def _page(world) -> str:
    return f"/townships/{world.slug}/webhook/"


def _html(response) -> str:
    return response.raw.get_data(as_text=True)


def _test_button(client, world):
    html = _html(client.get(_page(world)).assert_status(200))
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return client.post(f"/townships/{world.slug}/webhook/test", data={"csrf_token": token})


def test_the_target_is_shown_without_its_key_or_secret(township, receiver):
    enable_webhook(township, receiver)
    township.client("tenant_admin").put(
        f"{township.base}/plugins/webhook",
        json={"settings": {"url": receiver.url + "?key=ROBOT-KEY-123", "secret": SECRET}},
    ).assert_status(200)
    html = _html(township.client("office").get(_page(township)).assert_status(200))
    assert receiver.url + "?…" in html
    assert "ROBOT-KEY-123" not in html and SECRET not in html


def test_a_test_message_is_queued_then_delivered_and_logged(township, receiver,
                                                           local_targets):
    enable_webhook(township, receiver)
    admin = township.client("tenant_admin")
    assert _test_button(admin, township).status_code == 302
    log = admin.get(f"{township.base}/webhook/deliveries").assert_status(200).json
    assert [(d["event"], d["status"]) for d in log] == [("webhook.test", "pending")]
    assert not receiver.requests  # nothing is sent inside the request
    cli(township, "webhook", "deliver", "--township", township.slug)
    assert len(receiver.requests) == 1 and b"webhook.test" in receiver.requests[0][1]
    html = _html(admin.get(_page(township) + "?status=delivered"))
    assert 'data-status="delivered"' in html and "webhook.test" in html
    assert 'data-status="pending"' not in _html(admin.get(_page(township) + "?status=pending"))
    audit = township.client("secretary").get(
        f"{township.base}/audit?action=webhook.test_queued").assert_status(200).json
    assert len(audit) == 1


def test_without_a_target_the_test_is_a_field_error_and_writes_nothing(township):
    township.enable("webhook")
    admin = township.client("tenant_admin")
    response = _test_button(admin, township)
    assert response.status_code == 422
    assert "請先在模組設定中填寫推送地址" in _html(response)  # the field message, in zh-Hant
    assert admin.get(f"{township.base}/webhook/deliveries").json == []
    admin.post(f"{township.base}/webhook/test", json={}).assert_status(422)


def test_the_office_reads_the_log_but_may_not_send_tests(township, receiver):
    enable_webhook(township, receiver)
    office = township.client("office")
    html = _html(office.get(_page(township)).assert_status(200))
    assert "/webhook/test" not in html
    assert _test_button(office, township).status_code == 403
    office.post(f"{township.base}/webhook/test", json={}).assert_status(403)
