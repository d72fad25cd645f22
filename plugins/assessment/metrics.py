"""County roll-up number of the assessment module: the final score, never its lines."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi import Label, Period, RollupMetric
from zerenzhi.plugins.assessment.models import Assessment


def township_total(session: Session, period: Period) -> float | None:
    """The final assessment's township total for the year the period ends in; drafts are
    not reported to the county."""
    return session.scalar(select(Assessment.township_total).where(
        Assessment.year == period.end.year, Assessment.status == "final"))


METRICS = (
    RollupMetric("assessment.township_total", Label("年度考覈總分", "Annual assessment total"),
                 "score", township_total, Label("分", "points (0–100)")),
)
