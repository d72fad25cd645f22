"""County roll-up numbers of the approvals module: counts only, never content."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zerenzhi import Label, Period, RollupMetric, current_tenant
from zerenzhi.plugins.approvals.models import Application


def approved_late(session: Session, period: Period) -> int:
    """Activities starting in ``period`` that the committee approved only after the start."""
    begin, after = period.bounds(current_tenant().timezone)
    return session.scalar(select(func.count()).select_from(Application).where(
        Application.archived_at.is_(None), Application.approved_late.is_(True),
        Application.starts_at >= begin, Application.starts_at < after))


METRICS = (
    RollupMetric("approvals.approved_late",
                 Label("事後審批的活動", "Activities approved after they started"),
                 "count", approved_late, Label("項", "activities")),
)
