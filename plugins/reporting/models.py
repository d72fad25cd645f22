"""The reporting tables (prefix ``reporting_``): all belong to the township committee."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zerenzhi import Archivable, Base, CountyReadable, TenantScoped, Timestamped, tenant_fk

REPORT_STATUSES = ("draft", "submitted", "acknowledged")


class ReportingMeeting(TenantScoped, CountyReadable, Archivable, Timestamped, Base):
    """A committee meeting that studied ideology work (R1: one each half-year)."""

    __tablename__ = "reporting_meeting"

    unit_id: Mapped[uuid.UUID]
    held_on: Mapped[dt.date]
    start_time: Mapped[dt.time | None] = mapped_column(default=None)
    title: Mapped[str] = mapped_column(String(200))
    attendees: Mapped[list] = mapped_column(default=list)  # names of committee members
    agenda: Mapped[str | None] = mapped_column(Text, default=None)
    decisions: Mapped[str | None] = mapped_column(Text, default=None)

    __table_args__ = (tenant_fk("unit_id", "org_unit"),
                      Index("ix_reporting_meeting_held", "tenant_id", "held_on"))


class ReportingHalfYearReport(TenantScoped, CountyReadable, Archivable, Timestamped, Base):
    """The half-year report to the higher committee: draft → submitted → acknowledged."""

    __tablename__ = "reporting_half_year_report"

    unit_id: Mapped[uuid.UUID]
    period: Mapped[str] = mapped_column(String(7))  # "2026H1"
    title: Mapped[str] = mapped_column(String(200))
    recipient: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    sections: Mapped[list] = mapped_column(default=list)  # [{"heading", "body"}]
    submitted_on: Mapped[dt.date | None] = mapped_column(default=None)
    acknowledged_on: Mapped[dt.date | None] = mapped_column(default=None)
    acknowledgement: Mapped[str | None] = mapped_column(String(2000), default=None)

    __table_args__ = (
        tenant_fk("unit_id", "org_unit"),
        CheckConstraint("status IN ('draft', 'submitted', 'acknowledged')", name="status"),
        Index("ix_reporting_half_year_report_period", "tenant_id", "period"),
    )


class ReportingAssemblyReport(TenantScoped, Archivable, Timestamped, Base):
    """The committee's report to the party members' assembly (R2)."""

    __tablename__ = "reporting_assembly_report"

    unit_id: Mapped[uuid.UUID]
    delivered_on: Mapped[dt.date]
    title: Mapped[str] = mapped_column(String(200))
    sections: Mapped[list] = mapped_column(default=list)  # [{"heading", "body", "ideology"}]

    __table_args__ = (tenant_fk("unit_id", "org_unit"),)

    @property
    def counts(self) -> bool:
        """Whether it counts toward R2 (ideology work is an important part of the report):
        live, with an ideology section. From its own columns only: nothing is loaded."""
        return self.archived_at is None and any(s.get("ideology") for s in self.sections or [])


class ReportingSituation(TenantScoped, CountyReadable, Archivable, Timestamped, Base):
    """A major situation in the ideology field (R3): recording it starts the deadline."""

    __tablename__ = "reporting_situation"

    unit_id: Mapped[uuid.UUID]
    occurred_at: Mapped[dt.datetime]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    obligation_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    due_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    __table_args__ = (tenant_fk("unit_id", "org_unit"),
                      tenant_fk("obligation_id", "obligation"))


class ReportingSituationReport(TenantScoped, CountyReadable, Archivable, Timestamped, Base):
    """The report of a major situation to the higher committee, with proposals (R3)."""

    __tablename__ = "reporting_situation_report"

    situation_id: Mapped[uuid.UUID]
    reported_at: Mapped[dt.datetime]
    recipient: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    proposals: Mapped[str] = mapped_column(Text)

    __table_args__ = (tenant_fk("situation_id", "reporting_situation"),
                      Index("ix_reporting_situation_report_situation", "tenant_id",
                            "situation_id"))
