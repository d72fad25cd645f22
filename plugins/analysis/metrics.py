"""Roll-up metrics for the county (counts only, never record contents).

Per township (``compute``, in its scope) and per county (``compute_for_townships``, once in
the county's read scope: grouped by township, each township judged by its own settings and
its own today)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, tuple_

from zerenzhi import (
    Label,
    RollupMetric,
    TenantRef,
    parse_period,
    period_of,
    plugin_settings,
    today,
    township_settings,
    townships_by_zone,
)
from zerenzhi.plugins.analysis import services
from zerenzhi.plugins.analysis.models import Analysis, Contribution, Section

Townships = Mapping[uuid.UUID, TenantRef]


def _half_years(period: Any):
    halves = {period_of("half_year", day).label for day in (period.start, period.end)}
    return select(Analysis).where(Analysis.kind == "half_year", Analysis.archived_at.is_(None),
                                  Analysis.period.in_(halves))


def _counts_in(analysis: Analysis, settings: dict, period: Any) -> bool:
    return services.counts(analysis, settings) and period.start <= min(
        analysis.held_on, parse_period(analysis.period).end) <= period.end


def _counted_half_year(session: Any, period: Any) -> int:
    """Counted where the ledger counts them: on the earlier of held_on and the end of the
    half-year they cover (A2), so an H1 analysis held in July is H1's."""
    settings = plugin_settings("analysis")  # once, not once per analysis
    return sum(1 for analysis in session.scalars(_half_years(period))
               if _counts_in(analysis, settings, period))


def _counted_half_year_per_township(session: Any, period: Any, townships: Townships) -> dict:
    """The same count for every township, each judged by its own settings (a township whose
    settings no longer validate is left out: reported as failed). Columns, not entities:
    what ``services.counts`` asks of an approved half-year analysis is that its live sections
    cover the township's required domains — one statement for all their domains."""
    settings = township_settings(session, "analysis", townships)
    halves = {period_of("half_year", day).label for day in (period.start, period.end)}
    candidates = [row for row in session.execute(
        select(Analysis.tenant_id, Analysis.id, Analysis.held_on, Analysis.period).where(
            Analysis.kind == "half_year", Analysis.archived_at.is_(None),
            Analysis.approved_at.is_not(None), Analysis.period.in_(halves)))
        if period.start <= min(row.held_on, parse_period(row.period).end) <= period.end]
    covered: dict[tuple, set[str]] = {}
    if candidates:
        for tenant_id, analysis_id, domain in session.execute(
                select(Section.tenant_id, Section.analysis_id, Section.domain).where(
                    Section.archived_at.is_(None),
                    tuple_(Section.tenant_id, Section.analysis_id).in_(
                        [(row.tenant_id, row.id) for row in candidates]))):
            covered.setdefault((tenant_id, analysis_id), set()).add(domain)
    required = {tid: set(services.required_domains(own)) for tid, own in settings.items()}
    counted = dict.fromkeys(settings, 0)
    for row in candidates:
        if row.tenant_id in required and required[row.tenant_id] <= covered.get(
                (row.tenant_id, row.id), set()):
            counted[row.tenant_id] += 1
    return counted


def _late_by(period: Any, day: dt.date) -> tuple:
    return (Contribution.archived_at.is_(None),
            Contribution.due_on.between(period.start, period.end),
            or_(Contribution.submitted_on > Contribution.due_on,
                (Contribution.submitted_on.is_(None)) & (Contribution.due_on < day)))


def _late_contributions(session: Any, period: Any) -> int:
    return session.scalar(select(func.count()).select_from(Contribution).where(
        *_late_by(period, today()))) or 0


def _late_contributions_per_township(session: Any, period: Any, townships: Townships) -> dict:
    """The same count for every township: one statement per time zone (its today)."""
    now = dt.datetime.now(dt.UTC)
    counts: dict[uuid.UUID, int] = {}
    for zone, ids in townships_by_zone(townships).items():
        counts.update(session.execute(
            select(Contribution.tenant_id, func.count())
            .where(Contribution.tenant_id.in_(ids),
                   *_late_by(period, now.astimezone(ZoneInfo(zone)).date()))
            .group_by(Contribution.tenant_id)).all())
    return {township: counts.get(township, 0) for township in townships}


METRICS = [
    RollupMetric("analysis.half_year_counted",
                 Label("達標的半年分析研判", "Half-year analyses that count (A2)"),
                 "count", _counted_half_year,
                 compute_for_townships=_counted_half_year_per_township),
    RollupMetric("analysis.late_contributions",
                 Label("逾期報送的研判材料", "Late contributions to analyses (A1)"),
                 "count", _late_contributions,
                 compute_for_townships=_late_contributions_per_township),
]
