"""County roll-up number of the accountability module: a count only — no subject, no
circumstance, no sanction ever leaves the township."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from zerenzhi import Label, RollupMetric
from zerenzhi.plugins.accountability.models import Case


def cases_open(session: Any, period: Any) -> int:
    """Cases opened by the period's end and not closed by then."""
    return session.scalar(select(func.count()).select_from(Case).where(
        Case.archived_at.is_(None), Case.opened_on <= period.end,
        or_(Case.closed_on.is_(None), Case.closed_on > period.end)))


METRICS = [
    RollupMetric("accountability.cases_open", Label("未結問責案件", "Open accountability cases"),
                 "count", cases_open, Label("件", "cases")),
]
