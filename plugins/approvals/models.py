"""One table: an application for a major ideology-related activity and its W6 workflow."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from zerenzhi import (
    Archivable,
    Base,
    CountyReadable,
    TenantScoped,
    Timestamped,
    member_fk,
    tenant_fk,
)


class Application(TenantScoped, CountyReadable, Archivable, Timestamped, Base):
    """draft → submitted → approved | rejected → filed → held | cancelled.

    The decision and the filing are columns, not rows of their own: each happens once per
    application (a filing may be corrected), and every change is in the audit log.
    ``obligation_id`` is the W6 obligation opened on submission (None when the township
    switched the rule off).
    """

    __tablename__ = "approvals_application"

    kind: Mapped[str] = mapped_column(String(40))
    organiser_unit_id: Mapped[uuid.UUID]
    responsible_person: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    venue: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(4000))
    expected_participants: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default="draft")
    short_notice: Mapped[bool] = mapped_column(default=False)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    obligation_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    decision: Mapped[str | None] = mapped_column(String(20), default=None)
    decided_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    conditions: Mapped[str | None] = mapped_column(String(2000), default=None)
    approved_late: Mapped[bool] = mapped_column(default=False)
    filed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    filing_reference: Mapped[str | None] = mapped_column(String(100), default=None)
    filed_with: Mapped[str | None] = mapped_column(String(200), default=None)
    outcome_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    outcome_note: Mapped[str | None] = mapped_column(String(2000), default=None)

    __table_args__ = (
        tenant_fk("organiser_unit_id", "org_unit"),
        member_fk("decided_by"),
        Index("ix_approvals_application_tenant_starts", "tenant_id", "starts_at"),
    )
