"""Tables of the annual assessment: its inputs (inspection scores, adjustments) and the
snapshot of scores a compute writes (M4, I4)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zerenzhi import Archivable, Base, CountyReadable, TenantScoped, Timestamped, tenant_fk


class Assessment(TenantScoped, CountyReadable, Timestamped, Base):
    """One year's assessment: ``draft`` until finalised, then frozen unless reopened.

    The weights are copied from the settings at each compute, so a final result keeps the
    weights it was judged by.
    """

    __tablename__ = "assessment_year"

    year: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="draft")
    compliance_weight: Mapped[int]
    inspection_weight: Mapped[int]
    computed_at: Mapped[dt.datetime]
    finalised_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    township_total: Mapped[float | None] = mapped_column(default=None)
    reopen_reason: Mapped[str | None] = mapped_column(String(1000), default=None)

    __table_args__ = (UniqueConstraint("tenant_id", "year"),)


class Score(TenantScoped, Archivable, Base):
    """A unit's line in a year's snapshot; archived when the unit no longer exists."""

    __tablename__ = "assessment_score"

    assessment_id: Mapped[uuid.UUID]
    unit_id: Mapped[uuid.UUID]
    obligations: Mapped[int] = mapped_column(default=0)
    compliance_rate: Mapped[float | None] = mapped_column(default=None)
    inspection_score: Mapped[float | None] = mapped_column(default=None)
    adjustment: Mapped[float] = mapped_column(default=0.0)
    total: Mapped[float | None] = mapped_column(default=None)
    rank: Mapped[int | None] = mapped_column(default=None)

    __table_args__ = (
        tenant_fk("assessment_id", "assessment_year"),
        tenant_fk("unit_id", "org_unit"),
        UniqueConstraint("tenant_id", "assessment_id", "unit_id"),
    )


class InspectionScore(TenantScoped, Timestamped, Base):
    """A unit's inspection result for a year (0–100), entered by the office; null clears it."""

    __tablename__ = "assessment_inspection_score"

    year: Mapped[int]
    unit_id: Mapped[uuid.UUID]
    score: Mapped[float | None] = mapped_column(default=None)
    note: Mapped[str | None] = mapped_column(String(1000), default=None)

    __table_args__ = (
        tenant_fk("unit_id", "org_unit"),
        UniqueConstraint("tenant_id", "year", "unit_id"),
    )


class Adjustment(TenantScoped, Archivable, Timestamped, Base):
    """Points added to or taken from a unit's score by a leader, always with a reason."""

    __tablename__ = "assessment_adjustment"

    year: Mapped[int]
    unit_id: Mapped[uuid.UUID]
    points: Mapped[float]
    reason: Mapped[str] = mapped_column(String(1000))

    __table_args__ = (tenant_fk("unit_id", "org_unit"),)
