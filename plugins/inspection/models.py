"""The inspection module's tables (prefix ``inspection_``), every tenant reference composite."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zerenzhi import Archivable, Base, CountyReadable, TenantScoped, Timestamped, tenant_fk


class Campaign(TenantScoped, CountyReadable, Timestamped, Archivable, Base):
    """A half-year special inspection of the jurisdiction led by the office (I1)."""

    __tablename__ = "inspection_campaign"

    unit_id: Mapped[uuid.UUID]  # the office leading it: its inspection.half_year counts
    title: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(10))  # the half-year of started_on
    started_on: Mapped[dt.date]
    ended_on: Mapped[dt.date | None] = mapped_column(default=None)
    plan: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        tenant_fk("unit_id", "org_unit"),
        Index("ix_inspection_campaign_period", "tenant_id", "period"),
    )


class Check(TenantScoped, CountyReadable, Timestamped, Archivable, Base):
    """One method applied to one unit (I2): its self-inspection, or a key, written or
    on-site check by the office. A self-inspection covers the unit once submitted."""

    __tablename__ = "inspection_check"

    campaign_id: Mapped[uuid.UUID]
    unit_id: Mapped[uuid.UUID]
    method: Mapped[str] = mapped_column(String(20))
    checked_on: Mapped[dt.date]
    inspectors: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    answers: Mapped[dict] = mapped_column(default=dict)  # checklist key -> yes / no / na
    submitted_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    __table_args__ = (
        tenant_fk("campaign_id", "inspection_campaign"),
        tenant_fk("unit_id", "org_unit"),
        Index("ix_inspection_check_campaign", "tenant_id", "campaign_id", "unit_id"),
    )


class Finding(TenantScoped, CountyReadable, Timestamped, Archivable, Base):
    """A problem found at a unit, with its rectification (整改): plan, owner and deadline
    (which start ``inspection.rectification``), evidence, verification by the office and a
    later effectiveness check. ``campaign_id`` is empty for findings raised elsewhere."""

    __tablename__ = "inspection_finding"

    campaign_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    unit_id: Mapped[uuid.UUID]
    severity: Mapped[str] = mapped_column(String(20))
    found_on: Mapped[dt.date]
    description: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")
    root_cause: Mapped[str] = mapped_column(Text, default="")
    source_type: Mapped[str | None] = mapped_column(String(60), default=None)
    source_id: Mapped[str | None] = mapped_column(String(60), default=None)
    plan: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    deadline: Mapped[dt.date | None] = mapped_column(default=None)
    obligation_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    rectified_on: Mapped[dt.date | None] = mapped_column(default=None)
    rectification_evidence: Mapped[str] = mapped_column(Text, default="")
    verified_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    verified_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    verified_by_name: Mapped[str | None] = mapped_column(String(200), default=None)
    verification_note: Mapped[str] = mapped_column(Text, default="")
    effectiveness: Mapped[str | None] = mapped_column(String(20), default=None)
    effectiveness_checked_on: Mapped[dt.date | None] = mapped_column(default=None)
    effectiveness_note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        tenant_fk("campaign_id", "inspection_campaign"),
        tenant_fk("unit_id", "org_unit"),
        tenant_fk("obligation_id", "obligation"),
        Index("ix_inspection_finding_deadline", "tenant_id", "deadline"),
    )


class Rating(TenantScoped, CountyReadable, Timestamped, Archivable, Base):
    """A unit's result in a campaign (I3); "prominent problems" starts an interview."""

    __tablename__ = "inspection_rating"

    campaign_id: Mapped[uuid.UUID]
    unit_id: Mapped[uuid.UUID]
    rating: Mapped[str] = mapped_column(String(30))
    rated_on: Mapped[dt.date]
    note: Mapped[str] = mapped_column(Text, default="")
    obligation_id: Mapped[uuid.UUID | None] = mapped_column(default=None)

    __table_args__ = (
        tenant_fk("campaign_id", "inspection_campaign"),
        tenant_fk("unit_id", "org_unit"),
        tenant_fk("obligation_id", "obligation"),
        UniqueConstraint("tenant_id", "campaign_id", "unit_id"),
    )


class Interview(TenantScoped, Timestamped, Archivable, Base):
    """The interview (約談) a responsible committee member holds with the head of a unit
    rated "prominent problems" (I3); it fulfils that rating's ``inspection.interview``."""

    __tablename__ = "inspection_interview"

    rating_id: Mapped[uuid.UUID]
    unit_id: Mapped[uuid.UUID]
    held_on: Mapped[dt.date]
    held_by: Mapped[str] = mapped_column(String(200))
    held_by_member_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    interviewee: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    commitments: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        tenant_fk("rating_id", "inspection_rating"),
        tenant_fk("unit_id", "org_unit"),
    )
