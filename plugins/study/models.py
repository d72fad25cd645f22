"""The study tables: meetings with their attendance, and yearly plans (prefix ``study_``)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Index, String, Text
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

KIND_CHECK = "kind IN ('centralised', 'special_study', 'training')"


class StudyMeeting(TenantScoped, CountyReadable, Archivable, Timestamped, Base):
    """One study meeting of one unit: what counts toward W2/W3 is decided by its unit's
    kind, its ``kind`` and its ``ideology`` tag (``services.counted_rules``).

    Called ``StudyMeeting`` in Python because "session" means the database session here.
    The API is public and keeps its names: paths ``/study/sessions`` and their JSON fields,
    events' ``session_id``, the ledger type ``study.session`` and the table ``study_session``.
    """

    __tablename__ = "study_session"

    unit_id: Mapped[uuid.UUID]
    held_on: Mapped[dt.date]
    start_time: Mapped[dt.time | None] = mapped_column(default=None)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    topics: Mapped[list] = mapped_column(default=list)
    ideology: Mapped[bool] = mapped_column(default=False)
    presenter: Mapped[str | None] = mapped_column(String(100), default=None)
    materials: Mapped[list] = mapped_column(default=list)  # [{"title", "url"}]
    minutes: Mapped[str | None] = mapped_column(Text, default=None)

    attendance: Mapped[list[StudyAttendance]] = relationship(
        back_populates="meeting", order_by="StudyAttendance.id", lazy="selectin",
        cascade="save-update, merge",
    )

    __table_args__ = (
        tenant_fk("unit_id", "org_unit"),
        CheckConstraint(KIND_CHECK, name="kind"),
        Index("ix_study_session_unit_held", "tenant_id", "unit_id", "held_on"),
    )


class StudyAttendance(TenantScoped, CountyReadable, Base):
    """A member of the meeting's unit, present or absent (with the reason). ``session_id``
    keeps the column's published name (audit entries show it)."""

    __tablename__ = "study_attendance"

    session_id: Mapped[uuid.UUID]
    member_id: Mapped[uuid.UUID]
    present: Mapped[bool]
    absence_reason: Mapped[str | None] = mapped_column(String(200), default=None)
    archived_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    meeting: Mapped[StudyMeeting] = relationship(back_populates="attendance")

    __table_args__ = (
        tenant_fk("session_id", "study_session"),
        member_fk("member_id"),
        Index("ix_study_attendance_session", "tenant_id", "session_id"),
    )


class StudyPlan(TenantScoped, Archivable, Timestamped, Base):
    """A unit's study plan for a year: planned topics and dates (``items``)."""

    __tablename__ = "study_plan"

    unit_id: Mapped[uuid.UUID]
    year: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    items: Mapped[list] = mapped_column(default=list)  # [{"planned_on", "topic", "kind", ...}]

    __table_args__ = (
        tenant_fk("unit_id", "org_unit"),
        Index("ix_study_plan_unit_year", "tenant_id", "unit_id", "year"),
    )
