"""County roll-up numbers of the study module: counts and rates only, never content.

Per township (``compute``, in its scope) and per county (``compute_for_townships``: the same
statements grouped by township, run once in the county's read scope)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Integer, cast, func, select

from zerenzhi import Label, RollupMetric, TenantRef
from zerenzhi.plugins.study.models import StudyAttendance, StudyMeeting

Townships = Mapping[uuid.UUID, TenantRef]


def _live_in(period: Any):
    return (StudyMeeting.archived_at.is_(None),
            StudyMeeting.held_on.between(period.start, period.end))


def meetings_count(session: Any, period: Any) -> int:
    return session.scalar(select(func.count()).select_from(StudyMeeting).where(*_live_in(period)))


def ideology_meetings_count(session: Any, period: Any) -> int:
    return session.scalar(select(func.count()).select_from(StudyMeeting).where(
        *_live_in(period), StudyMeeting.ideology.is_(True)))


def _attendance(period: Any):
    return (select(StudyAttendance.tenant_id,
                   func.sum(cast(StudyAttendance.present, Integer)), func.count())
            .join(StudyMeeting, (StudyMeeting.id == StudyAttendance.session_id)
                  & (StudyMeeting.tenant_id == StudyAttendance.tenant_id))
            .where(*_live_in(period), StudyAttendance.archived_at.is_(None))
            .group_by(StudyAttendance.tenant_id))


def _rate(present: int | None, listed: int) -> float | None:
    return round((present or 0) / listed, 4) if listed else None


def attendance_rate(session: Any, period: Any) -> float | None:
    row = session.execute(_attendance(period)).first()
    return _rate(row[1], row[2]) if row else None


def _meetings_per_township(session: Any, townships: Townships, *where: Any) -> dict:
    counts = dict(session.execute(select(StudyMeeting.tenant_id, func.count())
                                  .where(*where).group_by(StudyMeeting.tenant_id)).all())
    return {township: counts.get(township, 0) for township in townships}


def meetings_count_per_township(session: Any, period: Any, townships: Townships) -> dict:
    return _meetings_per_township(session, townships, *_live_in(period))


def ideology_meetings_count_per_township(session: Any, period: Any,
                                         townships: Townships) -> dict:
    return _meetings_per_township(session, townships, *_live_in(period),
                                  StudyMeeting.ideology.is_(True))


def attendance_rate_per_township(session: Any, period: Any, townships: Townships) -> dict:
    rates = {tenant_id: _rate(present, listed)
             for tenant_id, present, listed in session.execute(_attendance(period))}
    return {township: rates.get(township) for township in townships}


METRICS = [
    RollupMetric("study.sessions_count", Label("學習場次", "Study sessions held"), "count",
                 meetings_count, Label("次", "sessions"),
                 compute_for_townships=meetings_count_per_township),
    RollupMetric("study.ideology_sessions_count",
                 Label("意識形態專題學習場次", "Study sessions on ideology"), "count",
                 ideology_meetings_count, Label("次", "sessions"),
                 compute_for_townships=ideology_meetings_count_per_township),
    RollupMetric("study.attendance_rate", Label("學習出勤率", "Study attendance rate"), "rate",
                 attendance_rate, compute_for_townships=attendance_rate_per_township),
]
