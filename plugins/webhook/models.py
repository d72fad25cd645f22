"""The delivery log: one row per event to deliver, written in the event's transaction and
sent later by ``zerenzhi webhook deliver`` (no network I/O inside a request)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from zerenzhi import Base, TenantScoped, Timestamped

STATUSES = ("pending", "delivered", "failed")


class WebhookDelivery(TenantScoped, Timestamped, Base):
    __tablename__ = "webhook_delivery"
    __audit__ = False  # the delivery log is its own record; settings changes are audited

    event: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict]  # the exact JSON body, fixed when the event happened
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime]
    last_status_code: Mapped[int | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    __table_args__ = (
        Index("ix_webhook_delivery_due", "tenant_id", "status", "next_attempt_at"),
    )
