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

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from zerenzhi import (
    Label,
    OrgUnit,
    RollupMetric,
    TenantRef,
    parse_period,
    period_of,
    plugin_settings,
    today,
    township_settings,
    townships_by_zone,
    units_of_kind,
)
from zerenzhi.plugins.inspection.models import Campaign, Check, Finding, Rating
from zerenzhi.plugins.inspection.rules import SCOPE_KINDS

Townships = Mapping[uuid.UUID, TenantRef]


class _Records:
    """What scores are made of, for some campaigns (of one township, or of a county's
    townships in its read scope): each unit's latest submitted self-inspection, its
    rating and the findings, by (township, campaign): ids are unique within a township."""

    def __init__(self, session: Session, campaign_ids: list[uuid.UUID]) -> None:
        self.selfs: dict[tuple[uuid.UUID, uuid.UUID, uuid.UUID], Check] = {}
        for check in session.scalars(select(Check).where(
                Check.campaign_id.in_(campaign_ids), Check.method == "self",
                Check.submitted_at.is_not(None), Check.archived_at.is_(None))
                .order_by(Check.submitted_at)):
            self.selfs[check.tenant_id, check.campaign_id, check.unit_id] = check  # the latest
        self.ratings = {(r.tenant_id, r.campaign_id, r.unit_id): r.rating for r in session.scalars(
            select(Rating).where(Rating.campaign_id.in_(campaign_ids),
                                 Rating.archived_at.is_(None)))}
        self.findings: dict[tuple[uuid.UUID, uuid.UUID], list[Finding]] = defaultdict(list)
        for finding in session.scalars(select(Finding).where(
                Finding.campaign_id.in_(campaign_ids), Finding.archived_at.is_(None))):
            self.findings[finding.tenant_id, finding.campaign_id].append(finding)


def unit_scores(session: Session, campaign: Campaign,
                settings: dict | None = None) -> list[dict[str, Any]]:
    settings = settings or plugin_settings("inspection")
    return _scores(campaign, units_of_kind(session, *SCOPE_KINDS),
                   _Records(session, [campaign.id]), settings)


def _scores(campaign: Campaign, units: Iterable[OrgUnit], records: _Records,
            settings: dict) -> list[dict[str, Any]]:
    key = (campaign.tenant_id, campaign.id)
    weights = settings["score_weights"]
    points, deductions = settings["rating_points"], settings["severity_deductions"]
    lost: dict[uuid.UUID, float] = {}
    found: dict[uuid.UUID, int] = {}
    for finding in records.findings.get(key, ()):
        share = 0.5 if finding.verified_at is not None else 1.0
        lost[finding.unit_id] = lost.get(finding.unit_id, 0) + deductions[finding.severity] * share
        found[finding.unit_id] = found.get(finding.unit_id, 0) + 1
    result = []
    for unit in units:
        check = records.selfs.get((*key, unit.id))
        answered = [a for a in (check.answers.values() if check else ()) if a in ("yes", "no")]
        c = (sum(1 for a in answered if a == "yes") / len(answered)) if answered else 0.0
        rating = records.ratings.get((*key, unit.id))
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
    H1 is H1's, on its last day. In a county's read scope, its townships' campaigns."""
    halves = {period_of("half_year", day).label for day in (period.start, period.end)}
    rows = session.scalars(select(Campaign).where(
        Campaign.archived_at.is_(None), Campaign.period.in_(halves)))
    return [c for c in rows if period.start <= _counts_on(c) <= period.end]


def _counts_on(campaign: Campaign) -> Any:
    covered = parse_period(campaign.period)
    return min(max(campaign.started_on, covered.start), covered.end)


def _average(scores: list[float]) -> float | None:
    return round(sum(scores) / len(scores), 1) if scores else None


def _average_score(session: Session, period: Any) -> float | None:
    return _average([row["score"] for campaign in _campaigns(session, period)
                     for row in unit_scores(session, campaign)])


