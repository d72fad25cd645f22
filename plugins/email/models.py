"""The mail log: one row per event to send, written in the event's transaction (the
message fixed then) and sent later by ``zerenzhi email deliver`` — never inside a request."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zerenzhi import Base, TenantScoped, Timestamped

STATUSES = ("pending", "delivered", "failed")


class EmailDelivery(TenantScoped, Timestamped, Base):
    __tablename__ = "email_delivery"
    __audit__ = False  # the mail log is its own record; settings changes are audited

    event: Mapped[str] = mapped_column(String(80))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime]
    sent_to: Mapped[list | None] = mapped_column(default=None)  # addresses, once delivered
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    __table_args__ = (
        Index("ix_email_delivery_due", "tenant_id", "status", "next_attempt_at"),
    )
