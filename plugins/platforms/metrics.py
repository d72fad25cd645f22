"""County roll-up numbers of the platforms module: counts and rates only, never content.

Per township (``compute``, in its scope) and per county (``compute_for_townships``, once in
the county's read scope: grouped by township, and by time zone where local days matter)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from zerenzhi import (
    Label,
    RollupMetric,
    TenantRef,
    period_of,
    require_tenant,
    today,
    townships_by_zone,
)
from zerenzhi.plugins.platforms.models import Channel, Incident, Review
from zerenzhi.plugins.platforms.reviews import due_in

MAJOR = ("major", "especially_major")
Townships = Mapping[uuid.UUID, TenantRef]


def _major_in(period: Any, zone: str) -> tuple:
    begin, after = period.bounds(zone)
    return (Incident.archived_at.is_(None), Incident.severity.in_(MAJOR),
            Incident.detected_at >= begin, Incident.detected_at < after)


def incidents_major(session: Any, period: Any) -> int:
    """Major and especially major incidents detected in the period."""
    return session.scalar(select(func.count()).select_from(Incident).where(
        *_major_in(period, require_tenant().timezone)))


def incidents_major_per_township(session: Any, period: Any, townships: Townships) -> dict:
    """``incidents_major`` of every township: one statement per time zone."""
    counts: dict[uuid.UUID, int] = {}
    for zone, ids in townships_by_zone(townships).items():
        counts.update(session.execute(
            select(Incident.tenant_id, func.count())
            .where(Incident.tenant_id.in_(ids), *_major_in(period, zone))
            .group_by(Incident.tenant_id)).all())
    return {township: counts.get(township, 0) for township in townships}


def _quarters(period: Any, until: dt.date) -> list:
    result, day = [], period.start
    while day <= min(period.end, until):
        quarter = period_of("quarter", day)
        result.append(quarter)
        day = quarter.end + dt.timedelta(days=1)
    return result


def _rate(channels: list, reviewed: set, quarters: list) -> float | None:
    """``reviewed`` holds (township, channel, quarter): ids are unique within a township."""
    due = [(c.tenant_id, c.id, q.label) for q in quarters for c in channels if due_in(c, q)]
    if not due:
        return None
    return round(sum(1 for pair in due if pair in reviewed) / len(due), 4)


def review_rate(session: Any, period: Any) -> float | None:
    """Channel-quarters reviewed over channel-quarters due, in the period's quarters that
    have started (P1); None when no channel was due."""
    quarters = _quarters(period, today())
    if not quarters:
        return None
    channels = list(session.scalars(select(Channel).where(Channel.archived_at.is_(None))))
    reviewed = {tuple(row) for row in session.execute(
        select(Review.tenant_id, Review.channel_id, Review.quarter).where(
            Review.archived_at.is_(None), Review.quarter.in_([q.label for q in quarters])))}
    return _rate(channels, reviewed, quarters)


def review_rate_per_township(session: Any, period: Any, townships: Townships) -> dict:
    """``review_rate`` of every township from two statements: the county's channels and
    their reviews in the period's quarters; each township's started quarters by its own
    today."""
    now = dt.datetime.now(dt.UTC)
    quarters = {tid: _quarters(period, now.astimezone(ZoneInfo(ref.timezone)).date())
                for tid, ref in townships.items()}
    labels = sorted({q.label for started in quarters.values() for q in started})
    if not labels:
        return dict.fromkeys(townships)
    channels: dict[uuid.UUID, list] = defaultdict(list)
    for channel in session.scalars(select(Channel).where(Channel.archived_at.is_(None))):
        channels[channel.tenant_id].append(channel)
    reviewed = {tuple(row) for row in session.execute(
        select(Review.tenant_id, Review.channel_id, Review.quarter).where(
            Review.archived_at.is_(None), Review.quarter.in_(labels)))}
    return {tid: _rate(channels.get(tid, []), reviewed, quarters[tid]) if quarters[tid]
            else None for tid in townships}


METRICS = [
    RollupMetric("platforms.incidents_major", Label("重大意識形態事件", "Major incidents"),
                 "count", incidents_major, Label("起", "incidents"),
                 compute_for_townships=incidents_major_per_township),
    RollupMetric("platforms.review_rate", Label("陣地季度檢查率", "Channel review rate"),
                 "rate", review_rate, compute_for_townships=review_rate_per_township),
]
