"""The platforms tables (prefix ``platforms_``): the channel register with its filing
history and quarterly reviews (P1), incidents with their handling timeline (P2, P3).

Only the organisation's own channels and incidents: no table names private persons or
groups (the product's scope). People appear only as township members (``member`` ids).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zerenzhi import (
    Archivable,
    Base,
    CountyReadable,
    TenantScoped,
    Timestamped,
    member_fk,
    tenant_fk,
    utcnow,
)
from zerenzhi.plugins.platforms.catalogue import (
    CHANNEL_KINDS,
    CHANNEL_STATUSES,
    ENTRY_KINDS,
    FILING_ACTIONS,
    INCIDENT_CATEGORIES,
    INCIDENT_STATUSES,
    SEVERITIES,
    UPDATE_FREQUENCIES,
)


def _one_of(column: str, codes) -> CheckConstraint:
    listed = ", ".join(f"'{code}'" for code in codes)
    return CheckConstraint(f"{column} IN ({listed})", name=column)


class Channel(TenantScoped, CountyReadable, Archivable, Timestamped, Base):
    """A channel a unit operates. Its owner unit is fixed: a channel handed to another unit
    is closed and registered again there, so each filing and review keeps one owner."""

    __tablename__ = "platforms_channel"

    unit_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    account: Mapped[str] = mapped_column(String(200))  # URL, account id or group name
    responsible_member_id: Mapped[uuid.UUID]
    status: Mapped[str] = mapped_column(String(20), default="active")
    status_since: Mapped[dt.date]
    opened_on: Mapped[dt.date]
    closed_on: Mapped[dt.date | None] = mapped_column(default=None)

    __table_args__ = (
        tenant_fk("unit_id", "org_unit"),
        member_fk("responsible_member_id"),
        _one_of("kind", CHANNEL_KINDS),
        _one_of("status", CHANNEL_STATUSES),
        Index("ix_platforms_channel_unit", "tenant_id", "unit_id"),
    )


class Filing(TenantScoped, Timestamped, Base):
    """One 備案 (opening, change or closing) of a channel. Append-only history: a wrong
    filing is corrected by a later change filing, never edited or archived."""

    __tablename__ = "platforms_filing"

    channel_id: Mapped[uuid.UUID]
    action: Mapped[str] = mapped_column(String(10))
    filed_on: Mapped[dt.date]
    reference: Mapped[str] = mapped_column(String(120))  # 備案號 or document number
    filed_with: Mapped[str | None] = mapped_column(String(200), default=None)
    changes: Mapped[dict] = mapped_column(default=dict)  # field -> [before, after]
    note: Mapped[str | None] = mapped_column(String(500), default=None)

    __table_args__ = (
        tenant_fk("channel_id", "platforms_channel"),
        _one_of("action", FILING_ACTIONS),
        Index("ix_platforms_filing_channel", "tenant_id", "channel_id"),
    )


class Review(TenantScoped, CountyReadable, Archivable, Timestamped, Base):
    """A quarterly review of one channel (P1). ``unit_id`` copies the channel's owner so
    a unit's coverage is one indexed query; ``quarter`` is derived from ``reviewed_on``."""

    __tablename__ = "platforms_review"

    channel_id: Mapped[uuid.UUID]
    unit_id: Mapped[uuid.UUID]
    reviewed_on: Mapped[dt.date]
    quarter: Mapped[str] = mapped_column(String(7))  # "2026Q2"
    update_frequency: Mapped[str] = mapped_column(String(20))
    content_checked: Mapped[str] = mapped_column(Text)
    problems_found: Mapped[str | None] = mapped_column(Text, default=None)
    rectification: Mapped[str | None] = mapped_column(Text, default=None)
    rectified_on: Mapped[dt.date | None] = mapped_column(default=None)

    __table_args__ = (
        tenant_fk("channel_id", "platforms_channel"),
        tenant_fk("unit_id", "org_unit"),
        _one_of("update_frequency", UPDATE_FREQUENCIES),
        Index("ix_platforms_review_unit_quarter", "tenant_id", "unit_id", "quarter"),
        Index("ix_platforms_review_channel", "tenant_id", "channel_id"),
    )


class Incident(TenantScoped, CountyReadable, Archivable, Timestamped, Base):
    """A major opinion or ideology incident (P2) and its handling. ``detected_at`` starts
    the report clock (``recorded_at`` is when it was typed in; the lag between them is
    shown); ``report_due_at`` and ``first_report_at`` keep what the obligation was judged
    by, so lateness stays visible after the obligation is fulfilled."""

    __tablename__ = "platforms_incident"

    unit_id: Mapped[uuid.UUID]  # the unit concerned
    channel_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    detected_at: Mapped[dt.datetime]
    recorded_at: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(10), default="open")
    report_obligation_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    report_due_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    first_report_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # P3: the first liaison with higher departments and whom it reached (from the timeline)
    first_liaison_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    liaised_with: Mapped[list[str] | None] = mapped_column(JSON, default=list)
    summary: Mapped[str | None] = mapped_column(Text, default=None)
    closed_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    @property
    def recording_lag_minutes(self) -> int:
        """P2: how long after its detection the incident was recorded, in whole minutes."""
        return max(0, int((self.recorded_at - self.detected_at).total_seconds() // 60))

    @property
    def report(self) -> dict:
        """P2's report as the record shows it: required?, due, first report, late?"""
        due, first = self.report_due_at, self.first_report_at
        if self.report_obligation_id is None or due is None:
            state = "reported" if first else "not_required"
        elif first is not None:
            state = "late" if first > due else "on_time"
        else:
            state = "overdue" if utcnow() > due else "pending"
        return {"required": self.report_obligation_id is not None,
                "obligation_id": self.report_obligation_id, "due_at": due,
                "first_report_at": first,
                "late": None if first is None or due is None else first > due, "state": state}

    @property
    def liaison(self) -> dict:
        """P3 (溝通聯動，通報情況、協同處置): a reportable incident owes liaison with the
        higher competent departments; ``missing`` until its timeline has one."""
        required = self.report_obligation_id is not None
        done = self.first_liaison_at is not None
        return {"required": required, "first_at": self.first_liaison_at,
                "with": list(self.liaised_with or []),
                "state": "done" if done else ("missing" if required else "not_required")}

    __table_args__ = (
        tenant_fk("unit_id", "org_unit"),
        tenant_fk("channel_id", "platforms_channel"),
        _one_of("category", INCIDENT_CATEGORIES),
        _one_of("severity", SEVERITIES),
        _one_of("status", INCIDENT_STATUSES),
        Index("ix_platforms_incident_detected", "tenant_id", "detected_at"),
    )


class TimelineEntry(TenantScoped, Archivable, Timestamped, Base):
    """One step of 邊處置，邊報告: a handling step, a report to the higher level, or
    liaison with higher departments (P3). A mistaken entry is archived, not edited."""

    __tablename__ = "platforms_incident_entry"

    incident_id: Mapped[uuid.UUID]
    at: Mapped[dt.datetime]
    kind: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))  # who, as the record should read
    actor_member_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    action: Mapped[str] = mapped_column(Text)  # what was done or reported
    reported_to: Mapped[str | None] = mapped_column(String(200), default=None)
    reference: Mapped[str | None] = mapped_column(String(120), default=None)

    __table_args__ = (
        tenant_fk("incident_id", "platforms_incident"),
        member_fk("actor_member_id"),
        _one_of("kind", ENTRY_KINDS),
        Index("ix_platforms_incident_entry_incident", "tenant_id", "incident_id", "at"),
    )
