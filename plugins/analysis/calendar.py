"""Sensitive dates and hot topics (A3) and contributions from departments and units (A1).

Each sensitive date starts ``analysis.sensitive_date`` for the committee: the rule's
deadline is relative to the date (−168 h = 7 days before by default), so the obligation is
opened with the date's local midnight as its trigger and core applies the township's
effective deadline. Moving the date moves the deadline; archiving it closes the
obligation.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi import (
    close_event_obligation,
    emit,
    get_unit,
    open_event_obligation,
    plugin_settings,
    reschedule_event_obligation,
    utcnow,
)
from zerenzhi.plugins.analysis.common import (
    Actor,
    AnalysisError,
    committee,
    local_midnight,
    today,
    zone,
)
from zerenzhi.plugins.analysis.models import Analysis, Contribution, SensitiveDate
from zerenzhi.plugins.analysis.rules import SENSITIVE_DATE
from zerenzhi.plugins.analysis.services import get_analysis, sync_analysis

TRIGGER = "analysis.sensitive_date"


def _obligation(session: Session, date: SensitiveDate, on: dt.date):
    return open_event_obligation(session, SENSITIVE_DATE.key, date.unit_id, TRIGGER, date.id,
                                 local_midnight(on))


def get_sensitive_date(session: Session, date_id: uuid.UUID) -> SensitiveDate | None:
    return session.scalar(select(SensitiveDate).where(SensitiveDate.id == date_id))


def create_sensitive_date(session: Session, *, falls_on: dt.date, title: str,
                          kind: str = "sensitive_date", description: str = "") -> SensitiveDate:
    date = SensitiveDate(unit_id=committee(session).id, falls_on=falls_on, title=title,
                         kind=kind, description=description)
    session.add(date)
    session.flush()
    obligation = _obligation(session, date, falls_on)  # None when the rule is switched off
    date.obligation_id = obligation.id if obligation is not None else None
    session.flush()
    emit(session, "analysis.sensitive_date_recorded", sensitive_date_id=str(date.id),
         falls_on=falls_on.isoformat())
    return date


def _linked(session: Session, date: SensitiveDate) -> list[Analysis]:
    return list(session.scalars(select(Analysis).where(
        Analysis.sensitive_date_id == date.id, Analysis.archived_at.is_(None))))


def owned(date: SensitiveDate) -> None:
    """Townships change their own dates only; inherited ones follow the county."""
    if date.county_date_id is not None:
        raise AnalysisError("id", "inherited from the county: the county changes it", 409)


def update_sensitive_date(session: Session, date: SensitiveDate, changes: dict) -> SensitiveDate:
    if date.archived_at is not None:
        raise AnalysisError("id", "archived dates cannot change", 409)
    old = date.falls_on
    for key, value in changes.items():
        setattr(date, key, value)
    if date.falls_on != old and date.obligation_id is not None:
        # keep the deadline's offset from the date (the effective setting)
        obligation = _obligation(session, date, old)
        shift = local_midnight(date.falls_on) - local_midnight(old)
        reschedule_event_obligation(
            session, SENSITIVE_DATE.key, date.unit_id, TRIGGER, date.id,
            (obligation.due_at + shift).astimezone(zone()),
            triggered_at=local_midnight(date.falls_on))
    session.flush()
    return date


def archive_sensitive_date(session: Session, date: SensitiveDate) -> SensitiveDate:
    """The date is dropped: its obligation closes and linked analyses count for nothing."""
    if date.archived_at is None:
        date.archived_at = utcnow()
        if date.obligation_id is not None:
            close_event_obligation(session, SENSITIVE_DATE.key, date.unit_id, TRIGGER, date.id)
        for analysis in _linked(session, date):
            sync_analysis(session, analysis)
    session.flush()
    return date


# --- contributions (A1) ---------------------------------------------------------------------


def contribution_status(contribution: Contribution, on: dt.date | None = None) -> str:
    """pending → overdue after its due date; submitted or submitted_late once in."""
    on = on or today()
    if contribution.submitted_on is not None:
        return "submitted_late" if contribution.submitted_on > contribution.due_on else "submitted"
    return "overdue" if on > contribution.due_on else "pending"


def get_contribution(session: Session, analysis_id: uuid.UUID,
                     contribution_id: uuid.UUID) -> Contribution | None:
    return session.scalar(select(Contribution).where(
        Contribution.id == contribution_id, Contribution.analysis_id == analysis_id))


def assign(session: Session, analysis: Analysis, *, unit_id: uuid.UUID,
           due_on: dt.date | None = None, request: str = "",
           settings: dict | None = None) -> Contribution:
    """Ask a department or unit for its part by a due date (A1: 'on time')."""
    if analysis.archived_at is not None:
        raise AnalysisError("id", "archived analyses cannot change", 409)
    unit = get_unit(session, unit_id, include_archived=False)
    if unit is None:
        raise AnalysisError("unit_id", "no such unit in this township")
    if due_on is None:
        days = (settings or plugin_settings("analysis"))["contribution_days"]
        due_on = today() + dt.timedelta(days=days)
    contribution = Contribution(analysis_id=analysis.id, unit_id=unit.id, due_on=due_on,
                                request=request)
    session.add(contribution)
    session.flush()
    emit(session, "analysis.contribution_requested", contribution_id=str(contribution.id),
         unit_id=str(unit.id), due_on=due_on.isoformat())
    return contribution


def submit(session: Session, contribution: Contribution, *, content: str, actor: Actor | None,
           at: dt.datetime | None = None) -> Contribution:
    """The unit hands in its part; a late one stays visible as ``submitted_late``."""
    if contribution.archived_at is not None:
        raise AnalysisError("id", "this request was withdrawn", 409)
    if contribution.submitted_at is not None:
        raise AnalysisError("content", "already submitted", 409)
    analysis = get_analysis(session, contribution.analysis_id)
    if analysis is None or analysis.archived_at is not None:
        raise AnalysisError("id", "the analysis was archived", 409)
    moment = at or utcnow()
    contribution.content = content
    contribution.submitted_at = moment
    contribution.submitted_on = moment.astimezone(zone()).date()
    if actor is not None:
        contribution.submitted_by, contribution.submitted_by_name = actor.member_id, actor.name
    session.flush()
    emit(session, "analysis.contribution_submitted", contribution_id=str(contribution.id),
         late=contribution_status(contribution) == "submitted_late")
    return contribution


def archive_contribution(session: Session, contribution: Contribution) -> Contribution:
    if contribution.archived_at is None:
        contribution.archived_at = utcnow()
        session.flush()
    return contribution
