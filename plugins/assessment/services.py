"""The annual assessment (M4, I4), free of Flask: inputs, compute, finalise, reopen.

Compliance comes from the ledger through ``core.obligation_summary`` for the year.
Inspection scores are a manual input per unit and year: modules read each other's data
only through the core API, which offers no per-unit inspection score (``describe_reference``
names a record, it does not score a unit), so the office enters the result of the
half-yearly inspection (I1) here. The inspection module reaches the county through its own
roll-up metrics, not through this one.

A finalised assessment in which every active unit has a score is the evidence for
``assessment.annual`` at each office unit for the year it assesses, whenever it was
finalised: a year is assessed once it is over, so finalising 2026 in January 2027 fulfils
2026 (late, as the ledger keeps the moment) and never 2027. Reopening withdraws it.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zerenzhi import (
    DomainError,
    Evidence,
    OrgUnit,
    emit,
    live_unit,
    obligation_summary,
    parse_period,
    sync_evidence,
    today,
    units_of_kind,
    utcnow,
)
from zerenzhi.plugins.assessment import scoring
from zerenzhi.plugins.assessment.models import Adjustment, Assessment, InspectionScore, Score
from zerenzhi.plugins.assessment.rules import ANNUAL

SOURCE_TYPE = "assessment_year"  # how the ledger names a year's assessment
YEAR = re.compile(r"^\d{4}$")
FIRST_YEAR = 2000


def parse_year(text: str) -> int | None:
    """The year in a URL, or None for anything that is not a plausible year."""
    if not YEAR.match(text or ""):
        return None
    year = int(text)
    return year if FIRST_YEAR <= year <= 2100 else None


def current_year(now: dt.datetime | None = None) -> int:
    return today(now).year


def get_assessment(session: Session, year: int) -> Assessment | None:
    return session.scalar(select(Assessment).where(Assessment.year == year))


def _open_year(session: Session, year: int) -> None:
    found = get_assessment(session, year)
    if found is not None and found.status == "final":
        raise DomainError("year", f"the {year} assessment is final; reopen it first", 409)


# --- inputs -------------------------------------------------------------------------------


def set_inspection_score(session: Session, year: int, unit_id: uuid.UUID,
                         score: float | None, note: str | None = None) -> InspectionScore:
    """Enter (or clear, with None) a unit's inspection result for the year."""
    _open_year(session, year)
    live_unit(session, unit_id)
    row = session.scalar(select(InspectionScore).where(
        InspectionScore.year == year, InspectionScore.unit_id == unit_id))
    if row is None:
        row = InspectionScore(year=year, unit_id=unit_id)
        session.add(row)
    row.score, row.note = score, note
    session.flush()
    return row


def _adjusted(session: Session, year: int, unit_id: uuid.UUID) -> float:
    return session.scalar(select(func.coalesce(func.sum(Adjustment.points), 0.0)).where(
        Adjustment.year == year, Adjustment.unit_id == unit_id,
        Adjustment.archived_at.is_(None))) or 0.0


def add_adjustment(session: Session, year: int, *, unit_id: uuid.UUID, points: float,
                   reason: str, max_bonus: float, max_deduction: float) -> Adjustment:
    """Add or take points, with a reason; the year's net per unit stays within the caps."""
    _open_year(session, year)
    live_unit(session, unit_id)
    if not reason.strip():
        raise DomainError("reason", "say why the score is adjusted")
    if points == 0:
        raise DomainError("points", "an adjustment adds or takes points")
    net = round(_adjusted(session, year, unit_id) + points, 2)
    if net > max_bonus:
        raise DomainError("points", f"the year's net bonus for a unit is at most {max_bonus}")
    if net < -max_deduction:
        raise DomainError("points",
                          f"the year's net deduction for a unit is at most {max_deduction}")
    adjustment = Adjustment(year=year, unit_id=unit_id, points=points, reason=reason.strip())
    session.add(adjustment)
    session.flush()
    emit(session, "assessment.adjusted", year=year, unit_id=str(unit_id), points=points)
    return adjustment


def archive_adjustment(session: Session, adjustment: Adjustment,
                       now: dt.datetime | None = None) -> Adjustment:
    """Withdraw an adjustment (kept in the record, counted no more)."""
    _open_year(session, adjustment.year)
    if adjustment.archived_at is None:
        adjustment.archived_at = now or utcnow()
        session.flush()
    return adjustment


# --- compute, finalise, reopen ------------------------------------------------------------


def _lines(session: Session, year: int, units: list[OrgUnit], settings: dict,
           now: dt.datetime) -> list[scoring.Line]:
    summary = obligation_summary(session, parse_period(str(year)), now=now)
    compliance = scoring.compliance_by_unit(summary["items"], exclude=(ANNUAL.key,))
    inspections = dict(session.execute(select(InspectionScore.unit_id, InspectionScore.score)
                                       .where(InspectionScore.year == year,
                                              InspectionScore.score.is_not(None))).all())
    adjustments = dict(session.execute(
        select(Adjustment.unit_id, func.sum(Adjustment.points))
        .where(Adjustment.year == year, Adjustment.archived_at.is_(None))
        .group_by(Adjustment.unit_id)).all())
    lines = []
    for unit in units:
        count, rate = compliance.get(unit.id, (0, None))
        net = min(settings["max_bonus"], max(-settings["max_deduction"],
                                             adjustments.get(unit.id) or 0.0))
        line = scoring.Line(unit.id, count, rate, inspections.get(unit.id), round(net, 2))
        line.total = scoring.total_of(rate, line.inspection_score, line.adjustment,
                                      settings["compliance_weight"],
                                      settings["inspection_weight"])
        lines.append(line)
    scoring.rank(lines)
    return lines


