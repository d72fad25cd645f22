"""Major situations and their reports (R3): recording a situation starts the deadline
(24 h by default); the report with proposals fulfils it; a late report stays late. What
the API shows of them (status, first report, lateness) is computed here, a page at once."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from zerenzhi import (
    DomainError,
    Evidence,
    committee,
    emit,
    listed,
    open_event_obligation,
    send_upward,
    sync_evidence,
    utcnow,
)
from zerenzhi.plugins.reporting.models import ReportingSituation as Situation
from zerenzhi.plugins.reporting.models import ReportingSituationReport as SituationReport
from zerenzhi.plugins.reporting.rules import MAJOR_SITUATION

SITUATION, REPORT = "reporting.situation", "reporting.situation_report"
CLOCK_SKEW = dt.timedelta(minutes=5)  # a client's clock a little ahead is not "the future"


def record_situation(session: Session, data: dict) -> Situation:
    """Record the situation and start its R3 deadline in the same transaction. With the
    rule switched off for this township no deadline starts (``due_at`` stays empty)."""
    unit = committee(session)
    occurred_at = data.get("occurred_at") or utcnow()
    if occurred_at > utcnow() + CLOCK_SKEW:
        raise DomainError("occurred_at", "cannot be in the future")
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
        raise DomainError("id", "an archived record cannot change", 409)
    for key, value in changes.items():
        setattr(row, key, value)
    session.flush()
    return row


def listing(query: Mapping[str, Any]) -> Select:
    """The list's select, newest first; ``year`` is the UTC year it occurred in."""
    statement = listed(Situation, query,
                       order_by=(Situation.occurred_at.desc(), Situation.id.desc()))
    if "year" in query:
        statement = statement.where(
            Situation.occurred_at >= dt.datetime(query["year"], 1, 1, tzinfo=dt.UTC),
            Situation.occurred_at < dt.datetime(query["year"] + 1, 1, 1, tzinfo=dt.UTC))
    return statement


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
        raise DomainError("situation_id", "the situation is archived", 409)
    reported_at = data.get("reported_at") or utcnow()
    if reported_at < situation.occurred_at:
        raise DomainError("reported_at", "before the situation occurred")
    if reported_at > utcnow() + CLOCK_SKEW:
        raise DomainError("reported_at", "cannot be in the future")
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
    return _state(row, reports_of(session, row))


def _state(row: Situation, reports: list[SituationReport]) -> dict[str, Any]:
    first = reports[0] if reports else None
    if first is not None:
        status = "reported_late" if is_late(first, row) else "reported"
    elif row.due_at is not None and row.due_at <= utcnow():
        status = "overdue"
    else:
        status = "awaiting_report"
    return {"status": status, "reported_at": first.reported_at if first else None,
            "reports": reports}


def shown(session: Session, rows: Sequence[Situation]) -> list[dict[str, Any]]:
    """What the API shows of each situation, for a whole page at once: its columns, its
    state (``state``) and its live reports, each marked late or not. The page's reports
    come in one statement, so a page costs the same whatever its size."""
    reports: dict[Any, list[SituationReport]] = defaultdict(list)
    if rows:
        for report in session.scalars(
                select(SituationReport)
                .where(SituationReport.situation_id.in_([row.id for row in rows]),
                       SituationReport.archived_at.is_(None))
                .order_by(SituationReport.reported_at, SituationReport.id)):
            reports[report.situation_id].append(report)
    return [{**_columns(row), **_state(row, reports[row.id]),
             "reports": shown_reports(row, reports[row.id])} for row in rows]


def shown_reports(situation: Situation, reports: Sequence[SituationReport]) -> list[dict]:
    """Reports on ``situation`` as the API shows them: each with whether it was late."""
    return [{**_columns(report), "late": is_late(report, situation)} for report in reports]


def _columns(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}
