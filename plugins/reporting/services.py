"""Meetings, half-year and assembly reports (R1, R2): validate, write, keep the ledger
saying what each record counts for, emit events; the selects of their lists. No Flask here;
callers commit."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from zerenzhi import (
    DomainError,
    Evidence,
    OrgUnit,
    committee,
    emit,
    listed,
    parse_period,
    require_tenant,
    send_upward,
    sync_evidence,
    tenant_zone,
    today,
    utcnow,
)
from zerenzhi.plugins.reporting.models import (
    ReportingAssemblyReport,
    ReportingHalfYearReport,
    ReportingMeeting,
)
from zerenzhi.plugins.reporting.rules import (
    ASSEMBLY_REPORT,
    COMMITTEE_SPECIAL_MEETING,
    HALF_YEAR_REPORT,
    SECRETARY_DELIBERATION,
)

DEFAULT_START = dt.time(9, 0)
MEETING, HALF_YEAR, ASSEMBLY = ("reporting.meeting", "reporting.half_year_report",
                                "reporting.assembly_report")  # ledger / reference types


def local_moment(day: dt.date, time: dt.time | None = None) -> dt.datetime:
    """When a record dated ``day`` (at ``time``, else 09:00) happened, in the township's
    time zone, for the ledger."""
    return dt.datetime.combine(day, time or DEFAULT_START, tenant_zone())


def listing(model: Any, day_column: Any, query: Mapping[str, Any]) -> Select:
    """A list's select, newest first; ``year`` matches the record's own day."""
    statement = listed(model, query, order_by=(day_column.desc(), model.id.desc()))
    if "year" in query:
        statement = statement.where(day_column.between(dt.date(query["year"], 1, 1),
                                                       dt.date(query["year"], 12, 31)))
    return statement


def _not_archived(row: Any) -> None:
    if row.archived_at is not None:
        raise DomainError("id", "an archived record cannot change", 409)


def _apply(row: Any, changes: dict) -> None:
    for key, value in changes.items():
        setattr(row, key, value)


# --- R1: committee meetings on ideology --------------------------------------------------


def sync_meeting(session: Session, row: ReportingMeeting) -> None:
    """One meeting is the committee's special study of its half-year (R1) and one of the
    secretary's two yearly deliberations (W2): the text's two duties, one record."""
    held = local_moment(row.held_on, row.start_time)
    evidence = [] if row.archived_at else [
        Evidence(rule.key, row.unit_id, held)
        for rule in (COMMITTEE_SPECIAL_MEETING, SECRETARY_DELIBERATION)]
    sync_evidence(session, MEETING, row.id, evidence)


def record_meeting(session: Session, data: dict) -> ReportingMeeting:
    row = ReportingMeeting(unit_id=committee(session).id, **data)
    session.add(row)
    session.flush()
    sync_meeting(session, row)
    emit(session, "reporting.meeting_recorded", meeting_id=str(row.id))
    return row


def update_meeting(session: Session, row: ReportingMeeting, changes: dict) -> ReportingMeeting:
    _not_archived(row)
    _apply(row, changes)
    session.flush()
    sync_meeting(session, row)
    return row


def archive(session: Session, row: Any, source_type: str) -> Any:
    """Archive any record of this module (never delete): it stops counting."""
    if row.archived_at is None:
        row.archived_at = utcnow()
        session.flush()
        sync_evidence(session, source_type, row.id, [])
        emit(session, "reporting.archived", type=source_type, id=str(row.id))
    return row


# --- R1: half-year reports to the higher committee ---------------------------------------


def default_title(unit: OrgUnit, period: str) -> str:
    half = "上" if period.endswith("H1") else "下"
    return f"{unit.name}關於{period[:4]}年{half}半年意識形態工作情況的報告"


def half_year_reports(query: Mapping[str, Any]) -> Select:
    """The list's select, newest period first, by year and status."""
    statement = listed(ReportingHalfYearReport, query, match=("status",), order_by=(
        ReportingHalfYearReport.period.desc(), ReportingHalfYearReport.id.desc()))
    if "year" in query:
        statement = statement.where(ReportingHalfYearReport.period.in_(
            [f"{query['year']}H1", f"{query['year']}H2"]))
    return statement


def sync_half_year(session: Session, row: ReportingHalfYearReport) -> None:
    """Counts once submitted, for the half-year it reports on (R1: every half-year): an H1
    report that goes up on 3 July fulfils H1 (late), never H2; the ledger keeps the day it
    went up, so the lateness shows."""
    counts = row.archived_at is None and row.status != "draft" and row.submitted_on
    evidence = [Evidence(
        HALF_YEAR_REPORT.key, row.unit_id, local_moment(row.submitted_on),
        counts_on=min(row.submitted_on, parse_period(row.period).end))] if counts else []
    sync_evidence(session, HALF_YEAR, row.id, evidence)


