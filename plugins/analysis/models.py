"""The analysis module's tables (prefix ``analysis_``). Every reference to another tenant
table is composite (``tenant_fk``), so nothing can point into another township."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Index, String, Text, UniqueConstraint, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zerenzhi import (
    Archivable,
    Base,
    CountyReadable,
    TenantScoped,
    Timestamped,
    member_fk,
    tenant_fk,
)


class SensitiveDate(TenantScoped, Timestamped, Archivable, Base):
    """A sensitive date or hot topic (A3); each one starts ``analysis.sensitive_date``.

    A county's rows (``tenant_id`` = the county, no unit) are inherited by all its
    townships: each township keeps its own copy (``county_date_id``) with its obligation.
    """

    __tablename__ = "analysis_sensitive_date"

    unit_id: Mapped[uuid.UUID | None]  # the committee whose obligation it starts (None: county)
    falls_on: Mapped[dt.date]
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    obligation_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    county_date_id: Mapped[uuid.UUID | None] = mapped_column(default=None)  # another tenant's

    __table_args__ = (
        tenant_fk("unit_id", "org_unit"),
        tenant_fk("obligation_id", "obligation"),
        Index("ix_analysis_sensitive_date_falls_on", "tenant_id", "falls_on"),
        UniqueConstraint("tenant_id", "county_date_id"),
    )


class Section(TenantScoped, CountyReadable, Timestamped, Archivable, Base):
    """One domain of an analysis (A2): mainstream, minor currents, problems, measures."""

    __tablename__ = "analysis_section"

    analysis_id: Mapped[uuid.UUID]
    domain: Mapped[str] = mapped_column(String(40))
    mainstream: Mapped[str] = mapped_column(Text)
    minor_currents: Mapped[str] = mapped_column(Text, default="")
    prominent_problems: Mapped[str] = mapped_column(Text, default="")
    proposed_measures: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        tenant_fk("analysis_id", "analysis_analysis"),
        UniqueConstraint("tenant_id", "analysis_id", "domain"),
    )


class Analysis(TenantScoped, CountyReadable, Timestamped, Archivable, Base):
    """A half-year (A2), forward-looking or ad-hoc (A3) analysis by the committee (A1)."""

    __tablename__ = "analysis_analysis"

    unit_id: Mapped[uuid.UUID]  # the committee: A1 puts it in charge
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[dt.date]
    period: Mapped[str] = mapped_column(String(10))  # the half-year of held_on, "2026H1"
    subject: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    sensitive_date_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    approved_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    approved_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    approved_by_name: Mapped[str | None] = mapped_column(String(200), default=None)
    approver_role: Mapped[str | None] = mapped_column(String(40), default=None)

    sections: Mapped[list[Section]] = relationship(
        Section, viewonly=True, lazy="selectin", order_by=Section.domain,
        primaryjoin=lambda: and_(Section.tenant_id == Analysis.tenant_id,
                                 Section.analysis_id == Analysis.id,
                                 Section.archived_at.is_(None)),
        foreign_keys=lambda: [Section.tenant_id, Section.analysis_id],
    )

    __table_args__ = (
        tenant_fk("unit_id", "org_unit"),
        tenant_fk("sensitive_date_id", "analysis_sensitive_date"),
        Index("ix_analysis_analysis_period", "tenant_id", "kind", "period"),
    )


class Contribution(TenantScoped, CountyReadable, Timestamped, Archivable, Base):
    """A department's or unit's part of an analysis (A1), with its due date and submission,
    and the person the unit named to supply it (指定專人: ``contact_member_id``)."""

    __tablename__ = "analysis_contribution"

    analysis_id: Mapped[uuid.UUID]
    unit_id: Mapped[uuid.UUID]
    due_on: Mapped[dt.date]
    request: Mapped[str] = mapped_column(Text, default="")
    contact_member_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    contact_name: Mapped[str | None] = mapped_column(String(200), default=None)
    content: Mapped[str | None] = mapped_column(Text, default=None)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    submitted_on: Mapped[dt.date | None] = mapped_column(default=None)  # local date, for 'late'
    submitted_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    submitted_by_name: Mapped[str | None] = mapped_column(String(200), default=None)

    __table_args__ = (
        tenant_fk("analysis_id", "analysis_analysis"),
        tenant_fk("unit_id", "org_unit"),
        member_fk("contact_member_id"),
        Index("ix_analysis_contribution_due", "tenant_id", "due_on"),
    )
