"""Per-unit scores of a campaign (I4: the responsibility system is scored in the
party-building assessment), and the county roll-up metrics.

Formula, for each village and station in a campaign (weights from the township's
``score_weights``, adding up to 100, so a score is 0–100):

    score = weights.checklist × C + weights.rating × R + weights.findings × F

    C  share of the checklist answered "yes" among the items answered yes or no in the
       unit's submitted self-inspection (0 without one)
    R  rating_points[rating] / 100 (0 while the unit is unrated)
    F  max(0, 100 − Σ severity_deductions[severity]) / 100 over the campaign's findings
       at the unit; a finding whose rectification the office verified deducts half

Scores are computed on read from the records, so they always match them; other modules
read them through ``GET .../inspection/campaigns/{id}/scores`` or the roll-up metric
``inspection.average_score``, never by importing this module.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zerenzhi import (
    Label,
    RollupMetric,
    parse_period,
    period_of,
    plugin_settings,
    today,
    units_of_kind,
)
from zerenzhi.plugins.inspection.models import Campaign, Check, Finding, Rating
from zerenzhi.plugins.inspection.rules import SCOPE_KINDS


def unit_scores(session: Session, campaign: Campaign,
                settings: dict | None = None) -> list[dict[str, Any]]:
    settings = settings or plugin_settings("inspection")
    weights = settings["score_weights"]
    points, deductions = settings["rating_points"], settings["severity_deductions"]
    selfs: dict[uuid.UUID, Check] = {}
    for check in session.scalars(select(Check).where(
            Check.campaign_id == campaign.id, Check.method == "self",
            Check.submitted_at.is_not(None), Check.archived_at.is_(None))
            .order_by(Check.submitted_at)):
        selfs[check.unit_id] = check  # the latest submitted one
    ratings = {r.unit_id: r.rating for r in session.scalars(select(Rating).where(
        Rating.campaign_id == campaign.id, Rating.archived_at.is_(None)))}
    lost: dict[uuid.UUID, float] = {}
    found: dict[uuid.UUID, int] = {}
    for finding in session.scalars(select(Finding).where(
            Finding.campaign_id == campaign.id, Finding.archived_at.is_(None))):
        share = 0.5 if finding.verified_at is not None else 1.0
        lost[finding.unit_id] = lost.get(finding.unit_id, 0) + deductions[finding.severity] * share
        found[finding.unit_id] = found.get(finding.unit_id, 0) + 1
    result = []
    for unit in units_of_kind(session, *SCOPE_KINDS):
        check = selfs.get(unit.id)
        answered = [a for a in (check.answers.values() if check else ()) if a in ("yes", "no")]
        c = (sum(1 for a in answered if a == "yes") / len(answered)) if answered else 0.0
        rating = ratings.get(unit.id)
        r = points[rating] / 100 if rating else 0.0
        f = max(0.0, 100 - lost.get(unit.id, 0)) / 100
        score = weights["checklist"] * c + weights["rating"] * r + weights["findings"] * f
        result.append({
            "unit_id": unit.id, "unit_code": unit.code, "unit_name": unit.name,
            "self_inspection_submitted": check is not None, "checklist_rate": round(c, 4),
            "rating": rating, "rating_rate": round(r, 4), "findings": found.get(unit.id, 0),
            "deducted": lost.get(unit.id, 0), "findings_rate": round(f, 4),
            "score": round(score, 1),
        })
    return result


def _campaigns(session: Session, period: Any) -> list[Campaign]:
    """The period's campaigns, by the half-year they cover (I1): one started on 2 July for
    H1 is H1's, on its last day."""
    halves = {period_of("half_year", day).label for day in (period.start, period.end)}
    rows = session.scalars(select(Campaign).where(
        Campaign.archived_at.is_(None), Campaign.period.in_(halves)))
    return [c for c in rows if period.start <= _counts_on(c) <= period.end]


def _counts_on(campaign: Campaign) -> Any:
    covered = parse_period(campaign.period)
    return min(max(campaign.started_on, covered.start), covered.end)


def _average_score(session: Session, period: Any) -> float | None:
    scores = [row["score"] for campaign in _campaigns(session, period)
              for row in unit_scores(session, campaign)]
    return round(sum(scores) / len(scores), 1) if scores else None


def _prominent_units(session: Session, period: Any) -> int:
    ids = [c.id for c in _campaigns(session, period)]
    if not ids:
        return 0
    return session.scalar(select(func.count()).select_from(Rating).where(
        Rating.campaign_id.in_(ids), Rating.archived_at.is_(None),
        Rating.rating == "prominent_problems")) or 0


def _overdue_rectifications(session: Session, period: Any) -> int:
    """Findings whose deadline fell in the period and passed unverified (as of today)."""
    return session.scalar(select(func.count()).select_from(Finding).where(
        Finding.archived_at.is_(None), Finding.verified_at.is_(None),
        Finding.deadline.between(period.start, period.end), Finding.deadline < today())) or 0


METRICS = [
    RollupMetric("inspection.average_score",
                 Label("督查平均得分", "Average inspection score (I4)"), "score", _average_score,
                 unit=Label("分（百分制）", "points of 100")),
    RollupMetric("inspection.prominent_problem_units",
                 Label("存在突出問題的單位數", "Units rated 'prominent problems' (I3)"), "count",
                 _prominent_units),
    RollupMetric("inspection.overdue_rectifications",
                 Label("逾期未整改的問題數", "Overdue rectifications"), "count",
                 _overdue_rectifications),
]
