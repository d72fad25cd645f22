"""County roll-up numbers of the platforms module: counts and rates only, never content."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from zerenzhi import Label, RollupMetric, period_of, require_tenant, today
from zerenzhi.plugins.platforms.models import Channel, Incident, Review
from zerenzhi.plugins.platforms.reviews import due_in

MAJOR = ("major", "especially_major")


def incidents_major(session: Any, period: Any) -> int:
    """Major and especially major incidents detected in the period."""
    begin, after = period.bounds(require_tenant().timezone)
    return session.scalar(select(func.count()).select_from(Incident).where(
        Incident.archived_at.is_(None), Incident.severity.in_(MAJOR),
        Incident.detected_at >= begin, Incident.detected_at < after))


def _quarters(period: Any, until: dt.date) -> list:
    result, day = [], period.start
    while day <= min(period.end, until):
        quarter = period_of("quarter", day)
        result.append(quarter)
        day = quarter.end + dt.timedelta(days=1)
    return result


def review_rate(session: Any, period: Any) -> float | None:
    """Channel-quarters reviewed over channel-quarters due, in the period's quarters that
    have started (P1); None when no channel was due."""
    quarters = _quarters(period, today())
    if not quarters:
        return None
    channels = list(session.scalars(select(Channel).where(Channel.archived_at.is_(None))))
    reviewed = {(row[0], row[1]) for row in session.execute(
        select(Review.channel_id, Review.quarter).where(
            Review.archived_at.is_(None), Review.quarter.in_([q.label for q in quarters])))}
    due = [(c.id, q.label) for q in quarters for c in channels if due_in(c, q)]
    if not due:
        return None
    return round(sum(1 for pair in due if pair in reviewed) / len(due), 4)


METRICS = [
    RollupMetric("platforms.incidents_major", Label("重大意識形態事件", "Major incidents"),
                 "count", incidents_major, Label("起", "incidents")),
    RollupMetric("platforms.review_rate", Label("陣地季度檢查率", "Channel review rate"),
                 "rate", review_rate),
]

