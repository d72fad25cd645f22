"""Roll-up metrics for the county (counts only, never record contents)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from zerenzhi import Label, RollupMetric, parse_period, period_of, plugin_settings, today
from zerenzhi.plugins.analysis import services
from zerenzhi.plugins.analysis.models import Analysis, Contribution


def _counted_half_year(session: Any, period: Any) -> int:
    """Counted where the ledger counts them: on the earlier of held_on and the end of the
    half-year they cover (A2), so an H1 analysis held in July is H1's."""
    settings = plugin_settings("analysis")  # once, not once per analysis
    halves = {period_of("half_year", day).label for day in (period.start, period.end)}
    rows = session.scalars(select(Analysis).where(
        Analysis.kind == "half_year", Analysis.archived_at.is_(None),
        Analysis.period.in_(halves)))
    return sum(1 for analysis in rows if services.counts(analysis, settings) and period.start
               <= min(analysis.held_on, parse_period(analysis.period).end) <= period.end)


def _late_contributions(session: Any, period: Any) -> int:
    return session.scalar(select(func.count()).select_from(Contribution).where(
        Contribution.archived_at.is_(None),
        Contribution.due_on.between(period.start, period.end),
        or_(Contribution.submitted_on > Contribution.due_on,
            (Contribution.submitted_on.is_(None)) & (Contribution.due_on < today())))) or 0


METRICS = [
    RollupMetric("analysis.half_year_counted",
                 Label("達標的半年分析研判", "Half-year analyses that count (A2)"),
                 "count", _counted_half_year),
    RollupMetric("analysis.late_contributions",
                 Label("逾期報送的研判材料", "Late contributions to analyses (A1)"),
                 "count", _late_contributions),
]