def _store(session: Session, assessment: Assessment, lines: list[scoring.Line],
           now: dt.datetime) -> None:
    existing = {row.unit_id: row for row in session.scalars(
        select(Score).where(Score.assessment_id == assessment.id))}
    for line in lines:
        row = existing.pop(line.unit_id, None)
        if row is None:
            row = Score(assessment_id=assessment.id, unit_id=line.unit_id)
            session.add(row)
        row.archived_at = None
        row.obligations, row.compliance_rate = line.obligations, line.compliance_rate
        row.inspection_score, row.adjustment = line.inspection_score, line.adjustment
        row.total, row.rank = line.total, line.rank
    for gone in existing.values():  # units archived since the last compute
        if gone.archived_at is None:
            gone.archived_at = now


def compute(session: Session, year: int, *, settings: dict, finalise: bool = False,
            now: dt.datetime | None = None) -> Assessment:
    """Snapshot every active unit's score for ``year`` with the township's ``settings``
    (weights; caps, which also bound the net of adjustments entered under looser caps or
    left beyond them by a withdrawn one); optionally finalise it."""
    now = now or utcnow()
    if year > current_year(now):
        raise DomainError("year", "a year is assessed once it has begun")
    _open_year(session, year)
    units = units_of_kind(session)
    lines = _lines(session, year, units, settings, now)
    missing = [unit.code for unit, line in zip(units, lines, strict=True) if line.total is None]
    if finalise and missing:
        raise DomainError("finalise", "every unit needs a score before the assessment is "
                                      f"final; none yet for {', '.join(missing)}")
    assessment = get_assessment(session, year)
    if assessment is None:
        assessment = Assessment(year=year, computed_at=now, compliance_weight=0,
                                inspection_weight=0)
        session.add(assessment)
        session.flush()
    assessment.compliance_weight = settings["compliance_weight"]
    assessment.inspection_weight = settings["inspection_weight"]
    assessment.computed_at = now
    assessment.township_total = scoring.township_total(lines)
    _store(session, assessment, lines, now)
    if finalise:
        assessment.status, assessment.finalised_at = "final", now
    session.flush()
    sync_ledger(session, assessment)
    emit(session, "assessment.finalised" if finalise else "assessment.computed", year=year,
         township_total=assessment.township_total)
    return assessment


def reopen(session: Session, assessment: Assessment, reason: str) -> Assessment:
    """Make a final assessment a draft again (with a reason, audited); evidence withdrawn."""
    if assessment.status != "final":
        raise DomainError("year", "only a final assessment is reopened", 409)
    if not reason.strip():
        raise DomainError("reason", "say why the final result is reopened")
    assessment.status, assessment.finalised_at = "draft", None
    assessment.reopen_reason = reason.strip()
    session.flush()
    sync_ledger(session, assessment)
    emit(session, "assessment.reopened", year=assessment.year)
    return assessment


def is_complete(session: Session, assessment: Assessment) -> bool:
    """Every active unit has a score in this snapshot."""
    active = {unit.id for unit in units_of_kind(session)}
    scored = set(session.scalars(select(Score.unit_id).where(
        Score.assessment_id == assessment.id, Score.archived_at.is_(None),
        Score.total.is_not(None))))
    return active <= scored


def sync_ledger(session: Session, assessment: Assessment) -> None:
    """Tell the ledger what this year's assessment counts for now: the year it assesses
    (M4/I4), attributed explicitly, not the year it was finalised in."""
    evidence = []
    if (assessment.status == "final" and assessment.finalised_at is not None
            and is_complete(session, assessment)):
        counts_on = min(today(assessment.finalised_at), dt.date(assessment.year, 12, 31))
        evidence = [Evidence(ANNUAL.key, office.id, assessment.finalised_at, counts_on=counts_on)
                    for office in units_of_kind(session, "office")]
    sync_evidence(session, SOURCE_TYPE, assessment.id, evidence)


def table(session: Session, assessment: Assessment) -> dict:
    """The ranked table of a year's snapshot, best first; unranked units last."""
    rows = session.execute(
        select(Score, OrgUnit).join(OrgUnit, OrgUnit.id == Score.unit_id)
        .where(Score.assessment_id == assessment.id, Score.archived_at.is_(None))
        .order_by(Score.rank.is_(None), Score.rank, OrgUnit.code)).all()
    return {
        "year": assessment.year, "status": assessment.status,
        "computed_at": assessment.computed_at, "finalised_at": assessment.finalised_at,
        "compliance_weight": assessment.compliance_weight,
        "inspection_weight": assessment.inspection_weight,
        "township_total": assessment.township_total,
        "complete": is_complete(session, assessment),
        "reopen_reason": assessment.reopen_reason,
        "units": [{
            "rank": score.rank, "unit_id": unit.id, "unit_code": unit.code,
            "unit_name": unit.name, "unit_kind": unit.kind, "obligations": score.obligations,
            "compliance_rate": score.compliance_rate,
            "inspection_score": score.inspection_score, "adjustment": score.adjustment,
            "total": score.total,
        } for score, unit in rows],
    }
