"""Recording events for delivery, and delivering them: signed JSON or a group-chat robot's
message (``formats``), exponential backoff, every attempt logged on the delivery row. No
Flask here: the command passes what it needs.

Events are recorded in the transaction that caused them (so a rolled-back reminder is
never sent) and sent later by the worker's ``webhook.deliver`` job or ``zerenzhi webhook
deliver``, never inside a request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from zerenzhi import (
    DomainError,
    Event,
    TenantRef,
    audit_event,
    count_delivery,
    listed,
    tenant_zone,
    utcnow,
)
from zerenzhi.plugins.webhook import formats
from zerenzhi.plugins.webhook.models import WebhookDelivery

BATCH = 100
USER_AGENT = "zerenzhi-webhook/1.0"
ANSWER_BYTES = 65536  # enough of a robot's answer to read its error code


def record(session: Session, tenant: TenantRef, event: Event,
           settings: dict[str, Any]) -> WebhookDelivery | None:
    """Queue ``event`` if the township subscribed to it; the body is fixed now."""
    if not settings.get("url") or event.name not in settings["events"]:
        return None
    payload = {"event": event.name, "township": tenant.slug, "at": event.at.isoformat(),
               "data": json.loads(json.dumps(event.data, default=str))}
    row = WebhookDelivery(event=event.name, payload=payload, next_attempt_at=event.at)
    session.add(row)
    return row


def delivery_log(query: dict[str, Any]) -> Select:
    """The delivery log's select, newest first, by status or event (the API's list and the
    page's)."""
    return listed(WebhookDelivery, query, match=("status", "event"),
                  order_by=(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()))


TEST_EVENT = "webhook.test"


def queue_test(session: Session, tenant: TenantRef, settings: dict[str, Any],
               now: dt.datetime | None = None) -> WebhookDelivery:
    """A test message to the configured target, whatever events the township subscribed
    to: queued like any event and sent by the worker within a minute (never inside the
    request), its answer then in the delivery log."""
    if not settings.get("url"):
        raise DomainError("url", "set the target address in the module's settings first")
    now = now or utcnow()
    payload = {"event": TEST_EVENT, "township": tenant.slug, "at": now.isoformat(),
               "data": {"message": "zerenzhi test"}}
    row = WebhookDelivery(event=TEST_EVENT, payload=payload, next_attempt_at=now)
    session.add(row)
    session.flush()
    audit_event(session, "webhook.test_queued", "webhook_delivery", row.id)
    return row


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def signature(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the exact body bytes, as GitHub signs webhooks."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def resolve_target(host: str, port: int, allow_private: bool) -> str:
    """Resolve ``host`` once and return the address to connect to. Every address it
    resolves to must be public (not loopback, private, link-local or reserved) unless the
    operator allows private targets; connecting to this very address, not resolving again,
    is what stops a rebinding DNS answer from pointing the second lookup inwards."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    if not addresses:
        raise ValueError(f"{host} does not resolve")
    if not allow_private:
        for ip in addresses:
            if not _is_public(ip):
                raise ValueError(f"{host} resolves to a non-public address ({ip})")
    return str(addresses[0])


class _PinnedHTTP(http.client.HTTPConnection):
    """HTTP to an address resolved beforehand; the Host header stays the URL's host."""

    def __init__(self, host: str, port: int | None, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to an address resolved beforehand; SNI and the certificate check use the
    URL's host."""

    def __init__(self, host: str, port: int | None, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _send(url: str, body: bytes, headers: dict[str, str], timeout: float,
          allow_private: bool) -> tuple[int, str, bytes]:
    """POST once, without following redirects (a redirect is an answer, not a new target:
    following it could reach any address)."""
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    address = resolve_target(parts.hostname or "", port, allow_private)
    connection = (_PinnedHTTPS if secure else _PinnedHTTP)(parts.hostname or "", parts.port,
                                                           address, timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.reason, response.read(ANSWER_BYTES)
    finally:
        connection.close()


def _post(settings: dict[str, Any], row: WebhookDelivery, allow_private: bool,
          zone: ZoneInfo) -> tuple[int | None, str | None]:
    """One attempt: (HTTP status or None, error text or None)."""
    fmt, secret, url = settings.get("format", "json"), settings.get("secret"), settings["url"]
    now = utcnow()
    payload = formats.render(fmt, row.payload, zone)
    if fmt == "feishu" and secret:
        payload = formats.feishu_signed(payload, secret, now)
    elif fmt == "dingtalk" and secret:
        url = formats.dingtalk_url(url, secret, now)
    body = body_of(payload)
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
               "X-Zerenzhi-Event": row.event, "X-Zerenzhi-Delivery": str(row.id)}
    if fmt == "json" and secret:
        headers["X-Zerenzhi-Signature"] = signature(secret, body)
    try:
        code, reason, answer = _send(url, body, headers, settings["timeout_seconds"],
                                     allow_private)
    except (http.client.HTTPException, OSError, ValueError) as error:
        return None, (str(error) or type(error).__name__)[:500]
    if 200 <= code < 300:
        return code, formats.robot_error(fmt, answer)
    return code, f"HTTP {code} {reason}"[:500]


@dataclass
class Delivered:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.delivered} delivered, {self.retrying} to retry, {self.failed} failed"

    def __bool__(self) -> bool:
        return bool(self.delivered or self.retrying or self.failed)


def _claim(session: Session, row: WebhookDelivery, now: dt.datetime, lease: dt.timedelta) -> bool:
    """Push the row's next attempt past this one's end, so an overlapping run skips it."""
    claimed = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == row.id, WebhookDelivery.status == "pending",
               WebhookDelivery.next_attempt_at <= now)
        .values(next_attempt_at=now + lease)
    ).rowcount
    return claimed == 1


