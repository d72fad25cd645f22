"""County roll-up numbers of the reporting module: counts and rates only.

Each figure has two forms: per township (``compute``, in its scope: the plain statement of
what it means) and per county (``compute_for_townships``, grouped by township in one
statement, or one per time zone) that the county's view runs — the tests hold them equal.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from zerenzhi import Label, RollupMetric, TenantRef, require_tenant, townships_by_zone
from zerenzhi.plugins.reporting.models import (
    ReportingHalfYearReport,
    ReportingMeeting,
    ReportingSituation,
    ReportingSituationReport,
)

Townships = Mapping[uuid.UUID, TenantRef]


def _submitted_in(period: Any) -> tuple:
    return (ReportingHalfYearReport.archived_at.is_(None),
            ReportingHalfYearReport.status != "draft",
            ReportingHalfYearReport.submitted_on.between(period.start, period.end))


def _held_in(period: Any) -> tuple:
    return (ReportingMeeting.archived_at.is_(None),
            ReportingMeeting.held_on.between(period.start, period.end))


def reports_submitted(session: Any, period: Any) -> int:
    return session.scalar(select(func.count()).select_from(ReportingHalfYearReport).where(
        *_submitted_in(period)))


def meetings_count(session: Any, period: Any) -> int:
    return session.scalar(select(func.count()).select_from(ReportingMeeting).where(
        *_held_in(period)))


def _counted(session: Any, model: Any, where: tuple, townships: Townships) -> dict:
    counts = dict(session.execute(select(model.tenant_id, func.count()).where(*where)
                                  .group_by(model.tenant_id)).all())
    return {township: counts.get(township, 0) for township in townships}


def reports_submitted_per_township(session: Any, period: Any, townships: Townships) -> dict:
    return _counted(session, ReportingHalfYearReport, _submitted_in(period), townships)


def meetings_count_per_township(session: Any, period: Any, townships: Townships) -> dict:
    return _counted(session, ReportingMeeting, _held_in(period), townships)


def _situations(period: Any, zone: str):
    """The period's major situations (by the township's local bounds) with the moment of
    their first report."""
    begin, after = period.bounds(zone)
    first = (select(ReportingSituationReport.tenant_id, ReportingSituationReport.situation_id,
                    func.min(ReportingSituationReport.reported_at).label("first"))
             .where(ReportingSituationReport.archived_at.is_(None))
             .group_by(ReportingSituationReport.tenant_id,
                       ReportingSituationReport.situation_id).subquery())
    return (select(ReportingSituation.tenant_id, ReportingSituation.due_at, first.c.first)
            .outerjoin(first, (first.c.situation_id == ReportingSituation.id)
                       & (first.c.tenant_id == ReportingSituation.tenant_id))
            .where(ReportingSituation.archived_at.is_(None),
                   ReportingSituation.due_at.is_not(None),
                   ReportingSituation.occurred_at >= begin,
                   ReportingSituation.occurred_at < after))


def _on_time_rate(rows: list) -> float | None:
    if not rows:
        return None
    on_time = sum(1 for due, reported in rows if reported is not None and _utc(reported) <= due)
    return round(on_time / len(rows), 4)


def situations_on_time_rate(session: Any, period: Any) -> float | None:
    """Share of the period's major situations whose first report met the deadline (R3)."""
    rows = session.execute(_situations(period, require_tenant().timezone)).all()
    return _on_time_rate([(due, first) for _tenant, due, first in rows])


def situations_on_time_rate_per_township(session: Any, period: Any,
                                         townships: Townships) -> dict:
    """The same rate for every township: one statement per time zone."""
    rows: dict[uuid.UUID, list] = defaultdict(list)
    for zone, ids in townships_by_zone(townships).items():
        for tenant_id, due, first in session.execute(
                _situations(period, zone).where(ReportingSituation.tenant_id.in_(ids))):
            rows[tenant_id].append((due, first))
    return {township: _on_time_rate(rows.get(township, [])) for township in townships}


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


METRICS = [
    RollupMetric("reporting.reports_submitted", Label("上報半年報告數", "Half-year reports "
                 "submitted"), "count", reports_submitted, Label("份", "reports"),
                 compute_for_townships=reports_submitted_per_township),
    RollupMetric("reporting.meetings_count", Label("意識形態專題會議數", "Committee meetings on "
                 "ideology"), "count", meetings_count, Label("次", "meetings"),
                 compute_for_townships=meetings_count_per_township),
    RollupMetric("reporting.situations_on_time_rate", Label("重大情況按時報告率", "Major "
                 "situations reported on time"), "rate", situations_on_time_rate,
                 compute_for_townships=situations_on_time_rate_per_township),
]
