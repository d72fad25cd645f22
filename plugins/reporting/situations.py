"""Major situations and their reports (R3): recording a situation starts the deadline
(24 h by default); the report with proposals fulfils it; a late report stays late."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi import (
    Evidence,
    emit,
    open_event_obligation,
    send_upward,
    sync_evidence,
    utcnow,
)
from zerenzhi.plugins.reporting.models import ReportingSituation as Situation
from zerenzhi.plugins.reporting.models import ReportingSituationReport as SituationReport
from zerenzhi.plugins.reporting.rules import MAJOR_SITUATION
from zerenzhi.plugins.reporting.services import ReportingError, committee

SITUATION, REPORT = "reporting.situation", "reporting.situation_report"
CLOCK_SKEW = dt.timedelta(minutes=5)  # a client's clock a little ahead is not "the future"


def record_situation(session: Session, data: dict) -> Situation:
    """Record the situation and start its R3 deadline in the same transaction. With the
    rule switched off for this township no deadline starts (``due_at`` stays empty)."""
    unit = committee(session)
    occurred_at = data.get("occurred_at") or utcnow()
    if occurred_at > utcnow() + CLOCK_SKEW:
        raise ReportingError("occurred_at", "cannot be in the future")
    row = Situation(unit_id=unit.id, occurred_at=occurred_at,
                    title=data["title"], description=data.get("description"))
    session.add(row)
    session.flush()
    obligation = open_event_obligation(session, MAJOR_SITUATION.key, unit.id, SITUATION,
                                       row.id, row.occurred_at)
    if obligation is not None:
        row.obligation_id, row.due_at = obligation.id, obligation.due_at
        session.flush()
    emit(session, "reporting.major_situation_recorded", situation_id=str(row.id),
         due_at=row.due_at.isoformat() if row.due_at else None)
    return row


def update_situation(session: Session, row: Situation, changes: dict) -> Situation:
    if row.archived_at is not None:
        raise ReportingError("id", "an archived record cannot change", 409)
    for key, value in changes.items():
        setattr(row, key, value)
    session.flush()
    return row


def reports_of(session: Session, row: Situation, include_archived: bool = False) -> list:
    statement = select(SituationReport).where(SituationReport.situation_id == row.id).order_by(
        SituationReport.reported_at, SituationReport.id)
    if not include_archived:
        statement = statement.where(SituationReport.archived_at.is_(None))
    return list(session.scalars(statement))


def sync_report(session: Session, report: SituationReport, situation: Situation) -> None:
    counts = report.archived_at is None and situation.obligation_id is not None
    evidence = [Evidence(MAJOR_SITUATION.key, situation.unit_id, report.reported_at,
                         obligation_id=situation.obligation_id)] if counts else []
    sync_evidence(session, REPORT, report.id, evidence)


def record_report(session: Session, situation: Situation, data: dict,
                  settings: dict) -> SituationReport:
    if situation.archived_at is not None:
        raise ReportingError("situation_id", "the situation is archived", 409)
    reported_at = data.get("reported_at") or utcnow()
    if reported_at < situation.occurred_at:
        raise ReportingError("reported_at", "before the situation occurred")
    if reported_at > utcnow() + CLOCK_SKEW:
        raise ReportingError("reported_at", "cannot be in the future")
    report = SituationReport(situation_id=situation.id, reported_at=reported_at,
                             recipient=data.get("recipient") or settings["higher_committee"],
                             content=data["content"], proposals=data["proposals"])
    session.add(report)
    session.flush()
    sync_report(session, report, situation)
    send_upward(session, "major_situation_report", situation.title,
                f"{report.content}\n\n建議：{report.proposals}", REPORT, report.id)  # R3
    emit(session, "reporting.major_situation_reported", situation_id=str(situation.id),
         report_id=str(report.id), late=is_late(report, situation))
    return report


def is_late(report: SituationReport, situation: Situation) -> bool:
    return situation.due_at is not None and report.reported_at > situation.due_at


def state(session: Session, row: Situation) -> dict[str, Any]:
    """``awaiting_report`` → ``overdue`` if the deadline passes; ``reported`` or
    ``reported_late`` by the first live report, which stays late once late."""
    reports = reports_of(session, row)
    first = reports[0] if reports else None
    if first is not None:
        status = "reported_late" if is_late(first, row) else "reported"
    elif row.due_at is not None and row.due_at <= utcnow():
        status = "overdue"
    else:
        status = "awaiting_report"
    return {"status": status, "reported_at": first.reported_at if first else None,
            "reports": reports}
