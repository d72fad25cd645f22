"""County roll-up numbers of the approvals module: counts only, never content."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zerenzhi import Label, Period, RollupMetric, TenantRef, current_tenant, townships_by_zone
from zerenzhi.plugins.approvals.models import Application


def _late_in(period: Period, zone: str) -> tuple:
    begin, after = period.bounds(zone)
    return (Application.archived_at.is_(None), Application.approved_late.is_(True),
            Application.starts_at >= begin, Application.starts_at < after)


def approved_late(session: Session, period: Period) -> int:
    """Activities starting in ``period`` that the committee approved only after the start."""
    return session.scalar(select(func.count()).select_from(Application).where(
        *_late_in(period, current_tenant().timezone)))


def approved_late_per_township(session: Session, period: Period,
                               townships: Mapping[uuid.UUID, TenantRef]) -> dict[uuid.UUID, int]:
    """``approved_late`` of every township: one statement per time zone (the period's local
    bounds), not per township."""
    counts: dict[uuid.UUID, int] = {}
    for zone, ids in townships_by_zone(townships).items():
        counts.update(session.execute(
            select(Application.tenant_id, func.count())
            .where(Application.tenant_id.in_(ids), *_late_in(period, zone))
            .group_by(Application.tenant_id)).all())
    return {township: counts.get(township, 0) for township in townships}


METRICS = (
    RollupMetric("approvals.approved_late",
                 Label("事後審批的活動", "Activities approved after they started"),
                 "count", approved_late, Label("項", "activities"),
                 compute_for_townships=approved_late_per_township),
)
