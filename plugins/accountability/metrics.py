"""County roll-up number of the accountability module: a count only — no subject, no
circumstance, no sanction ever leaves the township."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, or_, select

from zerenzhi import Label, RollupMetric
from zerenzhi.plugins.accountability.models import Case


def _open_at(period: Any) -> tuple:
    return (Case.archived_at.is_(None), Case.opened_on <= period.end,
            or_(Case.closed_on.is_(None), Case.closed_on > period.end))


def cases_open(session: Any, period: Any) -> int:
    """Cases opened by the period's end and not closed by then."""
    return session.scalar(select(func.count()).select_from(Case).where(*_open_at(period)))


def cases_open_per_township(session: Any, period: Any, townships: Mapping) -> dict:
    """``cases_open`` of every township, in one statement (the county's read scope)."""
    counts = dict(session.execute(select(Case.tenant_id, func.count()).where(
        *_open_at(period)).group_by(Case.tenant_id)).all())
    return {township: counts.get(township, 0) for township in townships}


METRICS = [
    RollupMetric("accountability.cases_open", Label("未結問責案件", "Open accountability cases"),
                 "count", cases_open, Label("件", "cases"),
                 compute_for_townships=cases_open_per_township),
]
