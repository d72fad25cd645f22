"""Where a webhook may be sent (issue 17, defect 11): the host is resolved once and the
connection goes to that checked address, with the URL's Host header (no DNS rebinding);
numeric IPv4 spellings and 0.0.0.0 are refused when the settings are written."""

from __future__ import annotations

import socket

import pytest

from tests.plugins.webhook.conftest import enable_webhook
from tests.plugins.webhook.test_webhook import deliver, deliveries, overdue_event

REAL_GETADDRINFO = socket.getaddrinfo


def fake_dns(monkeypatch, host: str, *answers: str) -> list[str]:
    """``host`` resolves to ``answers[0]`` on the first lookup, ``answers[1]`` on the
    second… (a rebinding server); returns the lookups made."""
    lookups: list[str] = []

    def getaddrinfo(name, port, *args, **kwargs):
        if name != host:
            return REAL_GETADDRINFO(name, port, *args, **kwargs)
        answer = answers[min(len(lookups), len(answers) - 1)]
        lookups.append(answer)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer, port or 80))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


def test_the_connection_goes_to_the_address_that_was_checked(township, receiver, monkeypatch):
    """A rebinding answer (public when checked, loopback when connecting) must not reach
    the loopback: the one checked address is the one connected to."""
    lookups = fake_dns(monkeypatch, "robot.example", "93.184.216.34", "127.0.0.1")
    connected: list[tuple] = []

    def create_connection(address, *args, **kwargs):
        connected.append(address)
        raise OSError("no network in tests")

    monkeypatch.setattr(socket, "create_connection", create_connection)
    port = receiver.url.split(":")[2].split("/")[0]
    receiver.url = f"http://robot.example:{port}/robot"
    enable_webhook(township, receiver)
    overdue_event(township)
    deliver(township)
    assert connected == [("93.184.216.34", int(port))]
    assert lookups == ["93.184.216.34"] and receiver.requests == []


def test_the_host_header_is_the_urls_host(township, receiver, local_targets, monkeypatch):
    fake_dns(monkeypatch, "robot.example", "127.0.0.1")
    port = receiver.url.split(":")[2].split("/")[0]
    receiver.url = f"http://robot.example:{port}/robot?key=1"
    enable_webhook(township, receiver)
    overdue_event(township)
    deliver(township)
    ((headers, _body),) = receiver.requests
    assert headers["Host"] == f"robot.example:{port}"
    assert deliveries(township)[0]["status"] == "delivered"


def test_a_name_resolving_to_a_private_address_is_refused(township, receiver, monkeypatch):
    fake_dns(monkeypatch, "robot.example", "10.1.2.3")
    receiver.url = "http://robot.example/robot"
    enable_webhook(township, receiver)
    overdue_event(township)
    deliver(township)
    (row,) = deliveries(township)
    assert row["status"] == "pending" and "non-public address (10.1.2.3)" in row["last_error"]


@pytest.mark.parametrize("url", ["http://0.0.0.0/robot", "http://2130706433/",
                                 "http://0x7f.1/", "http://0177.0.0.1/", "http://127.1/",
                                 "http://0x7f000001/", "http://[::]/robot"])
def test_numeric_and_unspecified_hosts_are_refused_at_settings_time(township, url):
    admin = township.client("tenant_admin")
    response = admin.put(f"{township.base}/plugins/webhook", json={"settings": {"url": url}})
    assert response.status_code == 422, url
    assert "url" in response.json["errors"]["json"]["settings"]
    assert admin.get(f"{township.base}/plugins/webhook").json["enabled"] is False