def _average_score_per_township(session: Session, period: Any, townships: Townships) -> dict:
    """The average for every township from a fixed number of statements: the campaigns,
    the units, the records and the settings of all of them at once."""
    campaigns: dict[uuid.UUID, list[Campaign]] = defaultdict(list)
    for campaign in _campaigns(session, period):
        campaigns[campaign.tenant_id].append(campaign)
    result: dict[uuid.UUID, float | None] = {tid: None for tid in townships
                                             if not campaigns.get(tid)}
    if len(result) == len(townships):
        return result
    settings = township_settings(session, "inspection", townships)
    units: dict[uuid.UUID, list[OrgUnit]] = defaultdict(list)
    for unit in units_of_kind(session, *SCOPE_KINDS):
        units[unit.tenant_id].append(unit)
    records = _Records(session, [c.id for own in campaigns.values() for c in own])
    for tid in townships:
        if tid in result or tid not in settings:
            continue  # no campaign: None; settings that no longer validate: failed
        result[tid] = _average([row["score"] for campaign in campaigns[tid] for row in
                                _scores(campaign, units[tid], records, settings[tid])])
    return result


def _prominent(*where: Any):
    return (Rating.archived_at.is_(None), Rating.rating == "prominent_problems", *where)


def _prominent_units(session: Session, period: Any) -> int:
    ids = [c.id for c in _campaigns(session, period)]
    if not ids:
        return 0
    return session.scalar(select(func.count()).select_from(Rating).where(
        *_prominent(Rating.campaign_id.in_(ids)))) or 0


def _prominent_units_per_township(session: Session, period: Any, townships: Townships) -> dict:
    keys = [(c.tenant_id, c.id) for c in _campaigns(session, period)]  # unique per township
    counts = dict(session.execute(
        select(Rating.tenant_id, func.count())
        .where(*_prominent(tuple_(Rating.tenant_id, Rating.campaign_id).in_(keys)))
        .group_by(Rating.tenant_id)).all()) if keys else {}
    return {township: counts.get(township, 0) for township in townships}


def _overdue_by(period: Any, day: dt.date) -> tuple:
    return (Finding.archived_at.is_(None), Finding.verified_at.is_(None),
            Finding.deadline.between(period.start, period.end), Finding.deadline < day)


def _overdue_rectifications(session: Session, period: Any) -> int:
    """Findings whose deadline fell in the period and passed unverified (as of today)."""
    return session.scalar(select(func.count()).select_from(Finding).where(
        *_overdue_by(period, today()))) or 0


def _overdue_rectifications_per_township(session: Session, period: Any,
                                         townships: Townships) -> dict:
    """The same count for every township: one statement per time zone (its today)."""
    now = dt.datetime.now(dt.UTC)
    counts: dict[uuid.UUID, int] = {}
    for zone, ids in townships_by_zone(townships).items():
        counts.update(session.execute(
            select(Finding.tenant_id, func.count())
            .where(Finding.tenant_id.in_(ids),
                   *_overdue_by(period, now.astimezone(ZoneInfo(zone)).date()))
            .group_by(Finding.tenant_id)).all())
    return {township: counts.get(township, 0) for township in townships}


METRICS = [
    RollupMetric("inspection.average_score",
                 Label("督查平均得分", "Average inspection score (I4)"), "score", _average_score,
                 unit=Label("分（百分制）", "points of 100"),
                 compute_for_townships=_average_score_per_township),
    RollupMetric("inspection.prominent_problem_units",
                 Label("存在突出問題的單位數", "Units rated 'prominent problems' (I3)"), "count",
                 _prominent_units, compute_for_townships=_prominent_units_per_township),
    RollupMetric("inspection.overdue_rectifications",
                 Label("逾期未整改的問題數", "Overdue rectifications"), "count",
                 _overdue_rectifications,
                 compute_for_townships=_overdue_rectifications_per_township),
]
