"""County roll-up number of the assessment module: the final score, never its lines."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi import Label, Period, RollupMetric, TenantRef
from zerenzhi.plugins.assessment.models import Assessment


def _final_of(period: Period) -> tuple:
    return Assessment.year == period.end.year, Assessment.status == "final"


def township_total(session: Session, period: Period) -> float | None:
    """The final assessment's township total for the year the period ends in; drafts are
    not reported to the county."""
    return session.scalar(select(Assessment.township_total).where(*_final_of(period)))


def township_totals(session: Session, period: Period,
                    townships: Mapping[uuid.UUID, TenantRef]) -> dict[uuid.UUID, float | None]:
    """``township_total`` of every township in one statement (a township has one
    assessment a year)."""
    totals = dict(session.execute(select(Assessment.tenant_id, Assessment.township_total)
                                  .where(*_final_of(period))).all())
    return {township: totals.get(township) for township in townships}


METRICS = (
    RollupMetric("assessment.township_total", Label("年度考覈總分", "Annual assessment total"),
                 "score", township_total, Label("分", "points (0–100)"),
                 compute_for_townships=township_totals),
)
