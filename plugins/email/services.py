"""Recording events as mails, and sending them over SMTP: plain UTF-8 text, exponential
back-off, every attempt logged on the row. No Flask here: the caller passes what it needs.

Mails are recorded in the transaction that caused them (a rolled-back reminder is never
sent) and sent later by ``zerenzhi email deliver`` or the worker's job, never in a request.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from zerenzhi import Event, TenantRef, count_delivery, utcnow
from zerenzhi.plugins.email.messages import compose
from zerenzhi.plugins.email.models import EmailDelivery

BATCH = 100


def configured(settings: dict[str, Any]) -> bool:
    return bool(settings.get("host") and settings.get("from_address")
                and settings.get("recipients"))


def record(session: Session, tenant: TenantRef, event: Event,
           settings: dict[str, Any]) -> EmailDelivery | None:
    """Queue ``event`` as a mail if the township subscribed to it; the text is fixed now."""
    if not configured(settings) or event.name not in settings["events"]:
        return None
    data = json.loads(json.dumps(event.data, default=str))
    subject, body = compose(event.name, data, tenant.slug, ZoneInfo(tenant.timezone))
    row = EmailDelivery(event=event.name, subject=subject, body=body,
                        next_attempt_at=event.at)
    session.add(row)
    return row


def _is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def resolve_host(host: str, port: int, allow_private: bool) -> str:
    """Resolve once; every address must be public unless the operator allows private
    hosts. Connecting to this address, not resolving again, defeats DNS rebinding."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    if not addresses:
        raise ValueError(f"{host} does not resolve")
    if not allow_private:
        for ip in addresses:
            if not _is_public(ip):
                raise ValueError(f"{host} resolves to a non-public address ({ip})")
    return str(addresses[0])


class _PinnedSMTP(smtplib.SMTP):
    """SMTP (and STARTTLS) to an address resolved beforehand; TLS checks the host name."""

    def __init__(self, address: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.address = address

    def _get_socket(self, host, port, timeout):
        return socket.create_connection((self.address, port), timeout, self.source_address)


class _PinnedSMTPSSL(smtplib.SMTP_SSL):
    """Implicit TLS to an address resolved beforehand; SNI and the certificate use the
    host name."""

    def __init__(self, address: str, timeout: float) -> None:
        super().__init__(timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def _get_socket(self, host, port, timeout):
        sock = socket.create_connection((self.address, port), timeout, self.source_address)
        return self.context.wrap_socket(sock, server_hostname=self._host)


def message_of(row: EmailDelivery, settings: dict[str, Any]) -> EmailMessage:
    """The mail: UTF-8 plain text, one copy to all recipients."""
    mail = EmailMessage()
    sender = settings["from_address"]
    mail["From"] = Address(settings["from_name"], addr_spec=sender)
    mail["To"] = ", ".join(settings["recipients"])
    mail["Subject"] = row.subject
    mail["Date"] = format_datetime(utcnow())
    mail["Message-ID"] = make_msgid(idstring=str(row.id), domain=sender.rsplit("@", 1)[1])
    mail["X-Zerenzhi-Event"] = row.event
    mail.set_content(row.body, charset="utf-8")
    return mail


def send(settings: dict[str, Any], mail: EmailMessage, allow_private: bool) -> None:
    """One attempt; raises ``smtplib.SMTPException`` or ``OSError`` on failure."""
    host, port = settings["host"], settings["port"]
    address = resolve_host(host, port, allow_private)
    kind = _PinnedSMTPSSL if settings["security"] == "ssl" else _PinnedSMTP
    with kind(address, settings["timeout_seconds"]) as smtp:
        smtp.connect(host, port)
        if settings["security"] == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if settings.get("username"):
            smtp.login(settings["username"], settings.get("password") or "")
        smtp.send_message(mail)


@dataclass
class Delivered:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.delivered} delivered, {self.retrying} to retry, {self.failed} failed"

    def __bool__(self) -> bool:
        return bool(self.delivered or self.retrying or self.failed)


def _settle(row: EmailDelivery, error: str | None, settings: dict[str, Any],
            now: dt.datetime) -> str:
    row.attempts += 1
    row.last_error = error
    if error is None:
        row.status, row.delivered_at = "delivered", now
        row.sent_to = list(settings["recipients"])
    elif row.attempts >= settings["max_attempts"]:
        row.status = "failed"
    else:  # 2, 4, 8, 16… minutes
        row.next_attempt_at = now + dt.timedelta(minutes=2 ** row.attempts)
        return "retrying"
    return row.status


def deliver_due(session: Session, settings: dict[str, Any], *, allow_private: bool = False,
                limit: int = BATCH, now: dt.datetime | None = None,
                commit: Callable[[], None] | None = None) -> Delivered:
    """Send the current township's due mails, oldest first.

    ``commit`` ends each step: the command passes ``session.commit`` (claim, send, settle,
    each committed, so no transaction is open while a mail is in flight); the worker's job
    passes nothing and commits once at the end — its claim's row lock then keeps an
    overlapping run off the row until it does.
    """
    now = now or utcnow()
    step = commit or session.flush
    due = session.scalars(
        select(EmailDelivery)
        .where(EmailDelivery.status == "pending", EmailDelivery.next_attempt_at <= now)
        .order_by(EmailDelivery.next_attempt_at, EmailDelivery.id).limit(limit)
    ).all()
    step()
    lease = dt.timedelta(seconds=3 * settings["timeout_seconds"] + 60)
    result = Delivered()
    if not configured(settings):
        return result
    for row in due:
        claimed = session.execute(
            update(EmailDelivery)
            .where(EmailDelivery.id == row.id, EmailDelivery.status == "pending",
                   EmailDelivery.next_attempt_at <= now)
            .values(next_attempt_at=now + lease)
        ).rowcount
        step()
        if claimed != 1:
            continue
        try:
            send(settings, message_of(row, settings), allow_private)
            error = None
        except (smtplib.SMTPException, OSError, ValueError) as failure:
            error = (str(failure) or type(failure).__name__)[:500]
        outcome = _settle(row, error, settings, utcnow())
        step()
        count_delivery("email", outcome)
        setattr(result, outcome, getattr(result, outcome) + 1)
    return result
