"""Recording events for delivery, and delivering them: signed JSON, exponential backoff,
every attempt logged on the delivery row. No Flask here: the command passes what it needs.

Events are recorded in the transaction that caused them (so a rolled-back reminder is
never sent) and sent later by ``zerenzhi webhook deliver``, never inside a request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from zerenzhi import Event, TenantRef, utcnow
from zerenzhi.plugins.webhook.models import WebhookDelivery

BATCH = 100
USER_AGENT = "zerenzhi-webhook/1.0"


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


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def signature(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the exact body bytes, as GitHub signs webhooks."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a new target: following it could reach any address."""

    def redirect_request(self, *_args, **_kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _check_target(url: str) -> None:
    """Refuse hosts that resolve to loopback, private or link-local addresses, so a
    township's settings cannot make the service probe its own network."""
    host = urlsplit(url).hostname or ""
    for *_rest, address in socket.getaddrinfo(host, None):
        ip = ipaddress.ip_address(address[0])
        if not ip.is_global:
            raise ValueError(f"{host} resolves to a non-public address ({ip})")


def _post(settings: dict[str, Any], row: WebhookDelivery,
          allow_private: bool) -> tuple[int | None, str | None]:
    """One attempt: (HTTP status or None, error text or None)."""
    body = body_of(row.payload)
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
               "X-Zerenzhi-Event": row.event, "X-Zerenzhi-Delivery": str(row.id)}
    if settings.get("secret"):
        headers["X-Zerenzhi-Signature"] = signature(settings["secret"], body)
    request = urllib.request.Request(settings["url"], data=body, headers=headers,
                                     method="POST")
    try:
        if not allow_private:
            _check_target(settings["url"])
        with _opener.open(request, timeout=settings["timeout_seconds"]) as response:
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code} {error.reason}"[:500]
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
        return None, (str(error) or type(error).__name__)[:500]


@dataclass
class Delivered:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.delivered} delivered, {self.retrying} to retry, {self.failed} failed"


def _claim(session: Session, row: WebhookDelivery, now: dt.datetime, lease: dt.timedelta) -> bool:
    """Push the row's next attempt past this one's end, so an overlapping run skips it."""
    claimed = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == row.id, WebhookDelivery.status == "pending",
               WebhookDelivery.next_attempt_at <= now)
        .values(next_attempt_at=now + lease)
    ).rowcount
    session.commit()
    return claimed == 1


def _settle(row: WebhookDelivery, code: int | None, error: str | None,
            settings: dict[str, Any], now: dt.datetime) -> str:
    row.attempts += 1
    row.last_status_code, row.last_error = code, error
    if code is not None and 200 <= code < 300:
        row.status, row.delivered_at, row.last_error = "delivered", now, None
    elif row.attempts >= settings["max_attempts"]:
        row.status = "failed"
    else:  # 2, 4, 8, 16… minutes
        row.next_attempt_at = now + dt.timedelta(minutes=2 ** row.attempts)
        return "retrying"
    return row.status


def deliver_due(session: Session, settings: dict[str, Any], *, allow_private: bool = False,
                limit: int = BATCH) -> Delivered:
    """Send the current township's due deliveries, oldest first; commit after each.

    No transaction is open while a request is in flight: each row is claimed and
    committed, sent, then settled and committed.
    """
    now = utcnow()
    due = session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)
    ).all()
    session.commit()
    lease = dt.timedelta(seconds=2 * settings["timeout_seconds"] + 60)
    result = Delivered()
    for row in due:
        if not settings.get("url") or not _claim(session, row, now, lease):
            continue
        code, error = _post(settings, row, allow_private)
        outcome = _settle(row, code, error, settings, utcnow())
        session.commit()
        setattr(result, outcome, getattr(result, outcome) + 1)
    return result
