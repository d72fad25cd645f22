"""County roll-up numbers of the study module: counts and rates only, never content."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, cast, func, select

from zerenzhi import Label, RollupMetric
from zerenzhi.plugins.study.models import StudyAttendance, StudyMeeting


def _live_in(period: Any):
    return (StudyMeeting.archived_at.is_(None),
            StudyMeeting.held_on.between(period.start, period.end))


def meetings_count(session: Any, period: Any) -> int:
    return session.scalar(select(func.count()).select_from(StudyMeeting).where(*_live_in(period)))


def ideology_meetings_count(session: Any, period: Any) -> int:
    return session.scalar(select(func.count()).select_from(StudyMeeting).where(
        *_live_in(period), StudyMeeting.ideology.is_(True)))


def attendance_rate(session: Any, period: Any) -> float | None:
    present, listed = session.execute(
        select(func.sum(cast(StudyAttendance.present, Integer)), func.count())
        .join(StudyMeeting, (StudyMeeting.id == StudyAttendance.session_id)
              & (StudyMeeting.tenant_id == StudyAttendance.tenant_id))
        .where(*_live_in(period), StudyAttendance.archived_at.is_(None))
    ).one()
    return round((present or 0) / listed, 4) if listed else None


METRICS = [
    RollupMetric("study.sessions_count", Label("學習場次", "Study sessions held"), "count",
                 meetings_count, Label("次", "sessions")),
    RollupMetric("study.ideology_sessions_count",
                 Label("意識形態專題學習場次", "Study sessions on ideology"), "count",
                 ideology_meetings_count, Label("次", "sessions")),
    RollupMetric("study.attendance_rate", Label("學習出勤率", "Study attendance rate"), "rate",
                 attendance_rate),
]
