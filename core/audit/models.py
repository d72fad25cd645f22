"""The audit log: one hash-chained row per write, per tenant (docs/architecture.md, Audit)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zerenzhi.db.base import Base, TenantScoped


class AuditEntry(TenantScoped, Base):
    __tablename__ = "audit_entry"
    __audit__ = False  # the log does not log itself

    seq: Mapped[int]
    at: Mapped[dt.datetime]
    actor_id: Mapped[uuid.UUID | None]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    target_type: Mapped[str] = mapped_column(String(100))
    target_id: Mapped[str | None] = mapped_column(String(100))
    before: Mapped[dict | None]
    after: Mapped[dict | None]
    request_id: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("tenant_id", "seq"),
        Index("ix_audit_entry_target", "tenant_id", "target_type", "target_id"),
    )