def _settle(row: WebhookDelivery, code: int | None, error: str | None,
            settings: dict[str, Any], now: dt.datetime) -> str:
    row.attempts += 1
    row.last_status_code, row.last_error = code, error
    if error is None and code is not None and 200 <= code < 300:
        row.status, row.delivered_at, row.last_error = "delivered", now, None
    elif row.attempts >= settings["max_attempts"]:
        row.status = "failed"
    else:  # 2, 4, 8, 16… minutes
        row.next_attempt_at = now + dt.timedelta(minutes=2 ** row.attempts)
        return "retrying"
    return row.status


def deliver_due(session: Session, settings: dict[str, Any], *, allow_private: bool = False,
                limit: int = BATCH, now: dt.datetime | None = None,
                commit: Callable[[], None] | None = None) -> Delivered:
    """Send the current township's due deliveries, oldest first. Robot messages give dates
    in the township's zone.

    Each delivery is claimed (its next attempt pushed past this one's end), sent, then
    settled; ``commit`` ends each step. ``zerenzhi webhook deliver`` passes
    ``session.commit``: claims are committed before the robot is called, so no transaction
    is open during a network call and a second command (cron overlapping itself) finds the
    row claimed — no lock guards a command, the committed claim is what stops a double
    send. The worker's job passes nothing: it commits nothing itself (the runner commits,
    with the run's record and under its advisory lock), and its uncommitted claim's row
    lock keeps a command run meanwhile off the row until then (decision 0015).
    """
    now = now or utcnow()
    zone = tenant_zone()
    step = commit or session.flush
    due = session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)
    ).all()
    step()
    lease = dt.timedelta(seconds=2 * settings["timeout_seconds"] + 60)
    result = Delivered()
    for row in due:
        if not settings.get("url"):
            break
        claimed = _claim(session, row, now, lease)
        step()
        if not claimed:
            continue
        code, error = _post(settings, row, allow_private, zone)
        outcome = _settle(row, code, error, settings, utcnow())
        step()
        count_delivery("webhook", outcome)
        setattr(result, outcome, getattr(result, outcome) + 1)
    return result
