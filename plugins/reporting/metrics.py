"""County roll-up numbers of the reporting module: counts and rates only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from zerenzhi import Label, RollupMetric, require_tenant
from zerenzhi.plugins.reporting.models import (
    ReportingHalfYearReport,
    ReportingMeeting,
    ReportingSituation,
    ReportingSituationReport,
)


def reports_submitted(session: Any, period: Any) -> int:
    return session.scalar(select(func.count()).select_from(ReportingHalfYearReport).where(
        ReportingHalfYearReport.archived_at.is_(None),
        ReportingHalfYearReport.status != "draft",
        ReportingHalfYearReport.submitted_on.between(period.start, period.end)))


def meetings_count(session: Any, period: Any) -> int:
    return session.scalar(select(func.count()).select_from(ReportingMeeting).where(
        ReportingMeeting.archived_at.is_(None),
        ReportingMeeting.held_on.between(period.start, period.end)))


def situations_on_time_rate(session: Any, period: Any) -> float | None:
    """Share of the period's major situations whose first report met the deadline (R3)."""
    begin, after = period.bounds(require_tenant().timezone)
    first = (select(ReportingSituationReport.situation_id,
                    func.min(ReportingSituationReport.reported_at).label("first"))
             .where(ReportingSituationReport.archived_at.is_(None))
             .group_by(ReportingSituationReport.situation_id).subquery())
    rows = session.execute(
        select(ReportingSituation.due_at, first.c.first)
        .outerjoin(first, first.c.situation_id == ReportingSituation.id)
        .where(ReportingSituation.archived_at.is_(None),
               ReportingSituation.due_at.is_not(None),
               ReportingSituation.occurred_at >= begin, ReportingSituation.occurred_at < after)
    ).all()
    if not rows:
        return None
    on_time = sum(1 for due, reported in rows if reported is not None and _utc(reported) <= due)
    return round(on_time / len(rows), 4)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


METRICS = [
    RollupMetric("reporting.reports_submitted", Label("上報半年報告數", "Half-year reports "
                 "submitted"), "count", reports_submitted, Label("份", "reports")),
    RollupMetric("reporting.meetings_count", Label("意識形態專題會議數", "Committee meetings on "
                 "ideology"), "count", meetings_count, Label("次", "meetings")),
    RollupMetric("reporting.situations_on_time_rate", Label("重大情況按時報告率", "Major "
                 "situations reported on time"), "rate", situations_on_time_rate),
]