def create_half_year(session: Session, data: dict, settings: dict) -> ReportingHalfYearReport:
    unit = committee(session)
    row = ReportingHalfYearReport(
        unit_id=unit.id, period=data["period"], status="draft",
        title=data.get("title") or default_title(unit, data["period"]),
        recipient=data.get("recipient") or settings["higher_committee"],
        sections=data.get("sections") or [])
    session.add(row)
    session.flush()
    sync_half_year(session, row)
    return row


def update_half_year(session: Session, row: ReportingHalfYearReport,
                     changes: dict) -> ReportingHalfYearReport:
    _not_archived(row)
    if row.status != "draft":
        raise DomainError("status", "only a draft can be edited", 409)
    _apply(row, changes)
    session.flush()
    return row


def submit_half_year(session: Session, row: ReportingHalfYearReport,
                     data: dict) -> ReportingHalfYearReport:
    _not_archived(row)
    if row.status != "draft":
        raise DomainError("status", f"already {row.status}", 409)
    if not row.sections:
        raise DomainError("sections", "a report needs at least one section")
    submitted_on = data.get("submitted_on") or today()
    if submitted_on > today():
        raise DomainError("submitted_on", "cannot be in the future")
    if submitted_on < parse_period(row.period).start:
        raise DomainError("submitted_on", f"before the period {row.period} began")
    row.status, row.submitted_on = "submitted", submitted_on
    if data.get("recipient"):
        row.recipient = data["recipient"]
    session.flush()
    sync_half_year(session, row)
    body = "\n\n".join(f"{s.get('heading', '')}\n{s.get('body', '')}" for s in row.sections)
    send_upward(session, "half_year_report", row.title, body, "reporting.half_year_report",
                row.id)  # R1: what the township reports upward reaches the county's inbox
    emit(session, "reporting.half_year_report_submitted", report_id=str(row.id),
         period=row.period)
    return row


def acknowledge_half_year(session: Session, row: ReportingHalfYearReport,
                          data: dict) -> ReportingHalfYearReport:
    _not_archived(row)
    if row.status != "submitted":
        raise DomainError("status", "only a submitted report can be acknowledged", 409)
    acknowledged_on = data.get("acknowledged_on") or today()
    if acknowledged_on < row.submitted_on:
        raise DomainError("acknowledged_on", "before the report was submitted")
    if acknowledged_on > today():
        raise DomainError("acknowledged_on", "cannot be in the future")
    row.status, row.acknowledged_on = "acknowledged", acknowledged_on
    row.acknowledgement = data.get("note")
    session.flush()
    sync_half_year(session, row)
    return row


# --- R2: the assembly report --------------------------------------------------------------


def sync_assembly(session: Session, row: ReportingAssemblyReport) -> None:
    """Counts only with an ideology section (R2: ideology work is an important part)."""
    evidence = [Evidence(ASSEMBLY_REPORT.key, row.unit_id,
                         local_moment(row.delivered_on))] if row.counts else []
    sync_evidence(session, ASSEMBLY, row.id, evidence)


def record_assembly(session: Session, data: dict) -> ReportingAssemblyReport:
    row = ReportingAssemblyReport(unit_id=committee(session).id, **data)
    session.add(row)
    session.flush()
    sync_assembly(session, row)
    return row


def update_assembly(session: Session, row: ReportingAssemblyReport,
                    changes: dict) -> ReportingAssemblyReport:
    _not_archived(row)
    _apply(row, changes)
    session.flush()
    sync_assembly(session, row)
    return row


def describe(session: Session, ref_type: str, ref_id: str) -> dict[str, Any] | None:
    """References to this module's records (no bodies: type, id, title, status)."""
    from zerenzhi.plugins.reporting import situations

    models = {MEETING: ReportingMeeting, HALF_YEAR: ReportingHalfYearReport,
              ASSEMBLY: ReportingAssemblyReport, situations.SITUATION: situations.Situation}
    model = models.get(ref_type)
    if model is None:
        return None
    try:
        row = session.get(model, (require_tenant().id, uuid.UUID(ref_id)))
    except ValueError:
        return None
    if row is None:
        return None
    status = "archived" if row.archived_at else getattr(row, "status", "recorded")
    if model is situations.Situation and not row.archived_at:
        status = situations.state(session, row)["status"]
    return {"type": ref_type, "id": str(row.id), "title": row.title, "status": status}
